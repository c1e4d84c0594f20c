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
export type StripeDispute = Stripe.Dispute;
export type StripeRefund = Stripe.Refund;

/** A var holding a whole number, or the default when it is unset or not one. */
const wholeNumber = (text: string | undefined, fallback: number): number => {
  const value = Number(text?.trim() || Number.NaN);
  return Number.isInteger(value) && value >= 0 ? value : fallback;
};

export function stripeClient(env: Env): Stripe | undefined {
  const secret = env.STRIPE_SECRET_KEY?.trim();
  if (!secret) return undefined;
  const base = env.STRIPE_API_BASE?.trim() ? new URL(env.STRIPE_API_BASE) : undefined;
  return new Stripe(secret, {
    httpClient: Stripe.createFetchHttpClient(),
    // A retry carries the first call's idempotency key: it cannot act twice.
    maxNetworkRetries: wholeNumber(env.STRIPE_MAX_NETWORK_RETRIES, 2),
    timeout: wholeNumber(env.STRIPE_TIMEOUT_MS, 20_000),
    telemetry: false,
    ...(base ? { host: base.hostname, port: base.port || (base.protocol === 'https:' ? 443 : 80), protocol: base.protocol === 'https:' ? 'https' : 'http' } : {}),
  });
}

/**
 * Whether a failed Stripe call certainly did nothing: Stripe answered 4xx (a
 * decline, an invalid request, authentication, a rate limit), except 409 (a
 * request with the same idempotency key is still running). A 5xx, a timeout or
 * a lost connection leaves the outcome unknown: the call may have acted.
 */
export function refusedByStripe(error: unknown): boolean {
  if (!(error instanceof Stripe.errors.StripeError)) return false;
  const status = error.statusCode;
  return status !== undefined && status >= 400 && status < 500 && status !== 409;
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
