/** The daily credits job with a controllable clock: warnings, expiry, deactivation, each once. */
import { env } from 'cloudflare:test';
import { beforeEach, describe, expect, it } from 'vitest';
import { runCreditExpiry } from '../../../src/jobs/credit-expiry';
import { adminRequest, apiRequest, createAccountWithKey } from '../helpers';
import { accountObject, balanceOf } from '../billing/helpers';
import { deliver, sessionEvent, startRecharge } from '../payments/helpers';

const DAY = 24 * 60 * 60_000;
const ACTIVE_AT = Date.UTC(2026, 0, 10, 12);

/** An account whose last activity was ACTIVE_AT, holding `dollars`. */
async function idleAccount(dollars: number) {
  const account = await createAccountWithKey(dollars);
  await env.DB.prepare('UPDATE accounts SET last_active_at = ? WHERE id = ?').bind(ACTIVE_AT, account.accountId).run();
  return account;
}

const run = (daysIdle: number) => runCreditExpiry(env, new Date(ACTIVE_AT + daysIdle * DAY));
const outboxFor = async (accountEmail: string) =>
  (await (await adminRequest('GET', '/outbox')).json<{ data: Array<{ to: string; subject: string; text: string; html: string }> }>()).data.filter((m) => m.to === accountEmail);
const emailOf = async (accountId: string) => (await env.DB.prepare('SELECT email FROM accounts WHERE id = ?').bind(accountId).first<{ email: string }>())!.email;
const ledgerSum = async (accountId: string) => Object.values((await accountObject(accountId).summary(Date.now())).ledgerTotals).reduce((a, b) => a + b, 0);

// Other tests' accounts are active now; only this file's idle ones are in the job's window.
beforeEach(async () => {
  await env.DB.exec('DELETE FROM credit_notices');
  await env.DB.exec('DELETE FROM job_cursors');
});

describe('credit expiry', () => {
  it('warns 30 days before, once, with the amount and date, in text and HTML', async () => {
    const { accountId } = await idleAccount(12.5);
    const email = await emailOf(accountId);
    await run(334);
    expect(await outboxFor(email)).toEqual([]);
    await run(335);
    await run(336);
    const mails = await outboxFor(email);
    expect(mails.map((m) => m.subject)).toEqual(['Your find-token credits expire in 30 days']);
    expect(mails[0]!.text).toBe(
      "Your $12.5 of find-token credits will expire on 2027-01-10, 365 days after your account's last activity.\n\nAny API call or recharge before then keeps them.\n",
    );
    expect(mails[0]!.html).toContain('<p>Your $12.5 of find-token credits will expire on 2027-01-10');
  });

  it('warns again 7 days before, once', async () => {
    const { accountId } = await idleAccount(3);
    const email = await emailOf(accountId);
    await run(340);
    await run(358);
    await run(359);
    expect((await outboxFor(email)).map((m) => m.subject)).toEqual(['Your find-token credits expire in 7 days', 'Your find-token credits expire in 25 days']);
  });

  it('expires the balance at 365 days into the ledger, deactivates the empty account, and does both once', async () => {
    const { key, accountId } = await idleAccount(7);
    const email = await emailOf(accountId);
    await run(365);
    await run(365);
    await run(366);
    const summary = await accountObject(accountId).summary(Date.now());
    expect(summary.balance).toBe(0);
    expect(summary.ledgerTotals).toEqual({ adjustment: 7e8, expiry: -7e8 });
    expect(await ledgerSum(accountId)).toBe(0);
    expect((await outboxFor(email)).map((m) => m.subject)).toEqual(['Your find-token credits have expired']);
    expect(await env.DB.prepare('SELECT status FROM accounts WHERE id = ?').bind(accountId).first()).toEqual({ status: 'deactivated' });
    const refused = await apiRequest(key, 'GET', '/v1/models');
    expect(refused.status).toBe(401);
    expect(await refused.json()).toEqual({
      error: { message: 'This account was deactivated after 12 months without activity. Sign in to the dashboard to reactivate it.', type: 'invalid_request_error', param: null, code: 'account_deactivated' },
    });
  });

  it('leaves an account alone that was active since', async () => {
    const { key, accountId } = await idleAccount(5);
    await env.DB.prepare('UPDATE accounts SET last_active_at = ? WHERE id = ?').bind(ACTIVE_AT + 300 * DAY, accountId).run();
    await run(366);
    expect(await balanceOf(key)).toMatchObject({ balance: 5 });
  });

  it('brings a deactivated account back when it recharges', async () => {
    const { key, accountId } = await idleAccount(0);
    await run(366);
    expect((await apiRequest(key, 'GET', '/v1/models')).status).toBe(401);
    const recharge = await startRecharge(key, 10).catch(() => undefined);
    // A deactivated key cannot open a recharge itself; the recharge arrives from the dashboard's session instead.
    expect(recharge).toBeUndefined();
    await env.DB.prepare("INSERT INTO recharges (id, account_id, amount, status, created_at, success_url, cancel_url, stripe_session_id) VALUES ('rc_back1', ?, 1000000000, 'pending', ?, 'https://a/ok', 'https://a/no', 'cs_test_back1')")
      .bind(accountId, Date.now())
      .run();
    await deliver(sessionEvent('checkout.session.completed', { id: 'rc_back1', sessionId: 'cs_test_back1' }, accountId, 1000));
    expect((await apiRequest(key, 'GET', '/v1/models')).status).toBe(200);
    expect(await balanceOf(key)).toMatchObject({ balance: 10 });
  });
});
