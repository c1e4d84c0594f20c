/**
 * Making and listing API keys. A key's rules are recorded by its account's
 * object first, checked there against its parent's in the same step (so a
 * parent revoked meanwhile makes no child), and only then is the key written
 * to D1 and shown: a key never exists without the rules that bound it. If D1
 * refuses it (the account's key cap) the object forgets the rules again; if the
 * worker dies in between, the object keeps rules for a key nobody holds.
 */
import type { Env } from '../env';
import type { KeyRules } from '../base/key-rules';
import { newId } from '../base/ids';
import { accountStub } from '../account/client';
import type { RegisterKeyAnswer } from '../account/key-policies';
import { createDb } from '../db/client';
import { usdNumber } from '../base/money';
import { invalidValue, keyExpired, revokedKey, tooManyKeys, type ApiError } from '../errors';
import { insertApiKey, listApiKeys, MAX_ACTIVE_KEYS_PER_ACCOUNT, type CreatedApiKey, type PublicApiKey } from './account-store';

export interface NewKey {
  name: string;
  /** The key making it (an API call), or null (the dashboard, the operator). */
  parentId: string | null;
  /** Rules left out are the parent's (or none). */
  rules: Partial<KeyRules>;
}

export async function createKey(env: Env, accountId: string, input: NewKey, now: number): Promise<CreatedApiKey> {
  const keyId = newId('key');
  const stub = accountStub(env, accountId);
  const registered = await stub.registerKey({ request: { keyId, parentId: input.parentId, ...input.rules }, now });
  if (!registered.ok) throw registrationError(registered);
  let created: Awaited<ReturnType<typeof insertApiKey>> | undefined;
  try {
    created = await insertApiKey(createDb(env.DB), accountId, input.name, registered.policy, now);
  } finally {
    if (!created?.ok) await stub.forgetKey(keyId);
  }
  if (!created.ok) throw tooManyActiveKeys();
  return created.key;
}

export const tooManyActiveKeys = () =>
  tooManyKeys(`An account can have at most ${MAX_ACTIVE_KEYS_PER_ACCOUNT} active keys; revoke one first.`);

function registrationError(refusal: Exclude<RegisterKeyAnswer, { ok: true }>): ApiError {
  switch (refusal.reason) {
    case 'key_revoked':
      return revokedKey();
    case 'key_expired':
      return keyExpired(new Date(refusal.expiredAt).toISOString());
    case 'wider_than_parent':
      return invalidValue(refusal.message, refusal.param);
    default:
      return refusal satisfies never;
  }
}

/** The account's keys with their rules, and what each active key with a limit has spent in its current period (dollars; null without a limit). */
export type ListedKey = PublicApiKey & { spent: number | null };

export async function listKeys(env: Env, accountId: string, now: number): Promise<ListedKey[]> {
  const keys = await listApiKeys(createDb(env.DB), accountId);
  const active = keys.filter((key) => key.status === 'active' && key.limit !== null).map((key) => key.id);
  const spending = active.length === 0 ? [] : await accountStub(env, accountId).keySpending({ keyIds: active, now });
  const spent = new Map(spending.map((entry) => [entry.keyId, entry.spent]));
  return keys.map((key) => ({ ...key, spent: spent.has(key.id) ? usdNumber(spent.get(key.id)!) : null }));
}
