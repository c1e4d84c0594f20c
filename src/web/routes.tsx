/**
 * The web: home, docs, sign-in by email link, and the dashboard. Every form
 * carries a CSRF token; bad input re-renders with a clear message and changes
 * nothing.
 */
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../env';
import { createKey, listKeys } from '../accounts/create-key';
import { accountStub } from '../account/client';
import { mailAvailable } from '../base/environment';
import { parseDollarsAndCents } from '../base/money';
import { publicOrigin } from '../base/public-url';
import { decodeCursor, listBillingLogs } from '../billing/billing-log-store';
import { createDb } from '../db/client';
import { ApiError, invalidValue, logCause } from '../errors';
import { mailerFor, plainEmail } from '../mail/mailer';
import { openRecharge } from '../payments/checkout';
import { listRecharges } from '../payments/recharges';
import { deleteProviderKey, registerProviderKey } from '../byok/provider-keys';
import { RegisterSchema } from '../schemas/byok-requests';
import { revokeOwnKey } from '../accounts/revoke-key';
import { CreateAccountSchema } from '../schemas/account-requests';
import { CreateKeySchema, requestedKeyRules } from '../schemas/key-requests';
import { keyFormError, keyFormRequest } from './key-form';
import { APP_CSS, APP_JS } from './assets';
import { DashboardPage, type DashboardData } from './dashboard-page';
import { DocsPage } from './docs';
import { guideRedirects } from './guide-redirects';
import { HomePage, readCalculation } from './home';
import { Layout, pageSecurityHeaders } from './layout';
import { anonymousCsrf, bindLinkToBrowser, currentSession, endSession, forgetLink, issueLoginToken, linkAskedHere, LOGIN_TOKEN_TTL_MS, loginTokenEmail, readSession, redeemLoginToken, sameToken, startSession, type WebSession } from './session';
import { SignInPage } from './sign-in-page';
import { readUsage } from './usage-chart';
import { ExportPage } from './export-page';
import { exportDownload, exportRange, startExport } from '../billing/export-start';
import { findExport } from '../billing/export-store';
import { ExportQuerySchema } from '../schemas/billing-requests';
import { zodToApiError } from '../schemas/zod-error';

type Message = { kind: 'ok' | 'bad'; text: string };

const FLASH: Record<string, Message> = {
  'recharge-success': { kind: 'ok', text: 'Thank you: your payment is being credited. It shows in your balance once confirmed.' },
  'recharge-cancelled': { kind: 'bad', text: 'The recharge was cancelled; nothing was charged.' },
  'key-revoked': { kind: 'ok', text: 'The key was revoked. Requests with it now get 401.' },
  'provider-key-added': { kind: 'ok', text: 'Your provider key was added.' },
  'provider-key-removed': { kind: 'ok', text: 'Your provider key was removed.' },
};

/** Links and return URLs start with PUBLIC_URL, never with the request's Host. */
const origin = (c: Context<AppEnv>) => publicOrigin(c.get('config'), c.req.url);
/** The base URL shown on pages: PUBLIC_URL, else (display only) the request's origin. */
const shownOrigin = (c: Context<AppEnv>) => c.get('config').publicUrl ?? new URL(c.req.url).origin;
/** The form's fields, or undefined when the body cannot be read (a malformed multipart body): a 400 page, never a 500. */
const form = async (c: Context<AppEnv>) => (await c.req.parseBody().catch(() => undefined)) as Record<string, string | File> | undefined;
const unreadableForm = (c: Context<AppEnv>) =>
  c.html(
    <Layout title="Bad request">
      <h1>This form could not be read</h1>
      <p>The request's body is not a form we can read. Go back, reload the page and try again.</p>
    </Layout>,
    400,
  );
const field = (body: Record<string, string | File>, name: string) => (typeof body[name] === 'string' ? (body[name] as string) : undefined);
const firstIssue = (error: z.ZodError) => error.issues[0]?.message ?? 'is not valid';
const invalidLink = (): Message => ({ kind: 'bad', text: 'This sign-in link is invalid, used or expired. Ask for a new one below.' });
const mailRefused = (): Message => ({ kind: 'bad', text: 'Sign-in links cannot be emailed from this gateway right now (mail_unavailable). Please contact the operator.' });
const csrfRefused = (): Message => ({ kind: 'bad', text: 'This form expired or did not come from this site. Reload the page and try again.' });
const exportGone = (): Message => ({ kind: 'bad', text: 'This export is not ready, or no longer exists (exports are kept 7 days). Start a new one below.' });
const accountSuspended = (): Message => ({
  kind: 'bad',
  text: 'This account is suspended: its dashboard and API keys are closed, and signing in is refused until the suspension is lifted. Contact support.',
});

/** The dashboard's session, or the answer instead: sign in first, or (the account's object says so) the account is suspended and signed out. */
async function dashboardSession(c: Context<AppEnv>): Promise<WebSession | Response> {
  const session = await readSession(c);
  if (session === 'suspended') return renderHome(c, accountSuspended(), 403);
  return session ?? c.redirect('/#signup', 303);
}

async function renderHome(c: Context<AppEnv>, message?: Message, status: 200 | 400 | 403 | 429 | 503 = 200) {
  const session = await currentSession(c);
  const calc = readCalculation(c.req.query());
  return c.html(
    <HomePage
      config={c.get('config')}
      csrf={anonymousCsrf(c)}
      baseUrl={`${shownOrigin(c)}/v1`}
      calc={calc}
      message={message}
      signedIn={session !== undefined}
      sessionCsrf={session?.csrfToken}
    />,
    status === 200 && calc.problem ? 400 : status,
  );
}

async function dashboardData(c: Context<AppEnv>, session: WebSession, extra: Partial<DashboardData> = {}): Promise<DashboardData> {
  const now = Date.now();
  const { accountId } = session;
  const db = createDb(c.env.DB);
  const model = c.req.query('model') || undefined;
  const cursor = c.req.query('cursor');
  const stub = accountStub(c.env, accountId);
  const [summary, keys, providerKeys, usage, logs, recharges] = await Promise.all([
    stub.summary(now),
    listKeys(c.env, accountId, now),
    stub.byokKeySet(),
    readUsage(c.env.DB, accountId, now),
    listBillingLogs(db, { accountId, limit: 20, model, cursor: cursor ? decodeCursor(cursor) : undefined }),
    listRecharges(c.env.DB, accountId, 20),
  ]);
  const flash = FLASH[c.req.query('message') ?? ''];
  return {
    email: session.email,
    csrf: session.csrfToken,
    summary,
    minRecharge: c.get('config').minRechargeUsd,
    keys,
    providerKeys: providerKeys.keys,
    usage,
    logs: logs.rows,
    logsNextCursor: logs.nextCursor,
    logModel: model,
    recharges,
    now,
    ...(flash ? { message: flash } : {}),
    ...extra,
  };
}

/** Runs a signed-in form action: the session and its CSRF token are checked first; an ApiError becomes the page's message. */
function dashboardAction(action: (c: Context<AppEnv>, session: WebSession, body: Record<string, string | File>) => Promise<Response | Partial<DashboardData>>) {
  return async (c: Context<AppEnv>) => {
    const session = await dashboardSession(c);
    if (session instanceof Response) return session;
    const body = await form(c);
    if (!body) return unreadableForm(c);
    if (!sameToken(field(body, 'csrf'), session.csrfToken)) return c.html(<DashboardPage {...await dashboardData(c, session, { message: csrfRefused() })} />, 403);
    try {
      const result = await action(c, session, body);
      if (result instanceof Response) return result;
      return c.html(<DashboardPage {...await dashboardData(c, session, result)} />);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      logCause(error, c.get('requestId'));
      return c.html(<DashboardPage {...await dashboardData(c, session, { message: { kind: 'bad', text: error.message } })} />, error.status === 503 ? 503 : 400);
    }
  };
}

export const web = new Hono<AppEnv>()
  .use('*', pageSecurityHeaders)
  .get('/', (c) => renderHome(c))
  .get('/docs', async (c) => {
    const session = await currentSession(c);
    return c.html(<DocsPage config={c.get('config')} baseUrl={`${shownOrigin(c)}/v1`} signedIn={session !== undefined} csrf={session?.csrfToken} />);
  })
  .route('/', guideRedirects)
  .get('/static/app.css', (c) => c.body(APP_CSS, 200, { 'Content-Type': 'text/css; charset=utf-8', 'Cache-Control': 'public, max-age=300' }))
  .get('/static/app.js', (c) => c.body(APP_JS, 200, { 'Content-Type': 'text/javascript; charset=utf-8', 'Cache-Control': 'public, max-age=300' }))

  .post('/auth/signup', async (c) => {
    const body = await form(c);
    if (!body) return unreadableForm(c);
    if (!sameToken(field(body, 'csrf'), anonymousCsrf(c))) return renderHome(c, csrfRefused(), 403);
    const parsed = CreateAccountSchema.safeParse({ email: field(body, 'email') ?? '' });
    if (!parsed.success) return renderHome(c, { kind: 'bad', text: `Email ${firstIssue(parsed.error)}.` }, 400);
    // Production without an email sender: no link is made at all, so none can leak to a log or the outbox.
    if (!mailAvailable(c.env)) return renderHome(c, mailRefused(), 503);
    const ip = c.req.header('CF-Connecting-IP') ?? 'local';
    const issued = await issueLoginToken(c.env, parsed.data.email, ip, Date.now());
    if (!issued.ok) return renderHome(c, { kind: 'bad', text: 'Too many sign-in links were asked for; try again in an hour.' }, 429);
    const link = `${origin(c)}/auth/activate?token=${issued.token}`;
    await bindLinkToBrowser(c, issued.token);
    await mailerFor(c.env).send(
      plainEmail(parsed.data.email, 'Your find-token sign-in link', [
        `Open this link to sign in to find-token (it works once, for ${LOGIN_TOKEN_TTL_MS / 60_000} minutes):`,
        { link },
        'If you did not ask for it, ignore this email.',
      ]),
    );
    // The same answer whether or not the address has an account.
    return renderHome(c, { kind: 'ok', text: 'Check your email: we sent you a sign-in link.' });
  })
  .get('/auth/activate', async (c) => {
    const token = c.req.query('token') ?? '';
    const email = await loginTokenEmail(c.env, token, Date.now());
    if (!email) return renderHome(c, invalidLink(), 400);
    return c.html(<SignInPage email={email} token={token} csrf={anonymousCsrf(c)} requestedHere={await linkAskedHere(c, token)} />);
  })
  .post('/auth/activate', async (c) => {
    const body = await form(c);
    if (!body) return unreadableForm(c);
    if (!sameToken(field(body, 'csrf'), anonymousCsrf(c))) return renderHome(c, csrfRefused(), 403);
    const token = field(body, 'token') ?? '';
    const email = await loginTokenEmail(c.env, token, Date.now());
    if (!email) return renderHome(c, invalidLink(), 400);
    // Login CSRF: a link asked for in another browser signs in only when its address is confirmed here.
    const requestedHere = await linkAskedHere(c, token);
    if (!requestedHere && field(body, 'confirm') !== 'yes') {
      return c.html(<SignInPage email={email} token={token} csrf={anonymousCsrf(c)} requestedHere={false} message={`Tick the box to confirm that ${email} is your address.`} />, 400);
    }
    const redeemed = await redeemLoginToken(c.env, token, Date.now());
    if (!redeemed.ok && redeemed.reason === 'suspended') return renderHome(c, accountSuspended(), 403);
    if (!redeemed.ok) return renderHome(c, invalidLink(), 400);
    forgetLink(c);
    await startSession(c, redeemed.accountId);
    return c.redirect('/dashboard', 303);
  })
  .post('/auth/signout', async (c) => {
    const session = await currentSession(c);
    const body = await form(c);
    if (!body) return unreadableForm(c);
    if (session && sameToken(field(body, 'csrf'), session.csrfToken)) await endSession(c);
    return c.redirect('/', 303);
  })

  .get('/dashboard', async (c) => {
    const session = await dashboardSession(c);
    if (session instanceof Response) return session;
    return c.html(<DashboardPage {...await dashboardData(c, session)} />);
  })
  .post(
    '/dashboard/recharge',
    dashboardAction(async (c, session, body) => {
      const amount = Number(field(body, 'amount'));
      if (parseDollarsAndCents(field(body, 'amount') ?? '') === undefined) {
        throw invalidValue('Enter an amount in dollars, with at most 2 decimals.');
      }
      const back = `${origin(c)}/dashboard`;
      const opened = await openRecharge(c.env, c.get('config'), session.accountId, amount, { success: `${back}?message=recharge-success`, cancel: `${back}?message=recharge-cancelled` }, c.req.url);
      return c.redirect(opened.checkoutUrl, 303);
    }),
  )
  .post(
    '/dashboard/keys',
    dashboardAction(async (c, session, body) => {
      const parsed = CreateKeySchema.safeParse(keyFormRequest(body), { reportInput: true });
      if (!parsed.success) return { message: { kind: 'bad', text: keyFormError(parsed.error) } };
      const now = Date.now();
      // A key made in the dashboard has no parent.
      const created = await createKey(c.env, session.accountId, { name: parsed.data.name, parentId: null, rules: requestedKeyRules(parsed.data, now) }, now);
      return { newKey: { name: created.name, key: created.key } };
    }),
  )
  .post(
    '/dashboard/keys/:id/revoke',
    dashboardAction(async (c, session) => {
      await revokeOwnKey(c.env, session.accountId, c.req.param('id') ?? '', Date.now());
      return c.redirect('/dashboard?message=key-revoked', 303);
    }),
  )
  .post(
    '/dashboard/export',
    dashboardAction(async (c, session, body) => {
      // Whole UTC days from the date inputs: the last day up to its final millisecond (capped at now).
      const parsed = ExportQuerySchema.safeParse({ from: field(body, 'from'), to: `${field(body, 'to') ?? ''}T23:59:59.999Z`, format: field(body, 'format') }, { reportInput: true });
      if (!parsed.success) throw zodToApiError(parsed.error);
      const now = Date.now();
      const started = await startExport(c.env, c.get('config'), exportRange(session.accountId, parsed.data, now), parsed.data.format, now);
      if (started.kind === 'job') return c.redirect(`/dashboard/exports/${started.row.id}`, 303);
      return new Response(started.body, { headers: started.headers });
    }),
  )
  .get('/dashboard/exports/:id', async (c) => {
    const session = await dashboardSession(c);
    if (session instanceof Response) return session;
    const row = await findExport(c.env.DB, session.accountId, c.req.param('id'), Date.now());
    if (!row) return c.html(<DashboardPage {...await dashboardData(c, session, { message: exportGone() })} />, 404);
    return c.html(<ExportPage row={row} csrf={session.csrfToken} />);
  })
  .get('/dashboard/exports/:id/download', async (c) => {
    const session = await dashboardSession(c);
    if (session instanceof Response) return session;
    const row = await findExport(c.env.DB, session.accountId, c.req.param('id'), Date.now());
    const download = row && (await exportDownload(c.env.ARCHIVE, row));
    return download || c.html(<DashboardPage {...await dashboardData(c, session, { message: exportGone() })} />, 404);
  })
  .post(
    '/dashboard/byok',
    dashboardAction(async (c, session, body) => {
      const parsed = RegisterSchema.safeParse({
        provider: field(body, 'provider'),
        api_key: field(body, 'api_key') ?? '',
        ...(field(body, 'name') ? { name: field(body, 'name') } : {}),
        // A checkbox: sent only when ticked.
        fallback_to_credits: field(body, 'fallback_to_credits') !== undefined,
      });
      if (!parsed.success) return { message: { kind: 'bad', text: `${String(parsed.error.issues[0]?.path[0] ?? 'input')} ${firstIssue(parsed.error)}.` } };
      await registerProviderKey(c.env, c.get('config'), session.accountId, parsed.data);
      return c.redirect('/dashboard?message=provider-key-added', 303);
    }),
  )
  .post(
    '/dashboard/byok/:id/delete',
    dashboardAction(async (c, session) => {
      await deleteProviderKey(c.env, session.accountId, c.req.param('id') ?? '');
      return c.redirect('/dashboard?message=provider-key-removed', 303);
    }),
  );

