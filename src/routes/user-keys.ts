import { Hono } from 'hono';
import type { AppEnv, Env } from '../env';
import { createDb } from '../db/client';
import { createApiKey, getOwnApiKey, listApiKeys, MAX_ACTIVE_KEYS_PER_ACCOUNT, revokeApiKey } from '../accounts/account-store';
import { keyCache } from '../accounts/key-cache';
import { accountStub } from '../billing/account-stub';
import { invalidRequest, notFound } from '../errors';
import { parseJsonBody } from '../middleware/json-body';
import { KeyNameSchema } from '../schemas/account-requests';

/** An account's own API keys; another account's key is indistinguishable from a missing one. */
export const userKeys = new Hono<AppEnv>()
  .get('/', async (c) => {
    const keys = await listApiKeys(createDb(c.env.DB), c.get('auth').accountId);
    return c.json({ object: 'list', data: keys });
  })
  .post('/', async (c) => {
    const { name } = await parseJsonBody(c, KeyNameSchema);
    const created = await createApiKey(createDb(c.env.DB), c.get('auth').accountId, name, Date.now());
    if (!created.ok) throw tooManyKeys();
    return c.json(created.key, 201);
  })
  .delete('/:id', async (c) => {
    const keyId = c.req.param('id');
    const revoked = await revokeOwnKey(c.env, c.get('auth').accountId, keyId, Date.now());
    if (!revoked) throw notFound(`No API key with id '${keyId}'.`, 'key_not_found');
    return c.json({ id: revoked.id, object: 'api_key', revoked: true, revoked_at: revoked.revoked_at });
  });

/** Revokes one of the account's keys; undefined when it has none with that id. */
export async function revokeOwnKey(env: Env, accountId: string, keyId: string, now: number) {
  const db = createDb(env.DB);
  if (!(await getOwnApiKey(db, accountId, keyId))) return undefined;
  // The account object is the authority checked on every request: it learns first.
  await accountStub(env, accountId).revokeKey(keyId, now);
  keyCache.deleteKeyId(keyId);
  return revokeApiKey(db, accountId, keyId, now);
}

export const tooManyKeys = () =>
  invalidRequest(`An account can have at most ${MAX_ACTIVE_KEYS_PER_ACCOUNT} active keys; revoke one first.`, null, 'too_many_keys');
