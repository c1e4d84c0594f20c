/** Money on the pages reads as money ("$1.60", "$0.000296"), while the API keeps its own format ("1.6"). */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { adminRequest } from '../helpers';
import { signedIn } from './browser';
import { insertRollup } from '../billing/export-helpers';

const accountIdOf = async (email: string) => (await env.DB.prepare('SELECT id FROM accounts WHERE email = ?').bind(email).first<{ id: string }>())!.id;

/** A billing log row as the account object writes it, with only what the page shows chosen here. */
async function insertLog(accountId: string, requestId: string, cost: number, createdAt: number): Promise<void> {
  await env.DB.prepare(
    `INSERT INTO billing_logs (id, request_id, account_id, created_at, model, provider, mode, routing, prompt_tokens, cached_tokens, completion_tokens,
       reasoning_tokens, cost, uncollected, provider_cost, estimated, status, latency_ms, stream)
     VALUES (?, ?, ?, ?, 'deepseek-chat', 'deepseek', 'standard', 'auto', 1000, 0, 500, 0, ?, 0, ?, 0, 'succeeded', 120, 0)`,
  )
    .bind(crypto.randomUUID(), requestId, accountId, createdAt, cost, cost)
    .run();
}

describe('money on the dashboard', () => {
  it('shows the balance with 2 decimals, where the API says 1.6 and 8.862', async () => {
    const { browser, email } = await signedIn();
    const accountId = await accountIdOf(email);
    const credited = await (await adminRequest('POST', `/accounts/${accountId}/credits`, { amount: 1.6, reason: 'test' })).json<{ balance: number }>();
    expect(credited.balance).toBe(1.6);
    expect(await (await browser.request('/dashboard')).text()).toContain('<p class="balance" id="balance">$1.60</p>');
    await adminRequest('POST', `/accounts/${accountId}/credits`, { amount: '7.262', reason: 'test' });
    const html = await (await browser.request('/dashboard')).text();
    expect(html).toContain('<p class="balance" id="balance">$8.86</p>');
    expect(html).toContain('$0.00 held for requests in flight');
  });

  it("shows each request's cost to 6 decimals, never $0.00 when it is not zero, and the chart's totals", async () => {
    const { browser, email } = await signedIn();
    const accountId = await accountIdOf(email);
    const now = Date.now();
    const costs: Array<[string, number]> = [
      ['req-cost-296', 29_600],
      ['req-cost-dime', 10_000_000],
      ['req-cost-tiny', 1],
      ['req-cost-free', 0],
    ];
    for (const [i, [requestId, cost]] of costs.entries()) await insertLog(accountId, `${requestId}-${accountId}`, cost, now - i);
    // The chart reads the day's rollup, which the billing-log consumer keeps with the rows.
    await insertRollup(accountId, new Date(now).toISOString().slice(0, 10), 'deepseek-chat', { requests: 4, cost: 10_029_601 });
    const html = await (await browser.request('/dashboard')).text();
    const costOf = (requestId: string) => new RegExp(`<code>${requestId}-${accountId}</code>.*?<td class="num">([^<]*)</td><td>succeeded</td>`).exec(html)?.[1];
    expect(costOf('req-cost-296')).toBe('$0.000296');
    expect(costOf('req-cost-dime')).toBe('$0.10');
    expect(costOf('req-cost-tiny')).toBe('&lt;$0.000001');
    expect(costOf('req-cost-free')).toBe('$0.00');
    // The day's total: $0.10029601, a balance-like $0.10; 4 requests.
    expect(html).toContain('<div class="chart-scale">Highest day: $0.10</div>');
    expect(html).toContain('<div class="chart-scale">Highest day: 4 requests</div>');
    expect(html).toContain('<title id="cost-chart-title">Daily cost: $0.10 in the last 30 days</title>');
  });

  it('shows recharges and refunds with 2 decimals', async () => {
    const { browser, email } = await signedIn();
    const accountId = await accountIdOf(email);
    await env.DB.prepare(
      `INSERT INTO recharges (id, account_id, amount, status, created_at, paid_at, refunded_amount, success_url, cancel_url)
       VALUES (?, ?, 1250000000, 'partially_refunded', ?, ?, 250000000, 'https://find-token.test/dashboard', 'https://find-token.test/dashboard')`,
    )
      .bind(crypto.randomUUID(), accountId, Date.UTC(2026, 0, 2), Date.UTC(2026, 0, 2))
      .run();
    const html = await (await browser.request('/dashboard')).text();
    expect(html).toContain(
      '<td>2026-01-02 00:00</td><td class="num">$12.50</td><td>partially_refunded</td><td>2026-01-02 00:00</td><td class="num">$2.50</td>',
    );
  });
});
