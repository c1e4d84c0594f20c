import type { Env } from '../env';
import { createDb } from '../db/client';
import { accountStub } from '../account/client';
import { getOwnApiKey, revokeApiKey } from './account-store';
import { keyCache } from './key-cache';

/** Revokes one of the account's keys and every key made under it; undefined when it has none with that id. */
export async function revokeOwnKey(env: Env, accountId: string, keyId: string, now: number) {
  const db = createDb(env.DB);
  if (!(await getOwnApiKey(db, accountId, keyId))) return undefined;
  // The account object is the authority checked on every request: it learns first, and revokes the children with it.
  const revoked = await accountStub(env, accountId).revokeKey(keyId, now);
  for (const id of [keyId, ...revoked]) keyCache.deleteKeyId(id);
  return revokeApiKey(db, accountId, keyId, now);
}
