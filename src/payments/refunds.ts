/**
 * Support refunds: within 14 days of payment, of credits still unspent, one
 * attempt at a time. Each attempt goes through four steps, and whichever step a
 * failure stops at, the money is accounted for:
 *
 * 1. a `pending` row in D1, so the daily reconciliation finds the attempt
 *    whatever happens next (reconcile-refunds.ts);
 * 2. the account object debits it, checked against unspent credits and what is
 *    left of the recharge in the same step (no request can spend it meanwhile);
 * 3. Stripe refunds the card, with `Idempotency-Key: <attempt id>` and
 *    `metadata.attempt_id` (a retried call cannot refund twice, and the
 *    reconciliation can find the refund);
 * 4. the object settles it: refunded → kept; refused by Stripe → that attempt
 *    alone is reversed; no answer (5xx, timeout, a dead worker) → it stays
 *    pending, debited, until the reconciliation asks Stripe.
 */
import type { Env } from '../env';
import { accountStub } from '../account/client';
import { newId } from '../base/ids';
import { formatUsd, parseDollarsAndCents } from '../base/money';
import { notRefundable, refundExceedsUnspent, refundFailed, refundTooLarge, refundWindowPassed, type ApiError, messageOf } from '../errors';
import type { BeginRefund } from '../account/account-refunds';
import { UNITS_PER_CENT } from './amounts';
import { markRefunded, type Recharge } from './recharges';
import { deleteAttempt, insertAttempt, settleAttempt } from './refund-attempts';
import { refusedByStripe, stripeClient } from './stripe';
import { logError } from '../base/log';

export const REFUND_WINDOW_MS = 14 * 24 * 60 * 60_000;

export interface OpenAttempt {
  attemptId: string;
  rechargeId: string;
  amount: number;
  /** The balance right after the debit. */
  balance: number;
}

export interface RefundResult {
  attemptId: string;
  /** `pending`: Stripe did not answer; the credits stay debited until the reconciliation settles the attempt. */
  status: 'succeeded' | 'pending';
  refunded: number;
  balance: number;
}

export type StripeAnswer = { kind: 'refunded'; refundId: string } | { kind: 'refused' | 'unknown'; error: unknown };

export async function refundRecharge(env: Env, recharge: Recharge, dollars: number | undefined, now: number): Promise<RefundResult> {
  if (recharge.status !== 'paid' && recharge.status !== 'partially_refunded') {
    throw notRefundable(`Only a paid recharge can be refunded; this one is ${recharge.status}.`);
  }
  if (recharge.paid_at === null || now - recharge.paid_at > REFUND_WINDOW_MS) {
    throw refundWindowPassed('Refunds are possible within 14 days of payment; this recharge was paid earlier.');
  }
  const { refundable } = await accountStub(env, recharge.account_id).refundState(recharge.id);
  const amount = dollars === undefined ? refundable : (parseDollarsAndCents(dollars) ?? 0);
  if (amount > refundable) throw refundTooLarge(`At most $${formatUsd(refundable)} of this recharge is left to refund.`);
  if (amount <= 0) throw refundTooLarge('Nothing is left to refund.');

  const attempt = await openRefundAttempt(env, recharge, amount, now);
  const answer = isLocal(recharge) ? ({ kind: 'refunded', refundId: `re_local_${attempt.attemptId}` } as const) : await requestStripeRefund(env, recharge, attempt);
  if (answer.kind === 'unknown') {
    logError('refund.unanswered', { attemptId: attempt.attemptId, rechargeId: recharge.id, message: 'no answer from Stripe; pending until the daily reconciliation', cause: messageOf(answer.error) });
    return { attemptId: attempt.attemptId, status: 'pending', refunded: amount, balance: attempt.balance };
  }
  const settled = await settleRefundAttempt(env, recharge, attempt, answer, now);
  if (answer.kind === 'refused') throw refundFailed(new Error(`refund ${attempt.attemptId} of recharge ${recharge.id} was refused`, { cause: answer.error }));
  return { attemptId: attempt.attemptId, status: 'succeeded', refunded: amount, balance: settled.balance };
}

/** Steps 1 and 2: the attempt's D1 row, then its debit in the account object (or the object's refusal). */
export async function openRefundAttempt(env: Env, recharge: Recharge, amount: number, now: number): Promise<OpenAttempt> {
  const attemptId = newId('rfa');
  await insertAttempt(env.DB, { id: attemptId, recharge_id: recharge.id, account_id: recharge.account_id, amount, created_at: now });
  const begun = await accountStub(env, recharge.account_id).beginRefund({ attemptId, rechargeId: recharge.id, amount, now });
  if (!begun.ok) {
    await deleteAttempt(env.DB, attemptId);
    throw refusalToError(begun);
  }
  return { attemptId, rechargeId: recharge.id, amount, balance: begun.balance };
}

/** Step 3: the card refund, keyed by the attempt; never throws, it says what Stripe did (or that nobody knows). */
export async function requestStripeRefund(env: Env, recharge: Recharge, attempt: Pick<OpenAttempt, 'attemptId' | 'amount'>): Promise<StripeAnswer> {
  const stripe = stripeClient(env);
  if (!stripe || !recharge.stripe_payment_intent) return { kind: 'refused', error: new Error('no payment provider is configured') };
  try {
    const refund = await stripe.refunds.create(
      { payment_intent: recharge.stripe_payment_intent, amount: attempt.amount / UNITS_PER_CENT, metadata: { recharge_id: recharge.id, attempt_id: attempt.attemptId } },
      { idempotencyKey: attempt.attemptId },
    );
    if (refund.status === 'failed' || refund.status === 'canceled') return { kind: 'refused', error: new Error(`Stripe refund ${refund.id} is ${refund.status}`) };
    return { kind: 'refunded', refundId: refund.id };
  } catch (error) {
    return { kind: refusedByStripe(error) ? 'refused' : 'unknown', error };
  }
}

/** Step 4: the object keeps or reverses the attempt; D1 follows. */
export async function settleRefundAttempt(env: Env, recharge: Pick<Recharge, 'id' | 'account_id'>, attempt: Pick<OpenAttempt, 'attemptId' | 'amount'>, answer: Exclude<StripeAnswer, { kind: 'unknown' }>, now: number) {
  const refundId = answer.kind === 'refunded' ? answer.refundId : undefined;
  const settled = await accountStub(env, recharge.account_id).settleRefund({
    attemptId: attempt.attemptId,
    rechargeId: recharge.id,
    amount: attempt.amount,
    outcome: answer.kind === 'refunded' ? 'refunded' : 'not_refunded',
    ...(refundId ? { stripeRefundId: refundId } : {}),
    now,
  });
  await settleAttempt(env.DB, attempt.attemptId, settled.status, refundId ?? null, now);
  if (settled.refunded > 0) await markRefunded(env.DB, recharge.id, settled.refunded);
  return settled;
}

const isLocal = (recharge: Recharge): boolean => recharge.stripe_session_id?.startsWith('cs_local_') ?? false;


function refusalToError(refusal: Extract<BeginRefund, { ok: false }>): ApiError {
  switch (refusal.reason) {
    case 'not_credited':
      return notRefundable('This recharge was never credited to the account, so there is nothing to refund.');
    case 'disputed':
      return notRefundable('This payment is disputed; it cannot be refunded while the dispute is open.');
    case 'exceeds_recharge':
      return refundTooLarge(`At most $${formatUsd(refusal.refundable)} of this recharge is left to refund.`);
    case 'exceeds_unspent':
      return refundExceedsUnspent(`Only unspent credits can be refunded: $${formatUsd(refusal.unspent)} is unspent.`);
    default:
      return refusal satisfies never;
  }
}
