/**
 * One owner for "export this range": the range's defaults and checks, then either a stream (small
 * enough for one response) or a job (a `billing_log_exports` row and an EXPORTS message). The API route
 * and the dashboard both call it.
 */
import { hashAccountId } from '../base/log';
import type { Config, Env } from '../env';
import type { BillingLogExportRow } from '../db/schema';
import { invalidValue, tooManyExports } from '../errors';
import { CONTENT_TYPES, exportFilename, type ExportFormat } from './export-format';
import { type ExportRange } from './export-source';
import { exportStream } from './export-stream';
import { estimateRows, MAX_PENDING_EXPORTS, openExport } from './export-store';
import { DAY_MS } from '../base/utc-day';

/** Without `from`: this many days before `to`. */
export const DEFAULT_EXPORT_DAYS = 30;

/**
 * The range asked for: `to` defaults to now and is capped at now (nothing later exists yet); `from`
 * defaults to 30 days before `to`. A `from` in the future or a `to` before `from` is a 400 naming it.
 */
export function exportRange(accountId: string, query: { from?: number; to?: number }, now: number): ExportRange {
  if (query.from !== undefined && query.from > now) throw invalidValue('from is in the future: an export covers calls already made.', 'from');
  const to = Math.min(query.to ?? now, now);
  const from = query.from ?? Math.max(0, to - DEFAULT_EXPORT_DAYS * DAY_MS);
  if (query.to !== undefined && query.to < from) throw invalidValue('to is before from.', 'to');
  return { accountId, from, to };
}

export type StartedExport = { kind: 'inline'; body: ReadableStream<Uint8Array>; headers: Record<string, string> } | { kind: 'job'; row: BillingLogExportRow };

/**
 * Streams the range when its estimate is at most EXPORT_INLINE_MAX_ROWS, else opens a job.
 * The limit fits one invocation: a row costs 1/1,000 of a D1 query (pages of 1,000), so 100,000 rows are
 * ~100 of the 1,000 queries an invocation may make; encoding a row takes ~20–50 µs of CPU, so 100,000
 * rows are 2–5 s of the 30 s CPU limit. Both leave a margin of 6× or more for a slow day.
 */
export async function startExport(env: Env, config: Config, range: ExportRange, format: ExportFormat, now: number): Promise<StartedExport> {
  const estimate = await estimateRows(env.DB, range);
  if (estimate <= config.exportInlineMaxRows) {
    return {
      kind: 'inline',
      body: exportStream({ db: env.DB, bucket: env.ARCHIVE }, range, format, { account: hashAccountId(range.accountId) }),
      headers: { 'Content-Type': CONTENT_TYPES[format], 'Content-Disposition': `attachment; filename="${exportFilename(range.from, range.to, format)}"`, 'Cache-Control': 'no-store' },
    };
  }
  const opened = await openExport(env.DB, range, format, now);
  if (!opened.ok) throw tooManyExports(MAX_PENDING_EXPORTS);
  try {
    await env.EXPORTS.send({ exportId: opened.row.id, step: 0 });
  } catch (error) {
    // Without its message the row would wait forever and hold one of the account's slots.
    await env.DB.prepare('DELETE FROM billing_log_exports WHERE id = ?').bind(opened.row.id).run();
    throw error;
  }
  return { kind: 'job', row: opened.row };
}

/** A link to the API: absolute only from PUBLIC_URL, else a path (never built from the request's Host). */
export const apiLink = (config: Config, path: string): string => (config.publicUrl ? `${config.publicUrl.replace(/\/+$/, '')}${path}` : path);

/** An export as GET /v1/user/billing-logs/exports/{id} shows it. */
export function toPublicExport(row: BillingLogExportRow, config: Config) {
  const url = apiLink(config, `/v1/user/billing-logs/exports/${row.id}`);
  return {
    id: row.id,
    object: 'billing_log_export' as const,
    status: row.status,
    format: row.format,
    from: row.fromMs,
    to: row.toMs,
    created_at: row.createdAt,
    finished_at: row.finishedAt,
    expires_at: row.expiresAt,
    rows: row.rows,
    bytes: row.bytes,
    error: row.error,
    url,
    download_url: row.status === 'ready' ? `${url}/download` : null,
  };
}

/** A ready export's file, streamed from R2; undefined when it is not ready or its object is gone. */
export async function exportDownload(bucket: R2Bucket, row: BillingLogExportRow): Promise<Response | undefined> {
  const object = row.status === 'ready' && row.objectKey ? await bucket.get(row.objectKey) : null;
  if (!object) return undefined;
  return new Response(object.body, {
    headers: {
      'Content-Type': CONTENT_TYPES[row.format],
      'Content-Disposition': `attachment; filename="${exportFilename(row.fromMs, row.toMs, row.format)}"`,
      'Content-Length': String(object.size),
      'Cache-Control': 'no-store',
    },
  });
}
