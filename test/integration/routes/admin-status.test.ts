/**
 * The operator's suspension: PATCH /admin/v1/accounts/{id} {status}. The account object answers
 * every request, so a key already cached in the isolate is refused from the very next call; lifting
 * the operator's reason leaves a dispute's suspension in force.
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { adminRequest, apiRequest, chat, createAccountWithKey, hello } from '../helpers';
import { accountObject } from '../billing/helpers';

/** Every authenticated /v1 endpoint a key can call without side effects, and chat. */
const ENDPOINTS: Array<[string, string]> = [
  ['GET', '/v1/models'],
  ['GET', '/v1/user/balance'],
  ['GET', '/v1/user/keys'],
  ['GET', '/v1/user/billing-logs'],
  ['GET', '/v1/user/byok/keys'],
  ['GET', '/v1/user/recharges'],
];

/** What the key gets on each endpoint, and on a chat request: the status and error code. */
async function access(key: string): Promise<Array<[number, string | undefined]>> {
  const responses = [...(await Promise.all(ENDPOINTS.map(([method, path]) => apiRequest(key, method, path)))), await chat(key, { model: 'deepseek-chat', messages: hello })];
  return Promise.all(responses.map(async (r): Promise<[number, string | undefined]> => [r.status, r.ok ? undefined : (await r.json<{ error: { code: string } }>()).error.code]));
}

const ALL = ENDPOINTS.length + 1;
const ALLOWED = Array.from({ length: ALL }, () => [200, undefined]);
const SUSPENDED = Array.from({ length: ALL }, () => [403, 'account_suspended']);

const patch = (accountId: string, body: unknown) => adminRequest('PATCH', `/accounts/${accountId}`, body);
const d1Status = async (accountId: string) => (await env.DB.prepare('SELECT status FROM accounts WHERE id = ?').bind(accountId).first<{ status: string }>())?.status;
const sessions = async (accountId: string) => env.DB.prepare('SELECT COUNT(*) AS n FROM web_sessions WHERE account_id = ?').bind(accountId).first<number>('n');

describe('suspending an account (operator)', () => {
  it('refuses every key from the very next request, cached ones included, and lifting restores them', async () => {
    const { accountId, key } = await createAccountWithKey(10);
    const second = await (await adminRequest('POST', `/accounts/${accountId}/keys`, { name: 'second' })).json<{ key: string }>();
    // Used first: both keys are now in this isolate's cache.
    expect(await access(key)).toEqual(ALLOWED);
    expect((await apiRequest(second.key, 'GET', '/v1/user/balance')).status).toBe(200);

    const suspended = await patch(accountId, { status: 'suspended' });
    expect(suspended.status).toBe(200);
    expect(await suspended.json()).toMatchObject({ id: accountId, status: 'suspended', suspension_reasons: [{ reason: 'operator', since: expect.any(Number) }] });
    expect(await access(key)).toEqual(SUSPENDED);
    expect(await access(second.key)).toEqual(SUSPENDED);
    expect(await (await apiRequest(key, 'GET', '/v1/user/balance')).json()).toEqual({
      error: { message: 'This account is suspended: its API keys are refused until the suspension is lifted. Contact support.', type: 'permission_error', param: null, code: 'account_suspended' },
    });
    expect(await d1Status(accountId)).toBe('suspended');
    expect(await (await adminRequest('GET', `/accounts/${accountId}`)).json()).toMatchObject({ status: 'suspended', suspension_reasons: [{ reason: 'operator' }] });

    const lifted = await patch(accountId, { status: 'active' });
    expect(await lifted.json()).toMatchObject({ status: 'active', suspension_reasons: [] });
    expect(await access(key)).toEqual(ALLOWED);
    expect(await d1Status(accountId)).toBe('active');
  });

  it('ends the account web sessions', async () => {
    const { accountId } = await createAccountWithKey(0);
    await env.DB.prepare('INSERT INTO web_sessions (id_hash, account_id, csrf_token, created_at, expires_at) VALUES (?, ?, ?, ?, ?)')
      .bind(`session_${accountId}`, accountId, 'csrf', Date.now(), Date.now() + 60_000)
      .run();
    await patch(accountId, { status: 'suspended' });
    expect(await sessions(accountId)).toBe(0);
  });

  it('suspending twice keeps the first time; lifting an account not suspended answers active', async () => {
    const { accountId } = await createAccountWithKey(0);
    expect(await (await patch(accountId, { status: 'active' })).json()).toMatchObject({ status: 'active', suspension_reasons: [] });
    const first = await (await patch(accountId, { status: 'suspended' })).json<{ suspension_reasons: Array<{ since: number }> }>();
    const again = await (await patch(accountId, { status: 'suspended' })).json<{ suspension_reasons: Array<{ since: number }> }>();
    expect(again.suspension_reasons).toEqual(first.suspension_reasons);
  });

  it('lifts only the operator reason: a dispute keeps the account suspended', async () => {
    const { accountId, key } = await createAccountWithKey(10);
    const dispute = `dispute:dp_test_${accountId.slice(5)}` as const;
    await accountObject(accountId).suspend({ reason: dispute, now: Date.now() });
    await patch(accountId, { status: 'suspended' });
    const lifted = await patch(accountId, { status: 'active' });
    expect(lifted.status).toBe(200);
    expect(await lifted.json()).toMatchObject({ status: 'suspended', suspension_reasons: [{ reason: dispute }] });
    expect(await access(key)).toEqual(SUSPENDED);
    expect(await d1Status(accountId)).toBe('suspended');
    await accountObject(accountId).liftSuspension({ reason: dispute });
    expect(await access(key)).toEqual(ALLOWED);
  });

  it('takes the status with the rate limit in one request', async () => {
    const { accountId } = await createAccountWithKey(0);
    const response = await patch(accountId, { status: 'suspended', rate_limit_per_minute: 5 });
    expect(await response.json()).toMatchObject({ status: 'suspended', rate_limit_per_minute: 5, rate_limit_override: 5 });
    // The rate limit alone leaves the status as it is.
    expect(await (await patch(accountId, { rate_limit_per_minute: null })).json()).toMatchObject({ status: 'suspended', rate_limit_override: null });
  });

  it.each([
    ['an unknown status', { status: 'frozen' }, `Invalid value for 'status': must be "suspended" or "active".`, 'status'],
    ['a null status', { status: null }, `Invalid value for 'status': must be "suspended" or "active".`, 'status'],
    ['nothing to change', {}, 'Invalid request body: send rate_limit_per_minute, status, or both.', null],
    ['an unknown field', { status: 'active', reason: 'x' }, 'Unrecognized field(s): reason.', 'reason'],
  ])('refuses %s with 400 and changes nothing', async (_, body, message, param) => {
    const { accountId } = await createAccountWithKey(0);
    const response = await patch(accountId, body);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: { message, type: 'invalid_request_error', param, code: 'invalid_value' } });
    expect(await accountObject(accountId).accountStatus()).toMatchObject({ status: 'active' });
  });

  it('answers 404 for an unknown account', async () => {
    expect((await patch('acct_missing', { status: 'suspended' })).status).toBe(404);
  });
});
