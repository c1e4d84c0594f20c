import { createExecutionContext, createMessageBatch, env, getQueueResult } from 'cloudflare:test';
import worker from '../../../src/index';
import type { Env } from '../../../src/env';
import { beforeAll, describe, expect, it } from 'vitest';
import { EXPORT_MAX_ATTEMPTS, runExportMessage, type ExportJobDeps } from '../../../src/billing/export-job';
import { EXPORT_STALL_MS, EXPORT_TTL_MS, failStalledExports, openExport, readExport, sweepExpiredExports, type ExportMessage } from '../../../src/billing/export-store';
import { createAccountWithKey, type TestAccount } from '../helpers';
import { BULK_START, capturingQueue, insertBulk, insertRollup, logRecord, insertD1Logs, request, textOf } from './export-helpers';

const RANGE_QUERY = `format=ndjson&from=${BULK_START}&to=${BULK_START + 24 * 60 * 60_000}`;

/** A bucket whose multipart uploads refuse every part: a part upload that fails. */
function failingParts(bucket: R2Bucket): R2Bucket {
  const failing = (upload: R2MultipartUpload): R2MultipartUpload => ({
    key: upload.key,
    uploadId: upload.uploadId,
    uploadPart: async () => Promise.reject(new Error('part upload failed')),
    abort: () => upload.abort(),
    complete: (parts) => upload.complete(parts),
  });
  return Object.assign(Object.create(bucket) as R2Bucket, {
    get: bucket.get.bind(bucket),
    head: bucket.head.bind(bucket),
    put: bucket.put.bind(bucket),
    createMultipartUpload: async (key: string) => failing(await bucket.createMultipartUpload(key)),
    resumeMultipartUpload: (key: string, id: string) => failing(bucket.resumeMultipartUpload(key, id)),
  });
}

describe('an export job under failure', () => {
  let account: TestAccount;
  let inline: string;
  const { sent, queue } = capturingQueue();
  const deps = (bucket: R2Bucket = env.ARCHIVE): ExportJobDeps => ({ db: env.DB, bucket, queue, budget: { rows: 1, ms: 60_000 } });
  const open = async () => {
    const opened = await openExport(env.DB, { accountId: account.accountId, from: BULK_START, to: BULK_START + 24 * 60 * 60_000 }, 'ndjson', Date.now());
    if (!opened.ok) throw new Error('not opened');
    return opened.row;
  };

  beforeAll(async () => {
    account = await createAccountWithKey(0);
    await insertBulk(account.accountId);
    inline = await textOf(await request(account.key, `/v1/user/billing-logs/export?${RANGE_QUERY}`, { EXPORT_INLINE_MAX_ROWS: '1000000' }));
  }, 60_000);

  it('resends the next step when a step is delivered again after its place was saved (the send may have been lost)', async () => {
    const row = await open();
    sent.length = 0;
    expect(await runExportMessage(deps(), { exportId: row.id, step: 0 }, 1)).toBe('continued');
    const saved = (await readExport(env.DB, row.id))?.progress;
    expect(await runExportMessage(deps(), { exportId: row.id, step: 0 }, 2)).toBe('continued');
    expect(sent).toEqual([{ exportId: row.id, step: 1 }, { exportId: row.id, step: 1 }]);
    expect((await readExport(env.DB, row.id))?.progress).toBe(saved);
    expect(await runExportMessage(deps(), { exportId: row.id, step: 1 }, 1)).toBe('ready');
    expect(await runExportMessage(deps(), { exportId: row.id, step: 1 }, 1)).toBe('ignored');
    expect(await textOf(await request(account.key, `/v1/user/billing-logs/exports/${row.id}/download`, {}))).toBe(inline);
  });

  it('keeps its place when a part upload fails, and a retry finishes it with the same bytes', async () => {
    const row = await open();
    sent.length = 0;
    expect(await runExportMessage(deps(), { exportId: row.id, step: 0 }, 1)).toBe('continued');
    const saved = (await readExport(env.DB, row.id))?.progress;
    await expect(runExportMessage(deps(failingParts(env.ARCHIVE)), { exportId: row.id, step: 1 }, 1)).rejects.toThrow('part upload failed');
    expect(await readExport(env.DB, row.id)).toMatchObject({ status: 'building', progress: saved });
    expect(await runExportMessage(deps(), { exportId: row.id, step: 1 }, 2)).toBe('ready');
    expect(await textOf(await request(account.key, `/v1/user/billing-logs/exports/${row.id}/download`, {}))).toBe(inline);
  });

  it('is marked failed when the last attempt fails, and later messages do nothing', async () => {
    const row = await open();
    await expect(runExportMessage(deps(failingParts(env.ARCHIVE)), { exportId: row.id, step: 0 }, EXPORT_MAX_ATTEMPTS - 1)).rejects.toThrow('part upload failed');
    expect(await runExportMessage(deps(failingParts(env.ARCHIVE)), { exportId: row.id, step: 0 }, EXPORT_MAX_ATTEMPTS)).toBe('ignored');
    const status = await (await request(account.key, `/v1/user/billing-logs/exports/${row.id}`, {})).json<Record<string, unknown>>();
    expect(status).toMatchObject({ status: 'failed', error: 'The export could not be built; start it again.', download_url: null });
    expect(await runExportMessage(deps(), { exportId: row.id, step: 0 }, 1)).toBe('ignored');
  });
});

describe('exports built by a job: limits and expiry', () => {
  it('refuses a fourth export while three are being built, with 429 too_many_exports', async () => {
    const account = await createAccountWithKey(0);
    await insertRollup(account.accountId, '2026-08-01', 'deepseek-chat', { requests: 50, cost: 0 });
    const { queue } = capturingQueue();
    const ask = () => request(account.key, '/v1/user/billing-logs/export?from=2026-08-01T00:00:00Z&to=2026-08-02T00:00:00Z', { EXPORTS: queue, EXPORT_INLINE_MAX_ROWS: '10' });
    expect([(await ask()).status, (await ask()).status, (await ask()).status]).toEqual([202, 202, 202]);
    const refused = await ask();
    expect(refused.status).toBe(429);
    expect((await refused.json<{ error: { code: string } }>()).error.code).toBe('too_many_exports');
  });

  it('builds a small CSV job as one object equal to the inline export, linked by path without PUBLIC_URL', async () => {
    const account = await createAccountWithKey(0);
    await insertD1Logs([logRecord(account.accountId, Date.parse('2026-08-03T01:00:00.000Z')), logRecord(account.accountId, Date.parse('2026-08-03T02:00:00.000Z'), { keyName: '+cmd' })]);
    await insertRollup(account.accountId, '2026-08-03', 'deepseek-chat', { requests: 2, cost: 0 });
    const { sent, queue } = capturingQueue();
    const path = '/v1/user/billing-logs/export?from=2026-08-03T00:00:00Z&to=2026-08-04T00:00:00Z&format=csv';
    const accepted = await request(account.key, path, { EXPORTS: queue, EXPORT_INLINE_MAX_ROWS: '1', PUBLIC_URL: '' });
    const { id, url } = await accepted.json<{ id: string; url: string }>();
    expect(url).toBe(`/v1/user/billing-logs/exports/${id}`);
    expect(await runExportMessage({ db: env.DB, bucket: env.ARCHIVE, queue, budget: { rows: 1, ms: 60_000 } }, sent[0]!, 1)).toBe('ready');
    const download = await request(account.key, `/v1/user/billing-logs/exports/${id}/download`, {});
    expect(download.headers.get('Content-Type')).toBe('text/csv; charset=utf-8');
    expect(await textOf(download)).toBe(await textOf(await request(account.key, path, {})));
  });

  it('fails an export left unfinished for a day (its message lost), which frees its slot', async () => {
    const account = await createAccountWithKey(0);
    const range = { accountId: account.accountId, from: 0, to: 1 };
    const now = Date.now();
    const stalled = await openExport(env.DB, range, 'csv', now - EXPORT_STALL_MS);
    const recent = await openExport(env.DB, range, 'csv', now - 1_000);
    if (!stalled.ok || !recent.ok) throw new Error('not opened');
    expect(await failStalledExports(env.DB, now)).toBeGreaterThanOrEqual(1);
    expect(await readExport(env.DB, stalled.row.id)).toMatchObject({ status: 'failed', error: 'The export stopped before it was ready; start it again.' });
    expect(await readExport(env.DB, recent.row.id)).toMatchObject({ status: 'pending' });
  });

  it('deletes an expired export, its object then its row, and keeps one still valid', async () => {
    const account = await createAccountWithKey(0);
    const range = { accountId: account.accountId, from: 0, to: 1 };
    const now = Date.now();
    const old = await openExport(env.DB, range, 'csv', now - EXPORT_TTL_MS - 1);
    const fresh = await openExport(env.DB, range, 'csv', now);
    if (!old.ok || !fresh.ok) throw new Error('not opened');
    await env.ARCHIVE.put(old.row.objectKey!, 'old');
    await env.ARCHIVE.put(fresh.row.objectKey!, 'fresh');
    expect((await request(account.key, `/v1/user/billing-logs/exports/${old.row.id}`, {})).status).toBe(404);
    expect(await sweepExpiredExports(env.DB, env.ARCHIVE, now)).toBeGreaterThanOrEqual(1);
    expect(await readExport(env.DB, old.row.id)).toBeUndefined();
    expect(await env.ARCHIVE.head(old.row.objectKey!)).toBeNull();
    expect(await readExport(env.DB, fresh.row.id)).toMatchObject({ status: 'pending' });
    expect(await (await env.ARCHIVE.get(fresh.row.objectKey!))?.text()).toBe('fresh');
  });
});

describe('the EXPORTS queue', () => {
  it('hands a batch of the exports queue to the export job, which acknowledges the message once the export is ready', async () => {
    const account = await createAccountWithKey(0);
    await insertD1Logs([logRecord(account.accountId, Date.parse('2026-08-07T01:00:00.000Z'))]);
    const opened = await openExport(env.DB, { accountId: account.accountId, from: Date.parse('2026-08-07T00:00:00Z'), to: Date.parse('2026-08-08T00:00:00Z') }, 'ndjson', Date.now());
    if (!opened.ok) throw new Error('not opened');
    const batch = createMessageBatch<ExportMessage>('find-token-exports-production', [{ id: 'm1', timestamp: Date.now(), attempts: 1, body: { exportId: opened.row.id, step: 0 } }]);
    const ctx = createExecutionContext();
    await worker.queue(batch as MessageBatch<unknown>, env as Env);
    ctx.waitUntil(Promise.resolve());
    expect(await getQueueResult(batch, ctx)).toMatchObject({ explicitAcks: ['m1'], retryMessages: [] });
    expect(await readExport(env.DB, opened.row.id)).toMatchObject({ status: 'ready', rows: 1 });
  });
});
