import { Hono } from 'hono';
import type { AppEnv } from '../env';
import { revokeOwnKey } from '../accounts/revoke-key';
import { createKey, listKeys } from '../accounts/create-key';
import { notFound } from '../errors';
import { parseJsonBody } from '../middleware/json-body';
import { CreateKeySchema, requestedKeyRules } from '../schemas/key-requests';

/**
 * An account's own API keys; another account's key is indistinguishable from a missing one.
 * A key made with a key is its child (no wider than it, revoked with it).
 */
export const userKeys = new Hono<AppEnv>()
  .get('/', async (c) => {
    const keys = await listKeys(c.env, c.get('auth').accountId, Date.now());
    return c.json({ object: 'list', data: keys });
  })
  .post('/', async (c) => {
    const body = await parseJsonBody(c, CreateKeySchema);
    const now = Date.now();
    const created = await createKey(c.env, c.get('auth').accountId, { name: body.name, parentId: c.get('auth').keyId, rules: requestedKeyRules(body, now) }, now);
    return c.json(created, 201);
  })
  .delete('/:id', async (c) => {
    const keyId = c.req.param('id');
    const revoked = await revokeOwnKey(c.env, c.get('auth').accountId, keyId, Date.now());
    if (!revoked) throw notFound('key', `No API key with id '${keyId}'.`);
    return c.json({ id: revoked.id, object: 'api_key', revoked: true, revoked_at: revoked.revoked_at });
  });
