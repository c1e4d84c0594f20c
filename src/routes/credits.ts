/**
 * Recharges: POST /v1/user/credits opens a Stripe Checkout Session (or, in local
 * development without Stripe, the local checkout page); GET /v1/user/recharges
 * lists them. Credits arrive only through the signed webhook.
 */
import { Hono } from 'hono';
import type { AppEnv } from '../env';
import { newId } from '../accounts/ids';
import { formatUsd, parseUsd, usdNumber } from '../billing/money';
import { ApiError, invalidRequest } from '../errors';
import { parseJsonBody } from '../middleware/json-body';
import { UNITS_PER_CENT } from '../payments/amounts';
import { insertRecharge, listRecharges, setSession, type Recharge } from '../payments/recharges';
import { stripeClient } from '../payments/stripe';
import { RechargeRequestSchema } from '../schemas/credit-requests';

export const publicRecharge = (r: Recharge) => ({
  id: r.id,
  object: 'recharge',
  amount: usdNumber(r.amount),
  status: r.status,
  created_at: r.created_at,
  paid_at: r.paid_at,
  refunded_amount: usdNumber(r.refunded_amount),
});

const paymentsUnavailable = (message: string) => new ApiError({ status: 503, type: 'server_error', code: 'payments_unavailable', retryable: true, message });

export const credits = new Hono<AppEnv>().post('/', async (c) => {
  const body = await parseJsonBody(c, RechargeRequestSchema);
  const config = c.get('config');
  if (body.amount < config.minRechargeUsd) throw invalidRequest(`amount must be at least $${config.minRechargeUsd}.`, 'amount', 'amount_too_small');
  if (body.amount > config.maxRechargeUsd) throw invalidRequest(`amount must be at most $${config.maxRechargeUsd}.`, 'amount', 'amount_too_large');
  const stripe = stripeClient(c.env);
  if (!stripe && !config.localCheckout) throw paymentsUnavailable('Recharges are not available on this gateway (no payment provider is configured).');

  const { accountId } = c.get('auth');
  const amount = parseUsd(body.amount.toFixed(2));
  const id = newId('rc');
  await insertRecharge(c.env.DB, { id, account_id: accountId, amount, created_at: Date.now(), success_url: body.success_url, cancel_url: body.cancel_url });

  let checkoutUrl: string;
  if (stripe) {
    try {
      const session = await stripe.checkout.sessions.create(
        {
          mode: 'payment',
          line_items: [{ quantity: 1, price_data: { currency: 'usd', unit_amount: amount / UNITS_PER_CENT, product_data: { name: 'find-token credits' } } }],
          client_reference_id: accountId,
          metadata: { recharge_id: id, account_id: accountId },
          payment_intent_data: { metadata: { recharge_id: id, account_id: accountId } },
          success_url: body.success_url,
          cancel_url: body.cancel_url,
        },
        { idempotencyKey: id },
      );
      await setSession(c.env.DB, id, session.id);
      checkoutUrl = session.url ?? '';
    } catch (error) {
      console.error(`recharge ${id}: Stripe refused the checkout session:`, error instanceof Error ? error.message : error);
      throw paymentsUnavailable('The payment provider could not start a checkout. Please retry.');
    }
  } else {
    await setSession(c.env.DB, id, `cs_local_${id}`);
    checkoutUrl = new URL(`/checkout/local/${id}`, c.req.url).toString();
  }
  return c.json({ id, object: 'recharge', checkout_url: checkoutUrl, amount: Number(formatUsd(amount)), status: 'pending' }, 201);
});

const PAGE = 20;

export const rechargeList = new Hono<AppEnv>().get('/', async (c) => {
  const limit = Math.min(100, Math.max(1, Number(c.req.query('limit') ?? PAGE) || PAGE));
  const cursor = c.req.query('cursor');
  let before: { createdAt: number; id: string } | undefined;
  if (cursor) {
    let decoded = '';
    try {
      decoded = atob(cursor);
    } catch {
      // not base64: refused below
    }
    const match = /^(\d+):(rc_[0-9a-f]+)$/.exec(decoded);
    if (!match) throw invalidRequest('cursor is not one this API gave out.', 'cursor', 'invalid_value');
    before = { createdAt: Number(match[1]), id: match[2]! };
  }
  const rows = await listRecharges(c.env.DB, c.get('auth').accountId, limit + 1, before);
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return c.json({ object: 'list', data: page.map(publicRecharge), has_more: rows.length > limit, next_cursor: rows.length > limit && last ? btoa(`${last.created_at}:${last.id}`) : null });
});
