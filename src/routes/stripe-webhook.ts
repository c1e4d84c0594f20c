/** POST /webhooks/stripe: Stripe's signed events, verified on the raw body. */
import { Hono } from 'hono';
import type { AppEnv } from '../env';
import { invalidWebhook, webhooksUnavailable } from '../errors';
import { handleStripeWebhook } from '../payments/webhook';

export const stripeWebhook = new Hono<AppEnv>().post('/', async (c) => {
  const outcome = await handleStripeWebhook(c.env, await c.req.text(), c.req.header('Stripe-Signature'), Date.now());
  if (!outcome.ok) throw outcome.status === 400 ? invalidWebhook(outcome.message) : webhooksUnavailable(outcome.message);
  return c.json({ received: true, result: outcome.handled });
});
