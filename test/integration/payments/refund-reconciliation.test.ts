/**
 * A worker that dies between a refund's debit and Stripe's answer: the attempt is left pending in the
 * account object (which is itself restarted here) and in D1, and the daily job settles it from what
 * Stripe did. The test plays the worker's steps (refunds.ts) up to the point it dies.
 */
import { createExecutionContext, createScheduledController, env, evictDurableObject, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import worker from '../../../src/index';
import { CRON_DAILY } from '../../../src/jobs/scheduled';
import { findRecharge } from '../../../src/payments/recharges';
import { insertAttempt } from '../../../src/payments/refund-attempts';
import { openRefundAttempt, requestStripeRefund } from '../../../src/payments/refunds';
import { reconcileRefunds, RECONCILE_AFTER_MS } from '../../../src/payments/reconcile-refunds';
import { apiRequest } from '../helpers';
import { accountObject, balanceOf } from '../billing/helpers';
import { checkAccountsAfterEach } from './invariants';
import { paidAccount, stripeFault, stripeRefundsOf } from './helpers';

const touched = checkAccountsAfterEach();
const later = () => new Date(Date.now() + RECONCILE_AFTER_MS + 1000);

/** A paid recharge, and a worker that has debited a $5 refund attempt of it and then died (its object restarts). */
async function diedAfterDebit(options: { stripeRefunded: boolean }) {
  const account = await paidAccount(20);
  touched.add(account.accountId);
  const recharge = (await findRecharge(env.DB, account.recharge.id))!;
  const attempt = await openRefundAttempt(env, recharge, 5e8, Date.now());
  if (options.stripeRefunded) expect(await requestStripeRefund(env, recharge, attempt)).toMatchObject({ kind: 'refunded' });
  await evictDurableObject(accountObject(account.accountId));
  return { ...account, attempt };
}

const attemptRow = (id: string) => env.DB.prepare('SELECT status, stripe_refund_id FROM refund_attempts WHERE id = ?').bind(id).first<{ status: string; stripe_refund_id: string | null }>();
const rechargeView = async (key: string, id: string) =>
  (await (await apiRequest(key, 'GET', '/v1/user/recharges')).json<{ data: Array<{ id: string; status: string; refunded_amount: number }> }>()).data.find((r) => r.id === id)!;

describe('the daily refund reconciliation', () => {
  it('reverses an attempt whose worker died before Stripe refunded anything', async () => {
    const { key, accountId, attempt, paymentIntent } = await diedAfterDebit({ stripeRefunded: false });
    expect(await balanceOf(key)).toMatchObject({ balance: 15 });
    expect(await reconcileRefunds(env, later(), { accountId })).toEqual({ kept: 0, reversed: 1, abandoned: 0, unresolved: 0 });
    expect(await balanceOf(key)).toMatchObject({ balance: 20 });
    expect(await attemptRow(attempt.attemptId)).toEqual({ status: 'reversed', stripe_refund_id: null });
    expect(await stripeRefundsOf(paymentIntent)).toEqual([]);
  });

  it('keeps an attempt whose worker died after Stripe refunded the card', async () => {
    const { key, accountId, attempt, recharge, paymentIntent } = await diedAfterDebit({ stripeRefunded: true });
    expect(await reconcileRefunds(env, later(), { accountId })).toEqual({ kept: 1, reversed: 0, abandoned: 0, unresolved: 0 });
    expect(await balanceOf(key)).toMatchObject({ balance: 15 });
    const [refund] = await stripeRefundsOf(paymentIntent);
    expect(await attemptRow(attempt.attemptId)).toEqual({ status: 'refunded', stripe_refund_id: refund!.id });
    expect(await rechargeView(key, recharge.id)).toMatchObject({ status: 'partially_refunded', refunded_amount: 5 });
  });

  it('changes nothing when run again', async () => {
    const { key, accountId } = await diedAfterDebit({ stripeRefunded: false });
    await reconcileRefunds(env, later(), { accountId });
    expect(await reconcileRefunds(env, later(), { accountId })).toEqual({ kept: 0, reversed: 0, abandoned: 0, unresolved: 0 });
    expect(await balanceOf(key)).toMatchObject({ balance: 20 });
  });

  it('leaves a young attempt alone: its Stripe call may still be running', async () => {
    const { key, accountId, attempt } = await diedAfterDebit({ stripeRefunded: false });
    expect(await reconcileRefunds(env, new Date(), { accountId })).toEqual({ kept: 0, reversed: 0, abandoned: 0, unresolved: 0 });
    expect(await attemptRow(attempt.attemptId)).toMatchObject({ status: 'pending' });
    expect(await balanceOf(key)).toMatchObject({ balance: 15 });
    await reconcileRefunds(env, later(), { accountId });
  });

  it('leaves the attempt pending while Stripe cannot be asked, and settles it on the next run', async () => {
    const { key, accountId, attempt, paymentIntent } = await diedAfterDebit({ stripeRefunded: true });
    await stripeFault({ payment_intent: paymentIntent, mode: 'server_error', on: 'list' });
    const unreachable = await reconcileRefunds({ ...env, STRIPE_MAX_NETWORK_RETRIES: '0' }, later(), { accountId });
    expect(unreachable).toEqual({ kept: 0, reversed: 0, abandoned: 0, unresolved: 1 });
    expect(await attemptRow(attempt.attemptId)).toMatchObject({ status: 'pending' });
    expect(await balanceOf(key)).toMatchObject({ balance: 15 });
    expect(await reconcileRefunds(env, later(), { accountId })).toMatchObject({ kept: 1 });
    expect(await balanceOf(key)).toMatchObject({ balance: 15 });
  });

  it('closes an attempt whose worker died before the debit, and it can never be debited later', async () => {
    const { key, accountId, recharge } = await paidAccount(20);
    touched.add(accountId);
    await insertAttempt(env.DB, { id: 'rfa_died_before_debit_' + recharge.id.slice(3), recharge_id: recharge.id, account_id: accountId, amount: 5e8, created_at: Date.now() });
    const id = 'rfa_died_before_debit_' + recharge.id.slice(3);
    expect(await reconcileRefunds(env, later(), { accountId })).toEqual({ kept: 0, reversed: 0, abandoned: 1, unresolved: 0 });
    expect(await attemptRow(id)).toMatchObject({ status: 'abandoned' });
    expect(await accountObject(accountId).beginRefund({ attemptId: id, rechargeId: recharge.id, amount: 5e8, now: Date.now() })).toMatchObject({ ok: true, status: 'abandoned', replay: true });
    expect(await balanceOf(key)).toMatchObject({ balance: 20 });
  });

  it('runs with the daily cron', async () => {
    const { key, attempt } = await diedAfterDebit({ stripeRefunded: false });
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ cron: CRON_DAILY, scheduledTime: later().getTime() }), env, ctx);
    await waitOnExecutionContext(ctx);
    expect(await attemptRow(attempt.attemptId)).toMatchObject({ status: 'reversed' });
    expect(await balanceOf(key)).toMatchObject({ balance: 20 });
  });
});
