import { Hono } from 'hono';
import type { AppEnv } from '../env';
import { createDb } from '../db/client';
import { accountStub } from '../account/client';
import { decodeCursor, listBillingLogs, toPublicBillingLog } from '../billing/billing-log-store';
import { findBillingLog } from '../account/find-billing-log';
import { usdNumber } from '../base/money';
import { invalidValue, notFound } from '../errors';
import { LogQuerySchema } from '../schemas/billing-requests';
import { zodToApiError } from '../schemas/zod-error';
import { billingLogExports } from './billing-exports';

export const balance = new Hono<AppEnv>().get('/', async (c) => {
  const { accountId } = c.get('auth');
  const config = c.get('config');
  const summary = await accountStub(c.env, accountId).summary(Date.now());
  return c.json({
    balance: usdNumber(summary.balance),
    currency: 'USD',
    reserved: usdNumber(summary.reserved),
    byok: {
      month: summary.byok.month,
      requests: summary.byok.requests,
      free_requests: config.byokFreeRequestsPerMonth,
      free_remaining: Math.max(0, config.byokFreeRequestsPerMonth - summary.byok.requests),
    },
  });
});

export const billingLogs = new Hono<AppEnv>()
  // Before '/:requestId', which would take '/export'.
  .route('/', billingLogExports)
  .get('/', async (c) => {
    const parsed = LogQuerySchema.safeParse(c.req.query(), { reportInput: true });
    if (!parsed.success) throw zodToApiError(parsed.error);
    const query = parsed.data;
    const cursor = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    if (query.cursor !== undefined && !cursor) throw invalidValue('cursor is not one this API returned.', 'cursor');
    const page = await listBillingLogs(createDb(c.env.DB), {
      accountId: c.get('auth').accountId,
      limit: query.limit,
      cursor,
      model: query.model,
      from: query.from,
      to: query.to,
    });
    return c.json({ object: 'list', data: page.rows.map(toPublicBillingLog), next_cursor: page.nextCursor, has_more: page.nextCursor !== null });
  })
  .get('/:requestId', async (c) => {
    const row = await findBillingLog(c.env, c.get('auth').accountId, c.req.param('requestId'));
    if (!row) throw notFound('billing_log', `No billing log for request '${c.req.param('requestId')}'.`);
    return c.json(toPublicBillingLog(row));
  });
