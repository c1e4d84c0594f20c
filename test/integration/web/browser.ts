/** A browser for the web tests: a cookie jar over SELF.fetch, and signing in through the emailed link. */
import { SELF } from 'cloudflare:test';
import { expect } from 'vitest';
import { adminRequest, BASE } from '../helpers';

/** A tiny cookie jar over SELF.fetch, as a browser would keep it. */
export class Browser {
  private cookies = new Map<string, string>();
  /** Each browser comes from its own address (sign-in links are limited per IP). */
  private readonly ip = `203.0.113.${Math.floor(Math.random() * 250) + 1}`;

  /** origin: where requests go (any Host reaches the worker). */
  constructor(private readonly origin = BASE) {}

  async request(path: string, init: RequestInit & { form?: Record<string, string> } = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    headers.set('CF-Connecting-IP', this.ip);
    if (this.cookies.size > 0) headers.set('Cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    let body = init.body;
    if (init.form) {
      headers.set('Content-Type', 'application/x-www-form-urlencoded');
      body = new URLSearchParams(init.form).toString();
    }
    const response = await SELF.fetch(`${this.origin}${path}`, { ...init, headers, body, redirect: 'manual' });
    for (const cookie of response.headers.getSetCookie()) {
      const [pair] = cookie.split(';');
      const [name, value] = pair!.split('=');
      if (value === '' || /max-age=0/i.test(cookie)) this.cookies.delete(name!);
      else this.cookies.set(name!, value!);
    }
    return response;
  }

  /** The CSRF token the page put in its forms. */
  static csrfOf(html: string): string {
    return /name="csrf" value="([0-9a-f]+)"/.exec(html)?.[1] ?? '';
  }
}

export async function outboxLinkFor(email: string): Promise<string | undefined> {
  const { data } = await (await adminRequest('GET', '/outbox')).json<{ data: Array<{ to: string; text: string }> }>();
  return /\/auth\/activate\?token=[0-9a-f]{64}/.exec(data.find((m) => m.to === email)?.text ?? '')?.[0];
}

/** Signs a new address up and in; returns the browser with its session and the dashboard's CSRF token. */
export async function signedIn(email = `web-${crypto.randomUUID()}@example.com`, origin = BASE) {
  const browser = new Browser(origin);
  const home = await (await browser.request('/')).text();
  await browser.request('/auth/signup', { method: 'POST', form: { email, csrf: Browser.csrfOf(home) } });
  const link = (await outboxLinkFor(email))!;
  const confirm = await (await browser.request(link)).text();
  const token = /name="token" value="([0-9a-f]+)"/.exec(confirm)![1]!;
  const activated = await browser.request('/auth/activate', { method: 'POST', form: { token, csrf: Browser.csrfOf(confirm) } });
  expect(activated.status).toBe(303);
  const dashboard = await (await browser.request('/dashboard')).text();
  return { browser, email, csrf: Browser.csrfOf(dashboard), dashboard };
}
