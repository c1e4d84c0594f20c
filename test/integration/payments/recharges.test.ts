/** Opening a recharge: validation, the Checkout Session sent to Stripe, the listing. */
import { describe, expect, it } from 'vitest';
import { apiRequest, createAccountWithKey } from '../helpers';
import { startRecharge, stripeRequests } from './helpers';

const URLS = { success_url: 'https://app.example.com/ok', cancel_url: 'https://app.example.com/cancel' };
const open = (key: string, body: object) => apiRequest(key, 'POST', '/v1/user/credits', body);

describe('opening a recharge', () => {
  it('writes a pending recharge and opens a Stripe Checkout Session for it in cents, USD, with its metadata and URLs', async () => {
    const { key, accountId } = await createAccountWithKey(0);
    const response = await open(key, { amount: 25.5, ...URLS });
    expect(response.status).toBe(201);
    const body = await response.json<{ id: string; checkout_url: string }>();
    expect(body).toEqual({ id: expect.stringMatching(/^rc_/), object: 'recharge', checkout_url: expect.stringMatching(/^https:\/\/checkout\.stripe\.com\/c\/pay\/cs_test_/), amount: 25.5, status: 'pending' });
    const sent = (await stripeRequests()).find((r) => r.form['metadata[recharge_id]'] === body.id && r.path === '/v1/checkout/sessions')!;
    expect(sent.authorization).toBe('Bearer sk_test_find_token');
    expect(sent.idempotencyKey).toBe(body.id);
    expect(sent.form).toMatchObject({
      mode: 'payment',
      'line_items[0][quantity]': '1',
      'line_items[0][price_data][currency]': 'usd',
      'line_items[0][price_data][unit_amount]': '2550',
      'line_items[0][price_data][product_data][name]': 'find-token credits',
      client_reference_id: accountId,
      'metadata[account_id]': accountId,
      success_url: URLS.success_url,
      cancel_url: URLS.cancel_url,
    });
    const listed = await (await apiRequest(key, 'GET', '/v1/user/recharges')).json<{ data: unknown[] }>();
    expect(listed.data).toEqual([{ id: body.id, object: 'recharge', amount: 25.5, status: 'pending', created_at: expect.any(Number), paid_at: null, refunded_amount: 0 }]);
  });

  it.each([
    [{ amount: 9.99, ...URLS }, 'amount', 'amount must be at least $10.'],
    [{ amount: 10_000.01, ...URLS }, 'amount', 'amount must be at most $10000.'],
    [{ amount: 12.345, ...URLS }, 'amount', 'must be a positive number of dollars with at most 2 decimals'],
    [{ amount: '20', ...URLS }, 'amount', 'must be a number of dollars'],
    [{ amount: 20, success_url: 'http://app.example.com/ok', cancel_url: URLS.cancel_url }, 'success_url', 'must be an absolute https URL (http only for localhost)'],
    [{ amount: 20, success_url: URLS.success_url, cancel_url: '/relative' }, 'cancel_url', 'must be an absolute https URL (http only for localhost)'],
    // CR, LF, NUL and other control characters: the WHATWG URL parser would silently drop some of them.
    [{ amount: 20, success_url: 'https://app.example.com/ok\r\nSet-Cookie: x=1', cancel_url: URLS.cancel_url }, 'success_url', 'must not contain control characters'],
    [{ amount: 20, success_url: URLS.success_url, cancel_url: 'https://app.example.com/\n/no' }, 'cancel_url', 'must not contain control characters'],
    [{ amount: 20, success_url: 'https://app.example.com/\u0000ok', cancel_url: URLS.cancel_url }, 'success_url', 'must not contain control characters'],
    [{ amount: 20, success_url: URLS.success_url, cancel_url: 'https://app.exa\tmple.com/no' }, 'cancel_url', 'must not contain control characters'],
  ])('refuses %j with a 400 naming %s', async (body, param, message) => {
    const { key } = await createAccountWithKey(0);
    const response = await open(key, body);
    expect(response.status).toBe(400);
    const error = (await response.json<{ error: { param: string; message: string; code: string } }>()).error;
    expect(error.param).toBe(param);
    if (param.endsWith('_url')) expect(error.code).toBe('invalid_value');
    expect(error.message).toContain(message);
    expect((await (await apiRequest(key, 'GET', '/v1/user/recharges')).json<{ data: unknown[] }>()).data).toEqual([]);
  });

  it('accepts plain http back to localhost', async () => {
    const { key } = await createAccountWithKey(0);
    expect((await open(key, { amount: 10, success_url: 'http://localhost:3000/ok', cancel_url: 'http://127.0.0.1:3000/no' })).status).toBe(201);
  });

  it('lists recharges newest first, a page at a time', async () => {
    const { key } = await createAccountWithKey(0);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await startRecharge(key, 10 + i)).id);
    const first = await (await apiRequest(key, 'GET', '/v1/user/recharges?limit=2')).json<{ data: Array<{ id: string }>; has_more: boolean; next_cursor: string }>();
    expect(first.data.map((r) => r.id)).toEqual([ids[2], ids[1]]);
    expect(first.has_more).toBe(true);
    const second = await (await apiRequest(key, 'GET', `/v1/user/recharges?limit=2&cursor=${first.next_cursor}`)).json<{ data: Array<{ id: string }>; has_more: boolean }>();
    expect(second.data.map((r) => r.id)).toEqual([ids[0]]);
    expect(second.has_more).toBe(false);
  });
});
