/** Every authenticated /v1 request counts in its account's per-minute window; Checkout Sessions have their own hourly cap. */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { adminRequest, apiRequest, chat, createAccountWithKey, hello } from '../helpers';

/** Waits out the end of a minute, so that a handful of requests land in one window. */
async function startOfAWindow(): Promise<void> {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < 5_000) await new Promise((resolve) => setTimeout(resolve, left + 50));
}

async function expectRateLimited(response: Response, message: RegExp): Promise<void> {
  expect(response.status).toBe(429);
  expect(Number(response.headers.get('Retry-After'))).toBeGreaterThan(0);
  const { error } = await response.json<{ error: { code: string; type: string; message: string } }>();
  expect(error).toMatchObject({ code: 'rate_limit_exceeded', type: 'rate_limit_error' });
  expect(error.message).toMatch(message);
}

describe('rate limits', () => {
  it('counts every /v1 endpoint of every key of the account in one window, chat included', async () => {
    const { key, accountId } = await createAccountWithKey();
    const second = await (await adminRequest('POST', `/accounts/${accountId}/keys`, { name: 'second' })).json<{ key: string }>();
    expect((await adminRequest('PATCH', `/accounts/${accountId}`, { rate_limit_per_minute: 4 })).status).toBe(200);
    await startOfAWindow();
    expect((await apiRequest(key, 'GET', '/v1/models')).status).toBe(200);
    expect((await apiRequest(second.key, 'GET', '/v1/user/balance')).status).toBe(200);
    expect((await apiRequest(key, 'GET', '/v1/user/keys')).status).toBe(200);
    expect((await apiRequest(second.key, 'GET', '/v1/user/billing-logs')).status).toBe(200);
    await expectRateLimited(await apiRequest(key, 'GET', '/v1/models'), /4 requests per minute/);
    await expectRateLimited(await apiRequest(second.key, 'GET', '/v1/user/recharges'), /4 requests per minute/);
    // Chat shares the window: the requests above used it up.
    await expectRateLimited(await chat(key, { model: 'deepseek-chat', messages: hello }), /4 requests per minute/);
  });

  it('lets chat use up the window the other routes then find full', async () => {
    const { key, accountId } = await createAccountWithKey();
    expect((await adminRequest('PATCH', `/accounts/${accountId}`, { rate_limit_per_minute: 1 })).status).toBe(200);
    await startOfAWindow();
    // Whatever chat answers, it was counted; the next request of any route is over the limit.
    await chat(key, { model: 'no-such-model', messages: hello });
    await expectRateLimited(await apiRequest(key, 'GET', '/v1/user/balance'), /1 requests per minute/);
  });

  it('opens at most CHECKOUT_SESSIONS_PER_HOUR Checkout Sessions per account, however many arrive at once', async () => {
    const { key, accountId } = await createAccountWithKey(0);
    const limit = Number(env.CHECKOUT_SESSIONS_PER_HOUR);
    expect(limit).toBe(10);
    const body = { amount: 10, success_url: 'https://app.example.com/ok', cancel_url: 'https://app.example.com/cancel' };
    const responses = await Promise.all(Array.from({ length: limit + 4 }, () => apiRequest(key, 'POST', '/v1/user/credits', body)));
    const statuses = responses.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(limit);
    const refused = responses.filter((r) => r.status === 429);
    expect(refused).toHaveLength(4);
    await expectRateLimited(refused[0]!, /10 Checkout Sessions per hour/);
    // Refused before anything was written or Stripe was called.
    const rows = await env.DB.prepare('SELECT COUNT(*) AS n FROM recharges WHERE account_id = ?').bind(accountId).first<{ n: number }>();
    expect(rows?.n).toBe(limit);
  });
});
