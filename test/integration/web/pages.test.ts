/** The web pages through the worker: sign-in by email link, sessions, CSRF, and every form's bad input. */
import { env, SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { BASE, createAccountWithKey } from '../helpers';
import { accountObject } from '../billing/helpers';
import { Browser, outboxLinkFor, signedIn } from './browser';

describe('signing up and in', () => {
  it('emails a single-use link that creates the account at $0 and signs it in', async () => {
    const { browser, email, dashboard } = await signedIn();
    expect(dashboard).toContain(`Signed in as ${email}`);
    expect(dashboard).toContain('<p class="balance" id="balance">$0.00</p>');
    const account = await env.DB.prepare('SELECT id, status FROM accounts WHERE email = ?').bind(email).first<{ id: string; status: string }>();
    expect(account?.status).toBe('active');
    expect((await accountObject(account!.id).summary(Date.now())).balance).toBe(0);
    // The link works once.
    const other = new Browser();
    const token = (await outboxLinkFor(email))!.split('token=')[1]!;
    const again = await other.request('/auth/activate', { method: 'POST', form: { token, csrf: Browser.csrfOf(await (await other.request('/')).text()) } });
    expect(again.status).toBe(400);
    expect(await again.text()).toContain('This sign-in link is invalid, used or expired.');
    expect(browser).toBeDefined();
  });

  it('answers the same whether or not the address has an account', async () => {
    const { key } = await createAccountWithKey(0);
    expect(key).toBeTruthy();
    const known = (await env.DB.prepare('SELECT email FROM accounts ORDER BY created_at LIMIT 1').first<{ email: string }>())!.email;
    const browser = new Browser();
    const csrf = Browser.csrfOf(await (await browser.request('/')).text());
    const forKnown = await (await browser.request('/auth/signup', { method: 'POST', form: { email: known, csrf } })).text();
    const forNew = await (await browser.request('/auth/signup', { method: 'POST', form: { email: `nobody-${crypto.randomUUID()}@example.com`, csrf } })).text();
    const notice = (html: string) => /<div class="notice[^"]*"[^>]*>([^<]*)</.exec(html)?.[1];
    expect(notice(forKnown)).toBe('Check your email: we sent you a sign-in link.');
    expect(notice(forNew)).toBe(notice(forKnown));
  });

  it('limits sign-in links per address', async () => {
    const browser = new Browser();
    const csrf = Browser.csrfOf(await (await browser.request('/')).text());
    const email = `limited-${crypto.randomUUID()}@example.com`;
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await browser.request('/auth/signup', { method: 'POST', form: { email, csrf } })).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
  });

  it('refuses an expired link', async () => {
    const email = `expired-${crypto.randomUUID()}@example.com`;
    const browser = new Browser();
    const csrf = Browser.csrfOf(await (await browser.request('/')).text());
    await browser.request('/auth/signup', { method: 'POST', form: { email, csrf } });
    await env.DB.prepare('UPDATE login_tokens SET expires_at = 0 WHERE email = ?').bind(email).run();
    const token = (await outboxLinkFor(email))!.split('token=')[1]!;
    expect((await browser.request('/auth/activate', { method: 'POST', form: { token, csrf } })).status).toBe(400);
    expect(await env.DB.prepare('SELECT COUNT(*) AS n FROM accounts WHERE email = ?').bind(email).first()).toEqual({ n: 0 });
  });

  it('sets the session cookie HttpOnly, Secure, SameSite=Lax, and signing out ends it', async () => {
    const email = `cookie-${crypto.randomUUID()}@example.com`;
    const browser = new Browser();
    const csrf = Browser.csrfOf(await (await browser.request('/')).text());
    await browser.request('/auth/signup', { method: 'POST', form: { email, csrf } });
    const token = (await outboxLinkFor(email))!.split('token=')[1]!;
    const activated = await browser.request('/auth/activate', { method: 'POST', form: { token, csrf } });
    expect(activated.headers.getSetCookie().find((c) => c.startsWith('ft_session='))).toMatch(/HttpOnly; Secure; SameSite=Lax/);
    const dashboardCsrf = Browser.csrfOf(await (await browser.request('/dashboard')).text());
    await browser.request('/auth/signout', { method: 'POST', form: { csrf: dashboardCsrf } });
    expect((await browser.request('/dashboard')).headers.get('Location')).toBe('/#signup');
  });
});

describe("every form's bad input shows a message and changes nothing", () => {
  it('a bad email', async () => {
    const browser = new Browser();
    const csrf = Browser.csrfOf(await (await browser.request('/')).text());
    const response = await browser.request('/auth/signup', { method: 'POST', form: { email: 'not-an-email', csrf } });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('Email must be a valid email address.');
    expect(await env.DB.prepare("SELECT COUNT(*) AS n FROM login_tokens WHERE email = 'not-an-email'").first()).toEqual({ n: 0 });
  });

  it('a recharge below $10', async () => {
    const { browser, csrf, email } = await signedIn();
    const response = await browser.request('/dashboard/recharge', { method: 'POST', form: { amount: '5', csrf } });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('amount must be at least $10.');
    expect(await env.DB.prepare('SELECT COUNT(*) AS n FROM recharges r JOIN accounts a ON a.id = r.account_id WHERE a.email = ?').bind(email).first()).toEqual({ n: 0 });
  });

  it('an empty key name', async () => {
    const { browser, csrf, email } = await signedIn();
    const response = await browser.request('/dashboard/keys', { method: 'POST', form: { name: '  ', csrf } });
    expect(await response.text()).toContain('Key name must not be empty.');
    expect(await env.DB.prepare('SELECT COUNT(*) AS n FROM api_keys k JOIN accounts a ON a.id = k.account_id WHERE a.email = ?').bind(email).first()).toEqual({ n: 0 });
  });

  it('a missing or wrong CSRF token, on every form', async () => {
    const { browser, email } = await signedIn();
    for (const [path, form] of [
      ['/dashboard/keys', { name: 'x' }],
      ['/dashboard/recharge', { amount: '20' }],
      ['/dashboard/byok', { provider: 'deepseek', api_key: 'sk-some-key-12345' }],
    ] as const) {
      const response = await browser.request(path, { method: 'POST', form: { ...form, csrf: 'wrong' } });
      expect(response.status).toBe(403);
      expect(await response.text()).toContain('This form expired or did not come from this site.');
    }
    const fresh = new Browser();
    const refused = await fresh.request('/auth/signup', { method: 'POST', form: { email: `csrf-${crypto.randomUUID()}@example.com` } });
    expect(refused.status).toBe(403);
    const counts = await env.DB.prepare(
      'SELECT (SELECT COUNT(*) FROM api_keys k JOIN accounts a ON a.id = k.account_id WHERE a.email = ?1) AS keys, (SELECT COUNT(*) FROM recharges r JOIN accounts a ON a.id = r.account_id WHERE a.email = ?1) AS recharges',
    )
      .bind(email)
      .first();
    expect(counts).toEqual({ keys: 0, recharges: 0 });
  });

  it('a provider key that does not look like one', async () => {
    const { browser, csrf } = await signedIn();
    const response = await browser.request('/dashboard/byok', { method: 'POST', form: { provider: 'deepseek', api_key: 'not-a-deepseek-key', csrf } });
    expect(await response.text()).toContain('api_key does not look like a deepseek key (sk-…).');
  });
});

describe('pages', () => {
  it('send security headers: a CSP without inline script, no framing, a referrer policy', async () => {
    const response = await SELF.fetch(`${BASE}/`);
    expect(response.headers.get('Content-Security-Policy')).toBe(
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self' https://checkout.stripe.com; frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
    );
    expect(response.headers.get('Referrer-Policy')).toBe('strict-origin-when-cross-origin');
    expect(response.headers.get('X-Frame-Options')).toBe('DENY');
    const html = await response.text();
    expect(html).not.toMatch(/<script>(?!<\/script>)|<script(?![^>]*src=)[^>]*>[^<]/);
    expect(html).not.toMatch(/ style="/);
  });

  it('price every catalog model on the home page and the docs, from the catalog', async () => {
    const home = await (await SELF.fetch(`${BASE}/`)).text();
    const docs = await (await SELF.fetch(`${BASE}/docs`)).text();
    for (const page of [home, docs]) {
      // qwen-max: $1.60 in, $6.40 out; with the 5.5% fee, $1.688 / $6.752. deepseek-chat's cached input is $0.0028, as the catalog has it.
      expect(page).toMatch(/<td>qwen-max<\/td><td>qwen<\/td><td class="num">\$1\.60<\/td><td class="num">\$6\.40<\/td>/);
      expect(page).toMatch(/<td>deepseek-chat<\/td><td>deepseek<\/td><td class="num">\$0\.14<\/td><td class="num">\$0\.28<\/td><td class="num">\$0\.0028<\/td>/);
      expect(page).toContain('$1.688 / $6.752');
    }
  });

  it('tell on the docs page how charges, pending charges, uncollected costs and disputes look', async () => {
    const docs = await (await SELF.fetch(`${BASE}/docs`)).text();
    for (const term of ['X-FindToken-Max-Tokens', 'X-FindToken-Charge: pending', 'charge_pending: true', 'uncollected', 'account_suspended']) expect(docs).toContain(term);
  });

  it('tell on the docs page how a provider key falls back to credits, with a register example', async () => {
    const docs = await (await SELF.fetch(`${BASE}/docs`)).text();
    expect(docs).toContain('X-FindToken-Mode: standard');
    expect(docs).toContain('<code>fallback_reason</code>');
    expect(docs).toContain(`/v1/user/byok/register \\\n  -H &quot;Authorization: Bearer $FINDTOKEN_API_KEY&quot; \\\n  -d &#39;{&quot;provider&quot;:&quot;deepseek&quot;,&quot;api_key&quot;:&quot;sk-…&quot;,&quot;fallback_to_credits&quot;:true}&#39;`);
  });

  it('compute the calculator on the server: standard and BYOK, daily and monthly', async () => {
    const html = await (await SELF.fetch(`${BASE}/?model=glm-4-plus&in=1000&out=1000&rpd=50000`)).text();
    // glm-4-plus: $0.50 + $0.50 per 1M → $0.001 a request, × 1.055, × 50,000 a day.
    expect(html).toContain('<strong id="standard-daily">$52.75</strong>');
    expect(html).toContain('<strong id="standard-monthly">$1,582.50</strong>');
    // 1.5M requests a month, 1M free: 5% of the provider cost of 500,000 requests.
    expect(html).toContain('<strong id="byok-monthly">$25.00</strong>');
  });
});
