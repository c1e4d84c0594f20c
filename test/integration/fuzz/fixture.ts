/**
 * The state the fuzz cases run against: an account with a key, money and a
 * rate limit it will not reach; a web session; real ids for every path
 * parameter (a billing log, a provider key, recharges, a second account for
 * the operator's routes); and spare credentials for the cases that use theirs
 * up (a key to revoke, sessions to sign out, sign-in links to redeem).
 */
import { env } from 'cloudflare:test';
import { randomHex, sha256Hex } from '../../../src/base/ids';
import { issueLoginToken } from '../../../src/web/session';
import { openExport } from '../../../src/billing/export-store';
import { adminRequest, apiRequest, chat, createAccountWithKey, fetchWithEnv, hello } from '../helpers';
import { paidAccount } from '../payments/helpers';

/** Local checkout runs only with it on and Stripe off: its cases go through an app with these vars. */
export const LOCAL_CHECKOUT_ENV = { STRIPE_SECRET_KEY: '', LOCAL_CHECKOUT: 'true' };
export const RETURN_URLS = { success_url: 'https://app.example.com/ok', cancel_url: 'https://app.example.com/cancel' };

export interface Fixture {
  accountId: string;
  key: string;
  /** A key of the same account that DELETE cases may revoke (never the one they authenticate with). */
  victimKeyId: string;
  billingLogId: string;
  /** A billing-log export of the account (pending: its job never runs here). */
  exportId: string;
  providerKeyId: string;
  rechargeId: string;
  localRechargeId: string;
  /** A second account (with a paid recharge) for the operator's /accounts/:id and refund routes, so a suspension there cannot stop the rest. */
  otherAccountId: string;
  otherRechargeId: string;
  /** Its Checkout Session, which the webhook's events name. */
  otherSessionId: string;
  session: { cookie: string; csrf: string };
  anonymousCsrf: string;
}

async function ok(response: Response | Promise<Response>, what: string): Promise<Response> {
  const answered = await response;
  if (!answered.ok) throw new Error(`fuzz fixture: ${what} answered ${answered.status}: ${await answered.text()}`);
  return answered;
}

/** A web session written straight to D1, as sign-in would: the cookie and its CSRF token. */
export async function newSession(accountId: string): Promise<{ cookie: string; csrf: string }> {
  const id = randomHex(32);
  const csrf = randomHex(32);
  const now = Date.now();
  await env.DB.prepare('INSERT INTO web_sessions (id_hash, account_id, csrf_token, created_at, expires_at) VALUES (?, ?, ?, ?, ?)')
    .bind(await sha256Hex(id), accountId, csrf, now, now + 3_600_000)
    .run();
  return { cookie: `ft_session=${id}`, csrf };
}

let links = 0;

/** A sign-in link token, from its own address and IP so the per-hour limits never refuse it. */
export async function newLoginToken(): Promise<string> {
  links += 1;
  const issued = await issueLoginToken(env, `fuzz-link-${links}-${randomHex(4)}@example.com`, `fuzz-${links}-${randomHex(4)}`, Date.now());
  if (!issued.ok) throw new Error('fuzz fixture: a sign-in link was refused');
  return issued.token;
}

async function openedExport(accountId: string): Promise<string> {
  const opened = await openExport(env.DB, { accountId, from: 0, to: Date.now() }, 'csv', Date.now());
  if (!opened.ok) throw new Error('fuzz fixture: an export was refused');
  return opened.row.id;
}

export async function setUpFixture(): Promise<Fixture> {
  const { accountId, key } = await createAccountWithKey(1_000);
  // Every case is a request on this account: the default per-minute limit would turn most of them into 429s.
  await ok(adminRequest('PATCH', `/accounts/${accountId}`, { rate_limit_per_minute: 1_000_000 }), 'raising the rate limit');
  const victim = await (await ok(adminRequest('POST', `/accounts/${accountId}/keys`, { name: 'victim' }), 'a victim key')).json<{ id: string }>();
  const called = await ok(chat(key, { model: 'deepseek-chat', messages: hello }), 'a chat call');
  await called.text();
  const providerKey = await (await ok(apiRequest(key, 'POST', '/v1/user/byok/register', { provider: 'stepfun', api_key: 'sk-fuzz-provider-key' }), 'a provider key')).json<{ id: string }>();
  const recharge = await (await ok(apiRequest(key, 'POST', '/v1/user/credits', { amount: 10, ...RETURN_URLS }), 'a recharge')).json<{ id: string }>();
  const local = await ok(
    fetchWithEnv('/v1/user/credits', { method: 'POST', headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ amount: 10, ...RETURN_URLS }) }, LOCAL_CHECKOUT_ENV),
    'a local recharge',
  );
  const other = await paidAccount(40);
  return {
    accountId,
    key,
    victimKeyId: victim.id,
    billingLogId: called.headers.get('X-Request-Id')!,
    exportId: await openedExport(accountId),
    providerKeyId: providerKey.id,
    rechargeId: recharge.id,
    localRechargeId: (await local.json<{ id: string }>()).id,
    otherAccountId: other.accountId,
    otherRechargeId: other.recharge.id,
    otherSessionId: other.recharge.sessionId,
    session: await newSession(accountId),
    anonymousCsrf: randomHex(16),
  };
}
