import { describe, expect, it } from 'vitest';
import { toPublicBillingLog, rowOfRecord } from '../../../src/billing/billing-log-store';
import { CSV_COLUMNS } from '../../../src/billing/export-format';
import { adminRequest, apiRequest, createAccountWithKey } from '../helpers';
import { insertD1Logs, logRecord, sortedRecords, writeArchive } from './export-helpers';

const DAY = 24 * 60 * 60_000;
const at = (iso: string) => Date.parse(iso);
const exportOf = (key: string, query: Record<string, string>) => apiRequest(key, 'GET', `/v1/user/billing-logs/export?${new URLSearchParams(query).toString()}`);
const ndjsonLines = async (response: Response) => (await response.text()).split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as unknown);

/** Two archived days (R2) and two recent days (D1), with rows at the range's edges. */
async function accountWithHistory() {
  const account = await createAccountWithKey(0);
  const id = account.accountId;
  const archivedA = [logRecord(id, at('2026-03-01T00:00:00.000Z')), logRecord(id, at('2026-03-01T12:00:00.000Z')), logRecord(id, at('2026-03-01T12:00:00.000Z'))];
  const archivedB = [logRecord(id, at('2026-03-02T23:59:59.999Z'), { keyId: undefined, keyName: undefined, keyPrefix: undefined, fallbackReason: 'key_refused' })];
  const recent = [logRecord(id, at('2026-03-03T00:00:00.000Z'), { status: 'failed', cost: 0 }), logRecord(id, at('2026-03-04T08:30:00.000Z'), { model: 'glm-4.6', provider: 'zhipu' })];
  await writeArchive(id, '2026-03-01', archivedA);
  await writeArchive(id, '2026-03-02', archivedB);
  await insertD1Logs(recent);
  return { account, all: sortedRecords([...archivedA, ...archivedB, ...recent]) };
}

describe('GET /v1/user/billing-logs/export', () => {
  it('streams archived days from R2 and recent days from D1 as one ascending NDJSON stream, each row once', async () => {
    const { account, all } = await accountWithHistory();
    const response = await exportOf(account.key, { from: '2026-03-01T00:00:00Z', to: '2026-03-05T00:00:00Z', format: 'ndjson' });
    expect(response.status).toBe(200);
    expect(response.headers.get('Content-Type')).toBe('application/x-ndjson');
    expect(response.headers.get('Content-Disposition')).toBe('attachment; filename="billing-logs_2026-03-01T000000Z_2026-03-05T000000Z.ndjson"');
    expect(await ndjsonLines(response)).toEqual(all.map((record) => toPublicBillingLog(rowOfRecord(record))));
  });

  it('answers an archived row exactly as GET /v1/user/billing-logs/{id} would show it', async () => {
    const { account, all } = await accountWithHistory();
    const lines = await ndjsonLines(await exportOf(account.key, { from: '2026-03-02T00:00:00Z', to: '2026-03-02T23:59:59.999Z', format: 'ndjson' }));
    expect(lines).toEqual([{ ...toPublicBillingLog(rowOfRecord(all[3]!)), key: null, fallback_reason: 'key_refused', uncollected: 0 }]);
  });

  it('writes the same rows as CSV: a header of the public fields, then one line per row', async () => {
    const { account, all } = await accountWithHistory();
    const response = await exportOf(account.key, { from: '2026-03-01T00:00:00Z', to: '2026-03-05T00:00:00Z', format: 'csv' });
    expect(response.status).toBe(200);
    expect(response.headers.get('Content-Type')).toBe('text/csv; charset=utf-8');
    const lines = (await response.text()).split('\r\n');
    expect(lines[0]).toBe(CSV_COLUMNS.join(','));
    expect(lines.slice(1, -1).map((line) => line.split(',')[1])).toEqual(all.map((record) => record.requestId));
    expect(lines.at(-1)).toBe('');
    const first = toPublicBillingLog(rowOfRecord(all[0]!));
    expect(lines[1]).toBe(
      [first.id, first.request_id, first.created_at, 'deepseek-chat', 'deepseek', 'standard', 'price', 12, 0, 34, 0, 46, 0.012346, 0, 0.0117, 'false', 'succeeded', 100, 'false', '', first.key!.id, 'test', 'sk-ft_abcd'].join(','),
    );
    // The archived row without a key: empty key cells, its fallback reason.
    const keyless = toPublicBillingLog(rowOfRecord(all[3]!));
    expect(lines[4]).toBe(
      [keyless.id, keyless.request_id, keyless.created_at, 'deepseek-chat', 'deepseek', 'standard', 'price', 12, 0, 34, 0, 46, 0.012346, 0, 0.0117, 'false', 'succeeded', 100, 'false', 'key_refused', '', '', ''].join(','),
    );
  });

  it('filters a range inside one archived day by time, edges included', async () => {
    const { account, all } = await accountWithHistory();
    const lines = await ndjsonLines(await exportOf(account.key, { from: String(at('2026-03-01T12:00:00.000Z')), to: String(at('2026-03-01T12:00:00.000Z')), format: 'ndjson' }));
    expect(lines.map((line) => (line as { request_id: string }).request_id)).toEqual([all[1]!.requestId, all[2]!.requestId]);
  });

  it('quotes CSV cells per RFC 4180 and guards text that a spreadsheet would run as a formula', async () => {
    const account = await createAccountWithKey(0);
    const record = logRecord(account.accountId, at('2026-04-01T00:00:00.000Z'), { keyName: '=HYPERLINK("http://x","a, b")', keyPrefix: '@sum', routing: '-1+1', fallbackReason: 'line\nbreak' });
    await insertD1Logs([record]);
    const text = await (await exportOf(account.key, { from: '2026-04-01T00:00:00Z', to: '2026-04-02T00:00:00Z' })).text();
    const row = text.split('\r\n')[1]!;
    expect(row).toContain(`,'-1+1,`);
    expect(row).toContain(`,"line\nbreak",`);
    expect(row.endsWith(`,"'=HYPERLINK(""http://x"",""a, b"")",'@sum`)).toBe(true);
    expect(row).toContain(',0.012346,');
  });

  it("never includes another account's rows, from D1 or from its archives", async () => {
    const mine = await createAccountWithKey(0);
    const other = await createAccountWithKey(0);
    const own = logRecord(mine.accountId, at('2026-05-02T00:00:00.000Z'));
    await insertD1Logs([own, logRecord(other.accountId, at('2026-05-02T00:00:00.000Z'))]);
    await writeArchive(other.accountId, '2026-05-01', [logRecord(other.accountId, at('2026-05-01T10:00:00.000Z'))]);
    const lines = await ndjsonLines(await exportOf(mine.key, { from: '2026-05-01T00:00:00Z', to: '2026-05-03T00:00:00Z', format: 'ndjson' }));
    expect(lines).toEqual([toPublicBillingLog(rowOfRecord(own))]);
  });

  it('ends the stream with an error line when an archive object is missing, after the rows before it', async () => {
    const account = await createAccountWithKey(0);
    const before = logRecord(account.accountId, at('2026-06-01T00:00:00.000Z'));
    await insertD1Logs([before]);
    await writeArchive(account.accountId, '2026-06-02', [logRecord(account.accountId, at('2026-06-02T01:00:00.000Z'))]);
    const { env } = await import('cloudflare:test');
    await env.ARCHIVE.delete(`accounts/${account.accountId}/2026-06-02.ndjson`);
    const response = await exportOf(account.key, { from: '2026-06-01T00:00:00Z', to: '2026-06-03T00:00:00Z', format: 'ndjson' });
    expect(response.status).toBe(200);
    expect(await ndjsonLines(response)).toEqual([
      toPublicBillingLog(rowOfRecord(before)),
      { error: { message: 'The export stopped before its end: it is incomplete. Retry the same range.', type: 'server_error', param: null, code: 'internal_error' } },
    ]);
  });

  it.each([
    [{ from: '2026-03-02T00:00:00Z', to: '2026-03-01T00:00:00Z' }, 'to'],
    [{ from: new Date(Date.now() + DAY).toISOString() }, 'from'],
    [{ format: 'xlsx' }, 'format'],
    [{ from: 'yesterday' }, 'from'],
    [{ to: 'soon' }, 'to'],
    [{ limit: '5' }, 'limit'],
  ])('answers %o with 400 invalid_value naming %s', async (query, param) => {
    const account = await createAccountWithKey(0);
    const response = await exportOf(account.key, query as Record<string, string>);
    expect(response.status).toBe(400);
    const body = await response.json<{ error: { code: string; param: string } }>();
    expect(body.error.code).toBe('invalid_value');
    expect(body.error.param).toBe(param);
  });

  it('needs a key with the inference scope, on every export path', async () => {
    const account = await createAccountWithKey(0);
    const manage = await (await apiRequest(account.key, 'POST', '/v1/user/keys', { name: 'manage only', scopes: ['manage'] })).json<{ key: string }>();
    for (const path of ['/v1/user/billing-logs/export', '/v1/user/billing-logs/exports/exp_00000000000000000000000000000000', '/v1/user/billing-logs/exports/exp_00000000000000000000000000000000/download']) {
      const response = await apiRequest(manage.key, 'GET', path);
      expect(response.status).toBe(403);
      expect((await response.json<{ error: { code: string } }>()).error.code).toBe('insufficient_scope');
    }
  });

  it("counts in the account's per-minute rate limit like every /v1 request", async () => {
    const account = await createAccountWithKey(0);
    expect((await adminRequest('PATCH', `/accounts/${account.accountId}`, { rate_limit_per_minute: 1 })).status).toBe(200);
    // Not at the very end of a minute: both requests land in one window.
    const left = 60_000 - (Date.now() % 60_000);
    if (left < 5_000) await new Promise((resolve) => setTimeout(resolve, left + 50));
    const first = await exportOf(account.key, { format: 'ndjson' });
    expect(first.status).toBe(200);
    await first.arrayBuffer();
    const second = await exportOf(account.key, { format: 'ndjson' });
    expect(second.status).toBe(429);
    expect((await second.json<{ error: { code: string } }>()).error.code).toBe('rate_limit_exceeded');
  });

  it('defaults to CSV of the last 30 days', async () => {
    const account = await createAccountWithKey(0);
    const inside = logRecord(account.accountId, Date.now() - 29 * DAY);
    await insertD1Logs([inside, logRecord(account.accountId, Date.now() - 31 * DAY)]);
    const response = await exportOf(account.key, {});
    expect(response.headers.get('Content-Type')).toBe('text/csv; charset=utf-8');
    const lines = (await response.text()).split('\r\n').filter((line) => line !== '');
    expect(lines.map((line) => line.split(',')[1])).toEqual(['request_id', inside.requestId]);
  });
});
