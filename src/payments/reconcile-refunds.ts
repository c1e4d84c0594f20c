/**
 * The daily refund reconciliation: a support refund attempt still pending (its
 * worker died between the debit and Stripe's answer, or Stripe never answered)
 * is looked up at Stripe by its `metadata.attempt_id`. Refunded there → the
 * debit is kept; not refunded (or its refund failed) → that attempt is
 * reversed. Stripe unreachable → it stays pending for the next run.
 *
 * Only attempts older than RECONCILE_AFTER_MS are read: a younger one may still
 * be in flight, and its Stripe call (or the SDK's retry of it, with the same
 * idempotency key) could still refund the card after we looked.
 */
import { messageOf } from '../errors';
import type { Env } from '../env';
import { findRecharge } from './recharges';
import { pendingAttempts, settleAttempt, type PendingAttempt } from './refund-attempts';
import { settleRefundAttempt, type StripeAnswer } from './refunds';
import { stripeClient } from './stripe';
import { logError } from '../base/log';

/** Longer than a refund call can take: 3 tries of STRIPE_TIMEOUT_MS (20 s) and the SDK's backoff between them. */
export const RECONCILE_AFTER_MS = 10 * 60_000;
const PAGE = 100;

export interface ReconcileTally {
  kept: number;
  reversed: number;
  /** Attempts the object never debited (the worker died before): closed, nothing to move. */
  abandoned: number;
  /** Stripe could not be asked: left pending for the next run. */
  unresolved: number;
}

/** `accountId`: that account's attempts only (support, tests); otherwise every pending attempt. */
export async function reconcileRefunds(env: Env, now: Date, options: { accountId?: string } = {}): Promise<ReconcileTally> {
  const at = now.getTime();
  const tally: ReconcileTally = { kept: 0, reversed: 0, abandoned: 0, unresolved: 0 };
  let cursor: { createdAt: number; id: string } | undefined;
  for (;;) {
    const page = await pendingAttempts(env.DB, at - RECONCILE_AFTER_MS, PAGE, cursor, options.accountId);
    for (const attempt of page) await reconcileOne(env, attempt, at, tally);
    if (page.length < PAGE) return tally;
    const last = page.at(-1)!;
    cursor = { createdAt: last.created_at, id: last.id };
  }
}

async function reconcileOne(env: Env, attempt: PendingAttempt, at: number, tally: ReconcileTally): Promise<void> {
  const recharge = await findRecharge(env.DB, attempt.recharge_id);
  if (!recharge) {
    // A recharge row never goes away; an attempt without one was never sent anywhere.
    await settleAttempt(env.DB, attempt.id, 'abandoned', null, at);
    tally.abandoned += 1;
    return;
  }
  let answer: Exclude<StripeAnswer, { kind: 'unknown' }>;
  try {
    answer = await lookUp(env, recharge.stripe_session_id, recharge.stripe_payment_intent, attempt.id);
  } catch (error) {
    logError('refund.reconcile_failed', { attemptId: attempt.id, message: 'stays pending: Stripe could not be asked', cause: messageOf(error) });
    tally.unresolved += 1;
    return;
  }
  const settled = await settleRefundAttempt(env, recharge, { attemptId: attempt.id, amount: attempt.amount }, answer, at);
  if (settled.status === 'refunded') tally.kept += 1;
  else if (settled.status === 'reversed') tally.reversed += 1;
  else tally.abandoned += 1;
}

/** What Stripe did with the attempt: its refund (found by metadata.attempt_id among the payment's refunds), or none. */
async function lookUp(env: Env, sessionId: string | null, paymentIntent: string | null, attemptId: string): Promise<Exclude<StripeAnswer, { kind: 'unknown' }>> {
  // The local checkout refunds without Stripe, and cannot fail once debited.
  if (sessionId?.startsWith('cs_local_')) return { kind: 'refunded', refundId: `re_local_${attemptId}` };
  const none = { kind: 'refused', error: new Error(`Stripe has no refund for attempt ${attemptId}`) } as const;
  if (!paymentIntent) return none;
  const stripe = stripeClient(env);
  if (!stripe) throw new Error('no payment provider is configured');
  for await (const refund of stripe.refunds.list({ payment_intent: paymentIntent, limit: 100 })) {
    if (refund.metadata?.['attempt_id'] !== attemptId) continue;
    if (refund.status === 'failed' || refund.status === 'canceled') return { kind: 'refused', error: new Error(`Stripe refund ${refund.id} is ${refund.status}`) };
    return { kind: 'refunded', refundId: refund.id };
  }
  return none;
}
