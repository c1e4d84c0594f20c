/**
 * Stripe's charge.refunded, whatever order it comes in: before the payment is credited, replayed,
 * reordered, or while one of our attempts is still pending. It changes money once.
 */
import { describe, expect, it } from 'vitest';
import { env } from 'cloudflare:test';
import { apiRequest, createAccountWithKey } from '../helpers';
import { accountObject, balanceOf } from '../billing/helpers';
import { findRecharge } from '../../../src/payments/recharges';
import { openRefundAttempt } from '../../../src/payments/refunds';
import { reconcileRefunds, RECONCILE_AFTER_MS } from '../../../src/payments/reconcile-refunds';
import { checkAccountsAfterEach } from './invariants';
import { chargeRefundedEvent, deliver, paidAccount, sessionEvent, startRecharge } from './helpers';

const touched = checkAccountsAfterEach();

const rechargeView = async (key: string, id: string) =>
  (await (await apiRequest(key, 'GET', '/v1/user/recharges')).json<{ data: Array<{ id: string; status: string; refunded_amount: number }> }>()).data.find((r) => r.id === id)!;

const totals = async (accountId: string) => (await accountObject(accountId).summary(Date.now())).ledgerTotals;

describe("Stripe's charge.refunded", () => {
  it('that arrives before checkout.session.completed is kept, not dropped, and applied once the payment is credited', async () => {
    const { key, accountId } = await createAccountWithKey(0);
    touched.add(accountId);
    const recharge = await startRecharge(key, 25);
    const refunded = chargeRefundedEvent(recharge, 500, accountId);
    const early = await deliver(refunded);
    expect(early.status).toBe(200);
    expect(await early.json()).toEqual({ received: true, result: 'deferred until the payment is credited' });
    expect(await balanceOf(key)).toMatchObject({ balance: 0 });

    const completed = sessionEvent('checkout.session.completed', recharge, accountId, 2500);
    expect(await (await deliver(completed)).json()).toEqual({ received: true, result: 'credited' });
    expect(await balanceOf(key)).toMatchObject({ balance: 20 });
    expect(await totals(accountId)).toEqual({ recharge: 25e8, refund: -5e8 });
    expect(await rechargeView(key, recharge.id)).toMatchObject({ status: 'partially_refunded', refunded_amount: 5 });

    // Both again, in either order: nothing changes.
    await deliver(refunded);
    await deliver(completed);
    expect(await balanceOf(key)).toMatchObject({ balance: 20 });
  });

  it('that refunds the whole payment before it is credited takes the whole credit back with it', async () => {
    const { key, accountId } = await createAccountWithKey(0);
    touched.add(accountId);
    const recharge = await startRecharge(key, 10);
    await deliver(chargeRefundedEvent(recharge, 1000, accountId));
    await deliver(sessionEvent('checkout.session.completed', recharge, accountId, 1000));
    expect(await balanceOf(key)).toMatchObject({ balance: 0 });
    expect(await rechargeView(key, recharge.id)).toMatchObject({ status: 'refunded', refunded_amount: 10 });
  });

  it('reordered (the $10 total before the $5 one) deducts $10 once', async () => {
    const { key, accountId, recharge } = await paidAccount(30);
    touched.add(accountId);
    const five = chargeRefundedEvent(recharge, 500, accountId);
    const ten = chargeRefundedEvent(recharge, 1000, accountId);
    expect(await (await deliver(ten)).json()).toEqual({ received: true, result: 'reconciled' });
    await deliver(five);
    expect(await (await deliver(ten)).json()).toEqual({ received: true, result: 'already applied' });
    expect(await balanceOf(key)).toMatchObject({ balance: 20 });
    expect(await rechargeView(key, recharge.id)).toMatchObject({ status: 'partially_refunded', refunded_amount: 10 });
  });

  it('names no recharge of ours without its payment intent or metadata: acknowledged, nothing changes', async () => {
    const response = await deliver(chargeRefundedEvent({ id: 'rc_unknown' }, 500));
    expect(await response.json()).toEqual({ received: true, result: 'not ours' });
  });

  it('is not deducted again for an attempt of ours still pending, which the reconciliation then keeps', async () => {
    const { key, accountId, recharge } = await paidAccount(20);
    touched.add(accountId);
    const row = (await findRecharge(env.DB, recharge.id))!;
    // Our attempt is debited; Stripe refunds it and says so before our worker hears back.
    await openRefundAttempt(env, row, 5e8, Date.now());
    await deliver(chargeRefundedEvent(recharge, 500, accountId));
    expect(await balanceOf(key)).toMatchObject({ balance: 15 });
    // Our attempt never reached Stripe after all (the refund was someone else's): the reversal uncovers the $5 Stripe refunded.
    await reconcileRefunds(env, new Date(Date.now() + RECONCILE_AFTER_MS + 1000), { accountId });
    expect(await balanceOf(key)).toMatchObject({ balance: 15 });
    expect(await totals(accountId)).toEqual({ recharge: 20e8, refund: -10e8, refund_reversed: 5e8 });
  });
});
