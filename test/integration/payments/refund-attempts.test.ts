/**
 * Support refunds as attempts: each is its own ledger entry, sent to Stripe under its own idempotency
 * key, and a declined one is reversed alone. Stripe failing (500, no answer) leaves the attempt
 * pending and debited until the reconciliation settles it.
 */
import { env, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { adminRequest, apiRequest, fetchWithEnv } from '../helpers';
import { accountObject, balanceOf } from '../billing/helpers';
import { reconcileRefunds, RECONCILE_AFTER_MS } from '../../../src/payments/reconcile-refunds';
import { checkAccountsAfterEach } from './invariants';
import { paidAccount, stripeFault, stripeRefundsOf, stripeRequests } from './helpers';

const touched = checkAccountsAfterEach();

async function paid(amount = 20) {
  const account = await paidAccount(amount);
  touched.add(account.accountId);
  return account;
}

const refund = (id: string, body: object = {}) => adminRequest('POST', `/recharges/${id}/refund`, body);

/** The refund through a worker whose Stripe calls are not retried and time out after 100 ms. */
const refundWithoutRetries = (id: string, body: object = {}) =>
  fetchWithEnv(
    `/admin/v1/recharges/${id}/refund`,
    { method: 'POST', headers: { Authorization: `Bearer ${env.ADMIN_TOKEN}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) },
    { STRIPE_MAX_NETWORK_RETRIES: '0', STRIPE_TIMEOUT_MS: '100' },
  );

/** The account's refund-related ledger rows, in order: kind, reference (the attempt id) and amount in dollars. */
async function refundEntries(accountId: string): Promise<Array<[string, string, number]>> {
  return runInDurableObject(accountObject(accountId), (_instance, state) =>
    state.storage.sql
      .exec<{ kind: string; request_id: string; amount: number }>("SELECT kind, request_id, amount FROM ledger WHERE kind IN ('refund', 'refund_reversed') ORDER BY id")
      .toArray()
      .map((row): [string, string, number] => [row.kind, row.request_id, row.amount / 1e8]),
  );
}

const rechargeView = async (key: string, id: string) =>
  (await (await apiRequest(key, 'GET', '/v1/user/recharges')).json<{ data: Array<{ id: string; status: string; refunded_amount: number }> }>()).data.find((r) => r.id === id)!;

const runReconciliation = (accountId: string) => reconcileRefunds(env, new Date(Date.now() + RECONCILE_AFTER_MS + 1000), { accountId });

describe('refund attempts', () => {
  it('deducts a refund retried after a declined one (each attempt is its own ledger entry)', async () => {
    const { key, accountId, recharge, paymentIntent } = await paid(20);
    await stripeFault({ payment_intent: paymentIntent, mode: 'decline' });
    const declined = await refund(recharge.id, { amount: 5 });
    expect(declined.status).toBe(502);
    expect(await declined.json()).toMatchObject({ error: { code: 'refund_failed' } });
    expect(await balanceOf(key)).toMatchObject({ balance: 20 });

    const retried = await refund(recharge.id, { amount: 5 });
    expect(retried.status).toBe(200);
    const body = await retried.json<{ refund: { id: string; status: string } }>();
    expect(body).toMatchObject({ status: 'partially_refunded', refunded_amount: 5, refunded_now: 5, balance: 15, refund: { status: 'succeeded' } });
    expect(await balanceOf(key)).toMatchObject({ balance: 15 });

    const entries = await refundEntries(accountId);
    const first = entries[0]![1];
    expect(entries).toEqual([
      ['refund', first, -5],
      ['refund_reversed', first, 5],
      ['refund', body.refund.id, -5],
    ]);
    expect((await stripeRefundsOf(paymentIntent)).map((r) => [r.amount, r.metadata['attempt_id']])).toEqual([[500, body.refund.id]]);
  });

  it('sends each attempt to Stripe with Idempotency-Key and metadata.attempt_id set to the attempt id', async () => {
    const { recharge, paymentIntent } = await paid(20);
    const a = await (await refund(recharge.id, { amount: 2 })).json<{ refund: { id: string } }>();
    const b = await (await refund(recharge.id, { amount: 2 })).json<{ refund: { id: string } }>();
    expect(a.refund.id).toMatch(/^rfa_[0-9a-f]{32}$/);
    expect(b.refund.id).not.toBe(a.refund.id);
    const sent = (await stripeRequests()).filter((r) => r.method === 'POST' && r.path === '/v1/refunds' && r.form['payment_intent'] === paymentIntent);
    expect(sent.map((r) => [r.idempotencyKey, r.form['metadata[attempt_id]'], r.form['metadata[recharge_id]'], r.form['amount']])).toEqual([
      [a.refund.id, a.refund.id, recharge.id, '200'],
      [b.refund.id, b.refund.id, recharge.id, '200'],
    ]);
  });

  it("reverses a declined attempt alone: an earlier attempt's refund stands", async () => {
    const { key, accountId, recharge, paymentIntent } = await paid(20);
    const kept = await (await refund(recharge.id, { amount: 5 })).json<{ refund: { id: string } }>();
    await stripeFault({ payment_intent: paymentIntent, mode: 'decline' });
    expect((await refund(recharge.id, { amount: 3 })).status).toBe(502);
    expect(await balanceOf(key)).toMatchObject({ balance: 15 });
    expect(await rechargeView(key, recharge.id)).toMatchObject({ status: 'partially_refunded', refunded_amount: 5 });
    const entries = await refundEntries(accountId);
    expect(entries.filter(([, attempt]) => attempt === kept.refund.id)).toEqual([['refund', kept.refund.id, -5]]);
    expect(entries.filter(([kind]) => kind === 'refund_reversed').map(([, , amount]) => amount)).toEqual([3]);
    // What is left to refund counts the kept attempt only.
    expect(await (await refund(recharge.id)).json()).toMatchObject({ status: 'refunded', refunded_now: 15, balance: 0 });
  });

  it('keeps the credits debited when Stripe answers 500 (202 pending); the reconciliation reverses the attempt Stripe never made', async () => {
    const { key, accountId, recharge, paymentIntent } = await paid(20);
    await stripeFault({ payment_intent: paymentIntent, mode: 'server_error' });
    const response = await refundWithoutRetries(recharge.id, { amount: 5 });
    expect(response.status).toBe(202);
    const body = await response.json<{ refund: { id: string } }>();
    expect(body).toMatchObject({ status: 'paid', refunded_amount: 0, refunded_now: 5, balance: 15, refund: { status: 'pending' } });
    expect(await balanceOf(key)).toMatchObject({ balance: 15 });
    // While it is pending, it counts against what is left to refund.
    expect(await (await refund(recharge.id, { amount: 16 })).json()).toMatchObject({ error: { code: 'refund_too_large', message: 'At most $15 of this recharge is left to refund.' } });

    await runReconciliation(accountId);
    expect(await balanceOf(key)).toMatchObject({ balance: 20 });
    expect(await refundEntries(accountId)).toEqual([
      ['refund', body.refund.id, -5],
      ['refund_reversed', body.refund.id, 5],
    ]);
    expect(await stripeRefundsOf(paymentIntent)).toEqual([]);
  });

  it('keeps the credits debited when Stripe refunded but its answer never came (timeout); the reconciliation finds the refund and keeps them', async () => {
    const { key, accountId, recharge, paymentIntent } = await paid(20);
    await stripeFault({ payment_intent: paymentIntent, mode: 'hang' });
    const response = await refundWithoutRetries(recharge.id, { amount: 5 });
    expect(response.status).toBe(202);
    const { refund: attempt } = await response.json<{ refund: { id: string } }>();

    await runReconciliation(accountId);
    // Twice: the second run finds nothing pending.
    await runReconciliation(accountId);
    expect(await balanceOf(key)).toMatchObject({ balance: 15 });
    expect(await refundEntries(accountId)).toEqual([['refund', attempt.id, -5]]);
    expect(await rechargeView(key, recharge.id)).toMatchObject({ status: 'partially_refunded', refunded_amount: 5 });
    expect((await stripeRefundsOf(paymentIntent)).map((r) => r.metadata['attempt_id'])).toEqual([attempt.id]);
  });

  it("retries a call whose answer was lost with the same idempotency key: Stripe replays its refund, the card is refunded once", async () => {
    const { key, accountId, recharge, paymentIntent } = await paid(20);
    await stripeFault({ payment_intent: paymentIntent, mode: 'lost_response' });
    // One retry by the SDK (after its fixed 0.5 s backoff, which no setting shortens).
    const response = await fetchWithEnv(
      `/admin/v1/recharges/${recharge.id}/refund`,
      { method: 'POST', headers: { Authorization: `Bearer ${env.ADMIN_TOKEN}` }, body: JSON.stringify({ amount: 5 }) },
      { STRIPE_MAX_NETWORK_RETRIES: '1' },
    );
    expect(response.status).toBe(200);
    const { refund: attempt } = await response.json<{ refund: { id: string; status: string } }>();
    expect(attempt.status).toBe('succeeded');
    const sent = (await stripeRequests()).filter((r) => r.method === 'POST' && r.path === '/v1/refunds' && r.form['payment_intent'] === paymentIntent);
    expect(sent.map((r) => r.idempotencyKey)).toEqual([attempt.id, attempt.id]);
    expect(await stripeRefundsOf(paymentIntent)).toHaveLength(1);
    expect(await balanceOf(key)).toMatchObject({ balance: 15 });
    expect(await refundEntries(accountId)).toEqual([['refund', attempt.id, -5]]);
  });
});
