/** bench:scale's judgements: exactly-once as D1 shows it, the consumer's log lines, and the blocks it rewrites. */
import { describe, expect, it } from 'vitest';
import { replaceBetween } from '../../../bench/markers.ts';
import { keepScaleSection } from '../../../bench/report-scale.ts';
import { checkD1 } from '../../../bench/scale-d1.ts';
import { ConsumerLines, consumerFigures } from '../../../bench/scale-pipeline.ts';
import type { SentRequest } from '../../../bench/scale-load.ts';

interface Row {
  rid: number;
  request_id: string;
  account_id: string;
  ingested_at: number | null;
  batch_id: string | null;
}

/** D1 as checkD1 reads it: billing_logs by rowid pages, and the sum of billing_log_batches.rows. */
function fakeD1(rows: Array<Omit<Row, 'rid'>>, batchRows = 0) {
  const stored: Row[] = rows.map((row, i) => ({ ...row, rid: i + 1 }));
  return {
    prepare(sql: string) {
      let after = 0;
      const statement = {
        bind(value: unknown) {
          after = Number(value);
          return statement;
        },
        async all<T>() {
          const results = sql.includes('billing_log_batches') ? [{ n: batchRows }] : stored.filter((row) => row.rid > after).slice(0, 10_000);
          return { results: results as T[], meta: {} };
        },
      };
      return statement;
    },
  };
}

const sent = (requestId: string, endedAt: number, status = 200): SentRequest => ({ requestId, status, endedAt });
const row = (requestId: string, ingestedAt: number | null = null, batchId: string | null = null) => ({ request_id: requestId, account_id: 'acct_a', ingested_at: ingestedAt, batch_id: batchId });

describe('bench:scale exactly-once check', () => {
  it('holds when every 200 is in D1 once, and reports no lag or batches when the build fills neither', async () => {
    const figures = await checkD1(fakeD1([row('r1'), row('r2')]), [sent('r1', 1), sent('r2', 2), sent('r3', 3, 429)]);
    expect(figures.exactlyOnce).toEqual({ ok200: 2, rows: 2, distinctRequestIds: 2, missing: 0, duplicated: 0, orphans: 0, batchRowsSum: null, batchRowsMatch: null, holds: true });
    expect([figures.lagP50Ms, figures.lagP99Ms, figures.lagMaxMs]).toEqual([null, null, null]);
    expect(figures.busiestAccount).toEqual({ accountId: 'acct_a', rows: 2 });
  });

  it('fails on a 200 missing from D1, a row twice, and a row no request was answered with', async () => {
    const figures = await checkD1(fakeD1([row('r1'), row('r1'), row('stray')]), [sent('r1', 1), sent('r2', 2)]);
    expect(figures.exactlyOnce).toMatchObject({ ok200: 2, rows: 3, distinctRequestIds: 2, missing: 1, duplicated: 1, orphans: 1, holds: false });
  });

  it('measures the lag from response end to ingestion and checks the batches sum to the rows', async () => {
    const requests = [sent('r1', 1_000), sent('r2', 1_000)];
    const rows = [row('r1', 1_300, 'b1'), row('r2', 2_100, 'b1')];
    const matched = await checkD1(fakeD1(rows, 2), requests);
    expect([matched.lagP50Ms, matched.lagP99Ms, matched.lagMaxMs]).toEqual([300, 1_100, 1_100]);
    expect(matched.exactlyOnce).toMatchObject({ batchRowsSum: 2, batchRowsMatch: true, holds: true });
    const short = await checkD1(fakeD1(rows, 1), requests);
    expect(short.exactlyOnce).toMatchObject({ batchRowsSum: 1, batchRowsMatch: false, holds: false });
  });
});

describe("bench:scale consumer lines", () => {
  it('sums the billing_log.batch lines over their active span and ignores every other line', () => {
    const lines = new ConsumerLines();
    const batch = (at: string, rows: number, statements: number) =>
      JSON.stringify({ level: 'info', kind: 'billing_log.batch', at, rows, inserted: rows, statements });
    lines.handle({ timestamp: 0, message: JSON.stringify({ level: 'info', kind: 'request', at: '2026-12-01T00:00:00.000Z' }) });
    lines.handle({ timestamp: 0, message: batch('2026-12-01T00:00:00.000Z', 100, 2) });
    lines.handle({ timestamp: 0, message: batch('2026-12-01T00:00:04.000Z', 300, 6) });
    lines.handle({ timestamp: 0, message: 'billing_log.batch is not JSON here' });
    expect(lines.lines).toBe(4);
    expect(consumerFigures(lines)).toEqual({ invocations: 2, rows: 400, inserted: 400, statements: 8, statementsPerSecond: 2, rowsPerStatement: 50, activeSeconds: 4 });
  });

  it('has no figures when no consumer line came (a build without the queue pipeline)', () => {
    expect(consumerFigures(new ConsumerLines())).toBeNull();
  });
});

describe('bench:scale report blocks', () => {
  it('replaces only what lies between the markers, and appends them to RESULTS.md when absent', () => {
    expect(replaceBetween('a\n<!-- s -->\nold\n<!-- e -->\nb\n', '<!-- s -->', '<!-- e -->', 'new', false)).toBe('a\n<!-- s -->\nnew\n<!-- e -->\nb\n');
    expect(replaceBetween('readme\n', '<!-- s -->', '<!-- e -->', 'new', false)).toBe('readme\n');
    expect(replaceBetween('results\n', '<!-- s -->', '<!-- e -->', 'new', true)).toBe('results\n\n<!-- s -->\nnew\n<!-- e -->\n');
  });

  it("keeps the scale section when npm run bench rewrites RESULTS.md", () => {
    const previous = '# old tables\n\n<!-- scale:start -->\n## Billing logs at scale\n<!-- scale:end -->\n';
    expect(keepScaleSection(previous, '# new tables\n')).toBe('# new tables\n\n<!-- scale:start -->\n## Billing logs at scale\n<!-- scale:end -->\n');
    expect(keepScaleSection('# old tables\n', '# new tables\n')).toBe('# new tables\n');
  });
});
