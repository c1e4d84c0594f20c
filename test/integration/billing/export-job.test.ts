import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { runExportMessage, type ExportJobDeps } from '../../../src/billing/export-job';
import { createAccountWithKey, type TestAccount } from '../helpers';
import { BULK_ROWS, capturingQueue, insertBulk, logRecord, request, textOf, writeArchive } from './export-helpers';

const QUERY = `/v1/user/billing-logs/export?format=ndjson&from=2026-06-30T00:00:00Z&to=2026-07-02T00:00:00Z`;

describe('an export too large for one response', () => {
  let account: TestAccount;
  let inline: string;
  let accepted: Response;
  let body: { id: string; object: string; status: string; url: string; download_url: string | null };
  const { sent, queue } = capturingQueue();
  const deps = (): ExportJobDeps => ({ db: env.DB, bucket: env.ARCHIVE, queue, budget: { rows: 1, ms: 60_000 } });
  const outcomes: string[] = [];

  beforeAll(async () => {
    account = await createAccountWithKey(0);
    await writeArchive(account.accountId, '2026-06-30', [logRecord(account.accountId, Date.parse('2026-06-30T10:00:00.000Z')), logRecord(account.accountId, Date.parse('2026-06-30T11:00:00.000Z'))]);
    await insertBulk(account.accountId);
    inline = await textOf(await request(account.key, QUERY, { EXPORT_INLINE_MAX_ROWS: '1000000' }));
    accepted = await request(account.key, QUERY, { EXPORTS: queue, EXPORT_INLINE_MAX_ROWS: '10000' });
    body = await accepted.clone().json();
    // The job, a message at a time, each one part (a budget of 1 row stops at the first part boundary).
    while (sent.length > 0) outcomes.push(await runExportMessage(deps(), sent.shift()!, 1));
  }, 60_000);

  it('answers 202 with a pending export and its status link on PUBLIC_URL', () => {
    expect(accepted.status).toBe(202);
    expect(body).toMatchObject({ object: 'billing_log_export', status: 'pending', url: `${env.PUBLIC_URL}/v1/user/billing-logs/exports/${body.id}`, download_url: null });
    expect(body.id).toMatch(/^exp_[0-9a-f]{32}$/);
  });

  it('is built across two messages: a part, its place saved and the next message sent, then the last part', () => {
    expect(outcomes).toEqual(['continued', 'ready']);
  });

  it('is then ready, and its download is byte for byte what the inline export of the same range gives', async () => {
    const status = await (await request(account.key, `/v1/user/billing-logs/exports/${body.id}`, {})).json<Record<string, unknown>>();
    const bytes = new TextEncoder().encode(inline).length;
    expect(bytes).toBeGreaterThan(5 * 1024 * 1024);
    expect(status).toMatchObject({ status: 'ready', rows: BULK_ROWS + 2, bytes, download_url: `${env.PUBLIC_URL}/v1/user/billing-logs/exports/${body.id}/download` });
    const download = await request(account.key, `/v1/user/billing-logs/exports/${body.id}/download`, {});
    expect(download.status).toBe(200);
    expect(download.headers.get('Content-Disposition')).toBe('attachment; filename="billing-logs_2026-06-30T000000Z_2026-07-02T000000Z.ndjson"');
    expect(await textOf(download)).toBe(inline);
  });

  it('does nothing when a message is delivered again once the export is ready', async () => {
    const before = await env.ARCHIVE.head(`exports/${account.accountId}/${body.id}.ndjson`);
    expect(await runExportMessage(deps(), { exportId: body.id, step: 0 }, 2)).toBe('ignored');
    expect(await runExportMessage(deps(), { exportId: body.id, step: 1 }, 2)).toBe('ignored');
    expect(sent).toEqual([]);
    expect((await env.ARCHIVE.head(`exports/${account.accountId}/${body.id}.ndjson`))?.etag).toBe(before?.etag);
  });

  it("is not found with another account's key", async () => {
    const other = await createAccountWithKey(0);
    for (const path of [`/v1/user/billing-logs/exports/${body.id}`, `/v1/user/billing-logs/exports/${body.id}/download`]) {
      const response = await request(other.key, path, {});
      expect(response.status).toBe(404);
      expect((await response.json<{ error: { code: string } }>()).error.code).toBe('export_not_found');
    }
  });
});
