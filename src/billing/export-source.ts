/**
 * Every billing log of an account in a time range, ascending by (created_at, request_id), whatever its
 * age: a day the retention job archived (a `billing_log_archives` row) is read from its R2 object line by
 * line; every other day from D1 in keyset pages. Pages are produced only when asked for (an async
 * generator), so a reader that pulls slowly holds one page, never the range.
 */
import type { BillingLogRow } from '../db/schema';
import type { BillingLogRecord } from './billing-log';
import { ascendingPages, rowOfRecord, type RowKey } from './billing-log-store';
import { DAY_MS, dayStart, utcDay } from '../base/utc-day';

/** Rows per D1 query (and per page of an archive): 100,000 rows are 100 queries. */
export const EXPORT_PAGE_ROWS = 1_000;

export interface ExportRange {
  accountId: string;
  /** Inclusive, Unix ms. */
  from: number;
  /** Inclusive, Unix ms. */
  to: number;
}


export interface ExportSource {
  db: D1Database;
  bucket: R2Bucket;
  pageRows?: number;
}


export const keyOf = (row: BillingLogRow): RowKey => ({ createdAt: row.createdAt, requestId: row.requestId });
export const isAfter = (row: RowKey, after: RowKey | null): boolean =>
  after === null || row.createdAt > after.createdAt || (row.createdAt === after.createdAt && row.requestId > after.requestId);

type Segment = { from: number; to: number } & ({ source: 'd1' } | { source: 'r2'; objectKey: string });

/** The range cut into runs of D1 days and single archived days, in time order. */
export async function planSegments(db: D1Database, range: ExportRange): Promise<Segment[]> {
  const { results } = await db
    .prepare('SELECT day, object_key AS objectKey FROM billing_log_archives WHERE account_id = ? AND day BETWEEN ? AND ? ORDER BY day')
    .bind(range.accountId, utcDay(range.from), utcDay(range.to))
    .all<{ day: string; objectKey: string }>();
  const segments: Segment[] = [];
  let start = range.from;
  for (const archive of results) {
    const from = dayStart(archive.day);
    const to = from + DAY_MS - 1;
    if (from > start) segments.push({ source: 'd1', from: start, to: Math.min(range.to, from - 1) });
    segments.push({ source: 'r2', objectKey: archive.objectKey, from: Math.max(range.from, from), to: Math.min(range.to, to) });
    start = to + 1;
  }
  if (start <= range.to) segments.push({ source: 'd1', from: start, to: range.to });
  return segments;
}

/**
 * The range's rows after `after` (null: from the start), a page at a time. Rows are read when the caller
 * asks for the next page; a missing archive object or a failed query throws from that `next()`.
 */
export async function* exportPages(source: ExportSource, range: ExportRange, after: RowKey | null = null): AsyncGenerator<BillingLogRow[]> {
  const pageRows = source.pageRows ?? EXPORT_PAGE_ROWS;
  for (const segment of await planSegments(source.db, range)) {
    if (after !== null && segment.to < after.createdAt) continue;
    const pages = segment.source === 'd1' ? ascendingPages(source.db, range.accountId, segment, after, pageRows) : archivePages(source.bucket, segment.objectKey, segment, after, pageRows);
    for await (const page of pages) {
      if (page.length > 0) yield page;
    }
  }
}

/** An archive's lines (the shared `BillingLogRecord` format, ordered as the export is), filtered to the segment. */
async function* archivePages(bucket: R2Bucket, objectKey: string, segment: { from: number; to: number }, after: RowKey | null, pageRows: number): AsyncGenerator<BillingLogRow[]> {
  const object = await bucket.get(objectKey);
  if (!object) throw new Error(`archive object ${objectKey} is missing`);
  let page: BillingLogRow[] = [];
  for await (const line of lines(object.body)) {
    const row = rowOfRecord(JSON.parse(line) as BillingLogRecord);
    if (row.createdAt < segment.from || row.createdAt > segment.to || !isAfter(row, after)) continue;
    page.push(row);
    if (page.length >= pageRows) {
      yield page;
      page = [];
    }
  }
  yield page;
}

/** The non-empty lines of a byte stream, read a chunk at a time (a line may span chunks, a character too). */
export async function* lines(body: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let rest = '';
  let finished = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      rest += done ? decoder.decode() : decoder.decode(value, { stream: true });
      const parts = rest.split('\n');
      rest = done ? '' : parts.pop()!;
      for (const part of parts) if (part.trim() !== '') yield part;
      if (done) {
        finished = true;
        return;
      }
    }
  } finally {
    // A reader that stopped early (an error, a cancelled download) lets the object's body go.
    if (!finished) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}
