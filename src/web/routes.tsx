/**
 * The web: home, docs, sign-in by email link, and the dashboard. Every form
 * carries a CSRF token; bad input re-renders with a clear message and changes
 * nothing.
 */
import { Hono } from 'hono';
import type { AppEnv } from '../env';
import { createKey } from '../accounts/create-key';
import { mailAvailable } from '../base/environment';
import { parseDollarsAndCents } from '../base/money';
import { invalidValue } from '../errors';
import { mailerFor, plainEmail } from '../mail/mailer';
import { openRecharge } from '../payments/checkout';
import { deleteProviderKey, registerProviderKey } from '../byok/provider-keys';
import { RegisterSchema } from '../schemas/byok-requests';
import { revokeOwnKey } from '../accounts/revoke-key';
import { CreateAccountSchema } from '../schemas/account-requests';
import { CreateKeySchema, requestedKeyRules } from '../schemas/key-requests';
import { keyFormError, keyFormRequest } from './key-form';
import { APP_CSS, APP_JS } from './assets';
import { DashboardPage } from './dashboard-page';
import { DocsPage } from './docs';
import { guideRedirects } from './guide-redirects';
import { pageSecurityHeaders } from './layout';
import { anonymousCsrf, bindLinkToBrowser, currentSession, endSession, forgetLink, issueLoginToken, linkAskedHere, LOGIN_TOKEN_TTL_MS, loginTokenEmail, redeemLoginToken, sameToken, startSession } from './session';
import { SignInPage } from './sign-in-page';
import { ExportPage } from './export-page';
import { exportDownload, exportRange, startExport } from '../billing/export-start';
import { findExport } from '../billing/export-store';
import { ExportQuerySchema } from '../schemas/billing-requests';
import { zodToApiError } from '../schemas/zod-error';
import { origin, shownOrigin, form, unreadableForm, field, firstIssue, invalidLink, mailRefused, csrfRefused, exportGone, accountSuspended, dashboardSession, renderHome, dashboardData, dashboardAction } from './page-context';

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

