import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { exportStream } from '../../../src/billing/export-stream';
import { createAccountWithKey } from '../helpers';
import { insertD1Logs, logRecord, writeArchive } from './export-helpers';

/** D1 and R2 that count what the export asks of them. */
function counting() {
  const counts = { queries: 0, gets: 0 };
  const db = new Proxy(env.DB, {
    get(target, name) {
      if (name === 'prepare') return (query: string) => (counts.queries++, target.prepare(query));
      const value = Reflect.get(target, name) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  const bucket = new Proxy(env.ARCHIVE, {
    get(target, name) {
      if (name === 'get') return (key: string) => (counts.gets++, target.get(key));
      const value = Reflect.get(target, name) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { counts, db, bucket };
}

const pause = () => new Promise((resolve) => setTimeout(resolve, 30));

describe('an export stream', () => {
  it('reads one page per pull and nothing ahead of a slow reader, from D1 then from R2', async () => {
    const account = await createAccountWithKey(0);
    const id = account.accountId;
    await insertD1Logs([0, 1, 2, 3, 4].map((i) => logRecord(id, Date.parse('2026-09-01T00:00:00.000Z') + i)));
    await writeArchive(id, '2026-08-31', [0, 1, 2, 3].map((i) => logRecord(id, Date.parse('2026-08-31T00:00:00.000Z') + i)));
    const { counts, db, bucket } = counting();
    const reader = exportStream({ db, bucket, pageRows: 2 }, { accountId: id, from: Date.parse('2026-08-31T00:00:00Z'), to: Date.parse('2026-09-02T00:00:00Z') }, 'ndjson').getReader();
    await pause();
    expect(counts).toEqual({ queries: 0, gets: 0 });

    const linesOf = (chunk: Uint8Array | undefined) => new TextDecoder().decode(chunk).split('\n').filter(Boolean).length;
    const seen: Array<{ lines: number; queries: number; gets: number }> = [];
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      await pause();
      seen.push({ lines: linesOf(value), ...counts });
    }
    // The archived day (one object, read as its pages are asked for), then D1: the plan, then a query per page.
    expect(seen).toEqual([
      { lines: 2, queries: 1, gets: 1 },
      { lines: 2, queries: 1, gets: 1 },
      { lines: 2, queries: 2, gets: 1 },
      { lines: 2, queries: 3, gets: 1 },
      { lines: 1, queries: 4, gets: 1 },
    ]);
  });
});
