/** Support refunds: the rules, the Stripe call, and reconciliation with Stripe's own charge.refunded. */
import { describe, expect, it, vi } from 'vitest';
import { env } from 'cloudflare:test';
import { adminRequest, apiRequest, chat, createAccountWithKey, hello } from '../helpers';
import { accountObject, balanceOf } from '../billing/helpers';
import { chargeRefundedEvent, deliver, sessionEvent, startRecharge, stripeRequests } from './helpers';

const ledgerSum = async (accountId: string) => Object.values((await accountObject(accountId).summary(Date.now())).ledgerTotals).reduce((a, b) => a + b, 0);
const refund = (id: string, body: object = {}) => adminRequest('POST', `/recharges/${id}/refund`, body);

async function paid(amount = 20) {
  const account = await createAccountWithKey(0);
  const recharge = await startRecharge(account.key, amount);
  await deliver(sessionEvent('checkout.session.completed', recharge, account.accountId, amount * 100));
  return { ...account, recharge };
}

describe('refunding a recharge', () => {
  it('refunds through Stripe in cents, deducts the balance, and marks the recharge', async () => {
    const { key, accountId, recharge } = await paid(20);
    const response = await refund(recharge.id, { amount: 5 });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ id: recharge.id, status: 'partially_refunded', refunded_amount: 5, refunded_now: 5, balance: 15 });
    const sent = (await stripeRequests()).filter((r) => r.path === '/v1/refunds' && r.form['metadata[recharge_id]'] === recharge.id);
    // One idempotency key per attempt: the attempt's id, also in the refund's metadata.
    expect(sent.map((r) => [r.form['payment_intent'], r.form['amount'], r.idempotencyKey])).toEqual([[`pi_test_${recharge.id}`, '500', sent[0]?.form['metadata[attempt_id]']]]);
    expect(sent[0]!.idempotencyKey).toMatch(/^rfa_[0-9a-f]{32}$/);
    expect(await balanceOf(key)).toMatchObject({ balance: 15 });
    expect(await ledgerSum(accountId)).toBe(15 * 1e8);
    // The rest, without an amount: fully refunded.
    expect(await (await refund(recharge.id)).json()).toMatchObject({ status: 'refunded', refunded_amount: 20, balance: 0 });
  });

  it("deducts each refunded dollar once across our refunds and Stripe's charge.refunded webhooks", async () => {
    const { key, accountId, recharge } = await paid(20);
    // $5 refunded in Stripe's dashboard: its webhook deducts it.
    await deliver(chargeRefundedEvent(recharge, 500));
    // Our refund of another $5 brings the total to $10.
    await refund(recharge.id, { amount: 5 });
    expect(await balanceOf(key)).toMatchObject({ balance: 10 });
    // Stripe's webhook for our refund reports the same $10 total: nothing more is deducted, however often it comes.
    await deliver(chargeRefundedEvent(recharge, 1000));
    await deliver(chargeRefundedEvent(recharge, 1000));
    expect(await balanceOf(key)).toMatchObject({ balance: 10 });
    expect(await ledgerSum(accountId)).toBe(10 * 1e8);
  });

  it("reconciles a refund made in Stripe's dashboard once, however often the webhook comes", async () => {
    const { key, recharge } = await paid(30);
    for (let i = 0; i < 3; i++) expect((await deliver(chargeRefundedEvent(recharge, 3000))).status).toBe(200);
    expect(await balanceOf(key)).toMatchObject({ balance: 0 });
    const listed = await (await apiRequest(key, 'GET', '/v1/user/recharges')).json<{ data: Array<{ status: string; refunded_amount: number }> }>();
    expect(listed.data[0]).toMatchObject({ status: 'refunded', refunded_amount: 30 });
  });

  it('refuses more than the credits still unspent', async () => {
    const { key, recharge } = await paid(10);
    // Spend some: 1M prompt tokens of deepseek-chat cost $0.1477.
    await chat(key, { model: 'deepseek-chat', messages: hello, standin: { usage: { prompt_tokens: 1_000_000, completion_tokens: 0 } } });
    const response = await refund(recharge.id, { amount: 10 });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: 'refund_exceeds_unspent', message: 'Only unspent credits can be refunded: $9.8523 is unspent.' } });
    expect(await balanceOf(key)).toMatchObject({ balance: 9.8523 });
  });

  it('gives the credits back when Stripe declines the refund', async () => {
    const { key, accountId, recharge } = await paid(20);
    const response = await refund(recharge.id, { amount: 13.37 });
    expect(response.status).toBe(502);
    expect(await response.json()).toMatchObject({ error: { code: 'refund_failed', message: 'The payment provider refused the refund; the credits stay on the account.' } });
    expect(await balanceOf(key)).toMatchObject({ balance: 20 });
    expect(await ledgerSum(accountId)).toBe(20 * 1e8);
    // …and the next refund starts from nothing refunded.
    expect(await (await refund(recharge.id, { amount: 5 })).json()).toMatchObject({ status: 'partially_refunded', refunded_amount: 5, balance: 15 });
  });

  it('holds back credits that requests in flight have reserved', async () => {
    const { key, accountId, recharge } = await paid(10);
    // A request holding its worst case: that money is not unspent.
    await accountObject(accountId).authorize({
      requestId: 'req_in_flight',
      amount: 4e8,
      context: { keyId: 'k', keyName: 'k', keyPrefix: 'k', model: 'deepseek-chat', provider: 'deepseek', mode: 'standard', routing: 'auto', stream: false, startedAt: Date.now() },
      now: Date.now(),
    });
    const response = await refund(recharge.id, { amount: 10 });
    expect(await response.json()).toMatchObject({ error: { code: 'refund_exceeds_unspent', message: 'Only unspent credits can be refunded: $6 is unspent.' } });
    expect(await balanceOf(key)).toMatchObject({ balance: 10, reserved: 4 });
  });

  it('refuses more than is left of the recharge', async () => {
    const { recharge } = await paid(10);
    await refund(recharge.id, { amount: 6 });
    const response = await refund(recharge.id, { amount: 6 });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: 'refund_too_large', message: 'At most $4 of this recharge is left to refund.' } });
  });

  it('refuses after 14 days', async () => {
    const { recharge } = await paid(10);
    vi.useFakeTimers({ now: Date.now() + 15 * 24 * 3_600_000, toFake: ['Date'] });
    try {
      const response = await refund(recharge.id);
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: { code: 'refund_window_passed' } });
    } finally {
      vi.useRealTimers();
    }
  });

  it('refuses a recharge that was never paid, and an unknown one', async () => {
    const { key } = await createAccountWithKey(0);
    const pending = await startRecharge(key, 10);
    expect(await (await refund(pending.id)).json()).toMatchObject({ error: { code: 'not_refundable', message: 'Only a paid recharge can be refunded; this one is pending.' } });
    expect((await refund('rc_unknown')).status).toBe(404);
    expect(env.STRIPE_URL).toBeTruthy();
  });
});
