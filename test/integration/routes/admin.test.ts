import { createExecutionContext, env, runInDurableObject, SELF, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../../src/app';
import { accountStub } from '../../../src/account/client';
import { adminRequest, apiRequest, BASE, createAccountWithKey } from '../helpers';

const uniqueEmail = () => `ops-${crypto.randomUUID()}@example.com`;

describe('operator API', () => {
  it('creates an account', async () => {
    const email = uniqueEmail();
    const response = await adminRequest('POST', '/accounts', { email: `  ${email.toUpperCase()} ` });
    expect(response.status).toBe(201);
    expect(await response.json()).toEqual({ id: expect.stringMatching(/^acct_[0-9a-f]{32}$/), email, status: 'active', created_at: expect.any(Number) });
  });

  it('refuses a second account with the same email', async () => {
    const email = uniqueEmail();
    await adminRequest('POST', '/accounts', { email });
    const response = await adminRequest('POST', '/accounts', { email });
    expect(response.status).toBe(409);
    expect(await response.json()).toEqual({
      error: { message: 'An account with this email already exists.', type: 'invalid_request_error', param: 'email', code: 'account_exists' },
    });
  });

  it('rejects an invalid email', async () => {
    const response = await adminRequest('POST', '/accounts', { email: 'not-an-email' });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: { message: "Invalid value for 'email': must be a valid email address.", type: 'invalid_request_error', param: 'email', code: 'invalid_value' },
    });
  });

  it('reads an account', async () => {
    const created = await (await adminRequest('POST', '/accounts', { email: uniqueEmail() })).json<{ id: string }>();
    const response = await adminRequest('GET', `/accounts/${created.id}`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      ...created,
      suspension_reasons: [],
      balance: 0,
      reserved: 0,
      open_reservations: 0,
      ledger_totals: {},
      rate_limit_per_minute: 600,
      rate_limit_override: null,
      charges_lost: { count: 0, cost: 0 },
      storage_bytes: expect.any(Number),
    });
  });

  it("reports the size of the account object's own database, which grows with its ledger", async () => {
    const { accountId } = await createAccountWithKey(0);
    const stub = accountStub(env, accountId);
    const sizeNow = () => runInDurableObject(stub, (_instance, state) => state.storage.sql.databaseSize);
    const storageBytes = async () => (await (await adminRequest('GET', `/accounts/${accountId}`)).json<{ storage_bytes: number }>()).storage_bytes;
    const before = await storageBytes();
    expect(before).toBe(await sizeNow());
    // Enough ledger rows to need new pages: the figure is the object's live size, not a constant.
    for (let i = 0; i < 60; i++) await adminRequest('POST', `/accounts/${accountId}/credits`, { amount: 1, reason: `grant ${i} ${'x'.repeat(200)}` });
    const after = await storageBytes();
    expect(after).toBe(await sizeNow());
    expect(after).toBeGreaterThan(before);
  });

  it('answers 404 for an unknown account', async () => {
    const response = await adminRequest('GET', '/accounts/acct_missing');
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      error: { message: "No account with id 'acct_missing'.", type: 'not_found_error', param: null, code: 'account_not_found' },
    });
  });

  it('issues a key that authenticates as the account', async () => {
    const account = await (await adminRequest('POST', '/accounts', { email: uniqueEmail() })).json<{ id: string }>();
    const response = await adminRequest('POST', `/accounts/${account.id}/keys`, { name: 'first' });
    expect(response.status).toBe(201);
    const key = await response.json<{ id: string; name: string; key: string }>();
    expect(key).toEqual({
      id: expect.stringMatching(/^key_/),
      name: 'first',
      key: expect.stringMatching(/^sk-ft_[0-9a-f]{64}$/),
      created_at: expect.any(Number),
      scopes: ['inference', 'manage'],
      limit: null,
      models: null,
      expires_at: null,
      parent: null,
    });
    const listed = await (await apiRequest(key.key, 'GET', '/v1/user/keys')).json<{ data: Array<{ id: string }> }>();
    expect(listed.data.map((k) => k.id)).toEqual([key.id]);
  });

  it('refuses a key for an unknown account', async () => {
    const response = await adminRequest('POST', '/accounts/acct_missing/keys', { name: 'x' });
    expect(response.status).toBe(404);
  });

  it.each([
    ['no token', {}],
    ['a wrong token', { Authorization: 'Bearer nope' }],
    ['a token that is a prefix of the real one', { Authorization: `Bearer ${'test-admin-token'.slice(0, 5)}` }],
    ['a customer key', { Authorization: `Bearer sk-ft_${'a'.repeat(64)}` }],
  ])('rejects %s with 401', async (_, headers) => {
    const response = await SELF.fetch(`${BASE}/admin/v1/accounts`, { method: 'POST', headers, body: JSON.stringify({ email: uniqueEmail() }) });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({
      error: { message: 'Invalid admin token.', type: 'authentication_error', param: null, code: 'invalid_admin_token' },
    });
  });

  it('does not exist at all when ADMIN_TOKEN is unset', async () => {
    const app = createApp();
    const ctx = createExecutionContext();
    const request = new Request(`${BASE}/admin/v1/accounts`, {
      method: 'POST',
      headers: { Authorization: 'Bearer test-admin-token' },
      body: JSON.stringify({ email: uniqueEmail() }),
    });
    const response = await app.fetch(request, { ...env, ADMIN_TOKEN: undefined }, ctx);
    await waitOnExecutionContext(ctx);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      error: { message: 'Unknown path: POST /admin/v1/accounts', type: 'not_found_error', param: null, code: 'unknown_url' },
    });
  });
});
