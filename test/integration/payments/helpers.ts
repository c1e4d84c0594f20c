import { env, SELF } from 'cloudflare:test';
import { signWebhook } from '../../../src/payments/stripe';
import { apiRequest, BASE } from '../helpers';

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

export function chargeRefundedEvent(recharge: { id: string }, amountRefundedCents: number) {
  eventCounter += 1;
  return {
    id: `evt_test_${eventCounter}_${crypto.randomUUID().slice(0, 8)}`,
    object: 'event',
    type: 'charge.refunded',
    created: Math.floor(Date.now() / 1000),
    data: { object: { id: `ch_test_${recharge.id}`, object: 'charge', amount_refunded: amountRefundedCents, payment_intent: `pi_test_${recharge.id}`, refunded: true } },
  };
}

/** Delivers an event to the webhook, signed with the webhook secret (or `signature` as given). */
export async function deliver(event: object, signature?: string): Promise<Response> {
  const payload = JSON.stringify(event);
  const header = signature ?? (await signWebhook(payload, env.STRIPE_WEBHOOK_SECRET!));
  return SELF.fetch(`${BASE}/webhooks/stripe`, { method: 'POST', headers: { 'Stripe-Signature': header, 'Content-Type': 'application/json' }, body: payload });
}
