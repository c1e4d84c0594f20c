/**
 * Web sign-in and sessions. A sign-in link carries a random single-use token
 * (stored hashed, 30 minutes), bound to the browser that asked by a cookie
 * holding its hash; opening it shows the address, and confirming (explicitly,
 * in any other browser) creates the account if
 * needed ($0) and a session: an HttpOnly, Secure, SameSite=Lax cookie holding a
 * random id whose hash keys a server-side row with its expiry and CSRF token.
 * Forms carry a CSRF token checked against the session (signed-in forms) or a
 * double-submit cookie (the sign-up form).
 */
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { AppEnv, Env } from '../env';
import { createAccount, reactivateAccount, touchAccount } from '../accounts/account-store';
import { randomHex, sha256Hex } from '../base/ids';
import { accountStub } from '../account/client';
import { createDb } from '../db/client';

export const SESSION_COOKIE = 'ft_session';
export const CSRF_COOKIE = 'ft_csrf';
/** Set in the browser that asked for a sign-in link: the hash of the link's token, binding the link to that browser. */
export const SIGNIN_COOKIE = 'ft_signin';
const SESSION_TTL_MS = 30 * 24 * 60 * 60_000;
export const LOGIN_TOKEN_TTL_MS = 30 * 60_000;
/** Sign-in links per address and per IP per hour. */
export const SIGNUPS_PER_EMAIL_PER_HOUR = 3;
export const SIGNUPS_PER_IP_PER_HOUR = 10;
const HOUR_MS = 60 * 60_000;

export interface WebSession {
  accountId: string;
  email: string;
  csrfToken: string;
}

const cookieOptions = { httpOnly: true, secure: true, sameSite: 'Lax', path: '/' } as const;

/** The signed-in session, or undefined (no cookie, unknown, expired, the account is gone or suspended). */
export async function currentSession(c: Context<AppEnv>): Promise<WebSession | undefined> {
  const session = await readSession(c);
  return session === 'suspended' ? undefined : session;
}

/**
 * The signed-in session, as currentSession, but telling a suspended account apart:
 * its object (the authority, asked on every request) says so, and the session ends
 * here, whatever D1's copy of the status says.
 */
export async function readSession(c: Context<AppEnv>): Promise<WebSession | 'suspended' | undefined> {
  const id = getCookie(c, SESSION_COOKIE);
  if (!id || !/^[0-9a-f]{64}$/.test(id)) return undefined;
  const row = await c.env.DB.prepare(
    'SELECT s.account_id AS accountId, s.csrf_token AS csrfToken, a.email AS email FROM web_sessions s JOIN accounts a ON a.id = s.account_id WHERE s.id_hash = ? AND s.expires_at > ?',
  )
    .bind(await sha256Hex(id), Date.now())
    .first<WebSession>();
  if (!row) return undefined;
  const { status } = await accountStub(c.env, row.accountId).accountStatus();
  if (status !== 'suspended') return row;
  await endSession(c);
  return 'suspended';
}

export async function startSession(c: Context<AppEnv>, accountId: string): Promise<void> {
  const id = randomHex(32);
  const now = Date.now();
  await c.env.DB.prepare('INSERT INTO web_sessions (id_hash, account_id, csrf_token, created_at, expires_at) VALUES (?, ?, ?, ?, ?)')
    .bind(await sha256Hex(id), accountId, randomHex(32), now, now + SESSION_TTL_MS)
    .run();
  setCookie(c, SESSION_COOKIE, id, { ...cookieOptions, maxAge: SESSION_TTL_MS / 1000 });
}

export async function endSession(c: Context<AppEnv>): Promise<void> {
  const id = getCookie(c, SESSION_COOKIE);
  if (id) await c.env.DB.prepare('DELETE FROM web_sessions WHERE id_hash = ?').bind(await sha256Hex(id)).run();
  deleteCookie(c, SESSION_COOKIE, cookieOptions);
}

/** The double-submit CSRF token for pages without a session (set once, HttpOnly: the server writes it into forms). */
export function anonymousCsrf(c: Context<AppEnv>): string {
  const existing = getCookie(c, CSRF_COOKIE);
  if (existing && /^[0-9a-f]{32}$/.test(existing)) return existing;
  const token = randomHex(16);
  setCookie(c, CSRF_COOKIE, token, { ...cookieOptions, maxAge: 24 * 60 * 60 });
  return token;
}

/** Constant-time comparison of two tokens. */
export function sameToken(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b || a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

export type LinkRequest = { ok: true; token: string } | { ok: false; reason: 'rate_limited' };

/**
 * A new sign-in link token for `email`, unless this address or IP asked too often
 * in the last hour: the counts and the insert are one statement, so concurrent
 * requests cannot all pass the check before any of them is written.
 */
export async function issueLoginToken(env: Env, email: string, ip: string, now: number): Promise<LinkRequest> {
  const token = randomHex(32);
  const inserted = await env.DB.prepare(
    `INSERT INTO login_tokens (token_hash, email, ip, created_at, expires_at)
     SELECT ?1, ?2, ?3, ?4, ?5
     WHERE (SELECT COUNT(*) FROM login_tokens WHERE email = ?2 AND created_at > ?6) < ?7
       AND (SELECT COUNT(*) FROM login_tokens WHERE ip = ?3 AND created_at > ?6) < ?8`,
  )
    .bind(await sha256Hex(token), email, ip, now, now + LOGIN_TOKEN_TTL_MS, now - HOUR_MS, SIGNUPS_PER_EMAIL_PER_HOUR, SIGNUPS_PER_IP_PER_HOUR)
    .run();
  if (inserted.meta.changes === 0) return { ok: false, reason: 'rate_limited' };
  return { ok: true, token };
}

/** Marks this browser as the one that asked for the link carrying `token` (its hash: the token itself never sits in a cookie). */
export async function bindLinkToBrowser(c: Context<AppEnv>, token: string): Promise<void> {
  setCookie(c, SIGNIN_COOKIE, await sha256Hex(token), { ...cookieOptions, maxAge: LOGIN_TOKEN_TTL_MS / 1000 });
}

/** Whether this browser asked for the link carrying `token`. */
export async function linkAskedHere(c: Context<AppEnv>, token: string): Promise<boolean> {
  return sameToken(getCookie(c, SIGNIN_COOKIE), await sha256Hex(token));
}

export function forgetLink(c: Context<AppEnv>): void {
  deleteCookie(c, SIGNIN_COOKIE, cookieOptions);
}

/** The address an unused, unexpired sign-in token signs in as, without using it. */
export async function loginTokenEmail(env: Env, token: string, now: number): Promise<string | undefined> {
  if (!/^[0-9a-f]{64}$/.test(token)) return undefined;
  const row = await env.DB.prepare('SELECT email FROM login_tokens WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?')
    .bind(await sha256Hex(token), now)
    .first<{ email: string }>();
  return row?.email;
}

export type Redeemed = { ok: true; accountId: string } | { ok: false; reason: 'invalid' | 'suspended' };

/**
 * Uses a sign-in token once: the account (created at $0 if new, reactivated if it
 * was deactivated); refused when the token is not valid, or when the account's
 * object says it is suspended (no session is made for it).
 */
export async function redeemLoginToken(env: Env, token: string, now: number): Promise<Redeemed> {
  const invalid = { ok: false, reason: 'invalid' } as const;
  if (!/^[0-9a-f]{64}$/.test(token)) return invalid;
  const used = await env.DB.prepare('UPDATE login_tokens SET used_at = ? WHERE token_hash = ? AND used_at IS NULL AND expires_at > ? RETURNING email')
    .bind(now, await sha256Hex(token), now)
    .first<{ email: string }>();
  if (!used) return invalid;
  const db = createDb(env.DB);
  await createAccount(db, used.email, now);
  const account = await env.DB.prepare('SELECT id FROM accounts WHERE email = ?').bind(used.email).first<{ id: string }>();
  if (!account) return invalid;
  const stub = accountStub(env, account.id);
  if ((await stub.accountStatus()).status === 'suspended') return { ok: false, reason: 'suspended' };
  // Signing in is activity, and brings back an account deactivated for inactivity.
  await db.batch([touchAccount(db, account.id, now), reactivateAccount(db, account.id)]);
  await stub.setDeactivated(null);
  return { ok: true, accountId: account.id };
}
