/**
 * bench:scale reads back what reached D1, through the gateway's own local D1 (Miniflare's binding from Node):
 * no second handle on the SQLite file the running gateway writes. Columns the pipeline may not fill yet
 * (batch_id, ingested_at) are read as they are; what they do not show is reported as absent, never guessed.
 */
import type { Miniflare } from 'miniflare';
import { percentile } from './stats.ts';
import type { SentRequest } from './scale-load.ts';

/** The little of D1's binding this file uses. */
interface Statement {
  bind(...values: unknown[]): Statement;
  all<T>(): Promise<{ results: T[]; meta: { size_after?: number } }>;
}
interface Database {
  prepare(sql: string): Statement;
}

export const d1Of = async (mf: Miniflare): Promise<Database> => (await mf.getD1Database('DB')) as unknown as Database;

/** D1's file size in bytes, as its last query reports it (null: the binding did not say). */
export async function d1SizeBytes(db: Database): Promise<number | null> {
  const { meta } = await db.prepare('SELECT 1').all();
  return typeof meta.size_after === 'number' ? meta.size_after : null;
}

const countRows = async (db: Database): Promise<number> =>
  (await db.prepare('SELECT count(*) AS n FROM billing_logs').all<{ n: number }>()).results[0]?.n ?? 0;

/**
 * Polls until D1 holds at least `expected` billing logs or `timeoutMs` passes; returns the time it took (ms)
 * and whether it drained. The gateway's D1 holds only this run's rows.
 */
export async function waitForRows(db: Database, expected: number, timeoutMs: number, onProgress: (rows: number) => void): Promise<{ drained: boolean; waitedMs: number }> {
  const start = Date.now();
  let lastReported = -1;
  for (;;) {
    const rows = await countRows(db);
    if (rows !== lastReported) onProgress((lastReported = rows));
    if (rows >= expected) return { drained: true, waitedMs: Date.now() - start };
    if (Date.now() - start > timeoutMs) return { drained: false, waitedMs: Date.now() - start };
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}

interface StoredRow {
  request_id: string;
  account_id: string;
  ingested_at: number | null;
  batch_id: string | null;
}

/** Every billing log's request id, account, ingestion time and batch, read by rowid pages (bounded results). */
async function storedRows(db: Database): Promise<StoredRow[]> {
  const out: StoredRow[] = [];
  let after = 0;
  for (;;) {
    const { results } = await db
      .prepare('SELECT rowid AS rid, request_id, account_id, ingested_at, batch_id FROM billing_logs WHERE rowid > ? ORDER BY rowid LIMIT 10000')
      .bind(after)
      .all<StoredRow & { rid: number }>();
    out.push(...results);
    if (results.length < 10_000) return out;
    after = results.at(-1)!.rid;
  }
}

/** Exactly-once, as D1 shows it after the drain. */
export interface ExactlyOnce {
  /** Answered with 200, and so owed one billing log each. */
  ok200: number;
  rows: number;
  distinctRequestIds: number;
  /** 200s whose id is not in D1, ids in D1 more than once, rows whose id no request of this run was answered with. */
  missing: number;
  duplicated: number;
  orphans: number;
  /** Σ rows over billing_log_batches, and whether it equals the rows; null when no row carries a batch (no pipeline). */
  batchRowsSum: number | null;
  batchRowsMatch: boolean | null;
  holds: boolean;
}

export interface D1Figures {
  exactlyOnce: ExactlyOnce;
  /** Response end → ingested_at, ms; null when D1 leaves ingested_at empty. */
  lagP50Ms: number | null;
  lagP99Ms: number | null;
  lagMaxMs: number | null;
  /** Rows per account: the busiest account's, for the largest-object figure. */
  busiestAccount: { accountId: string; rows: number } | null;
}

export async function checkD1(db: Database, requests: readonly SentRequest[]): Promise<D1Figures> {
  const rows = await storedRows(db);
  const ok = requests.filter((request) => request.status === 200);
  const answered = new Set(requests.map((request) => request.requestId).filter((id): id is string => id !== undefined));
  const seen = new Map<string, StoredRow[]>();
  for (const row of rows) seen.set(row.request_id, [...(seen.get(row.request_id) ?? []), row]);
  const missing = ok.filter((request) => request.requestId === undefined || !seen.has(request.requestId)).length;
  const duplicated = [...seen.values()].filter((copies) => copies.length > 1).length;
  const orphans = rows.filter((row) => !answered.has(row.request_id)).length;

  const withBatch = rows.filter((row) => row.batch_id !== null).length;
  let batchRowsSum: number | null = null;
  let batchRowsMatch: boolean | null = null;
  if (withBatch > 0) {
    batchRowsSum = (await db.prepare('SELECT coalesce(sum(rows), 0) AS n FROM billing_log_batches').all<{ n: number }>()).results[0]?.n ?? 0;
    batchRowsMatch = batchRowsSum === rows.length && withBatch === rows.length;
  }

  const lags: number[] = [];
  for (const request of ok) {
    const row = request.requestId === undefined ? undefined : seen.get(request.requestId)?.[0];
    if (row?.ingested_at != null) lags.push(row.ingested_at - request.endedAt);
  }
  const perAccount = new Map<string, number>();
  for (const row of rows) perAccount.set(row.account_id, (perAccount.get(row.account_id) ?? 0) + 1);
  const busiest = [...perAccount.entries()].sort((a, b) => b[1] - a[1])[0];

  return {
    exactlyOnce: {
      ok200: ok.length,
      rows: rows.length,
      distinctRequestIds: seen.size,
      missing,
      duplicated,
      orphans,
      batchRowsSum,
      batchRowsMatch,
      holds: missing === 0 && duplicated === 0 && orphans === 0 && batchRowsMatch !== false,
    },
    lagP50Ms: lags.length ? percentile(lags, 50) : null,
    lagP99Ms: lags.length ? percentile(lags, 99) : null,
    lagMaxMs: lags.length ? lags.reduce((a, b) => Math.max(a, b)) : null,
    busiestAccount: busiest ? { accountId: busiest[0], rows: busiest[1] } : null,
  };
}
