import { Hono } from 'hono';
import type { AppEnv } from '../env';
import { revokeOwnKey } from '../accounts/revoke-key';
import { createDb } from '../db/client';
import { createApiKey, listApiKeys, MAX_ACTIVE_KEYS_PER_ACCOUNT } from '../accounts/account-store';
import { notFound, tooManyKeys } from '../errors';
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
    if (!created.ok) throw tooManyActiveKeys();
    return c.json(created.key, 201);
  })
  .delete('/:id', async (c) => {
    const keyId = c.req.param('id');
    const revoked = await revokeOwnKey(c.env, c.get('auth').accountId, keyId, Date.now());
    if (!revoked) throw notFound('key', `No API key with id '${keyId}'.`);
    return c.json({ id: revoked.id, object: 'api_key', revoked: true, revoked_at: revoked.revoked_at });
  });

export const tooManyActiveKeys = () =>
  tooManyKeys(`An account can have at most ${MAX_ACTIVE_KEYS_PER_ACCOUNT} active keys; revoke one first.`);
