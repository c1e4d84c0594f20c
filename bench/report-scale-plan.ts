/**
 * The plan for 10,000 requests/s on paper: arithmetic over bench:scale's measured figures and Cloudflare's
 * documented limits (each cited by page). A figure this run could not measure prints as n/a, and the lines
 * built on it say so instead of assuming a value.
 */
import { bytesPerRow, NA, type ScaleResults } from './scale-results.ts';
import { round } from './stats.ts';

const TARGET_RPS = 10_000;
/** A request row of the account object's ledger once its log text is gone: ids, amounts, times and its (kind, request_id) index entry. */
const OBJECT_ROW_BYTES = 150;
/** A ledger row while its log is held (the log JSON is ~550 B). */
const HELD_LOG_BYTES = 700;
const ROWS_PER_DAY = TARGET_RPS * 86_400;
const GB = 1e9;
/** Cited limits, with the page each is documented on. */
export const LIMITS = {
  d1DatabaseBytes: 10 * GB, // D1 › Platform › Limits: "Maximum database size 10 GB (Workers Paid)"
  d1AccountBytes: 1_000 * GB, // D1 › Platform › Limits: "Maximum storage per account 1 TB (Workers Paid)"
  d1QueriesPerSecondAt1ms: 1_000, // D1 › Limits FAQ: one database is single-threaded; ~1,000 queries/s at 1 ms each
  queueMessagesPerSecond: 5_000, // Queues › Platform › Limits: "Per-queue message throughput 5,000 messages per second"
  queueBatchMessages: 100, // Queues › Limits: "Maximum consumer batch size 100 messages"
  queueConcurrentConsumers: 250, // Queues › Limits: "Concurrent consumer invocations 250 (push-based)"
  objectRequestsPerSecond: 1_000, // Durable Objects › Platform › Limits: soft limit of 1,000 requests/s per object
  objectStorageBytes: 10 * GB, // Durable Objects › Limits: "Storage per Durable Object 10 GB" (SQLite backend)
  r2WritesPerKeyPerSecond: 1, // R2 › Platform › Limits: "Maximum concurrent writes to the same object name (key) 1 per second"
} as const;

const n = (value: number | null, digits = 0) => (value === null || !Number.isFinite(value) ? NA : round(value, digits).toLocaleString('en-US'));
const gb = (bytes: number | null) => (bytes === null ? NA : `${n(bytes / GB, 1)} GB`);
const times = (a: number | null, f: (a: number) => number) => (a === null ? null : f(a));

export function planLines(r: ScaleResults): string[] {
  const perRow = bytesPerRow(r);
  const d1PerDay = times(perRow.d1, (b) => ROWS_PER_DAY * b);
  const r2PerDay = times(perRow.r2, (b) => ROWS_PER_DAY * b);
  const hoursOnOneD1 = times(perRow.d1, (b) => LIMITS.d1DatabaseBytes / (TARGET_RPS * b) / 3600);
  const daysInAccountD1 = times(d1PerDay, (perDay) => LIMITS.d1AccountBytes / perDay);
  // Shards at half full: room for growth, for the day being archived, and for the rollups beside the rows.
  const shardsFor = (days: number) => times(d1PerDay, (perDay) => Math.ceil((perDay * days) / (LIMITS.d1DatabaseBytes / 2)));
  const rowsPerStatement = r.consumer?.rowsPerStatement ?? null;
  const rowsPerSecondOneD1 = times(rowsPerStatement, (rows) => rows * LIMITS.d1QueriesPerSecondAt1ms);
  // This run's own message rate: with a 1 s flush, each account active in a second sends one message then.
  const localMessagesPerSecond = Math.min(r.accounts, r.load.requestsPerSecond);
  const localRowsPerMessage = localMessagesPerSecond > 0 ? r.load.requestsPerSecond / localMessagesPerSecond : null;
  const queues = Math.ceil(TARGET_RPS / (LIMITS.queueMessagesPerSecond / 2));
  const invocationsPerSecond = TARGET_RPS / LIMITS.queueBatchMessages;
  const hot = r.hotAccount?.requestsPerSecond ?? null;

  return [
    `### The plan for 10,000 requests/s (on paper)`,
    ``,
    `This machine (2 shared cores, everything in one workerd process, local D1 and queues in memory) cannot show`,
    `10,000 req/s; what it measures is bytes per row, rows per statement, lag and exactly-once. The rest is`,
    `arithmetic over those figures and the documented limits (cited by the page that states them).`,
    ``,
    `**Volume.** 10,000 req/s × 86,400 s = **${n(ROWS_PER_DAY)} billing logs/day**. At ${n(perRow.d1)} bytes/row in D1`,
    `(measured: D1's growth over the rows written, indexes included) that is **${gb(d1PerDay)}/day**; at ${n(perRow.r2)} bytes/row`,
    `in R2 (measured: the archive's objects over the rows) **${gb(r2PerDay)}/day**, ${gb(times(r2PerDay, (d) => d * 90))} for 90 days.`,
    ``,
    `**What D1 holds.** One D1 database holds 10 GB (cited: D1 limits, Workers Paid): at 10,000 rows/s that is`,
    `**${n(hoursOnOneD1, 1)} hours** of rows, and the account's whole D1 storage (1 TB, cited) ${n(daysInAccountD1, 1)} days — 90 days of raw rows`,
    `(${gb(times(d1PerDay, (d) => d * 90))}) cannot live in D1 at this rate. So D1 keeps only what must be queried by row: the recent rows`,
    `(the current and previous UTC day, until the daily archive of that day is written and verified) for the dashboard's`,
    `recent calls and per-call lookups, plus \`billing_rollups\` (per account, day and model: the chart, independent of`,
    `row volume). R2 keeps everything else: one NDJSON object per consumer batch (written at once, the safety copy),`,
    `one \`accounts/<id>/<day>.ndjson\` per account and day (what per-call lookups and exports read after D1 pruned the`,
    `day), and the exports. \`BILLING_LOG_RETENTION_DAYS\` becomes 2 at this rate, not 90. Two days of rows need`,
    `**${n(shardsFor(2))} D1 databases** at half full (one day: ${n(shardsFor(1))}), each owning a shard of accounts by hash of the account id`,
    `(the account object knows its shard; D1's per-account limit is then 1 TB of rows across them).`,
    ``,
    `**D1's single writer.** A D1 database runs one query at a time (cited: D1 limits FAQ, ~1,000 queries/s at 1 ms`,
    `each). Here the consumer wrote ${n(rowsPerStatement, 1)} rows per statement at ${n(r.consumer?.statementsPerSecond ?? null, 1)} statements/s (measured; that is`,
    `the demand of ${n(r.load.requestsPerSecond)} req/s, not the ceiling). If a statement of that size stays near 1 ms, one D1 takes`,
    `~${n(rowsPerSecondOneD1)} rows/s; at 5 ms, a fifth of that. With ${n(shardsFor(2))} shards each takes ${n(times(shardsFor(2), (s) => TARGET_RPS / s), 1)} rows/s: storage, not`,
    `the writer, sets the shard count.`,
    ``,
    `**Queues.** Messages/s = min(active accounts per flush interval, req/s ÷ rows per message), per 1 s flush`,
    `(\`OUTBOX_FLUSH_DELAY_MS\`). In this run: min(${n(r.accounts)} accounts, ${n(r.load.requestsPerSecond)} req/s) ≈ ${n(localMessagesPerSecond)} messages/s of`,
    `~${n(localRowsPerMessage, 1)} rows. At 10,000 req/s spread over ≥ 10,000 active accounts each message carries ~1 row: up to`,
    `**10,000 messages/s**, twice one queue's 5,000 messages/s (cited: Queues limits). So **${queues} queues** (2 at the limit, ×2`,
    `headroom), an account's messages always on queue hash(account id) mod ${queues} (its D1 shard's queue), each with`,
    `its own consumer. Consumer batches of ≤ 100 messages (cited) → ≥ ${n(invocationsPerSecond)} invocations/s in all; within the 250`,
    `concurrent invocations per queue (cited) while an invocation (D1 write + R2 put) takes under ${n((LIMITS.queueConcurrentConsumers * queues) / invocationsPerSecond, 1)} s.`,
    `A longer flush interval (5 s) turns many 1-row messages into fewer larger ones for accounts that send steadily.`,
    ``,
    `**One hot account.** Its requests are serialized on its object (authorize, then charge: two calls per request).`,
    `Here one account served ${n(hot)} req/s (measured; bounded by this machine's one process, not by the object), against`,
    `the documented soft limit of 1,000 requests/s per object (cited: Durable Objects limits), i.e. ~500 chat requests/s at`,
    `two calls each; the default rate limit (600/min = 10 req/s per account) is far below it. An account that needs more`,
    `gets credit leases: its object grants N lease objects (hash(request id) mod N) a slice of its balance as a token`,
    `bucket (debited from the balance when granted, so leases can never spend more than the balance); each lease object`,
    `authorizes and charges locally, returns what is unused when its lease expires, and asks for more below a low-water`,
    `mark. Billing logs flow from each lease object through the same queue.`,
    ``,
    `**One object's storage.** Bounded by recent activity, not age: a log's text leaves \`BILLING_LOG_READ_WINDOW_MS\` (1 h)`,
    `after it is handed to the queue; its request row (~${OBJECT_ROW_BYTES} B estimated from its columns and its unique index)`,
    `stays 15 days (longer than a charge can wait in a queue, cited: 14 days at most) and then folds into a checkpoint.`,
    `At the default rate limit (10 req/s) that is at most ${n((10 * 3_600 * HELD_LOG_BYTES) / 1e6)} MB of held logs plus ${gb(10 * 15 * 86_400 * OBJECT_ROW_BYTES)} of request rows,`,
    `under the 10 GB per object (cited); an account whose operator raises it to 50 req/s reaches ${gb(50 * 15 * 86_400 * OBJECT_ROW_BYTES)}, the level at which its`,
    `holds move to the credit leases above. The largest object here was ${n(r.largestObject?.storageBytes ?? null)} bytes (measured).`,
    ``,
    `**R2.** The only documented object-write limit is 1 write/s to the same key (cited: R2 limits); every batch object has`,
    `its own key (its batch id) and each day archive is written once per account and day, so ~${n(invocationsPerSecond)} puts/s of distinct keys`,
    `is within it. ${gb(r2PerDay)}/day is storage cost, not a limit (R2 storage per bucket: unlimited, cited).`,
  ];
}
