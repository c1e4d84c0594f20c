/** POST /webhooks/stripe: Stripe's signed events, verified on the raw body. */
import { Hono } from 'hono';
import type { AppEnv } from '../env';
import { ApiError } from '../errors';
import { handleStripeWebhook } from '../payments/webhook';

export const stripeWebhook = new Hono<AppEnv>().post('/', async (c) => {
  const outcome = await handleStripeWebhook(c.env, await c.req.text(), c.req.header('Stripe-Signature'), Date.now());
  if (!outcome.ok) throw new ApiError({ status: outcome.status, type: outcome.status === 400 ? 'invalid_request_error' : 'server_error', code: 'invalid_webhook', message: outcome.message });
  return c.json({ received: true, result: outcome.handled });
});
