/** Stripe's webhook: a paid Checkout Session is credited exactly once, whatever the delivery does. */
import { describe, expect, it } from 'vitest';
import { apiRequest, createAccountWithKey } from '../helpers';
import { balanceOf } from '../billing/helpers';
import { accountObject } from '../billing/helpers';
import { deliver, sessionEvent, startRecharge } from './helpers';

const ledgerSum = async (accountId: string) => Object.values((await accountObject(accountId).summary(Date.now())).ledgerTotals).reduce((a, b) => a + b, 0);
const rechargeOf = async (key: string, id: string) =>
  (await (await apiRequest(key, 'GET', '/v1/user/recharges')).json<{ data: Array<{ id: string; status: string; paid_at: number | null }> }>()).data.find((r) => r.id === id)!;

async function paidSetup() {
  const account = await createAccountWithKey(0);
  const recharge = await startRecharge(account.key, 25);
  return { ...account, recharge, completed: sessionEvent('checkout.session.completed', recharge, account.accountId, 2500) };
}

describe('crediting a recharge', () => {
  it('credits the full amount paid once the session completes paid, and marks the recharge paid', async () => {
    const { key, accountId, recharge, completed } = await paidSetup();
    const response = await deliver(completed);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ received: true, result: 'credited' });
    expect(await balanceOf(key)).toMatchObject({ balance: 25 });
    expect(await rechargeOf(key, recharge.id)).toMatchObject({ status: 'paid', paid_at: expect.any(Number) });
    expect(await ledgerSum(accountId)).toBe(25 * 1e8);
  });

  it('credits once when the same event is delivered again', async () => {
    const { key, completed } = await paidSetup();
    await deliver(completed);
    expect(await (await deliver(completed)).json()).toEqual({ received: true, result: 'already credited' });
    expect(await balanceOf(key)).toMatchObject({ balance: 25 });
  });

  it('credits once when one session arrives in two different events', async () => {
    const { key, accountId, recharge, completed } = await paidSetup();
    await deliver(completed);
    await deliver(sessionEvent('checkout.session.async_payment_succeeded', recharge, accountId, 2500));
    expect(await balanceOf(key)).toMatchObject({ balance: 25 });
  });

  it('credits once under concurrent replays of one event', async () => {
    const { key, accountId, completed } = await paidSetup();
    const results = await Promise.all(Array.from({ length: 6 }, () => deliver(completed)));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(await balanceOf(key)).toMatchObject({ balance: 25 });
    expect(await ledgerSum(accountId)).toBe(25 * 1e8);
  });

  it('keeps a paid recharge paid when an expiry or failure arrives after it (out of order)', async () => {
    const { key, accountId, recharge, completed } = await paidSetup();
    await deliver(completed);
    await deliver(sessionEvent('checkout.session.expired', recharge, accountId, 2500, { payment_status: 'unpaid', status: 'expired' }));
    await deliver(sessionEvent('checkout.session.async_payment_failed', recharge, accountId, 2500, { payment_status: 'unpaid' }));
    expect(await rechargeOf(key, recharge.id)).toMatchObject({ status: 'paid' });
    expect(await balanceOf(key)).toMatchObject({ balance: 25 });
  });

  it('waits for a delayed payment: a session completed unpaid credits nothing until async_payment_succeeded', async () => {
    const { key, accountId, recharge } = await paidSetup();
    await deliver(sessionEvent('checkout.session.completed', recharge, accountId, 2500, { payment_status: 'unpaid' }));
    expect(await balanceOf(key)).toMatchObject({ balance: 0 });
    await deliver(sessionEvent('checkout.session.async_payment_succeeded', recharge, accountId, 2500));
    expect(await balanceOf(key)).toMatchObject({ balance: 25 });
  });

  it.each([
    ['checkout.session.async_payment_failed', 'failed'],
    ['checkout.session.expired', 'expired'],
  ])('marks a pending recharge on %s', async (type, status) => {
    const { key, accountId, recharge } = await paidSetup();
    expect((await deliver(sessionEvent(type, recharge, accountId, 2500, { payment_status: 'unpaid' }))).status).toBe(200);
    expect(await rechargeOf(key, recharge.id)).toMatchObject({ status });
    expect(await balanceOf(key)).toMatchObject({ balance: 0 });
  });

  it('credits nothing when the amount paid is not the amount asked', async () => {
    const { key, accountId, recharge } = await paidSetup();
    expect(await (await deliver(sessionEvent('checkout.session.completed', recharge, accountId, 100))).json()).toEqual({ received: true, result: 'amount mismatch' });
    expect(await balanceOf(key)).toMatchObject({ balance: 0 });
  });

  it('credits nothing for a session that names another account', async () => {
    const { key, recharge } = await paidSetup();
    const other = await createAccountWithKey(0);
    expect(await (await deliver(sessionEvent('checkout.session.completed', recharge, other.accountId, 2500))).json()).toEqual({ received: true, result: 'not ours' });
    expect(await balanceOf(key)).toMatchObject({ balance: 0 });
    expect(await balanceOf(other.key)).toMatchObject({ balance: 0 });
  });
});

describe('what the webhook refuses', () => {
  it('answers 400 to a bad signature, with no side effect', async () => {
    const { key, completed } = await paidSetup();
    const response = await deliver(completed, 't=1,v1=deadbeef');
    expect(response.status).toBe(400);
    expect((await response.json<{ error: { code: string } }>()).error.code).toBe('invalid_webhook');
    expect(await balanceOf(key)).toMatchObject({ balance: 0 });
  });

  it('answers 400 to a signature older than five minutes', async () => {
    const { key, completed } = await paidSetup();
    const payload = JSON.stringify(completed);
    const stale = Math.floor(Date.now() / 1000) - 600;
    const mac = await crypto.subtle.sign(
      'HMAC',
      await crypto.subtle.importKey('raw', new TextEncoder().encode('whsec_test_find_token'), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']),
      new TextEncoder().encode(`${stale}.${payload}`),
    );
    const hex = [...new Uint8Array(mac)].map((b) => b.toString(16).padStart(2, '0')).join('');
    expect((await deliver(completed, `t=${stale},v1=${hex}`)).status).toBe(400);
    expect(await balanceOf(key)).toMatchObject({ balance: 0 });
  });

  it('answers 200 "malformed", not 500, to a signed event not in Stripe\'s shape, and credits nothing', async () => {
    const { key, accountId, completed } = await paidSetup();
    const session = completed.data.object;
    const malformed = [
      null,
      { ...completed, id: { nested: true } },
      { ...completed, data: { value: completed.data } },
      { ...completed, data: { object: { ...session, metadata: { recharge_id: { id: session.metadata.recharge_id }, account_id: accountId } } } },
      { ...completed, type: 'charge.refunded', data: { object: { amount_refunded: '100', payment_intent: 7 } } },
    ];
    for (const event of malformed) {
      const response = await deliver(event as object);
      expect(response.status, JSON.stringify(event)).toBe(200);
      expect(await response.json()).toEqual({ received: true, result: 'malformed' });
    }
    expect(await balanceOf(key)).toMatchObject({ balance: 0 });
  });

  it('acknowledges and ignores events it does not handle', async () => {
    const response = await deliver({ id: 'evt_unknown_1', object: 'event', type: 'customer.created', created: 1, data: { object: { id: 'cus_1', object: 'customer' } } });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ received: true, result: 'ignored' });
  });
});
