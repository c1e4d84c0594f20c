import { Hono, type Context } from 'hono';
import type { AppEnv } from '../env';
import { createDb } from '../db/client';
import type { AccountRow } from '../db/schema';
import { createAccount, getAccount, toPublicAccount } from '../accounts/account-store';
import { accountStub } from '../account/client';
import { mirrorStatus } from '../accounts/status-mirror';
import { countLostCharges } from '../billing/lost-charges';
import { isProduction } from '../base/environment';
import { parseSignedUsd, usdNumber } from '../base/money';
import { accountExists, balanceWouldGoNegative, idempotencyKeyReused, invalidValue, notFound, unknownUrl } from '../errors';
import { adminAuth } from '../middleware/admin-auth';
import { parseJsonBody } from '../middleware/json-body';
import { AccountPatchSchema, CreateAccountSchema, CreditAdjustmentSchema, parseIdempotencyKey } from '../schemas/account-requests';
import { createKey } from '../accounts/create-key';
import { CreateKeySchema, requestedKeyRules } from '../schemas/key-requests';
import { rotateMasterKey } from '../byok/rotate';
import { findRecharge } from '../payments/recharges';
import { refundRecharge } from '../payments/refunds';
import { RefundRequestSchema } from '../schemas/credit-requests';
import { publicRecharge } from './credits';
import { adminProviders } from './status';
import { adminHealth } from './admin-health';

const accountNotFound = (id: string) => notFound('account', `No account with id '${id}'.`);

async function requireAccount(c: Context<AppEnv>) {
  const account = await getAccount(createDb(c.env.DB), c.req.param('id') ?? '');
  if (!account) throw accountNotFound(c.req.param('id') ?? '');
  return account;
}

/** The account as the operator sees it: D1's record and the object's money state. */
async function accountView(c: Context<AppEnv>, account: AccountRow) {
  const stub = accountStub(c.env, account.id);
  const [summary, standing] = await Promise.all([stub.summary(Date.now()), stub.accountStatus()]);
  const lost = await countLostCharges(createDb(c.env.DB), account.id);
  const totals = Object.fromEntries(Object.entries(summary.ledgerTotals).map(([kind, units]) => [kind, usdNumber(units)]));
  return {
    ...toPublicAccount(account),
    // The object's status (the authority), not D1's copy; and every suspension in force.
    status: standing.status,
    suspension_reasons: standing.reasons,
    balance: usdNumber(summary.balance),
    reserved: usdNumber(summary.reserved),
    open_reservations: summary.openReservations,
    ledger_totals: totals,
    rate_limit_per_minute: summary.rateLimitPerMinute ?? c.get('config').rateLimitPerMinute,
    rate_limit_override: summary.rateLimitPerMinute,
    // Charges neither recorded nor queued (logged as charge_lost): what the operator must replay.
    charges_lost: { count: lost.count, cost: usdNumber(lost.cost) },
    // The object's own SQLite size: its ledger and logs grow with traffic (a Durable Object's storage is bounded).
    storage_bytes: summary.storageBytes,
  };
}

/** The operator API: answers 404 everywhere unless ADMIN_TOKEN is set. */
export const admin = new Hono<AppEnv>()
  .use('*', adminAuth())
  .post('/accounts', async (c) => {
    const { email } = await parseJsonBody(c, CreateAccountSchema);
    const created = await createAccount(createDb(c.env.DB), email, Date.now());
    if (!created.ok) {
      throw accountExists();
    }
    return c.json(created.account, 201);
  })
  .get('/accounts/:id', async (c) => c.json(await accountView(c, await requireAccount(c))))
  .patch('/accounts/:id', async (c) => {
    const { rate_limit_per_minute: limit, status } = await parseJsonBody(c, AccountPatchSchema);
    const account = await requireAccount(c);
    const stub = accountStub(c.env, account.id);
    if (limit !== undefined) await stub.setRateLimit(limit);
    if (status !== undefined) {
      // The operator's own reason only: lifting it leaves a dispute's suspension in force.
      const view = status === 'suspended' ? await stub.suspend({ reason: 'operator', now: Date.now() }) : await stub.liftSuspension({ reason: 'operator' });
      await mirrorStatus(c.env, account.id, view);
    }
    return c.json(await accountView(c, account));
  })
  /** With an Idempotency-Key, applied once per key and account: a retry answers the first result (`Idempotent-Replayed: true`). */
  .post('/accounts/:id/credits', async (c) => {
    const idempotencyKey = parseIdempotencyKey(c.req.header('Idempotency-Key'));
    const { amount, reason } = await parseJsonBody(c, CreditAdjustmentSchema);
    const units = parseSignedUsd(amount);
    if (units === undefined || units === 0) throw invalidValue('amount must be a non-zero number of dollars with at most 8 decimals.', 'amount');
    const { id: accountId } = await requireAccount(c);
    const stub = accountStub(c.env, accountId);
    const now = Date.now();
    const result = idempotencyKey === undefined ? await stub.adjust({ amount: units, reason, now }) : await stub.adjustOnce({ idempotencyKey, amount: units, reason, now });
    if (!result.ok && result.reason === 'key_reused') throw idempotencyKeyReused();
    if (!result.ok) {
      throw balanceWouldGoNegative(`This debit would take the balance below zero (balance: ${usdNumber(result.balance)}).`);
    }
    if ('replay' in result && result.replay) c.header('Idempotent-Replayed', 'true');
    return c.json({ account_id: accountId, amount: usdNumber(units), reason, balance: usdNumber(result.balance), ledger_id: result.ledgerId }, 201);
  })
  .post('/accounts/:id/keys', async (c) => {
    const body = await parseJsonBody(c, CreateKeySchema);
    const account = await requireAccount(c);
    const now = Date.now();
    return c.json(await createKey(c.env, account.id, { name: body.name, parentId: null, rules: requestedKeyRules(body, now) }, now), 201);
  })
  .route('/providers', adminProviders)
  .route('/health', adminHealth)
  .post('/recharges/:id/refund', async (c) => {
    const { amount } = await parseJsonBody(c, RefundRequestSchema);
    const recharge = await findRecharge(c.env.DB, c.req.param('id'));
    if (!recharge) throw notFound('recharge', `No recharge with id '${c.req.param('id')}'.`);
    const result = await refundRecharge(c.env, recharge, amount, Date.now());
    const updated = (await findRecharge(c.env.DB, recharge.id))!;
    // 202: Stripe did not answer; the credits stay debited until the daily reconciliation settles the attempt.
    const refund = { id: result.attemptId, status: result.status };
    return c.json({ ...publicRecharge(updated), refunded_now: usdNumber(result.refunded), balance: usdNumber(result.balance), refund }, result.status === 'pending' ? 202 : 200);
  })
  /** The dev outbox: development only (a production gateway sends email or none, and keeps no copy to list). */
  .get('/outbox', async (c) => {
    if (isProduction(c.get('config'))) throw unknownUrl(`Unknown path: ${c.req.method} ${c.req.path}`);
    const { results } = await c.env.DB.prepare('SELECT id, "to", subject, text, html, created_at FROM email_outbox ORDER BY created_at DESC, id DESC LIMIT 100').all();
    return c.json({ object: 'list', data: results });
  })
  /**
   * Re-encrypts stored provider keys under the current BYOK master key, a page of
   * accounts per call: repeat with `cursor` until `next_cursor` is null, then the
   * old master key can be dropped from BYOK_PREVIOUS_ENCRYPTION_KEYS.
   */
  .post('/byok/rotate', async (c) => {
    const page = await rotateMasterKey(c.env, c.req.query('cursor') ?? '');
    const unreadable = page.unreadable.map((key) => ({ account_id: key.accountId, key_id: key.keyId }));
    return c.json({ accounts: page.accounts, resealed_keys: page.resealedKeys, unreadable_keys: unreadable, next_cursor: page.nextCursor });
  });

