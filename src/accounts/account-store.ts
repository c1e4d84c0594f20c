/**
 * Accounts and their API keys in D1: the dashboard's and the operator's view.
 * Whether a key may act is answered by its account's object on every request.
 */
import { and, desc, eq, isNull, lt, or, sql } from 'drizzle-orm';
import type { Database } from '../db/client';
import { accounts, apiKeys, type AccountRow, type ApiKeyRow } from '../db/schema';
import { newId } from '../base/ids';
import { generateApiKey, maskApiKey } from './keys';
import type { KeyPolicy, KeyScope } from '../base/key-rules';
import { usdNumber } from '../base/money';

export const MAX_ACTIVE_KEYS_PER_ACCOUNT = 50;
/** last_used_at is a hint for humans; writing it more often than this costs a D1 write per call. */
const LAST_USED_RESOLUTION_MS = 60_000;

export interface PublicAccount {
  id: string;
  email: string;
  status: AccountRow['status'];
  created_at: number;
}

/** A key's rules as the API shows them: dollars, and times in ms like every other timestamp. */
export interface PublicKeyRules {
  scopes: KeyScope[];
  limit: { amount: number; period: 'day' | 'month' | 'total' } | null;
  models: string[] | null;
  expires_at: number | null;
  parent: string | null;
}

export interface PublicApiKey extends PublicKeyRules {
  id: string;
  name: string;
  masked_key: string;
  status: 'active' | 'revoked';
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

export const toPublicRules = (policy: Omit<KeyPolicy, 'keyId'>): PublicKeyRules => ({
  scopes: policy.scopes,
  limit: policy.limit && { amount: usdNumber(policy.limit.amount), period: policy.limit.period },
  models: policy.models,
  expires_at: policy.expiresAt,
  parent: policy.parentId,
});

export const toPublicAccount = (row: AccountRow): PublicAccount => ({
  id: row.id,
  email: row.email,
  status: row.status,
  created_at: row.createdAt,
});

const toPublicKey = (row: ApiKeyRow): PublicApiKey => ({
  id: row.id,
  name: row.name,
  masked_key: maskApiKey(row.prefix, row.last4),
  status: row.revokedAt === null ? 'active' : 'revoked',
  created_at: row.createdAt,
  last_used_at: row.lastUsedAt,
  revoked_at: row.revokedAt,
  ...toPublicRules(policyOf(row)),
});

/** The rules a key row was made with (a row from before keys had rules: every scope, no limits). */
const policyOf = (row: ApiKeyRow): Omit<KeyPolicy, 'keyId'> => ({
  scopes: row.scopes.split(',') as KeyScope[],
  models: row.models === null ? null : (JSON.parse(row.models) as string[]),
  limit: row.limitAmount === null || row.limitPeriod === null ? null : { amount: row.limitAmount, period: row.limitPeriod },
  expiresAt: row.expiresAt,
  parentId: row.parentId,
});

export type CreateAccountResult = { ok: true; account: PublicAccount } | { ok: false; reason: 'email_taken' };

export async function createAccount(db: Database, email: string, now: number): Promise<CreateAccountResult> {
  const row: AccountRow = { id: newId('acct'), email, status: 'active', createdAt: now, lastActiveAt: now };
  const inserted = await db.insert(accounts).values(row).onConflictDoNothing({ target: accounts.email }).returning();
  return inserted.length === 1 ? { ok: true, account: toPublicAccount(row) } : { ok: false, reason: 'email_taken' };
}

export async function getAccount(db: Database, id: string): Promise<AccountRow | undefined> {
  return db.select().from(accounts).where(eq(accounts.id, id)).get();
}

export type CreatedApiKey = { id: string; name: string; key: string; created_at: number } & PublicKeyRules;

export type CreateKeyResult = { ok: true; key: CreatedApiKey } | { ok: false; reason: 'too_many_keys' };

/**
 * Writes a new key with the rules its account's object recorded for it, unless
 * the account already has MAX_ACTIVE_KEYS_PER_ACCOUNT active: the count and the
 * insert are one statement, so concurrent creations cannot all pass the check
 * before any of them is written.
 */
export async function insertApiKey(db: Database, accountId: string, name: string, policy: KeyPolicy, now: number): Promise<CreateKeyResult> {
  const generated = await generateApiKey();
  const { keyId: id } = policy;
  const models = policy.models === null ? null : JSON.stringify(policy.models);
  const inserted = await db.run(sql`INSERT INTO api_keys (id, account_id, name, key_hash, prefix, last4, created_at, scopes, models, limit_amount, limit_period, expires_at, parent_id)
    SELECT ${id}, ${accountId}, ${name}, ${generated.hash}, ${generated.prefix}, ${generated.last4}, ${now},
      ${policy.scopes.join(',')}, ${models}, ${policy.limit?.amount ?? null}, ${policy.limit?.period ?? null}, ${policy.expiresAt}, ${policy.parentId}
    WHERE (SELECT COUNT(*) FROM api_keys WHERE account_id = ${accountId} AND revoked_at IS NULL) < ${MAX_ACTIVE_KEYS_PER_ACCOUNT}`);
  if (inserted.meta.changes === 0) return { ok: false, reason: 'too_many_keys' };
  return { ok: true, key: { id, name, key: generated.key, created_at: now, ...toPublicRules(policy) } };
}

export async function listApiKeys(db: Database, accountId: string): Promise<PublicApiKey[]> {
  const rows = await db
    .select()
    .from(apiKeys)
    .where(eq(apiKeys.accountId, accountId))
    .orderBy(desc(apiKeys.createdAt), desc(apiKeys.id));
  return rows.map(toPublicKey);
}

/**
 * Revokes one of the account's own keys and every key made under it (by parent_id, however deep);
 * revoking twice is a no-op. Undefined when the account has no such key.
 */
export async function revokeApiKey(db: Database, accountId: string, keyId: string, now: number): Promise<PublicApiKey | undefined> {
  await db.run(sql`WITH RECURSIVE tree(id) AS (
      SELECT id FROM api_keys WHERE id = ${keyId} AND account_id = ${accountId}
      UNION SELECT api_keys.id FROM api_keys JOIN tree ON api_keys.parent_id = tree.id WHERE api_keys.account_id = ${accountId}
    )
    UPDATE api_keys SET revoked_at = ${now} WHERE id IN (SELECT id FROM tree) AND revoked_at IS NULL`);
  const row = await db.select().from(apiKeys).where(and(eq(apiKeys.id, keyId), eq(apiKeys.accountId, accountId))).get();
  return row && toPublicKey(row);
}

export interface KeyLookup {
  keyId: string;
  accountId: string;
  keyName: string;
  keyPrefix: string;
  lastUsedAt: number | null;
  /** The models the key may use (a JSON array), null = every model: chat plans within them. */
  models: string | null;
}

/**
 * Which key a hash is and whose (plain SQL, one indexed read: this runs on every
 * cache miss of the auth path). Whether the key may still act is the account
 * object's to say, not this row's.
 */
export async function findKeyByHash(d1: D1Database, keyHash: string): Promise<KeyLookup | undefined> {
  const row = await d1
    .prepare('SELECT id AS keyId, account_id AS accountId, name AS keyName, prefix AS keyPrefix, last_used_at AS lastUsedAt, models FROM api_keys WHERE key_hash = ?')
    .bind(keyHash)
    .first<KeyLookup>();
  return row ?? undefined;
}

/** The account's own key, or undefined (another account's key is indistinguishable from none). */
export async function getOwnApiKey(db: Database, accountId: string, keyId: string): Promise<ApiKeyRow | undefined> {
  return db.select().from(apiKeys).where(and(eq(apiKeys.id, keyId), eq(apiKeys.accountId, accountId))).get();
}

export function needsLastUsedUpdate(lastUsedAt: number | null, now: number): boolean {
  return lastUsedAt === null || now - lastUsedAt >= LAST_USED_RESOLUTION_MS;
}

/** A key was used: its last use, and its account's last activity (credits expire a year after that). */
export async function touchApiKey(db: Database, keyId: string, accountId: string, now: number): Promise<void> {
  await db.batch([db.update(apiKeys).set({ lastUsedAt: now }).where(eq(apiKeys.id, keyId)), touchAccount(db, accountId, now)]);
}

/** Records activity on the account (an API call, a recharge, a sign-in). */
export const touchAccount = (db: Database, accountId: string, now: number) =>
  db.update(accounts).set({ lastActiveAt: now }).where(and(eq(accounts.id, accountId), or(isNull(accounts.lastActiveAt), lt(accounts.lastActiveAt, now))));

/** An account deactivated for inactivity is active again (a recharge; a sign-in). */
export const reactivateAccount = (db: Database, accountId: string) =>
  db.update(accounts).set({ status: 'active' }).where(and(eq(accounts.id, accountId), eq(accounts.status, 'deactivated')));
