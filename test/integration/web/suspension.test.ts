/**
 * A suspended account on the web: its signed-in session ends on the next page or form (the account
 * object is asked, whatever D1's copy says), and signing in to it is refused without a session.
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { adminRequest } from '../helpers';
import { accountObject } from '../billing/helpers';
import { Browser, outboxLinkFor, signedIn } from './browser';

const SUSPENDED_TEXT = 'This account is suspended';
const accountIdOf = async (email: string) => (await env.DB.prepare('SELECT id FROM accounts WHERE email = ?').bind(email).first<{ id: string }>())!.id;
const sessions = async (accountId: string) => env.DB.prepare('SELECT COUNT(*) AS n FROM web_sessions WHERE account_id = ?').bind(accountId).first<number>('n');
const keyCount = async (accountId: string) => env.DB.prepare('SELECT COUNT(*) AS n FROM api_keys WHERE account_id = ?').bind(accountId).first<number>('n');

describe('a suspended account on the web', () => {
  it('the operator suspension ends the session: the dashboard sends back to sign-in', async () => {
    const { browser, email } = await signedIn();
    const accountId = await accountIdOf(email);
    await adminRequest('PATCH', `/accounts/${accountId}`, { status: 'suspended' });
    expect(await sessions(accountId)).toBe(0);
    const dashboard = await browser.request('/dashboard');
    expect(dashboard.status).toBe(303);
    expect(dashboard.headers.get('Location')).toBe('/#signup');
  });

  // Suspended in the object only (D1's session row and status untouched): each path asks the object itself.
  it.each([
    ['GET', '/dashboard', {}],
    ['POST', '/dashboard/keys', { name: 'blocked' }],
    ['POST', '/dashboard/recharge', { amount: '10' }],
    ['POST', '/dashboard/keys/key_missing/revoke', {}],
    ['POST', '/dashboard/byok', { provider: 'deepseek', api_key: `sk-${'a'.repeat(32)}` }],
    ['POST', '/dashboard/byok/bk_missing/delete', {}],
  ])('%s %s answers a clear 403 page, signs out, and does nothing', async (method, path, fields) => {
    const { browser, email, csrf } = await signedIn();
    const accountId = await accountIdOf(email);
    const keysBefore = await keyCount(accountId);
    await accountObject(accountId).suspend({ reason: 'operator', now: Date.now() });
    const response = await browser.request(path, method === 'GET' ? {} : { method, form: { ...fields, csrf } });
    expect(response.status).toBe(403);
    expect(await response.text()).toContain(SUSPENDED_TEXT);
    expect(response.headers.getSetCookie().find((c) => c.startsWith('ft_session='))).toMatch(/Max-Age=0/i);
    expect(await sessions(accountId)).toBe(0);
    expect(await keyCount(accountId)).toBe(keysBefore);
    expect((await browser.request('/dashboard')).status).toBe(303);
  });

  it('refuses to sign in to a suspended account (no session), and lets it in once lifted', async () => {
    const email = `suspended-${crypto.randomUUID()}@example.com`;
    const account = await (await adminRequest('POST', '/accounts', { email })).json<{ id: string }>();
    await adminRequest('PATCH', `/accounts/${account.id}`, { status: 'suspended' });

    const signIn = async (browser: Browser) => {
      const home = await (await browser.request('/')).text();
      await browser.request('/auth/signup', { method: 'POST', form: { email, csrf: Browser.csrfOf(home) } });
      const confirm = await (await browser.request((await outboxLinkFor(email))!)).text();
      const token = /name="token" value="([0-9a-f]+)"/.exec(confirm)![1]!;
      return browser.request('/auth/activate', { method: 'POST', form: { token, csrf: Browser.csrfOf(confirm) } });
    };
    const refused = await signIn(new Browser());
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain(SUSPENDED_TEXT);
    expect(refused.headers.getSetCookie().some((c) => c.startsWith('ft_session='))).toBe(false);
    expect(await sessions(account.id)).toBe(0);

    await adminRequest('PATCH', `/accounts/${account.id}`, { status: 'active' });
    const browser = new Browser();
    expect((await signIn(browser)).status).toBe(303);
    expect(await (await browser.request('/dashboard')).text()).toContain(`Signed in as ${email}`);
  });
});
