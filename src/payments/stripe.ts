/**
 * The Stripe calls find-token makes, through the official SDK on the fetch HTTP
 * client and Web Crypto (Workers have no Node sockets). STRIPE_API_BASE points the
 * SDK at another host (tests, local development).
 */
import Stripe from 'stripe';
import type { Env } from '../env';

export type StripeEvent = Stripe.Event;
export type CheckoutSession = Stripe.Checkout.Session;
export type StripeCharge = Stripe.Charge;

export function stripeClient(env: Env): Stripe | undefined {
  const secret = env.STRIPE_SECRET_KEY?.trim();
  if (!secret) return undefined;
  const base = env.STRIPE_API_BASE?.trim() ? new URL(env.STRIPE_API_BASE) : undefined;
  return new Stripe(secret, {
    httpClient: Stripe.createFetchHttpClient(),
    maxNetworkRetries: 2,
    timeout: 20_000,
    telemetry: false,
    ...(base ? { host: base.hostname, port: base.port || (base.protocol === 'https:' ? 443 : 80), protocol: base.protocol === 'https:' ? 'https' : 'http' } : {}),
  });
}

const cryptoProvider = Stripe.createSubtleCryptoProvider();
/** Any Stripe instance verifies signatures; the key plays no part in it. */
const verifier = new Stripe('sk_unused_for_verification', { httpClient: Stripe.createFetchHttpClient() });

/** The event, if `signature` signs `rawBody` with `secret` within Stripe's 5-minute tolerance; throws otherwise. */
export function verifyWebhook(rawBody: string, signature: string, secret: string): Promise<StripeEvent> {
  return verifier.webhooks.constructEventAsync(rawBody, signature, secret, undefined, cryptoProvider);
}

/** A Stripe-Signature header for `payload` (the local checkout signs its own webhook with it). */
export function signWebhook(payload: string, secret: string): Promise<string> {
  return verifier.webhooks.generateTestHeaderStringAsync({ payload, secret, cryptoProvider });
}
