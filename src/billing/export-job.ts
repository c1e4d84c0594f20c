/**
 * Builds an export too large for one response into R2, across as many queue messages as it takes.
 *
 * The export's bytes are deterministic (the same rows, in the same order, encoded the same way), so a
 * message never has to carry bytes over: it writes whole parts of exactly PART_BYTES (R2 wants every part
 * but the last the same size, at least 5 MiB) and, once its budget is spent, saves where the next part
 * begins as (the last row wholly uploaded, how many bytes of the stream after it are uploaded too). The
 * next message re-reads from that row and drops those bytes. Each save is a compare-and-set on the saved
 * progress, whose `step` the message names: a redelivered or duplicate message finds another step and
 * does nothing; a part uploaded twice under the same number replaces itself.
 */
import { logError } from '../base/log';
import { parseConfig, type Env } from '../env';
import { messageOf } from '../errors';
import { encodeRow, exportPreamble } from './export-format';
import { exportPages, keyOf, type ExportSource } from './export-source';
import type { RowKey } from './billing-log-store';
import { readExport, type ExportMessage } from './export-store';
import { PART_BYTES } from './billing-archive';

/** Deliveries of one message before the export is marked failed (wrangler.toml: max_retries 10). */
export const EXPORT_MAX_ATTEMPTS = 11;

export interface ExportProgress {
  step: number;
  /** The last row wholly in uploaded parts (null: none, and the stream restarts with its preamble). */
  after: RowKey | null;
  /** Bytes of the stream restarted after `after` that are already uploaded. */
  skip: number;
  /** Rows up to and including `after`. */
  rows: number;
  uploadId: string | null;
  parts: R2UploadedPart[];
  /** Set just before the upload is completed: what to record once it is. */
  final?: { rows: number; bytes: number };
}

export interface ExportJobDeps extends ExportSource {
  queue: Queue<ExportMessage>;
  /** Per message: stop at the first part boundary after this many rows or this long. */
  budget: { rows: number; ms: number };
  now?: () => number;
}

const START: ExportProgress = { step: 0, after: null, skip: 0, rows: 0, uploadId: null, parts: [] };

/** Handles one message. Throws to have it retried; after its last attempt the export is marked failed. */
export async function runExportMessage(deps: ExportJobDeps, message: ExportMessage, attempts: number): Promise<'ignored' | 'continued' | 'ready'> {
  try {
    return await buildStep(deps, message);
  } catch (error) {
    if (attempts < EXPORT_MAX_ATTEMPTS) throw error;
    logError('export.failed', { exportId: message.exportId, message: 'marked failed after its last attempt', cause: messageOf(error) });
    await deps.db
      .prepare(`UPDATE billing_log_exports SET status = 'failed', error = ?, finished_at = ? WHERE id = ? AND status IN ('pending', 'building')`)
      .bind('The export could not be built; start it again.', (deps.now ?? Date.now)(), message.exportId)
      .run();
    return 'ignored';
  }
}

async function buildStep(deps: ExportJobDeps, message: ExportMessage): Promise<'ignored' | 'continued' | 'ready'> {
  const now = deps.now ?? Date.now;
  const startedAt = now();
  const row = await readExport(deps.db, message.exportId);
  if (!row || row.status === 'ready' || row.status === 'failed' || !row.objectKey) return 'ignored';
  const progress: ExportProgress = row.progress ? (JSON.parse(row.progress) as ExportProgress) : START;
  if (progress.step === message.step + 1) {
    // The step was saved but its successor may not have been sent (a send that threw): send it again.
    await deps.queue.send({ exportId: row.id, step: progress.step });
    return 'continued';
  }
  if (progress.step !== message.step) return 'ignored';
  const objectKey = row.objectKey;
  if (progress.final) return finish(deps, row.id, objectKey, row.progress, progress, progress.final);

  const encoder = new TextEncoder();
  const range = { accountId: row.accountId, from: row.fromMs, to: row.toMs };
  const parts = [...progress.parts];
  let uploadId = progress.uploadId;
  const uploaded = () => parts.length * PART_BYTES;
  // Where the restarted stream begins in the export's bytes, and how far it has come.
  let offset = uploaded() - progress.skip;
  // The pieces (preamble, rows) not yet wholly uploaded: where each begins and the progress to save if a part ends inside it.
  let pieces: { start: number; after: RowKey | null; rows: number }[] = [];
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  let rows = progress.rows;
  let after = progress.after;
  let rowsThisMessage = 0;

  const add = (text: string, key: RowKey | null) => {
    const bytes = encoder.encode(text);
    pieces.push({ start: offset, after, rows });
    const dropped = Math.max(0, Math.min(bytes.length, uploaded() + pendingBytes - offset));
    offset += bytes.length;
    if (key) {
      after = key;
      rows += 1;
    }
    if (dropped < bytes.length) {
      pending.push(bytes.subarray(dropped));
      pendingBytes += bytes.length - dropped;
    }
  };
  const uploadPart = async (bytes: Uint8Array) => {
    const upload = uploadId ? deps.bucket.resumeMultipartUpload(objectKey, uploadId) : await deps.bucket.createMultipartUpload(objectKey);
    uploadId = upload.uploadId;
    parts.push(await upload.uploadPart(parts.length + 1, bytes));
  };
  const takePending = (length: number): Uint8Array => {
    const all = concat(pending, pendingBytes);
    pending = length < all.length ? [all.subarray(length)] : [];
    pendingBytes = all.length - length;
    return all.subarray(0, length);
  };

  if (progress.after === null) add(exportPreamble(row.format), null);
  for await (const page of exportPages(deps, range, progress.after)) {
    for (const log of page) add(encodeRow(log, row.format), keyOf(log));
    rowsThisMessage += page.length;
    while (pendingBytes >= PART_BYTES) {
      await uploadPart(takePending(PART_BYTES));
      const boundary = uploaded();
      const inside = pieces.findLast((piece) => piece.start <= boundary)!;
      pieces = pieces.filter((piece) => piece.start >= inside.start);
      if (rowsThisMessage >= deps.budget.rows || now() - startedAt >= deps.budget.ms) {
        const next: ExportProgress = { step: progress.step + 1, after: inside.after, skip: boundary - inside.start, rows: inside.rows, uploadId, parts: [...parts] };
        if (!(await saveProgress(deps.db, row.id, row.progress, next))) return 'ignored';
        await deps.queue.send({ exportId: row.id, step: next.step });
        return 'continued';
      }
    }
  }
  const total = uploaded() + pendingBytes;
  const final = { rows, bytes: total };
  if (parts.length === 0) {
    // Smaller than one part: a plain object.
    await deps.bucket.put(objectKey, takePending(pendingBytes));
    return finish(deps, row.id, objectKey, row.progress, { ...progress, uploadId: null, parts: [] }, final, true);
  }
  if (pendingBytes > 0) await uploadPart(takePending(pendingBytes));
  const completing: ExportProgress = { ...progress, uploadId, parts, final };
  if (!(await saveProgress(deps.db, row.id, row.progress, completing))) return 'ignored';
  return finish(deps, row.id, objectKey, JSON.stringify(completing), completing, final);
}

/** Completes the upload (unless it already is: a redelivery after the completion) and marks the export ready. */
async function finish(deps: ExportJobDeps, id: string, objectKey: string, saved: string | null, progress: ExportProgress, final: { rows: number; bytes: number }, written = false): Promise<'ignored' | 'ready'> {
  if (!written && progress.uploadId && !(await deps.bucket.head(objectKey))) {
    await deps.bucket.resumeMultipartUpload(objectKey, progress.uploadId).complete(progress.parts);
  }
  const marked = await deps.db
    .prepare(`UPDATE billing_log_exports SET status = 'ready', rows = ?, bytes = ?, finished_at = ?, progress = NULL WHERE id = ? AND status IN ('pending', 'building') AND progress IS ?`)
    .bind(final.rows, final.bytes, (deps.now ?? Date.now)(), id, saved)
    .run();
  return marked.meta.changes === 0 ? 'ignored' : 'ready';
}

async function saveProgress(db: D1Database, id: string, saved: string | null, next: ExportProgress): Promise<boolean> {
  const result = await db
    .prepare(`UPDATE billing_log_exports SET status = 'building', progress = ? WHERE id = ? AND status IN ('pending', 'building') AND progress IS ?`)
    .bind(JSON.stringify(next), id, saved)
    .run();
  return result.meta.changes > 0;
}

function concat(chunks: Uint8Array[], length: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(length);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

/** Budget in ms per message: well inside a queue consumer's 15 minutes of wall time. */
const MESSAGE_BUDGET_MS = 60_000;

/** The EXPORTS queue's consumer: each message builds a step of its export; a step that throws is retried. */
export async function consumeExports(batch: MessageBatch<ExportMessage>, env: Env): Promise<void> {
  const deps: ExportJobDeps = { db: env.DB, bucket: env.ARCHIVE, queue: env.EXPORTS, budget: { rows: parseConfig(env).exportJobRowsPerMessage, ms: MESSAGE_BUDGET_MS } };
  for (const message of batch.messages) {
    try {
      await runExportMessage(deps, message.body, message.attempts);
      message.ack();
    } catch (error) {
      logError('export.step_failed', { exportId: message.body.exportId, attempts: message.attempts, message: 'retried from its saved place', cause: messageOf(error) });
      message.retry();
    }
  }
}
