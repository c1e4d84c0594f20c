/** Recharging on a development server without Stripe: the local checkout page and its signed webhook. */
import { describe, expect, it } from 'vitest';
import { apiRequest, createAccountWithKey, fetchWithEnv } from '../helpers';
import { balanceOf } from '../billing/helpers';

const LOCAL = { STRIPE_SECRET_KEY: '', LOCAL_CHECKOUT: 'true' };
const URLS = { success_url: 'http://localhost:3000/ok', cancel_url: 'http://localhost:3000/cancel' };

async function openLocal(key: string, amount = 15) {
  const response = await fetchWithEnv('/v1/user/credits', { method: 'POST', headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ amount, ...URLS }) }, LOCAL);
  expect(response.status).toBe(201);
  return response.json<{ id: string; checkout_url: string }>();
}

describe('the local checkout', () => {
  it('gives a checkout_url on PUBLIC_URL, not on the Host the request carried', async () => {
    const { key } = await createAccountWithKey(0);
    expect((await openLocal(key)).checkout_url).toMatch(/^https:\/\/find-token\.test\/checkout\/local\/rc_/);
    // Without PUBLIC_URL, a development server falls back to its own origin; production refuses to make the link.
    const body = JSON.stringify({ amount: 15, ...URLS });
    const init = { method: 'POST', headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' }, body };
    const dev = await fetchWithEnv('/v1/user/credits', init, { ...LOCAL, PUBLIC_URL: '' });
    expect((await dev.json<{ checkout_url: string }>()).checkout_url).toMatch(/^http:\/\/gateway\.test\/checkout\/local\//);
    const production = await fetchWithEnv('/v1/user/credits', { ...init, body }, { ...LOCAL, PUBLIC_URL: '', ENVIRONMENT: 'production' });
    expect(production.status).toBe(503);
  });

  it('shows the amount with Pay and Cancel, and Pay credits through the signed webhook, then returns to success_url', async () => {
    const { key } = await createAccountWithKey(0);
    const recharge = await openLocal(key);
    const path = new URL(recharge.checkout_url).pathname;
    expect(path).toBe(`/checkout/local/${recharge.id}`);
    const page = await fetchWithEnv(path, {}, LOCAL);
    const html = await page.text();
    expect(html).toContain('<strong>$15</strong>');
    expect(html).toContain(`action="/checkout/local/${recharge.id}/pay"`);
    expect(html).toContain(`action="/checkout/local/${recharge.id}/cancel"`);

    const paid = await fetchWithEnv(`${path}/pay`, { method: 'POST', redirect: 'manual' }, LOCAL);
    expect(paid.status).toBe(303);
    expect(paid.headers.get('Location')).toBe(URLS.success_url);
    expect(await balanceOf(key)).toMatchObject({ balance: 15 });
    const listed = await (await apiRequest(key, 'GET', '/v1/user/recharges')).json<{ data: Array<{ status: string }> }>();
    expect(listed.data[0]).toMatchObject({ status: 'paid' });
    // Paying twice credits once.
    await fetchWithEnv(`${path}/pay`, { method: 'POST', redirect: 'manual' }, LOCAL);
    expect(await balanceOf(key)).toMatchObject({ balance: 15 });
  });

  it('returns to cancel_url on Cancel and credits nothing', async () => {
    const { key } = await createAccountWithKey(0);
    const recharge = await openLocal(key);
    const cancelled = await fetchWithEnv(`/checkout/local/${recharge.id}/cancel`, { method: 'POST', redirect: 'manual' }, LOCAL);
    expect(cancelled.status).toBe(303);
    expect(cancelled.headers.get('Location')).toBe(URLS.cancel_url);
    expect(await balanceOf(key)).toMatchObject({ balance: 0 });
  });

  it('does not exist unless LOCAL_CHECKOUT is on and Stripe is off; then recharges answer 503', async () => {
    const { key } = await createAccountWithKey(0);
    const recharge = await openLocal(key);
    expect((await fetchWithEnv(`/checkout/local/${recharge.id}`, {}, {})).status).toBe(404);
    expect((await fetchWithEnv(`/checkout/local/${recharge.id}/pay`, { method: 'POST' }, { STRIPE_SECRET_KEY: '' })).status).toBe(404);
    const none = await fetchWithEnv('/v1/user/credits', { method: 'POST', headers: { Authorization: `Bearer ${key}` }, body: JSON.stringify({ amount: 10, ...URLS }) }, { STRIPE_SECRET_KEY: '' });
    expect(none.status).toBe(503);
    expect(await none.json()).toMatchObject({ error: { code: 'payments_unavailable' } });
  });
});
