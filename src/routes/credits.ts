/**
 * Recharges: POST /v1/user/credits opens a Stripe Checkout Session (or, in local
 * development without Stripe, the local checkout page); GET /v1/user/recharges
 * lists them. Credits arrive only through the signed webhook.
 */
import { Hono } from 'hono';
import type { AppEnv } from '../env';
import { usdNumber } from '../base/money';
import { invalidValue } from '../errors';
import { decodePageCursor, pageOf } from '../db/pager';
import { parseJsonBody } from '../middleware/json-body';
import { openRecharge } from '../payments/checkout';
import { listRecharges, type Recharge } from '../payments/recharges';
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

export const credits = new Hono<AppEnv>().post('/', async (c) => {
  const body = await parseJsonBody(c, RechargeRequestSchema);
  const opened = await openRecharge(c.env, c.get('config'), c.get('auth').accountId, body.amount, { success: body.success_url, cancel: body.cancel_url }, c.req.url);
  return c.json({ id: opened.id, object: 'recharge', checkout_url: opened.checkoutUrl, amount: body.amount, status: 'pending' }, 201);
});

const PAGE = 20;

export const rechargeList = new Hono<AppEnv>().get('/', async (c) => {
  const limit = Math.min(100, Math.max(1, Number(c.req.query('limit') ?? PAGE) || PAGE));
  const cursor = c.req.query('cursor');
  const before = cursor === undefined ? undefined : decodePageCursor(cursor, 'rc');
  if (cursor !== undefined && !before) throw invalidValue('cursor is not one this API gave out.', 'cursor');
  const page = pageOf(await listRecharges(c.env.DB, c.get('auth').accountId, limit + 1, before), limit, (row) => ({ createdAt: row.created_at, id: row.id }));
  return c.json({ object: 'list', data: page.rows.map(publicRecharge), has_more: page.nextCursor !== null, next_cursor: page.nextCursor });
});
