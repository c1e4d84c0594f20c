/**
 * Support refunds: within 14 days of payment, and only of credits still
 * unspent. Stripe refunds the card first; then the account object deducts the
 * refunded total (the same reconciliation Stripe's charge.refunded webhook uses,
 * so neither path deducts twice, whichever arrives first).
 */
import type { Env } from '../env';
import { accountStub } from '../billing/account-stub';
import { formatUsd, parseDollarsAndCents } from '../billing/money';
import { ApiError, invalidRequest } from '../errors';
import { UNITS_PER_CENT } from './amounts';
import { markRefunded, type Recharge } from './recharges';
import { stripeClient } from './stripe';

export const REFUND_WINDOW_MS = 14 * 24 * 60 * 60_000;

export async function refundRecharge(env: Env, recharge: Recharge, dollars: number | undefined, now: number): Promise<{ refunded: number; total: number; balance: number }> {
  if (recharge.status !== 'paid' && recharge.status !== 'partially_refunded') {
    throw invalidRequest(`Only a paid recharge can be refunded; this one is ${recharge.status}.`, null, 'not_refundable');
  }
  if (recharge.paid_at === null || now - recharge.paid_at > REFUND_WINDOW_MS) {
    throw invalidRequest('Refunds are possible within 14 days of payment; this recharge was paid earlier.', null, 'refund_window_passed');
  }
  const stub = accountStub(env, recharge.account_id);
  const alreadyRefunded = Math.max(recharge.refunded_amount, await stub.refundedFor(recharge.id));
  const refundable = recharge.amount - alreadyRefunded;
  const amount = dollars === undefined ? refundable : (parseDollarsAndCents(dollars) ?? 0);
  if (amount > refundable) throw invalidRequest(`At most $${formatUsd(refundable)} of this recharge is left to refund.`, 'amount', 'refund_too_large');
  const summary = await stub.summary(recharge.account_id, now);
  const unspent = summary.balance - summary.reserved;
  if (amount > unspent) throw invalidRequest(`Only unspent credits can be refunded: $${formatUsd(Math.max(0, unspent))} is unspent.`, 'amount', 'refund_exceeds_unspent');
  if (amount <= 0) throw invalidRequest('Nothing is left to refund.', 'amount', 'refund_too_large');

  const total = alreadyRefunded + amount;
  const stripe = stripeClient(env);
  const local = recharge.stripe_session_id?.startsWith('cs_local_') ?? false;
  if (!local) {
    if (!stripe || !recharge.stripe_payment_intent) throw new ApiError({ status: 503, type: 'server_error', code: 'payments_unavailable', message: 'The payment provider is not configured.' });
    try {
      await stripe.refunds.create(
        { payment_intent: recharge.stripe_payment_intent, amount: amount / UNITS_PER_CENT, metadata: { recharge_id: recharge.id } },
        // One refund per target total: a retried request never refunds twice.
        { idempotencyKey: `${recharge.id}:refund:${total}` },
      );
    } catch (error) {
      console.error(`recharge ${recharge.id}: Stripe refused the refund:`, error instanceof Error ? error.message : error);
      throw new ApiError({ status: 502, type: 'server_error', code: 'refund_failed', message: 'The payment provider refused the refund; nothing was deducted.' });
    }
  }
  const result = await stub.reconcileRefund({ rechargeId: recharge.id, total, now });
  await markRefunded(env.DB, recharge.id, total);
  return { refunded: amount, total, balance: result.balance };
}
