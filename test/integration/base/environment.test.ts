/**
 * A production worker (ENVIRONMENT=production) refuses every development-only
 * path, even when its vars ask for one: a misconfigured deploy fails closed.
 */
import { env } from 'cloudflare:test';
import { describe, expect, it, vi } from 'vitest';
import { DEV_SECRETS } from '../../../src/base/environment';
import { signWebhook } from '../../../src/payments/stripe';
import { createAccountWithKey, fetchWithEnv } from '../helpers';
import { balanceOf } from '../billing/helpers';

/** Production as a misconfigured deploy would have it: the local checkout asked for, no Stripe, no email sender. */
const PRODUCTION = { ENVIRONMENT: 'production', LOCAL_CHECKOUT: 'true', STRIPE_SECRET_KEY: '', RESEND_API_KEY: '' };
const LOCAL = { STRIPE_SECRET_KEY: '', LOCAL_CHECKOUT: 'true' };
const URLS = { success_url: 'http://localhost:3000/ok', cancel_url: 'http://localhost:3000/cancel' };
const json = (key: string, body: unknown): RequestInit => ({ method: 'POST', headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
const admin = (token = env.ADMIN_TOKEN): RequestInit => ({ headers: { Authorization: `Bearer ${token}` } });

describe('production refuses the local checkout', () => {
  it('answers 404 for the page, Pay and Cancel of a pending recharge, and credits nothing', async () => {
    const { key } = await createAccountWithKey(0);
    const opened = await (await fetchWithEnv('/v1/user/credits', json(key, { amount: 15, ...URLS }), LOCAL)).json<{ id: string }>();
    const path = `/checkout/local/${opened.id}`;
    for (const [suffix, method] of [['', 'GET'], ['/pay', 'POST'], ['/cancel', 'POST']] as const) {
      const response = await fetchWithEnv(`${path}${suffix}`, { method, redirect: 'manual' }, PRODUCTION);
      expect(response.status).toBe(404);
      expect(await response.json()).toMatchObject({ error: { code: 'unknown_url' } });
    }
    expect(await balanceOf(key)).toMatchObject({ balance: 0 });
    expect(await env.DB.prepare('SELECT status FROM recharges WHERE id = ?').bind(opened.id).first('status')).toBe('pending');
  });

  it('opens no recharge without Stripe: 503 payments_unavailable, no local checkout URL', async () => {
    const { key, accountId } = await createAccountWithKey(0);
    const response = await fetchWithEnv('/v1/user/credits', json(key, { amount: 15, ...URLS }), PRODUCTION);
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ error: { code: 'payments_unavailable' } });
    expect(await env.DB.prepare('SELECT COUNT(*) AS n FROM recharges WHERE account_id = ?').bind(accountId).first('n')).toBe(0);
  });
});

describe('production without an email sender', () => {
  it('answers the sign-up with a 503 page, makes no sign-in link and logs none', async () => {
    const email = `prod-${crypto.randomUUID()}@example.com`;
    const home = await fetchWithEnv('/', {}, PRODUCTION);
    const cookie = home.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    const csrf = /name="csrf" value="([0-9a-f]+)"/.exec(await home.text())?.[1] ?? '';
    const log = vi.spyOn(console, 'log');
    const response = await fetchWithEnv(
      '/auth/signup',
      { method: 'POST', headers: { Cookie: cookie, 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ email, csrf }).toString() },
      PRODUCTION,
    );
    log.mockRestore();
    expect(response.status).toBe(503);
    expect(await response.text()).toContain('Sign-in links cannot be emailed from this gateway right now (mail_unavailable)');
    expect(log.mock.calls.flat().join('\n')).not.toContain('/auth/activate');
    expect(await env.DB.prepare('SELECT COUNT(*) AS n FROM login_tokens WHERE email = ?').bind(email).first('n')).toBe(0);
    expect(await env.DB.prepare('SELECT COUNT(*) AS n FROM email_outbox WHERE "to" = ?').bind(email).first('n')).toBe(0);
  });

  it('does not list the dev outbox: GET /admin/v1/outbox is 404', async () => {
    const response = await fetchWithEnv('/admin/v1/outbox', admin(), PRODUCTION);
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { code: 'unknown_url' } });
  });
});

describe("production refuses npm run dev's public secrets", () => {
  it('treats the dev admin token as unset: the operator API is 404', async () => {
    const vars = { ENVIRONMENT: 'production', ADMIN_TOKEN: DEV_SECRETS.ADMIN_TOKEN };
    expect((await fetchWithEnv('/admin/v1/providers', admin(DEV_SECRETS.ADMIN_TOKEN), vars)).status).toBe(404);
    // Development accepts it.
    expect((await fetchWithEnv('/admin/v1/providers', admin(DEV_SECRETS.ADMIN_TOKEN), { ADMIN_TOKEN: DEV_SECRETS.ADMIN_TOKEN })).status).toBe(200);
  });

  it('treats the dev BYOK master key as unset: storing a provider key is 503 byok_unavailable', async () => {
    const { key } = await createAccountWithKey(0);
    const vars = { ENVIRONMENT: 'production', BYOK_ENCRYPTION_KEY: DEV_SECRETS.BYOK_ENCRYPTION_KEY };
    const response = await fetchWithEnv('/v1/user/byok/register', json(key, { provider: 'deepseek', api_key: 'sk-prod-guard-test-0000' }), vars);
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ error: { code: 'byok_unavailable' } });
  });

  it('treats the dev webhook secret as unset: an event signed with it is 503 and applies nothing', async () => {
    const payload = JSON.stringify({ id: 'evt_dev_secret', object: 'event', type: 'checkout.session.completed', created: Math.floor(Date.now() / 1000), data: { object: {} } });
    const signature = await signWebhook(payload, DEV_SECRETS.STRIPE_WEBHOOK_SECRET);
    const vars = { ENVIRONMENT: 'production', STRIPE_WEBHOOK_SECRET: DEV_SECRETS.STRIPE_WEBHOOK_SECRET };
    const response = await fetchWithEnv('/webhooks/stripe', { method: 'POST', headers: { 'Stripe-Signature': signature, 'Content-Type': 'application/json' }, body: payload }, vars);
    expect(response.status).toBe(503);
  });
});
