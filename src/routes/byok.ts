/** An account's own provider keys (BYOK) over the API: register, list masked, remove. */
import { Hono } from 'hono';
import type { AppEnv } from '../env';
import { deleteProviderKey, publicKey, registerProviderKey } from '../byok/provider-keys';
import { accountStub } from '../account/client';
import { notFound } from '../errors';
import { parseJsonBody } from '../middleware/json-body';
import { RegisterSchema } from '../schemas/byok-requests';

export const byok = new Hono<AppEnv>()
  .post('/register', async (c) => {
    const input = await parseJsonBody(c, RegisterSchema);
    return c.json(publicKey(await registerProviderKey(c.env, c.get('config'), c.get('auth').accountId, input)), 201);
  })
  .get('/keys', async (c) => {
    const set = await accountStub(c.env, c.get('auth').accountId).byokKeySet();
    return c.json({ object: 'list', data: set.keys.map(publicKey) });
  })
  .delete('/keys/:id', async (c) => {
    const id = c.req.param('id');
    if (!(await deleteProviderKey(c.env, c.get('auth').accountId, id))) throw notFound('provider_key', `No provider key with id '${id}'.`);
    return c.json({ id, object: 'provider_key', deleted: true });
  });
