/**
 * Stripe's webhook: the only thing that credits a recharge (never the success
 * redirect). The account object credits a Checkout Session once, recording the
 * event id in the same transaction, so duplicates, replays, concurrent
 * deliveries and any order of events credit exactly once; the D1 row follows.
 * Refunds (`charge.refunded`, even one that arrives before the payment is
 * credited) and chargebacks (`charge.dispute.created` / `closed`, disputes.ts)
 * are applied once per event in the same way.
 */
import type { Env } from '../env';
import { usableSecret } from '../base/environment';
import { reactivateAccount, touchAccount } from '../accounts/account-store';
import { createDb } from '../db/client';
import { accountStub } from '../account/client';
import { UNITS_PER_CENT } from './amounts';
import { applyDisputeEvent } from './disputes';
import { findRecharge, findRechargeByPaymentIntent, markPaid, markRefunded, markUnpaid } from './recharges';
import { isWellFormedEvent } from './webhook-event';
import { verifyWebhook, type CheckoutSession, type StripeCharge, type StripeDispute, type StripeEvent } from './stripe';
import { logError } from '../base/log';

export type WebhookOutcome = { ok: true; handled: string } | { ok: false; status: number; message: string };

/** Verifies the signature on the raw body, then applies the event; a bad or stale signature changes nothing. */
export async function handleStripeWebhook(env: Env, rawBody: string, signature: string | undefined, now: number): Promise<WebhookOutcome> {
  // Production refuses the public dev secret: with it anyone could sign a payment (base/environment.ts).
  const secret = usableSecret(env, 'STRIPE_WEBHOOK_SECRET');
  if (!secret) return { ok: false, status: 503, message: 'Stripe webhooks are not configured (STRIPE_WEBHOOK_SECRET).' };
  if (!signature) return { ok: false, status: 400, message: 'Missing Stripe-Signature header.' };
  let event: StripeEvent;
  try {
    event = await verifyWebhook(rawBody, signature, secret);
  } catch {
    return { ok: false, status: 400, message: 'The Stripe signature does not match this payload, or it is too old.' };
  }
  // Signed but not in Stripe's shape: acknowledged and ignored, as a malformed dispute or refund is (a retry would not fix it).
  if (!isWellFormedEvent(event)) {
    logError('stripe.malformed_event', { message: 'a signed event is not in the shape its type has; ignored' });
    return { ok: true, handled: 'malformed' };
  }
  return { ok: true, handled: await applyEvent(env, event, now) };
}

async function applyEvent(env: Env, event: StripeEvent, now: number): Promise<string> {
  switch (event.type) {
    case 'checkout.session.completed':
    case 'checkout.session.async_payment_succeeded': {
      const session = event.data.object as CheckoutSession;
      // A delayed payment method completes the session unpaid; async_payment_succeeded follows.
      if (session.payment_status !== 'paid') return 'awaiting payment';
      return creditSession(env, event.id, session, now);
    }
    case 'checkout.session.async_payment_failed':
    case 'checkout.session.expired': {
      const recharge = await rechargeOf(env, event.data.object as CheckoutSession);
      if (!recharge) return 'not ours';
      await markUnpaid(env.DB, recharge.id, event.type === 'checkout.session.expired' ? 'expired' : 'failed');
      return 'marked';
    }
    case 'charge.refunded':
      return reconcileRefund(env, event.id, event.data.object as StripeCharge, now);
    case 'charge.dispute.created':
    case 'charge.dispute.closed':
      return applyDisputeEvent(env, event.id, event.type === 'charge.dispute.created' ? 'created' : 'closed', event.data.object as StripeDispute, now);
    default:
      return 'ignored';
  }
}

async function rechargeOf(env: Env, session: CheckoutSession) {
  const id = session.metadata?.['recharge_id'];
  if (!id) return undefined;
  const recharge = await findRecharge(env.DB, id);
  // The session must be the one made for this recharge's account.
  return recharge && session.client_reference_id === recharge.account_id ? recharge : undefined;
}

async function creditSession(env: Env, eventId: string, session: CheckoutSession, now: number): Promise<string> {
  const recharge = await rechargeOf(env, session);
  if (!recharge) return 'not ours';
  if (session.amount_total !== recharge.amount / UNITS_PER_CENT || session.currency !== 'usd') {
    logError('recharge.amount_mismatch', { rechargeId: recharge.id, sessionId: session.id, paid: session.amount_total, currency: session.currency, expectedUsd: recharge.amount / UNITS_PER_CENT, message: 'not credited' });
    return 'amount mismatch';
  }
  const paymentIntent = typeof session.payment_intent === 'string' ? session.payment_intent : (session.payment_intent?.id ?? null);
  const result = await accountStub(env, recharge.account_id).creditRecharge({ rechargeId: recharge.id, sessionId: session.id, eventId, amount: recharge.amount, now });
  await markPaid(env.DB, recharge.id, paymentIntent, now);
  const db = createDb(env.DB);
  await db.batch([touchAccount(db, recharge.account_id, now), reactivateAccount(db, recharge.account_id)]);
  return result.credited ? 'credited' : 'already credited';
}

/**
 * Stripe reports the charge's refunded total. The recharge is found by its
 * payment intent, or — before checkout.session.completed has recorded that —
 * by the metadata the charge carries from its payment intent; the object then
 * applies the total once, or keeps it until the payment is credited.
 */
async function reconcileRefund(env: Env, eventId: string, charge: StripeCharge, now: number): Promise<string> {
  if (!Number.isInteger(charge.amount_refunded) || charge.amount_refunded < 0) return 'malformed';
  const recharge = await rechargeOfCharge(env, charge);
  if (!recharge) return 'not ours';
  const total = Math.min(charge.amount_refunded * UNITS_PER_CENT, recharge.amount);
  const result = await accountStub(env, recharge.account_id).reportStripeRefund({ rechargeId: recharge.id, total, eventId, now });
  await markRefunded(env.DB, recharge.id, total);
  if (result.replay) return 'already applied';
  return result.deferred ? 'deferred until the payment is credited' : 'reconciled';
}

async function rechargeOfCharge(env: Env, charge: StripeCharge) {
  const paymentIntent = typeof charge.payment_intent === 'string' ? charge.payment_intent : charge.payment_intent?.id;
  if (!paymentIntent) return undefined;
  const known = await findRechargeByPaymentIntent(env.DB, paymentIntent);
  if (known) return known;
  const id = charge.metadata?.['recharge_id'];
  const recharge = id ? await findRecharge(env.DB, id) : null;
  // The charge must name this recharge's account, and the recharge must not belong to another payment.
  if (!recharge || charge.metadata?.['account_id'] !== recharge.account_id) return undefined;
  return recharge.stripe_payment_intent === null || recharge.stripe_payment_intent === paymentIntent ? recharge : undefined;
}
