/**
 * Support refunds: within 14 days of payment, and only of credits still
 * unspent. The account object debits first — checked against unspent credits
 * in the same step, so no request can spend the money meanwhile — then Stripe
 * refunds the card; a refused refund is reversed. The object keeps the refunded
 * total, which Stripe's charge.refunded webhook reconciles to as well, so
 * neither path deducts twice, whichever arrives first.
 */
import type { Env } from '../env';
import { accountStub } from '../account/client';
import { formatUsd, parseDollarsAndCents } from '../base/money';
import { notRefundable, refundExceedsUnspent, refundFailed, refundTooLarge, refundWindowPassed } from '../errors';
import { UNITS_PER_CENT } from './amounts';
import { markRefunded, type Recharge } from './recharges';
import { stripeClient } from './stripe';

export const REFUND_WINDOW_MS = 14 * 24 * 60 * 60_000;

export async function refundRecharge(env: Env, recharge: Recharge, dollars: number | undefined, now: number): Promise<{ refunded: number; total: number; balance: number }> {
  if (recharge.status !== 'paid' && recharge.status !== 'partially_refunded') {
    throw notRefundable(`Only a paid recharge can be refunded; this one is ${recharge.status}.`);
  }
  if (recharge.paid_at === null || now - recharge.paid_at > REFUND_WINDOW_MS) {
    throw refundWindowPassed('Refunds are possible within 14 days of payment; this recharge was paid earlier.');
  }
  const stub = accountStub(env, recharge.account_id);
  const alreadyRefunded = Math.max(recharge.refunded_amount, await stub.refundedFor(recharge.id));
  const refundable = recharge.amount - alreadyRefunded;
  const amount = dollars === undefined ? refundable : (parseDollarsAndCents(dollars) ?? 0);
  if (amount > refundable) throw refundTooLarge(`At most $${formatUsd(refundable)} of this recharge is left to refund.`);
  if (amount <= 0) throw refundTooLarge('Nothing is left to refund.');

  // Debit first, checked against unspent credits in the same step, so nothing can spend the money being refunded.
  const total = alreadyRefunded + amount;
  const debited = await stub.debitRefund({ rechargeId: recharge.id, total, now });
  if (!debited.ok) throw refundExceedsUnspent(`Only unspent credits can be refunded: $${formatUsd(debited.unspent)} is unspent.`);

  const local = recharge.stripe_session_id?.startsWith('cs_local_') ?? false;
  if (!local) {
    const stripe = stripeClient(env);
    try {
      if (!stripe || !recharge.stripe_payment_intent) throw new Error('no payment provider is configured');
      await stripe.refunds.create(
        { payment_intent: recharge.stripe_payment_intent, amount: amount / UNITS_PER_CENT, metadata: { recharge_id: recharge.id } },
        // One refund per target total: a retried request never refunds twice.
        { idempotencyKey: `${recharge.id}:refund:${total}` },
      );
    } catch (error) {
      await stub.reverseRefund({ rechargeId: recharge.id, from: total, to: alreadyRefunded, now });
      throw refundFailed(new Error(`recharge ${recharge.id}: the refund was refused`, { cause: error }));
    }
  }
  await markRefunded(env.DB, recharge.id, total);
  return { refunded: amount, total, balance: debited.balance };
}
