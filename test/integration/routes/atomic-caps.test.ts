/** Caps that concurrent requests cannot race past: active API keys, and sign-in links per address and per IP. */
import { env, SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { adminRequest, apiRequest, BASE, createAccountWithKey } from '../helpers';

const CSRF = 'c'.repeat(32);

function signUp(email: string, ip: string): Promise<Response> {
  return SELF.fetch(`${BASE}/auth/signup`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: `ft_csrf=${CSRF}`, 'CF-Connecting-IP': ip },
    body: new URLSearchParams({ email, csrf: CSRF }).toString(),
  });
}

const count = async (query: string, ...values: unknown[]) => (await env.DB.prepare(query).bind(...values).first<{ n: number }>())?.n;
const someIp = () => `198.51.100.${Math.floor(Math.random() * 250)}-${crypto.randomUUID()}`;

describe('caps checked atomically', () => {
  it('leaves at most 50 active keys when 40 creations race on an account with 16', async () => {
    const { key, accountId } = await createAccountWithKey();
    for (let i = 0; i < 15; i++) expect((await adminRequest('POST', `/accounts/${accountId}/keys`, { name: `k${i}` })).status).toBe(201);
    const responses = await Promise.all(Array.from({ length: 40 }, (_, i) => apiRequest(key, 'POST', '/v1/user/keys', { name: `race${i}` })));
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(34);
    expect(statuses.filter((s) => s === 400)).toHaveLength(6);
    expect(await count('SELECT COUNT(*) AS n FROM api_keys WHERE account_id = ? AND revoked_at IS NULL', accountId)).toBe(50);
  });

  it('sends at most 3 sign-in emails when 20 sign-ups for one address race', async () => {
    const email = `race-${crypto.randomUUID()}@example.com`;
    const responses = await Promise.all(Array.from({ length: 20 }, () => signUp(email, someIp())));
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(3);
    expect(statuses.filter((s) => s === 429)).toHaveLength(17);
    expect(await count('SELECT COUNT(*) AS n FROM email_outbox WHERE "to" = ?', email)).toBe(3);
    expect(await count('SELECT COUNT(*) AS n FROM login_tokens WHERE email = ?', email)).toBe(3);
  });

  it('issues at most 10 sign-in links when 20 sign-ups from one IP race', async () => {
    const ip = someIp();
    const responses = await Promise.all(Array.from({ length: 20 }, () => signUp(`ip-race-${crypto.randomUUID()}@example.com`, ip)));
    expect(responses.filter((r) => r.status === 200)).toHaveLength(10);
    expect(await count('SELECT COUNT(*) AS n FROM login_tokens WHERE ip = ?', ip)).toBe(10);
  });
});
