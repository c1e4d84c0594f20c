/** The return URLs of /docs's recharge example redirect to real pages, carrying nothing of the request. */
import { SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { BASE } from '../helpers';

const visit = (path: string) => SELF.fetch(`${BASE}${path}`, { redirect: 'manual' });

describe("the guide's return URLs", () => {
  it('send /my/dashboard to the dashboard', async () => {
    const response = await visit('/my/dashboard');
    expect(response.status).toBe(302);
    expect(response.headers.get('Location')).toBe('/dashboard');
  });

  it('send /my/pricing to the home page’s pricing', async () => {
    const response = await visit('/my/pricing');
    expect(response.status).toBe(302);
    expect(response.headers.get('Location')).toBe('/#pricing');
  });

  it('keep nothing of the request’s query', async () => {
    const response = await visit('/my/dashboard?message=recharge-success&next=https://evil.example');
    expect(response.headers.get('Location')).toBe('/dashboard');
  });

  it('land on a pricing section the home page has', async () => {
    expect(await (await SELF.fetch(`${BASE}/`)).text()).toContain('<section id="pricing" aria-labelledby="pricing-title">');
  });
});
