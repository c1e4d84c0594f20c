/** The sign-in confirmation page: it names the address, and a link from another browser (login CSRF) needs an explicit confirmation. */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { adminRequest } from '../helpers';
import { Browser, outboxLinkFor } from './browser';

/** A browser that asked for a sign-in link for a new address: the browser, the address, and the link's path. */
async function askedForLink() {
  const email = `asker-${crypto.randomUUID()}@example.com`;
  const browser = new Browser();
  const csrf = Browser.csrfOf(await (await browser.request('/')).text());
  await browser.request('/auth/signup', { method: 'POST', form: { email, csrf } });
  const link = (await outboxLinkFor(email))!;
  return { browser, email, link, token: link.split('token=')[1]! };
}

const sessions = (email: string) =>
  env.DB.prepare('SELECT COUNT(*) AS n FROM web_sessions s JOIN accounts a ON a.id = s.account_id WHERE a.email = ?').bind(email).first<{ n: number }>();

describe('the sign-in confirmation page', () => {
  it('names the address it signs in as, and signs in the browser that asked with one click', async () => {
    const { browser, email, link, token } = await askedForLink();
    const page = await (await browser.request(link)).text();
    expect(page).toContain(`Sign in as ${email}?`);
    expect(page).not.toContain('name="confirm"');
    const signedIn = await browser.request('/auth/activate', { method: 'POST', form: { token, csrf: Browser.csrfOf(page) } });
    expect(signedIn.status).toBe(303);
    expect(signedIn.headers.get('Location')).toBe('/dashboard');
  });

  it("does not silently sign a victim into the attacker's account when the attacker's link is opened in another browser", async () => {
    const attacker = await askedForLink();
    const victim = new Browser();
    const page = await (await victim.request(attacker.link)).text();
    expect(page).toContain(`Sign in as ${attacker.email}?`);
    expect(page).toContain('This link was asked for in another browser.');
    expect(page).toContain('name="confirm" value="yes"');
    // Clicking through without confirming the address signs nobody in and leaves the link usable.
    const refused = await victim.request('/auth/activate', { method: 'POST', form: { token: attacker.token, csrf: Browser.csrfOf(page) } });
    expect(refused.status).toBe(400);
    expect(refused.headers.getSetCookie().some((cookie) => cookie.startsWith('ft_session='))).toBe(false);
    expect(await refused.text()).toContain(`Tick the box to confirm that ${attacker.email} is your address.`);
    expect((await sessions(attacker.email))?.n ?? 0).toBe(0);
    // A person who asked on a phone and opens the link on a laptop confirms explicitly.
    const confirmed = await victim.request('/auth/activate', { method: 'POST', form: { token: attacker.token, csrf: Browser.csrfOf(page), confirm: 'yes' } });
    expect(confirmed.status).toBe(303);
    expect((await sessions(attacker.email))?.n).toBe(1);
  });

  it('refuses a forged POST without the CSRF token of the browser, even with confirm=yes', async () => {
    const attacker = await askedForLink();
    const victim = new Browser();
    await victim.request('/');
    const forged = await victim.request('/auth/activate', { method: 'POST', form: { token: attacker.token, csrf: '0'.repeat(32), confirm: 'yes' } });
    expect(forged.status).toBe(403);
    expect((await sessions(attacker.email))?.n ?? 0).toBe(0);
  });

  it('says so when the link is invalid, used or expired', async () => {
    const browser = new Browser();
    const response = await browser.request(`/auth/activate?token=${'a'.repeat(64)}`);
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('This sign-in link is invalid, used or expired.');
  });
});

describe('the sign-in email', () => {
  it('makes the link clickable in its HTML, starting with PUBLIC_URL', async () => {
    const { email, token } = await askedForLink();
    const { data } = await (await adminRequest('GET', '/outbox')).json<{ data: Array<{ to: string; html: string }> }>();
    const html = data.find((m) => m.to === email)!.html;
    const link = `https://find-token.test/auth/activate?token=${token}`;
    expect(html).toContain(`<p><a href="${link}">${link}</a></p>`);
  });
});
