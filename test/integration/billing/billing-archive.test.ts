/** The R2 side of retention: archives streamed in parts and read back, and the pipeline's batch objects and rollups bounded. */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { PART_BYTES, readArchiveFacts, writeArchive } from '../../../src/billing/billing-archive';
import { pruneBatches, pruneRollups } from '../../../src/billing/prune-pipeline';
import { randomHex } from '../../../src/base/ids';

async function* linePages(pages: number, linesPerPage: number, width: number): AsyncGenerator<string> {
  for (let page = 0; page < pages; page++) yield Array.from({ length: linesPerPage }, (_, i) => `${JSON.stringify({ page, i, pad: 'x'.repeat(width) })}\n`).join('');
}

const sha256Hex = async (bytes: BufferSource): Promise<string> =>
  [...new Uint8Array(await crypto.subtle.digest('SHA-256', bytes))].map((byte) => byte.toString(16).padStart(2, '0')).join('');

describe('billing archive objects', () => {
  it('writes a day larger than a part as a multipart upload whose read-back matches what was written', async () => {
    const key = `test/${randomHex(6)}.ndjson`;
    // 12 pages of 1,000 lines of ~1 KB: two full 5 MiB parts and a last, shorter one.
    const uploads: string[] = [];
    const counting = new Proxy(env.ARCHIVE, {
      get(target, property) {
        if (property === 'put') return () => Promise.reject(new Error('a day this large is not one put'));
        if (property === 'createMultipartUpload') return (name: string, options?: R2MultipartOptions) => (uploads.push(name), target.createMultipartUpload(name, options));
        const value = Reflect.get(target, property) as unknown;
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
    const wrote = await writeArchive(counting, key, linePages(12, 1_000, 1_000));
    expect(uploads).toEqual([key]);
    const object = await env.ARCHIVE.get(key);
    const bytes = await object!.arrayBuffer();
    expect(bytes.byteLength).toBeGreaterThan(2 * PART_BYTES);
    expect(wrote).toEqual({ rows: 12_000, bytes: bytes.byteLength, sha256: await sha256Hex(bytes) });
    expect(await readArchiveFacts(env.ARCHIVE, key)).toEqual(wrote);
    expect(new TextDecoder().decode(bytes).split('\n')[11_999]).toBe(JSON.stringify({ page: 11, i: 999, pad: 'x'.repeat(1_000) }));
  });

  it('writes a small day as one object', async () => {
    const key = `test/${randomHex(6)}.ndjson`;
    const wrote = await writeArchive(env.ARCHIVE, key, linePages(1, 3, 1));
    const text = await (await env.ARCHIVE.get(key))!.text();
    expect(text.split('\n')).toHaveLength(4);
    expect(wrote).toEqual({ rows: 3, bytes: text.length, sha256: await sha256Hex(new TextEncoder().encode(text)) });
  });

  it('answers undefined for an object that is not there', async () => {
    expect(await readArchiveFacts(env.ARCHIVE, `test/${randomHex(6)}.ndjson`)).toBeUndefined();
  });
});

describe('pipeline pruning', () => {
  const JUNE_15 = Date.UTC(2026, 5, 15);

  it('deletes the batch objects and rows before the cutoff, and keeps the later ones', async () => {
    const old = ['batches/2026-03-01/b1.ndjson', 'batches/2026-03-01/b2.ndjson', 'batches/2026-03-16/b3.ndjson'];
    const kept = ['batches/2026-03-17/b4.ndjson'];
    for (const key of [...old, ...kept]) await env.ARCHIVE.put(key, '{}\n');
    const ids = [randomHex(6), randomHex(6), randomHex(6)];
    const times = [Date.UTC(2026, 2, 1), Date.UTC(2026, 2, 16, 23), Date.UTC(2026, 2, 17)];
    for (const [i, id] of ids.entries()) {
      await env.DB.prepare('INSERT INTO billing_log_batches (id, rows, object_key, created_at, archived_at) VALUES (?, 1, ?, ?, ?)').bind(id, `k${i}`, times[i], times[i]).run();
    }
    const cutoff = Date.UTC(2026, 2, 17);
    expect(await pruneBatches(env.DB, env.ARCHIVE, cutoff, 10)).toEqual({ deleted: 5, done: true });
    // The bucket is shared with the other tests' batches (written today): this test's days only.
    const left = await env.ARCHIVE.list({ prefix: 'batches/2026-03-' });
    expect(left.objects.map((object) => object.key)).toEqual(kept);
    const rows = await env.DB.prepare(`SELECT id FROM billing_log_batches WHERE id IN (?, ?, ?)`).bind(...ids).all();
    expect(rows.results).toEqual([{ id: ids[2] }]);
  });

  it('stops after its pages and goes on from there', async () => {
    await env.ARCHIVE.put('batches/2026-01-01/a.ndjson', '{}\n');
    await env.ARCHIVE.put('batches/2026-01-02/b.ndjson', '{}\n');
    const cutoff = Date.UTC(2026, 0, 10);
    expect(await pruneBatches(env.DB, env.ARCHIVE, cutoff, 1)).toEqual({ deleted: 1, done: false });
    expect(await pruneBatches(env.DB, env.ARCHIVE, cutoff, 10)).toEqual({ deleted: 1, done: true });
    expect((await env.ARCHIVE.list({ prefix: 'batches/2026-01' })).objects).toEqual([]);
  });

  it('deletes rollups older than 400 days and keeps the rest', async () => {
    const accountId = `acct_${randomHex(8)}`;
    const insert = (day: string) =>
      env.DB.prepare(
        "INSERT INTO billing_rollups (account_id, day, model, requests, failed, prompt_tokens, cached_tokens, completion_tokens, reasoning_tokens, cost, uncollected, provider_cost) VALUES (?, ?, 'm', 1, 0, 1, 0, 1, 0, 1, 0, 1)",
      )
        .bind(accountId, day)
        .run();
    // June 15 2026 less 400 days is May 11 2025.
    for (const day of ['2025-05-10', '2025-05-11', '2026-06-14']) await insert(day);
    await pruneRollups(env.DB, JUNE_15, 10);
    const left = await env.DB.prepare('SELECT day FROM billing_rollups WHERE account_id = ? ORDER BY day').bind(accountId).all();
    expect(left.results).toEqual([{ day: '2025-05-11' }, { day: '2026-06-14' }]);
  });
});
