/**
 * What bench:scale learns about the billing-log pipeline besides D1's rows: the consumer's one JSON line per
 * invocation (`billing_log.batch`, read off the gateway's log stream) and the batch objects in the archive bucket.
 * Either may be absent (a tree without the pipeline): then the figures are null, shown as n/a.
 */
import type { Miniflare } from 'miniflare';

/** One consumer invocation as its log line tells it. */
interface BatchLine {
  at: number;
  rows: number;
  inserted: number;
  statements: number;
}

/** Collects the consumer's lines from the gateway's log stream (Miniflare's structured logs handler). */
export class ConsumerLines {
  readonly batches: BatchLine[] = [];
  lines = 0;

  /** Give this to Miniflare as `handleStructuredLogs`: each console line of the worker, its objects and its consumer. */
  readonly handle = (log: { timestamp: number; message: string }): void => {
    this.lines++;
    if (!log.message.includes('billing_log.batch')) return;
    for (const text of log.message.split('\n')) {
      try {
        const line = JSON.parse(text) as Record<string, unknown>;
        if (line.event !== 'billing_log.batch' && line.kind !== 'billing_log.batch') continue;
        const at = typeof line.at === 'string' ? Date.parse(line.at) : log.timestamp;
        this.batches.push({ at, rows: Number(line.rows ?? 0), inserted: Number(line.inserted ?? 0), statements: Number(line.statements ?? 0) });
      } catch {
        // Not a JSON line: some other output on the stream.
      }
    }
  };
}

export interface ConsumerFigures {
  invocations: number;
  rows: number;
  inserted: number;
  statements: number;
  /** D1 statements per second over the consumer's active span (first to last invocation). */
  statementsPerSecond: number;
  rowsPerStatement: number;
  activeSeconds: number;
}

export function consumerFigures(lines: ConsumerLines): ConsumerFigures | null {
  const batches = lines.batches;
  if (batches.length === 0) return null;
  const sum = (pick: (b: BatchLine) => number) => batches.reduce((total, b) => total + pick(b), 0);
  const first = batches.reduce((a, b) => Math.min(a, b.at), Infinity);
  const last = batches.reduce((a, b) => Math.max(a, b.at), 0);
  // One invocation, or all within a second: count them over one second, the consumer's batch window.
  const activeSeconds = Math.max(1, (last - first) / 1000);
  const statements = sum((b) => b.statements);
  const inserted = sum((b) => b.inserted);
  return {
    invocations: batches.length,
    rows: sum((b) => b.rows),
    inserted,
    statements,
    statementsPerSecond: statements / activeSeconds,
    rowsPerStatement: statements > 0 ? inserted / statements : 0,
    activeSeconds,
  };
}

export interface ArchiveFigures {
  objects: number;
  bytes: number;
}

/** Every object in the archive bucket (batch objects, day archives): how many and their bytes; null without the bucket or with none. */
export async function archiveFigures(mf: Miniflare): Promise<ArchiveFigures | null> {
  let bucket;
  try {
    bucket = await mf.getR2Bucket('ARCHIVE');
  } catch {
    return null;
  }
  let objects = 0;
  let bytes = 0;
  let cursor: string | undefined;
  do {
    const page = await bucket.list({ cursor, limit: 1000 });
    objects += page.objects.length;
    bytes += page.objects.reduce((total, object) => total + object.size, 0);
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  return objects === 0 ? null : { objects, bytes };
}
