/**
 * Local development without Stripe (LOCAL_CHECKOUT=true, no STRIPE_SECRET_KEY, not production):
 * a checkout page that shows the amount with Pay and Cancel. Pay completes the
 * payment the way Stripe would — a correctly signed checkout.session.completed
 * webhook through the production handler — then returns to success_url.
 */
import { Hono, type Context } from 'hono';
import type { AppEnv } from '../env';
import { localCheckoutEnabled } from '../base/environment';
import { randomHex } from '../base/ids';
import { formatUsd } from '../base/money';
import { unknownUrl } from '../errors';
import { UNITS_PER_CENT } from '../payments/amounts';
import { findRecharge } from '../payments/recharges';
import { signWebhook } from '../payments/stripe';
import { handleStripeWebhook } from '../payments/webhook';

/** Never in production, whatever LOCAL_CHECKOUT says: the page lets anyone credit their own account. */
const enabled = (c: Context<AppEnv>) => localCheckoutEnabled(c.env, c.get('config'));

async function pendingRecharge(c: Context<AppEnv>) {
  const recharge = enabled(c) ? await findRecharge(c.env.DB, c.req.param('id') ?? '') : null;
  if (!recharge) throw unknownUrl('No such local checkout.');
  return recharge;
}

export const localCheckout = new Hono<AppEnv>()
  .get('/:id', async (c) => {
    const recharge = await pendingRecharge(c);
    const amount = formatUsd(recharge.amount);
    return c.html(`<!doctype html>
<html><head><meta charset="utf-8"><title>find-token local checkout</title></head>
<body style="font-family:sans-serif;max-width:28rem;margin:4rem auto">
<h1>Local checkout</h1>
<p>find-token credits: <strong>$${amount}</strong> (${recharge.status})</p>
<p>No card is charged: this page stands in for Stripe on a development server.</p>
<form method="post" action="/checkout/local/${recharge.id}/pay"><button type="submit">Pay $${amount}</button></form>
<form method="post" action="/checkout/local/${recharge.id}/cancel"><button type="submit">Cancel</button></form>
</body></html>`);
  })
  .post('/:id/pay', async (c) => {
    const recharge = await pendingRecharge(c);
    const payload = JSON.stringify({
      id: `evt_local_${randomHex(12)}`,
      object: 'event',
      type: 'checkout.session.completed',
      created: Math.floor(Date.now() / 1000),
      data: {
        object: {
          id: recharge.stripe_session_id,
          object: 'checkout.session',
          payment_status: 'paid',
          status: 'complete',
          amount_total: recharge.amount / UNITS_PER_CENT,
          currency: 'usd',
          client_reference_id: recharge.account_id,
          metadata: { recharge_id: recharge.id, account_id: recharge.account_id },
          payment_intent: `pi_local_${recharge.id}`,
        },
      },
    });
    const signature = await signWebhook(payload, c.env.STRIPE_WEBHOOK_SECRET ?? '');
    const outcome = await handleStripeWebhook(c.env, payload, signature, Date.now());
    if (!outcome.ok) return c.text(`The local payment failed: ${outcome.message}`, 500);
    return c.redirect(recharge.success_url, 303);
  })
  .post('/:id/cancel', async (c) => c.redirect((await pendingRecharge(c)).cancel_url, 303));
