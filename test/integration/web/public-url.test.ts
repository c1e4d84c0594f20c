/** Links and generated URLs come from PUBLIC_URL (https://find-token.test in tests), never from the request's Host. */
import { env, SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { adminRequest } from '../helpers';
import { Browser, signedIn } from './browser';

describe('links from PUBLIC_URL', () => {
  it('emails a sign-in link on PUBLIC_URL even when the request says Host: evil.example', async () => {
    const email = `host-${crypto.randomUUID()}@example.com`;
    const browser = new Browser('http://evil.example');
    const csrf = Browser.csrfOf(await (await browser.request('/')).text());
    const response = await browser.request('/auth/signup', { method: 'POST', form: { email, csrf }, headers: { Host: 'evil.example', 'X-Forwarded-Host': 'evil.example' } });
    expect(response.status).toBe(200);
    const { data } = await (await adminRequest('GET', '/outbox')).json<{ data: Array<{ to: string; text: string; html: string }> }>();
    const mail = data.find((m) => m.to === email)!;
    expect(mail.text).toMatch(/https:\/\/find-token\.test\/auth\/activate\?token=[0-9a-f]{64}/);
    expect(mail.text + mail.html).not.toContain('evil.example');
  });

  it("sends the dashboard's checkout to return URLs on PUBLIC_URL", async () => {
    const { browser, csrf, email } = await signedIn(undefined, 'http://evil.example');
    const response = await browser.request('/dashboard/recharge', { method: 'POST', form: { amount: '12', csrf } });
    expect(response.status).toBe(303);
    const recharge = await env.DB.prepare('SELECT r.success_url, r.cancel_url FROM recharges r JOIN accounts a ON a.id = r.account_id WHERE a.email = ?').bind(email).first<{ success_url: string; cancel_url: string }>();
    expect(recharge?.success_url).toBe('https://find-token.test/dashboard?message=recharge-success');
    expect(recharge?.cancel_url).toBe('https://find-token.test/dashboard?message=recharge-cancelled');
  });

  it('shows the base URL from PUBLIC_URL on the home page', async () => {
    const html = await (await SELF.fetch('http://evil.example/')).text();
    expect(html).toContain('https://find-token.test/v1');
    expect(html).not.toContain('evil.example');
  });
});
