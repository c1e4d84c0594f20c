/**
 * Chargebacks: a dispute debits the disputed amount (as far as the unspent credits go) and suspends
 * the account until it closes; won, it gives the money back and lifts its own suspension only.
 * Replayed and reordered events change money once.
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { adminRequest, apiRequest, chat, hello } from '../helpers';
import { accountObject, balanceOf } from '../billing/helpers';
import { checkAccountsAfterEach } from './invariants';
import { deliver, disputeEvent, paidAccount } from './helpers';

const touched = checkAccountsAfterEach();

async function paid(amount = 20) {
  const account = await paidAccount(amount);
  touched.add(account.accountId);
  const disputeId = `dp_test_${account.recharge.id.slice(3)}`;
  const created = disputeEvent('charge.dispute.created', account.recharge, { id: disputeId, amountCents: amount * 100, status: 'needs_response' });
  const closed = (status: string) => disputeEvent('charge.dispute.closed', account.recharge, { id: disputeId, amountCents: amount * 100, status });
  return { ...account, disputeId, created, closed };
}

/** What a key of the account gets on a few /v1 routes: the status and error code of each. */
async function access(key: string): Promise<Array<[number, string | undefined]>> {
  const responses = [await apiRequest(key, 'GET', '/v1/user/balance'), await apiRequest(key, 'GET', '/v1/models'), await chat(key, { model: 'deepseek-chat', messages: hello })];
  return Promise.all(responses.map(async (r): Promise<[number, string | undefined]> => [r.status, r.ok ? undefined : (await r.json<{ error: { code: string } }>()).error.code]));
}

const SUSPENDED: Array<[number, string]> = [
  [403, 'account_suspended'],
  [403, 'account_suspended'],
  [403, 'account_suspended'],
];
const ALLOWED = [
  [200, undefined],
  [200, undefined],
  [200, undefined],
];

const summary = async (accountId: string) => accountObject(accountId).summary(Date.now());
const d1Status = async (accountId: string) => (await env.DB.prepare('SELECT status FROM accounts WHERE id = ?').bind(accountId).first<{ status: string }>())?.status;

describe('a dispute (chargeback)', () => {
  it('debits the disputed amount and suspends the account: every key gets 403 account_suspended, and its web sessions end', async () => {
    const { key, accountId, created } = await paid(20);
    await env.DB.prepare('INSERT INTO web_sessions (id_hash, account_id, csrf_token, created_at, expires_at) VALUES (?, ?, ?, ?, ?)')
      .bind(`session_${accountId}`, accountId, 'csrf', Date.now(), Date.now() + 60_000)
      .run();
    const response = await deliver(created);
    expect(await response.json()).toEqual({ received: true, result: 'dispute opened' });
    expect(await access(key)).toEqual(SUSPENDED);
    expect(await (await apiRequest(key, 'GET', '/v1/user/balance')).json()).toMatchObject({
      error: { type: 'permission_error', code: 'account_suspended', message: 'This account is suspended: its API keys are refused until the suspension is lifted. Contact support.' },
    });
    expect(await summary(accountId)).toMatchObject({ balance: 0, ledgerTotals: { recharge: 20e8, dispute: -20e8 } });
    expect(await accountObject(accountId).accountStatus()).toMatchObject({ status: 'suspended', reasons: [{ reason: `dispute:${created.data.object.id}` }] });
    expect(await d1Status(accountId)).toBe('suspended');
    expect(await env.DB.prepare('SELECT COUNT(*) AS n FROM web_sessions WHERE account_id = ?').bind(accountId).first('n')).toBe(0);
  });

  it('won: credits back what it debited and lifts its suspension', async () => {
    const { key, accountId, created, closed } = await paid(20);
    await deliver(created);
    expect(await (await deliver(closed('won'))).json()).toEqual({ received: true, result: 'dispute won' });
    expect(await access(key)).toEqual(ALLOWED);
    expect(await summary(accountId)).toMatchObject({ ledgerTotals: { recharge: 20e8, dispute: -20e8, dispute_won: 20e8 } });
    expect(await d1Status(accountId)).toBe('active');
  });

  it('lost: keeps the debit and lifts its suspension', async () => {
    const { key, accountId, created, closed } = await paid(20);
    await deliver(created);
    expect(await (await deliver(closed('lost'))).json()).toEqual({ received: true, result: 'dispute lost' });
    expect(await access(key)).toEqual([[200, undefined], [200, undefined], [402, 'insufficient_credits']]);
    expect(await summary(accountId)).toMatchObject({ balance: 0, ledgerTotals: { recharge: 20e8, dispute: -20e8 } });
  });

  it('debits only as far as the unspent credits go, and gives back only that', async () => {
    const { key, accountId, created, closed } = await paid(20);
    // $2.954 spent: 20M prompt tokens of deepseek-chat at $0.1477 per 1M.
    await chat(key, { model: 'deepseek-chat', messages: hello, standin: { usage: { prompt_tokens: 20_000_000, completion_tokens: 0 } } });
    await deliver(created);
    expect(await summary(accountId)).toMatchObject({ balance: 0, ledgerTotals: { dispute: -17.046e8 } });
    await deliver(closed('won'));
    expect(await balanceOf(key)).toMatchObject({ balance: 17.046 });
  });

  it("lifts only its own suspension when won: an operator's suspension stays", async () => {
    const { key, accountId, created, closed } = await paid(20);
    await accountObject(accountId).suspend({ reason: 'operator', now: Date.now() });
    await deliver(created);
    await deliver(closed('won'));
    expect(await accountObject(accountId).accountStatus()).toMatchObject({ status: 'suspended', reasons: [{ reason: 'operator' }] });
    expect(await access(key)).toEqual(SUSPENDED);
    expect(await summary(accountId)).toMatchObject({ balance: 20e8 });
    await accountObject(accountId).liftSuspension({ reason: 'operator' });
    expect(await access(key)).toEqual(ALLOWED);
  });

  it('keeps the account suspended for a second dispute still open when the first is won', async () => {
    const { key, accountId, recharge, created, closed } = await paid(20);
    const other = disputeEvent('charge.dispute.created', recharge, { id: `dp_other_${recharge.id.slice(3)}`, amountCents: 500, status: 'needs_response' });
    await deliver(created);
    await deliver(other);
    await deliver(closed('won'));
    expect(await access(key)).toEqual(SUSPENDED);
    expect((await accountObject(accountId).accountStatus()).reasons.map((r) => r.reason)).toEqual([`dispute:dp_other_${recharge.id.slice(3)}`]);
  });

  it('changes money once when its events are delivered again', async () => {
    const { key, accountId, created, closed } = await paid(20);
    const won = closed('won');
    for (const event of [created, created, won, won, created]) expect((await deliver(event)).status).toBe(200);
    // The same steps under new event ids (Stripe resending with other ids) change nothing either.
    await deliver({ ...closed('won') });
    expect(await summary(accountId)).toMatchObject({ balance: 20e8, ledgerTotals: { recharge: 20e8, dispute: -20e8, dispute_won: 20e8 } });
    expect(await access(key)).toEqual(ALLOWED);
  });

  it('closed as won before it was created (reordered): no debit, no suspension', async () => {
    const { key, accountId, created, closed } = await paid(20);
    expect(await (await deliver(closed('won'))).json()).toEqual({ received: true, result: 'dispute won' });
    expect(await (await deliver(created)).json()).toEqual({ received: true, result: 'already applied' });
    expect(await summary(accountId)).toMatchObject({ balance: 20e8, ledgerTotals: { recharge: 20e8 } });
    expect(await access(key)).toEqual(ALLOWED);
  });

  it('closed as lost before it was created (reordered): the debit, and no suspension', async () => {
    const { key, accountId, created, closed } = await paid(20);
    await deliver(closed('lost'));
    await deliver(created);
    expect(await accountObject(accountId).accountStatus()).toMatchObject({ status: 'active', reasons: [] });
    expect(await summary(accountId)).toMatchObject({ balance: 0, ledgerTotals: { recharge: 20e8, dispute: -20e8 } });
    expect((await apiRequest(key, 'GET', '/v1/user/balance')).status).toBe(200);
  });

  it('acknowledges a malformed dispute event and changes nothing', async () => {
    const { key, accountId, recharge } = await paid(20);
    const bad = disputeEvent('charge.dispute.created', recharge, { id: 'dp test', amountCents: 2000, status: 'needs_response' });
    expect(await (await deliver(bad)).json()).toEqual({ received: true, result: 'malformed' });
    const noAmount = disputeEvent('charge.dispute.created', recharge, { id: 'dp_no_amount', amountCents: Number.NaN, status: 'needs_response' });
    expect(await (await deliver(noAmount)).json()).toEqual({ received: true, result: 'malformed' });
    expect(await summary(accountId)).toMatchObject({ balance: 20e8 });
    expect(await access(key)).toEqual(ALLOWED);
  });

  it('keeps an open dispute’s payment from being refunded', async () => {
    const { recharge, created } = await paid(20);
    await deliver(created);
    const response = await adminRequest('POST', `/recharges/${recharge.id}/refund`, { amount: 5 });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: 'not_refundable', message: 'This payment is disputed; it cannot be refunded while the dispute is open.' } });
  });
});
