import { env, SELF } from 'cloudflare:test';
import { signWebhook } from '../../../src/payments/stripe';
import { apiRequest, BASE, createAccountWithKey } from '../helpers';

export interface StripeRequest {
  method: string;
  path: string;
  form: Record<string, string>;
  idempotencyKey: string | undefined;
  authorization: string | undefined;
}

export async function stripeRequests(): Promise<StripeRequest[]> {
  return (await (await fetch(`${env.STRIPE_URL}/__stripe/requests`)).json<{ requests: StripeRequest[] }>()).requests;
}

export async function startRecharge(key: string, amount = 25): Promise<{ id: string; checkout_url: string; sessionId: string }> {
  const response = await apiRequest(key, 'POST', '/v1/user/credits', { amount, success_url: 'https://app.example.com/ok', cancel_url: 'https://app.example.com/cancel' });
  if (response.status !== 201) throw new Error(`recharge: ${response.status} ${await response.text()}`);
  const body = await response.json<{ id: string; checkout_url: string }>();
  const sessionId = body.checkout_url.split('/').at(-1)!;
  return { ...body, sessionId };
}

let eventCounter = 0;

/** A Checkout Session event as Stripe sends it for this recharge. */
export function sessionEvent(type: string, recharge: { id: string; sessionId: string }, accountId: string, amountCents: number, overrides: Record<string, unknown> = {}) {
  eventCounter += 1;
  return {
    id: `evt_test_${eventCounter}_${crypto.randomUUID().slice(0, 8)}`,
    object: 'event',
    type,
    created: Math.floor(Date.now() / 1000),
    data: {
      object: {
        id: recharge.sessionId,
        object: 'checkout.session',
        payment_status: 'paid',
        status: 'complete',
        amount_total: amountCents,
        currency: 'usd',
        client_reference_id: accountId,
        metadata: { recharge_id: recharge.id, account_id: accountId },
        payment_intent: `pi_test_${recharge.id}`,
        ...overrides,
      },
    },
  };
}

const eventId = () => {
  eventCounter += 1;
  return `evt_test_${eventCounter}_${crypto.randomUUID().slice(0, 8)}`;
};

/**
 * Stripe's charge.refunded for this recharge's charge: `amount_refunded` is the charge's refunded total.
 * The charge carries its payment intent's metadata (Stripe copies it when the intent is confirmed).
 */
export function chargeRefundedEvent(recharge: { id: string }, amountRefundedCents: number, accountId?: string) {
  return {
    id: eventId(),
    object: 'event',
    type: 'charge.refunded',
    created: Math.floor(Date.now() / 1000),
    data: {
      object: {
        id: `ch_test_${recharge.id}`,
        object: 'charge',
        amount: 100_000,
        amount_refunded: amountRefundedCents,
        currency: 'usd',
        metadata: accountId ? { recharge_id: recharge.id, account_id: accountId } : {},
        paid: true,
        payment_intent: `pi_test_${recharge.id}`,
        refunded: false,
        status: 'succeeded',
      },
    },
  };
}

/** Stripe's charge.dispute.created / charge.dispute.closed for this recharge's charge. */
export function disputeEvent(type: 'charge.dispute.created' | 'charge.dispute.closed', recharge: { id: string }, dispute: { id: string; amountCents: number; status: string }) {
  return {
    id: eventId(),
    object: 'event',
    type,
    created: Math.floor(Date.now() / 1000),
    data: {
      object: {
        id: dispute.id,
        object: 'dispute',
        amount: dispute.amountCents,
        balance_transactions: [],
        charge: `ch_test_${recharge.id}`,
        created: Math.floor(Date.now() / 1000),
        currency: 'usd',
        is_charge_refundable: false,
        livemode: false,
        metadata: {},
        payment_intent: `pi_test_${recharge.id}`,
        reason: 'fraudulent',
        status: dispute.status,
      },
    },
  };
}

/** Makes the Stripe stand-in fail this payment's next refund call(s) (see test/support/stripe/refunds.ts). */
export async function stripeFault(fault: { payment_intent: string; mode: 'decline' | 'server_error' | 'lost_response' | 'hang'; times?: number; on?: 'create' | 'list' }): Promise<void> {
  const response = await fetch(`${env.STRIPE_URL}/__stripe/faults`, { method: 'POST', body: JSON.stringify(fault) });
  if (!response.ok) throw new Error(`stripe fault: ${response.status}`);
}

/** The refunds Stripe holds for a payment, newest first, as its API lists them. */
export async function stripeRefundsOf(paymentIntent: string): Promise<Array<{ id: string; amount: number; status: string; metadata: Record<string, string> }>> {
  const response = await fetch(`${env.STRIPE_URL}/v1/refunds?payment_intent=${paymentIntent}&limit=100`, { headers: { Authorization: 'Bearer sk_test_find_token' } });
  return (await response.json<{ data: Array<{ id: string; amount: number; status: string; metadata: Record<string, string> }> }>()).data;
}

/** A new account whose recharge of `amount` dollars Stripe reported paid (and the webhook credited). */
export async function paidAccount(amount = 20) {
  const account = await createAccountWithKey(0);
  const recharge = await startRecharge(account.key, amount);
  const completed = sessionEvent('checkout.session.completed', recharge, account.accountId, amount * 100);
  const response = await deliver(completed);
  if (response.status !== 200) throw new Error(`credit: ${response.status} ${await response.text()}`);
  return { ...account, recharge, paymentIntent: `pi_test_${recharge.id}`, completed };
}

/** Delivers an event to the webhook, signed with the webhook secret (or `signature` as given). */
export async function deliver(event: object, signature?: string): Promise<Response> {
  const payload = JSON.stringify(event);
  const header = signature ?? (await signWebhook(payload, env.STRIPE_WEBHOOK_SECRET!));
  return SELF.fetch(`${BASE}/webhooks/stripe`, { method: 'POST', headers: { 'Stripe-Signature': header, 'Content-Type': 'application/json' }, body: payload });
}
