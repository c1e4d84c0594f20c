/** The dashboard's chart reads the daily rollups; its export form streams a small range and starts a job for a large one. */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { rowOfRecord, toPublicBillingLog } from '../../../src/billing/billing-log-store';
import { runExportMessage } from '../../../src/billing/export-job';
import { capturingQueue, insertD1Logs, insertRollup, logRecord, textOf } from '../billing/export-helpers';
import { signedIn } from './browser';

const DAY = 24 * 60 * 60_000;
const accountIdOf = async (email: string) => (await env.DB.prepare('SELECT id FROM accounts WHERE email = ?').bind(email).first<{ id: string }>())!.id;

describe('the dashboard', () => {
  it('draws the chart from the rollups, and ignores billing logs no rollup counts', async () => {
    const { browser, email } = await signedIn();
    const accountId = await accountIdOf(email);
    const today = new Date().toISOString().slice(0, 10);
    const twoDaysAgo = new Date(Date.now() - 2 * DAY).toISOString().slice(0, 10);
    await insertD1Logs([logRecord(accountId, Date.now() - 1_000, { cost: 50_000_000 })]);
    await insertRollup(accountId, twoDaysAgo, 'glm-4.6', { requests: 3, cost: 20_000_000 });
    const html = await (await browser.request('/dashboard')).text();
    expect(html).toContain('<div class="chart-scale">Highest day: 3 requests</div>');
    expect(html).toContain('<title id="cost-chart-title">Daily cost: $0.20 in the last 30 days</title>');
    expect(html).toContain(`data-day="${twoDaysAgo}" data-model="glm-4.6"`);
    expect(html).not.toContain(`data-day="${today}"`);
  });

  it('has an export form with the CSRF token and the last 30 days filled in', async () => {
    const { dashboard, csrf } = await signedIn();
    const form = /<form method="post" action="\/dashboard\/export"[\s\S]*?<\/form>/.exec(dashboard)?.[0] ?? '';
    expect(form).toContain(`name="csrf" value="${csrf}"`);
    expect(form).toContain(`name="from" required="" value="${new Date(Date.now() - 29 * DAY).toISOString().slice(0, 10)}"`);
    expect(form).toContain(`name="to" required="" value="${new Date().toISOString().slice(0, 10)}"`);
  });

  it('streams a small range as the file, whole UTC days', async () => {
    const { browser, csrf, email } = await signedIn();
    const accountId = await accountIdOf(email);
    const inside = [logRecord(accountId, Date.parse('2026-10-01T00:00:00.000Z')), logRecord(accountId, Date.parse('2026-10-02T23:59:59.999Z'))];
    await insertD1Logs([...inside, logRecord(accountId, Date.parse('2026-10-03T00:00:00.000Z'))]);
    const response = await browser.request('/dashboard/export', { method: 'POST', form: { csrf, from: '2026-10-01', to: '2026-10-02', format: 'ndjson' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('Content-Disposition')).toBe('attachment; filename="billing-logs_2026-10-01T000000Z_2026-10-02T235959Z.ndjson"');
    const lines = (await textOf(response)).split('\n').filter(Boolean).map((line) => JSON.parse(line) as unknown);
    expect(lines).toEqual(inside.map((record) => toPublicBillingLog(rowOfRecord(record))));
  });

  it('starts a job for a large range and shows its page, with the download once ready', async () => {
    const { browser, csrf, email } = await signedIn();
    const accountId = await accountIdOf(email);
    await insertD1Logs([logRecord(accountId, Date.parse('2026-10-05T10:00:00.000Z'))]);
    await insertRollup(accountId, '2026-10-05', 'deepseek-chat', { requests: 200_000, cost: 0 });
    const started = await browser.request('/dashboard/export', { method: 'POST', form: { csrf, from: '2026-10-05', to: '2026-10-05', format: 'csv' } });
    expect(started.status).toBe(303);
    const page = started.headers.get('Location')!;
    expect(page).toMatch(/^\/dashboard\/exports\/exp_[0-9a-f]{32}$/);
    const exportId = page.split('/').at(-1)!;
    // The queue may already have delivered it here; either way the export ends ready, once.
    const { queue } = capturingQueue();
    expect(['ready', 'ignored']).toContain(await runExportMessage({ db: env.DB, bucket: env.ARCHIVE, queue, budget: { rows: 1, ms: 60_000 } }, { exportId, step: 0 }, 1));
    const html = await (await browser.request(page)).text();
    expect(html).toContain('<p id="export-status" data-status="ready">Ready.</p>');
    expect(html).toContain(`href="/dashboard/exports/${exportId}/download"`);
    const download = await browser.request(`/dashboard/exports/${exportId}/download`);
    expect(download.headers.get('Content-Type')).toBe('text/csv; charset=utf-8');
    expect((await textOf(download)).split('\r\n').filter(Boolean)).toHaveLength(2);
  });

  it('answers 429 with the message when three exports are still being built', async () => {
    const { browser, csrf, email } = await signedIn();
    const accountId = await accountIdOf(email);
    const now = Date.now();
    for (const id of ['exp_a', 'exp_b', 'exp_c']) {
      await env.DB.prepare("INSERT INTO billing_log_exports (id, account_id, from_ms, to_ms, format, status, created_at, expires_at) VALUES (?, ?, 0, 1, 'csv', 'pending', ?, ?)")
        .bind(`${id}_${accountId}`, accountId, now, now + DAY)
        .run();
    }
    await insertRollup(accountId, '2026-10-07', 'deepseek-chat', { requests: 200_000, cost: 0 });
    const response = await browser.request('/dashboard/export', { method: 'POST', form: { csrf, from: '2026-10-07', to: '2026-10-07', format: 'csv' } });
    expect(response.status).toBe(429);
    expect(await response.text()).toContain('At most 3 exports may be built at once for an account; wait for one to finish.');
  });

  it("answers 404 for another account's export page and download", async () => {
    const owner = await signedIn();
    const ownerId = await accountIdOf(owner.email);
    await insertRollup(ownerId, '2026-10-06', 'deepseek-chat', { requests: 200_000, cost: 0 });
    const started = await owner.browser.request('/dashboard/export', { method: 'POST', form: { csrf: owner.csrf, from: '2026-10-06', to: '2026-10-06', format: 'csv' } });
    const page = started.headers.get('Location')!;
    const { browser } = await signedIn();
    expect((await browser.request(page)).status).toBe(404);
    expect((await browser.request(`${page}/download`)).status).toBe(404);
  });

  it('refuses the export form without its CSRF token', async () => {
    const { browser } = await signedIn();
    const response = await browser.request('/dashboard/export', { method: 'POST', form: { csrf: 'wrong', from: '2026-10-01', to: '2026-10-02', format: 'csv' } });
    expect(response.status).toBe(403);
  });
});
