/**
 * The credits job under failure: a mailer that refuses one address, an account object that does
 * not answer, a run cut short before it saved its place, and more accounts than one page.
 * Accounts here were last active on ACTIVE_AT, after the other expiry file's, so its runs never see them.
 */
import { env } from 'cloudflare:test';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EXPIRY_LEASE_MS, runCreditExpiry, type ExpiryOptions } from '../../../src/jobs/credit-expiry';
import { createAccountWithKey } from '../helpers';
import { accountObject } from '../billing/helpers';
import { hashAccountId } from '../../../src/base/log';
import { loggedLines } from '../log-lines';

const DAY = 24 * 60 * 60_000;
const ACTIVE_AT = Date.UTC(2026, 3, 10, 12);
const RESEND_KEY = 're_test_expiry';

/** The job with email through the Resend stand-in; `overrides` breaks a binding. */
const run = (daysIdle: number, options: ExpiryOptions = {}, overrides: Partial<Env> = {}, plusMs = 0) =>
  runCreditExpiry({ ...env, RESEND_API_KEY: RESEND_KEY, ...overrides }, new Date(ACTIVE_AT + daysIdle * DAY + plusMs), options);

async function idleAccount(dollars: number): Promise<{ accountId: string; email: string }> {
  const { accountId } = await createAccountWithKey(dollars);
  await env.DB.prepare('UPDATE accounts SET last_active_at = ? WHERE id = ?').bind(ACTIVE_AT, accountId).run();
  const { email } = (await env.DB.prepare('SELECT email FROM accounts WHERE id = ?').bind(accountId).first<{ email: string }>())!;
  return { accountId, email };
}

/** Subjects the Resend stand-in accepted for an address, in order. */
async function sentTo(email: string): Promise<string[]> {
  const { sent } = await (await fetch(`${env.RESEND_API_BASE}/__resend/sent`)).json<{ sent: Array<{ body: { to: string[]; subject: string; text: string } }> }>();
  return sent.filter((mail) => mail.body.to[0] === email).map((mail) => mail.body.subject);
}

async function failEmailsTo(email: string, times: number): Promise<void> {
  await fetch(`${env.RESEND_API_BASE}/__resend/fail`, { method: 'POST', body: JSON.stringify({ to: email, status: 500, times }) });
}

const statusOf = async (accountId: string) => (await env.DB.prepare('SELECT status FROM accounts WHERE id = ?').bind(accountId).first<{ status: string }>())!.status;
const ledgerOf = async (accountId: string) => (await accountObject(accountId).summary(Date.now())).ledgerTotals;

/** An ACCOUNTS binding whose object for `accountId` does not answer. */
function unreachableObject(accountId: string): DurableObjectNamespace {
  const broken = env.ACCOUNTS.idFromName(accountId).toString();
  const dead = new Proxy({}, { get: () => async () => Promise.reject(new Error('Durable Object reset because its code was updated.')) });
  return new Proxy(env.ACCOUNTS, {
    get: (target, prop) => (prop === 'get' ? (id: DurableObjectId) => (id.toString() === broken ? dead : target.get(id)) : Reflect.get(target, prop).bind(target)),
  });
}

/** A D1 binding that fails the statement saving the sweep's place, as a run killed at its end would. */
function failingCursorSave(): D1Database {
  return new Proxy(env.DB, {
    get: (target, prop) =>
      prop === 'prepare'
        ? (query: string) => {
            if (query.startsWith('UPDATE job_cursors SET cursor')) throw new Error('D1_ERROR: the invocation ended');
            return target.prepare(query);
          }
        : Reflect.get(target, prop).bind(target),
  });
}

let errors: ReturnType<typeof vi.spyOn>;
beforeEach(async () => {
  await env.DB.exec('DELETE FROM job_cursors');
  errors = vi.spyOn(console, 'error').mockImplementation(() => {});
});
afterEach(() => errors.mockRestore());

/** Runs the day's sweep to its end, a page at a time as the crons would; returns each run. */
async function sweep(daysIdle: number, options: ExpiryOptions = {}, overrides: Partial<Env> = {}) {
  const runs = [await run(daysIdle, { ...options, start: true }, overrides)];
  while (!runs.at(-1)!.finished) runs.push(await run(daysIdle, { ...options, start: false }, overrides));
  return runs;
}

describe('credit expiry under failure', () => {
  it('warns the others when one email fails, and that one on the next run, exactly once', async () => {
    const [a, b, c] = [await idleAccount(5), await idleAccount(5), await idleAccount(5)];
    await failEmailsTo(b.email, 1);
    const first = await sweep(335);
    expect(first.reduce((n, r) => n + r.failed, 0)).toBe(1);
    // The account by its hash, the address masked (logs never carry an email address).
    expect(loggedLines(errors, 'credit_expiry.account_failed')).toEqual([
      { level: 'error', kind: 'credit_expiry.account_failed', account: hashAccountId(b.accountId), message: 'left for the next sweep', cause: 'the email to [email] was not accepted: HTTP 500' },
    ]);
    expect([await sentTo(a.email), await sentTo(b.email), await sentTo(c.email)]).toEqual([['Your find-token credits expire in 30 days'], [], ['Your find-token credits expire in 30 days']]);

    await sweep(336);
    await sweep(337);
    for (const { email } of [a, b, c]) expect(await sentTo(email)).toHaveLength(1);
    expect(await sentTo(b.email)).toEqual(['Your find-token credits expire in 29 days']);
  });

  it('goes on past an account whose object does not answer, and expires that one the next day, once', async () => {
    const [a, b] = [await idleAccount(4), await idleAccount(6)];
    const runs = await sweep(365, {}, { ACCOUNTS: unreachableObject(b.accountId) as Env['ACCOUNTS'] });
    expect(runs.reduce((n, r) => n + r.failed, 0)).toBe(1);
    expect(await statusOf(a.accountId)).toBe('deactivated');
    expect(await ledgerOf(a.accountId)).toEqual({ adjustment: 4e8, expiry: -4e8 });
    expect([await statusOf(b.accountId), await ledgerOf(b.accountId)]).toEqual(['active', { adjustment: 6e8 }]);

    await sweep(366);
    await sweep(367);
    expect([await statusOf(b.accountId), await ledgerOf(b.accountId)]).toEqual(['deactivated', { adjustment: 6e8, expiry: -6e8 }]);
    expect(await sentTo(b.email)).toEqual(['Your find-token credits have expired']);
    expect(await sentTo(a.email)).toEqual(['Your find-token credits have expired']);
  });

  it('keeps an account whose expiry email failed active, and tells it the amount the next day without expiring again', async () => {
    const { accountId, email } = await idleAccount(8);
    await failEmailsTo(email, 1);
    await sweep(365);
    expect([await statusOf(accountId), await ledgerOf(accountId), await sentTo(email)]).toEqual(['active', { adjustment: 8e8, expiry: -8e8 }, []]);

    await sweep(366);
    expect([await statusOf(accountId), await ledgerOf(accountId), await sentTo(email)]).toEqual(['deactivated', { adjustment: 8e8, expiry: -8e8 }, ['Your find-token credits have expired']]);
    const { sent } = await (await fetch(`${env.RESEND_API_BASE}/__resend/sent`)).json<{ sent: Array<{ body: { to: string[]; text: string } }> }>();
    expect(sent.find((mail) => mail.body.to[0] === email)!.body.text).toContain('so its $8 of credits expired on 2027-04-10.');
  });

  it('works a sweep larger than a page across runs, each account once', async () => {
    const accounts = [];
    for (let i = 0; i < 5; i++) accounts.push(await idleAccount(1));
    const runs = await sweep(340, { pageSize: 2 });
    expect(runs.length).toBeGreaterThanOrEqual(3);
    expect(runs.every((r) => r.claimed && r.scanned <= 2)).toBe(true);
    for (const { email } of accounts) expect(await sentTo(email)).toEqual(['Your find-token credits expire in 25 days']);
    // The day's sweep is done: later runs that day work nothing; a tick never begins a sweep of its own.
    expect(await run(340, { pageSize: 2, start: false })).toMatchObject({ claimed: false, scanned: 0 });
    expect(await run(340, { pageSize: 2, start: true })).toMatchObject({ claimed: false, scanned: 0 });
    expect(await run(341, { pageSize: 2, start: false })).toMatchObject({ claimed: false, scanned: 0 });
  });

  it('works the page of a run cut short again once its lease lapses, sending and expiring nothing twice', async () => {
    const warned = await idleAccount(2);
    await env.DB.prepare('UPDATE accounts SET last_active_at = ? WHERE id = ?').bind(ACTIVE_AT + 10 * DAY, warned.accountId).run();
    const expired = await idleAccount(3);
    await expect(run(365, {}, { DB: failingCursorSave() })).rejects.toThrow('D1_ERROR: the invocation ended');
    expect(await sentTo(warned.email)).toEqual(['Your find-token credits expire in 10 days']);
    expect(await sentTo(expired.email)).toEqual(['Your find-token credits have expired']);

    // While the dead run's lease holds, no other run takes the sweep (nor does one overlapping it).
    expect(await run(365, { start: false }, {}, 60_000)).toMatchObject({ claimed: false });
    const again = await run(365, { start: false }, {}, EXPIRY_LEASE_MS);
    expect(again).toMatchObject({ claimed: true, failed: 0, warned: 0, expired: 0 });
    expect(await sentTo(warned.email)).toHaveLength(1);
    expect(await sentTo(expired.email)).toHaveLength(1);
    expect([await statusOf(expired.accountId), await ledgerOf(expired.accountId)]).toEqual(['deactivated', { adjustment: 3e8, expiry: -3e8 }]);
  });

  it('reads its page through the activity index, not the whole accounts table', async () => {
    const plan = await env.DB.prepare(
      `EXPLAIN QUERY PLAN SELECT id FROM accounts a WHERE status = 'active' AND coalesce(last_active_at, created_at) <= ?1
         AND (coalesce(last_active_at, created_at), id) > (?2, ?3) ORDER BY coalesce(last_active_at, created_at), id LIMIT 50`,
    )
      .bind(0, -1, '')
      .all<{ detail: string }>();
    expect(plan.results.map((row) => row.detail).join('\n')).toMatch(/USING (COVERING )?INDEX accounts_activity_idx/);
  });
});
