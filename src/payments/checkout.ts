/**
 * Opening a recharge, for the API and the dashboard alike: the amount rules, a
 * `pending` row first, then a Stripe Checkout Session (or, in local development
 * without Stripe, the local checkout page). An account opens at most
 * CHECKOUT_SESSIONS_PER_HOUR of them, counted by its object before Stripe is called.
 */
import type { Config, Env } from '../env';
import { localCheckoutEnabled } from '../base/environment';
import { newId } from '../base/ids';
import { publicOrigin } from '../base/public-url';
import { parseDollarsAndCents } from '../base/money';
import { amountTooLarge, amountTooSmall, invalidValue, paymentsUnavailable, rateLimited } from '../errors';
import { accountStub } from '../account/client';
import { CONTROL_CHARACTERS } from '../schemas/credit-requests';
import { UNITS_PER_CENT } from './amounts';
import { insertRecharge, setSession } from './recharges';
import { stripeClient } from './stripe';

export async function openRecharge(
  env: Env,
  config: Config,
  accountId: string,
  dollars: number,
  urls: { success: string; cancel: string },
  requestUrl: string,
): Promise<{ id: string; checkoutUrl: string }> {
  if (dollars < config.minRechargeUsd) throw amountTooSmall(`amount must be at least $${config.minRechargeUsd}.`);
  if (dollars > config.maxRechargeUsd) throw amountTooLarge(`amount must be at most $${config.maxRechargeUsd}.`);
  // The API's schema refuses these first; this guards every caller (the web's URLs come from PUBLIC_URL).
  if (CONTROL_CHARACTERS.test(urls.success)) throw invalidValue('success_url must not contain control characters.', 'success_url');
  if (CONTROL_CHARACTERS.test(urls.cancel)) throw invalidValue('cancel_url must not contain control characters.', 'cancel_url');
  const stripe = stripeClient(env);
  if (!stripe && !localCheckoutEnabled(env, config)) throw paymentsUnavailable('Recharges are not available on this gateway (no payment provider is configured).');

  const amount = parseDollarsAndCents(dollars);
  if (amount === undefined) throw invalidValue('amount must be a positive number of dollars with at most 2 decimals.', 'amount');
  // Counted in the account's object (atomic, durable) before anything is written or Stripe is called.
  const limited = await accountStub(env, accountId).openCheckout(Date.now());
  if (limited) throw rateLimited(limited.limit, limited.retryAfterSeconds, 'Checkout Sessions per hour');
  const id = newId('rc');
  await insertRecharge(env.DB, { id, account_id: accountId, amount, created_at: Date.now(), success_url: urls.success, cancel_url: urls.cancel });
  if (!stripe) {
    await setSession(env.DB, id, `cs_local_${id}`);
    return { id, checkoutUrl: `${publicOrigin(config, requestUrl)}/checkout/local/${id}` };
  }
  try {
    const session = await stripe.checkout.sessions.create(
      {
        mode: 'payment',
        line_items: [{ quantity: 1, price_data: { currency: 'usd', unit_amount: amount / UNITS_PER_CENT, product_data: { name: 'find-token credits' } } }],
        client_reference_id: accountId,
        metadata: { recharge_id: id, account_id: accountId },
        payment_intent_data: { metadata: { recharge_id: id, account_id: accountId } },
        success_url: urls.success,
        cancel_url: urls.cancel,
      },
      { idempotencyKey: id },
    );
    await setSession(env.DB, id, session.id);
    return { id, checkoutUrl: session.url ?? '' };
  } catch (error) {
    throw paymentsUnavailable('The payment provider could not start a checkout. Please retry.', new Error(`recharge ${id}: Stripe refused the checkout session`, { cause: error }));
  }
}
