import { Hono } from 'hono';
import type { AppEnv } from '../env';
import { createDb } from '../db/client';
import { createAccount, createApiKey, getAccount, toPublicAccount } from '../accounts/account-store';
import { ApiError, notFound } from '../errors';
import { adminAuth } from '../middleware/admin-auth';
import { parseJsonBody } from '../middleware/json-body';
import { CreateAccountSchema, KeyNameSchema } from '../schemas/account-requests';
import { tooManyKeys } from './user-keys';

const accountNotFound = (id: string) => notFound(`No account with id '${id}'.`, 'account_not_found');

/** The operator API: answers 404 everywhere unless ADMIN_TOKEN is set. */
export const admin = new Hono<AppEnv>()
  .use('*', adminAuth())
  .post('/accounts', async (c) => {
    const { email } = await parseJsonBody(c, CreateAccountSchema);
    const created = await createAccount(createDb(c.env.DB), email, Date.now());
    if (!created.ok) {
      throw new ApiError({ status: 409, type: 'invalid_request_error', code: 'account_exists', param: 'email', message: 'An account with this email already exists.' });
    }
    return c.json(created.account, 201);
  })
  .get('/accounts/:id', async (c) => {
    const account = await getAccount(createDb(c.env.DB), c.req.param('id'));
    if (!account) throw accountNotFound(c.req.param('id'));
    return c.json(toPublicAccount(account));
  })
  .post('/accounts/:id/keys', async (c) => {
    const db = createDb(c.env.DB);
    const accountId = c.req.param('id');
    const { name } = await parseJsonBody(c, KeyNameSchema);
    if (!(await getAccount(db, accountId))) throw accountNotFound(accountId);
    const created = await createApiKey(db, accountId, name, Date.now());
    if (!created.ok) throw tooManyKeys();
    return c.json(created.key, 201);
  });
