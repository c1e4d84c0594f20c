import { describe, expect, it } from 'vitest';
import { apiRequest, createAccountWithKey } from '../helpers';

interface ListedKey {
  id: string;
  name: string;
  masked_key: string;
  status: string;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
  scopes: string[];
  limit: { amount: number; period: string } | null;
  models: string[] | null;
  expires_at: number | null;
  parent: string | null;
  spent: number | null;
}

describe('user key API', () => {
  it('creates a named key, shown whole only in the creation response', async () => {
    const { key, keyId } = await createAccountWithKey();
    const response = await apiRequest(key, 'POST', '/v1/user/keys', { name: 'ci runner' });
    expect(response.status).toBe(201);
    const created = await response.json<{ id: string; name: string; key: string; created_at: number }>();
    // Made with a key: that key's child, with its rules (every scope, no limits).
    expect(created).toEqual({
      id: expect.stringMatching(/^key_[0-9a-f]{32}$/),
      name: 'ci runner',
      key: expect.stringMatching(/^sk-ft_[0-9a-f]{64}$/),
      created_at: expect.any(Number),
      scopes: ['inference', 'manage'],
      limit: null,
      models: null,
      expires_at: null,
      parent: keyId,
    });
    const listing = await (await apiRequest(key, 'GET', '/v1/user/keys')).text();
    expect(listing).not.toContain(created.key);
    expect(listing).toContain(`${created.key.slice(0, 10)}…${created.key.slice(-4)}`);
  });

  it('lists the account keys masked, newest first', async () => {
    const { key, keyId } = await createAccountWithKey();
    const created = await (await apiRequest(key, 'POST', '/v1/user/keys', { name: 'second' })).json<{ id: string; key: string }>();
    const response = await apiRequest(key, 'GET', '/v1/user/keys');
    expect(response.status).toBe(200);
    const { object, data } = await response.json<{ object: string; data: ListedKey[] }>();
    expect(object).toBe('list');
    expect(data.map((k) => k.id)).toEqual([created.id, keyId]);
    expect(data[0]).toEqual({
      id: created.id,
      name: 'second',
      masked_key: `${created.key.slice(0, 10)}…${created.key.slice(-4)}`,
      status: 'active',
      created_at: expect.any(Number),
      last_used_at: null,
      revoked_at: null,
      scopes: ['inference', 'manage'],
      limit: null,
      models: null,
      expires_at: null,
      parent: keyId,
      spent: null,
    });
  });

  it('a new key works at once', async () => {
    const { key } = await createAccountWithKey();
    const created = await (await apiRequest(key, 'POST', '/v1/user/keys', { name: 'new' })).json<{ key: string }>();
    expect((await apiRequest(created.key, 'GET', '/v1/models')).status).toBe(200);
  });

  it('revokes a key for good: deleting again keeps it revoked and it never works again', async () => {
    const { key } = await createAccountWithKey();
    const other = await (await apiRequest(key, 'POST', '/v1/user/keys', { name: 'doomed' })).json<{ id: string; key: string }>();
    const first = await apiRequest(key, 'DELETE', `/v1/user/keys/${other.id}`);
    expect(first.status).toBe(200);
    const body = await first.json<{ revoked_at: number }>();
    expect(body).toEqual({ id: other.id, object: 'api_key', revoked: true, revoked_at: expect.any(Number) });
    const again = await apiRequest(key, 'DELETE', `/v1/user/keys/${other.id}`);
    expect(await again.json()).toEqual(body);
    expect((await apiRequest(other.key, 'GET', '/v1/models')).status).toBe(401);
    const { data } = await (await apiRequest(key, 'GET', '/v1/user/keys')).json<{ data: ListedKey[] }>();
    expect(data.find((k) => k.id === other.id)?.status).toBe('revoked');
  });

  it("cannot revoke another account's key", async () => {
    const alice = await createAccountWithKey();
    const mallory = await createAccountWithKey();
    const response = await apiRequest(mallory.key, 'DELETE', `/v1/user/keys/${alice.keyId}`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      error: { message: `No API key with id '${alice.keyId}'.`, type: 'not_found_error', param: null, code: 'key_not_found' },
    });
    expect((await apiRequest(alice.key, 'GET', '/v1/models')).status).toBe(200);
  });

  it("does not list another account's keys", async () => {
    const alice = await createAccountWithKey();
    const bob = await createAccountWithKey();
    const { data } = await (await apiRequest(bob.key, 'GET', '/v1/user/keys')).json<{ data: ListedKey[] }>();
    expect(data.map((k) => k.id)).toEqual([bob.keyId]);
    expect(data.map((k) => k.id)).not.toContain(alice.keyId);
  });

  it.each([
    [{}, "Missing required parameter: 'name'.", 'name'],
    [{ name: '   ' }, "Invalid value for 'name': must not be empty.", 'name'],
    [{ name: 'x'.repeat(65) }, "Invalid value for 'name': must be at most 64 characters.", 'name'],
    [{ name: 'ok', admin: true }, 'Unrecognized field(s): admin.', 'admin'],
  ])('rejects a bad create body %j', async (body, message, param) => {
    const { key } = await createAccountWithKey();
    const response = await apiRequest(key, 'POST', '/v1/user/keys', body);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { message: string; param: string } }).error).toMatchObject({ message, param });
  });
});
