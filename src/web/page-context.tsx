/**
 * What every page handler shares: the messages pages show, the origin of links, reading a form without a 500,
 * the signed-in dashboard's session (the account object rules on suspension), its data, and the form-action
 * wrapper (session, then CSRF, then the action; an ApiError becomes the page's message).
 */
import type { Context } from 'hono';
import type { z } from 'zod';
import type { AppEnv } from '../env';
import { listKeys } from '../accounts/create-key';
import { accountStub } from '../account/client';
import { publicOrigin } from '../base/public-url';
import { decodeCursor, listBillingLogs } from '../billing/billing-log-store';
import { createDb } from '../db/client';
import { ApiError, logCause } from '../errors';
import { listRecharges } from '../payments/recharges';
import { DashboardPage, type DashboardData } from './dashboard-page';
import { HomePage, readCalculation } from './home';
import { Layout } from './layout';
import { anonymousCsrf, currentSession, readSession, sameToken, type WebSession } from './session';
import { readUsage } from './usage-chart';

export type Message = { kind: 'ok' | 'bad'; text: string };

export const FLASH: Record<string, Message> = {
  'recharge-success': { kind: 'ok', text: 'Thank you: your payment is being credited. It shows in your balance once confirmed.' },
  'recharge-cancelled': { kind: 'bad', text: 'The recharge was cancelled; nothing was charged.' },
  'key-revoked': { kind: 'ok', text: 'The key was revoked. Requests with it now get 401.' },
  'provider-key-added': { kind: 'ok', text: 'Your provider key was added.' },
  'provider-key-removed': { kind: 'ok', text: 'Your provider key was removed.' },
};

/** Links and return URLs start with PUBLIC_URL, never with the request's Host. */
export const origin = (c: Context<AppEnv>) => publicOrigin(c.get('config'), c.req.url);
/** The base URL shown on pages: PUBLIC_URL, else (display only) the request's origin. */
export const shownOrigin = (c: Context<AppEnv>) => c.get('config').publicUrl ?? new URL(c.req.url).origin;
/** The form's fields, or undefined when the body cannot be read (a malformed multipart body): a 400 page, never a 500. */
export const form = async (c: Context<AppEnv>) => (await c.req.parseBody().catch(() => undefined)) as Record<string, string | File> | undefined;
export const unreadableForm = (c: Context<AppEnv>) =>
  c.html(
    <Layout title="Bad request">
      <h1>This form could not be read</h1>
      <p>The request's body is not a form we can read. Go back, reload the page and try again.</p>
    </Layout>,
    400,
  );
export const field = (body: Record<string, string | File>, name: string) => (typeof body[name] === 'string' ? (body[name] as string) : undefined);
export const firstIssue = (error: z.ZodError) => error.issues[0]?.message ?? 'is not valid';
export const invalidLink = (): Message => ({ kind: 'bad', text: 'This sign-in link is invalid, used or expired. Ask for a new one below.' });
export const mailRefused = (): Message => ({ kind: 'bad', text: 'Sign-in links cannot be emailed from this gateway right now (mail_unavailable). Please contact the operator.' });
export const csrfRefused = (): Message => ({ kind: 'bad', text: 'This form expired or did not come from this site. Reload the page and try again.' });
export const exportGone = (): Message => ({ kind: 'bad', text: 'This export is not ready, or no longer exists (exports are kept 7 days). Start a new one below.' });
export const accountSuspended = (): Message => ({
  kind: 'bad',
  text: 'This account is suspended: its dashboard and API keys are closed, and signing in is refused until the suspension is lifted. Contact support.',
});

/** The dashboard's session, or the answer instead: sign in first, or (the account's object says so) the account is suspended and signed out. */
export async function dashboardSession(c: Context<AppEnv>): Promise<WebSession | Response> {
  const session = await readSession(c);
  if (session === 'suspended') return renderHome(c, accountSuspended(), 403);
  return session ?? c.redirect('/#signup', 303);
}

export async function renderHome(c: Context<AppEnv>, message?: Message, status: 200 | 400 | 403 | 429 | 503 = 200) {
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

export async function dashboardData(c: Context<AppEnv>, session: WebSession, extra: Partial<DashboardData> = {}): Promise<DashboardData> {
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
export function dashboardAction(action: (c: Context<AppEnv>, session: WebSession, body: Record<string, string | File>) => Promise<Response | Partial<DashboardData>>) {
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
      // Unavailable and too-many keep their status (a client may retry them); every other refusal is the page's 400.
      const status = error.status === 503 || error.status === 429 ? error.status : 400;
      return c.html(<DashboardPage {...await dashboardData(c, session, { message: { kind: 'bad', text: error.message } })} />, status);
    }
  };
}
