/** The dashboard's provider keys: the form's fallback_to_credits checkbox, and the table that shows it. */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { accountObject } from '../billing/helpers';
import { signedIn } from './browser';

describe('dashboard provider keys', () => {
  it('stores a key with fallback to credits when the box is ticked, and without it when not, and shows which', async () => {
    const { browser, csrf, email } = await signedIn();
    const added = await browser.request('/dashboard/byok', { method: 'POST', form: { csrf, provider: 'deepseek', api_key: 'sk-dashboard-fallback-01', name: 'falls back', fallback_to_credits: 'on' } });
    expect(added.status).toBe(303);
    await browser.request('/dashboard/byok', { method: 'POST', form: { csrf, provider: 'kimi', api_key: 'sk-dashboard-plain-0001', name: 'plain' } });
    const { id } = (await env.DB.prepare('SELECT id FROM accounts WHERE email = ?').bind(email).first<{ id: string }>())!;
    const stored = (await accountObject(id).byokKeySet()).keys.map((key) => [key.name, key.fallbackToCredits]);
    expect(stored).toEqual([
      ['falls back', true],
      ['plain', false],
    ]);

    const html = await (await browser.request('/dashboard')).text();
    expect(html).toContain('<input type="checkbox" name="fallback_to_credits" value="on"/>');
    const cells = (name: string) => [...(new RegExp(`<tr><td>[a-z]+</td><td>${name}</td>(.*?)</tr>`).exec(html)?.[1] ?? '').matchAll(/<td>([^<]*)<\/td>/g)].map((m) => m[1]);
    expect(cells('falls back').at(-1)).toBe('yes');
    expect(cells('plain').at(-1)).toBe('no');
  });
});
