/** No input gets a 5xx on the web: malformed form bodies and the calculator's extremes. */
import { SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { BASE } from '../helpers';
import { Browser, signedIn } from './browser';

/** [what, headers, body, unreadable: the body cannot be parsed at all (else it parses leniently, and the CSRF check refuses it)]. */
const MALFORMED: Array<[string, Record<string, string>, string, boolean]> = [
  ['multipart without a boundary', { 'Content-Type': 'multipart/form-data' }, 'csrf=x', true],
  ['multipart with a broken body', { 'Content-Type': 'multipart/form-data; boundary=XYZ' }, '--XYZ\r\nContent-Disposition: form-data; name="csrf"\r\n\r\nabc', true],
  ['urlencoded that is not UTF-8', { 'Content-Type': 'application/x-www-form-urlencoded' }, 'csrf=%FF%FE&email=%E0%A4%A', false],
];

describe('malformed form bodies get a 400 page, on every web form', () => {
  const forms = ['/auth/signup', '/auth/activate', '/auth/signout', '/dashboard/recharge', '/dashboard/keys', '/dashboard/keys/key_x/revoke', '/dashboard/byok', '/dashboard/byok/bk_x/delete'];
  for (const [what, headers, body, unreadable] of MALFORMED) {
    it(`${what}`, async () => {
      const { browser } = await signedIn();
      for (const path of forms) {
        const response = await browser.request(path, { method: 'POST', headers, body });
        expect(response.status, `${path}`).toBeLessThan(500);
        if (response.status !== 303) {
          expect(response.status, path).toBeGreaterThanOrEqual(400);
          expect(response.headers.get('Content-Type'), path).toMatch(/^text\/html/);
        }
      }
      const anonymous = new Browser();
      await anonymous.request('/');
      const signup = await anonymous.request('/auth/signup', { method: 'POST', headers, body });
      expect(signup.status).toBe(unreadable ? 400 : 403);
      if (unreadable) expect(await signup.text()).toContain('could not be read');
    });
  }
});

describe('the home calculator', () => {
  it('computes the largest inputs within its own bounds without a RangeError', async () => {
    const response = await SELF.fetch(`${BASE}/?model=qwen-max&in=1000000&out=1000000&rpd=1000000`);
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('<strong id="standard-monthly">$253,200,000.00</strong>');
    const top = await SELF.fetch(`${BASE}/?model=qwen-max&in=1000000&out=1000000&rpd=10000000`);
    expect(top.status).toBe(200);
    // 300M requests, 1M free: 5% of $8 a request ($1.60 + $6.40) on the other 299M.
    expect(await top.text()).toContain('<strong id="byok-monthly">$119,600,000.00</strong>');
  });

  it('says which input is out of bounds instead of silently using the default', async () => {
    for (const [query, text] of [
      ['in=1000001', 'Tokens in per request must be a whole number from 0 to 1,000,000.'],
      ['out=-1', 'Tokens out per request must be a whole number from 0 to 1,000,000.'],
      ['rpd=1e9', 'Requests per day must be a whole number from 0 to 10,000,000.'],
      ['model=no-such-model', 'There is no model no-such-model'],
    ] as const) {
      const response = await SELF.fetch(`${BASE}/?${query}`);
      expect(response.status, query).toBe(400);
      expect(await response.text(), query).toContain(text);
    }
  });
});
