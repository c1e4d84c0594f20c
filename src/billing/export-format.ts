/**
 * How an export writes billing logs: NDJSON (one public billing log per line, the object
 * GET /v1/user/billing-logs/{id} returns) or CSV (RFC 4180, a header row of the same fields with the
 * nested key flattened, text cells guarded against formula injection).
 */
import type { BillingLogRow } from '../db/schema';
import { toPublicBillingLog } from './billing-log-store';

export type ExportFormat = 'csv' | 'ndjson';
export const EXPORT_FORMATS = ['csv', 'ndjson'] as const;

type PublicLog = ReturnType<typeof toPublicBillingLog>;
type Flat = Omit<PublicLog, 'key'> & { key_id: string | null; key_name: string | null; key_prefix: string | null };

export const CSV_COLUMNS = [
  'id',
  'request_id',
  'created_at',
  'model',
  'provider',
  'mode',
  'routing',
  'prompt_tokens',
  'cached_tokens',
  'completion_tokens',
  'reasoning_tokens',
  'total_tokens',
  'cost',
  'uncollected',
  'provider_cost',
  'estimated',
  'status',
  'latency_ms',
  'stream',
  'fallback_reason',
  'key_id',
  'key_name',
  'key_prefix',
] as const satisfies readonly (keyof Flat)[];

export const CONTENT_TYPES: Record<ExportFormat, string> = { csv: 'text/csv; charset=utf-8', ndjson: 'application/x-ndjson' };

/** A spreadsheet runs a cell starting with one of these as a formula (OWASP "CSV injection"). */
const FORMULA_START = /^[=+\-@\t\r]/;

/** One CSV cell: text guarded against formulas, then quoted when it holds a comma, a quote or a line break. */
export function csvCell(value: string | number | boolean | null): string {
  if (value === null) return '';
  if (typeof value !== 'string') return String(value);
  const guarded = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(guarded) ? `"${guarded.replaceAll('"', '""')}"` : guarded;
}

export const csvHeader = (): string => `${CSV_COLUMNS.join(',')}\r\n`;

function flatten(log: PublicLog): Flat {
  const { key, ...rest } = log;
  return { ...rest, key_id: key?.id ?? null, key_name: key?.name ?? null, key_prefix: key?.prefix ?? null };
}

/** The bytes one row adds to an export, in its format (CSV lines end with CRLF, as RFC 4180 says). */
export function encodeRow(row: BillingLogRow, format: ExportFormat): string {
  const log = toPublicBillingLog(row);
  if (format === 'ndjson') return `${JSON.stringify(log)}\n`;
  const flat = flatten(log);
  return `${CSV_COLUMNS.map((column) => csvCell(flat[column])).join(',')}\r\n`;
}

/** What an export starts with: CSV's header row; NDJSON has none. */
export const exportPreamble = (format: ExportFormat): string => (format === 'csv' ? csvHeader() : '');

/**
 * The last line of an export that failed after its status was sent: NDJSON gets an error object, CSV a
 * line whose first cell says so (a reader comparing columns sees it is not a row).
 */
export function errorTrailer(format: ExportFormat, error: { message: string; type: string; code: string }): string {
  if (format === 'ndjson') return `${JSON.stringify({ error: { message: error.message, type: error.type, param: null, code: error.code } })}\n`;
  return `${['#error', error.code, error.message].map(csvCell).join(',')}\r\n`;
}

/** `billing-logs_2026-01-01T000000Z_2026-02-01T000000Z.csv`: the range in the name, safe in any file system. */
export function exportFilename(fromMs: number, toMs: number, format: ExportFormat): string {
  const stamp = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z').replaceAll(':', '');
  return `billing-logs_${stamp(fromMs)}_${stamp(toMs)}.${format}`;
}
