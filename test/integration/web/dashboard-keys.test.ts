/** The dashboard makes keys with scopes, a spend limit, models and an expiry, and shows each key's rules and spend. */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { signedIn } from './browser';

describe('dashboard keys', () => {
  it('makes a scoped key and lists its scopes, limit and spend, models and expiry', async () => {
    const { browser, csrf, email } = await signedIn();
    const form = { csrf, name: 'ci', scope_inference: 'on', limit_amount: '5', limit_period: 'month', models: 'deepseek-chat, glm-4-plus', expires_at: '2099-01-31' };
    const html = await (await browser.request('/dashboard/keys', { method: 'POST', form })).text();
    expect(html).toContain('Your new key “ci”');
    const row = /<tr><td>ci<\/td>(.*?)<\/tr>/.exec(html)?.[1] ?? '';
    expect(row).toContain('<td>inference</td>');
    expect(row).toContain('<td>$0.00 of $5.00 per month</td>');
    expect(row).toContain('<td>deepseek-chat, glm-4-plus</td>');
    expect(row).toContain('<td>2099-01-31 00:00</td>');
    const stored = await env.DB.prepare('SELECT k.scopes, k.models, k.limit_amount, k.limit_period, k.expires_at, k.parent_id FROM api_keys k JOIN accounts a ON a.id = k.account_id WHERE a.email = ?')
      .bind(email)
      .first();
    expect(stored).toEqual({ scopes: 'inference', models: '["deepseek-chat","glm-4-plus"]', limit_amount: 500_000_000, limit_period: 'month', expires_at: Date.UTC(2099, 0, 31), parent_id: null });
  });

  it.each([
    [{ scope_inference: '', scope_manage: '' }, 'Scopes must name at least one scope.'],
    [{ limit_amount: '-3' }, 'Spend limit must be a dollar amount above 0 and at most 1000000, with at most 8 decimals.'],
    [{ models: 'gpt-5' }, 'Models is not a model in GET /v1/models.'],
    [{ expires_at: '2001-01-01' }, 'expires_at must be in the future.'],
  ])('shows what is wrong with %o and makes no key', async (fields, message) => {
    const { browser, csrf, email } = await signedIn();
    const html = await (await browser.request('/dashboard/keys', { method: 'POST', form: { csrf, name: 'bad', scope_inference: 'on', scope_manage: 'on', ...fields } })).text();
    expect(html).toContain(message);
    expect(await env.DB.prepare('SELECT COUNT(*) AS n FROM api_keys k JOIN accounts a ON a.id = k.account_id WHERE a.email = ?').bind(email).first()).toEqual({ n: 0 });
  });
});
