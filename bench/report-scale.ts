/**
 * bench:scale's report: bench/scale-results.json, the "Billing logs at scale" section of bench/RESULTS.md and
 * README's scale block, each rendered from the figures so a rerun replaces them. The plan for 10,000 req/s is
 * arithmetic over those figures and Cloudflare's documented limits (report-scale-plan.ts).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { bytesPerRow, NA, type ScaleResults } from './scale-results.ts';
import { replaceBetween } from './markers.ts';
import { planLines } from './report-scale-plan.ts';
import { round } from './stats.ts';

const num = (value: number | null | undefined, digits = 0): string => (value == null || !Number.isFinite(value) ? NA : round(value, digits).toLocaleString('en-US'));
const kinds = (k: Record<string, number>) => (Object.keys(k).length ? ` (${Object.entries(k).map(([kind, n]) => `${kind}: ${n}`).join(', ')})` : '');

function measuredLines(r: ScaleResults): string[] {
  const e = r.d1.exactlyOnce;
  const perRow = bytesPerRow(r);
  const c = r.consumer;
  const lag =
    r.d1.lagP50Ms === null
      ? `${NA} (\`ingested_at\` is empty: no queue pipeline in this build)`
      : `p50 ${num(r.d1.lagP50Ms)} ms · p99 ${num(r.d1.lagP99Ms)} ms · max ${num(r.d1.lagMaxMs)} ms`;
  const batches = e.batchRowsSum === null ? `${NA} (no row carries a batch id: no queue pipeline in this build)` : `Σ rows over batches ${num(e.batchRowsSum)} = rows ${num(e.rows)}: ${e.batchRowsMatch ? 'yes' : '**no**'}`;
  return [
    `${r.date.slice(0, 10)} · ${r.machine.cpus} cores (${r.machine.cpuModel}) · Node ${r.machine.node} · ${num(r.accounts)} accounts · ${num(r.durationSeconds)} s of load at ${r.concurrency} connections · run took ${num(r.runSeconds)} s (provisioning ${num(r.provisioningSeconds)} s).`,
    `Reproduce with \`npm run bench:scale\` (\`SCALE_DURATION_S\`, \`SCALE_CONCURRENCY\`, \`SCALE_ACCOUNTS\` override). Measured here unless marked cited.`,
    ``,
    `| figure | measured |`,
    `|---|---|`,
    `| non-streaming chat across ${num(r.accounts)} accounts | **${num(r.load.requestsPerSecond)} req/s** (200s), ${num(r.load.errors)} errors${kinds(r.load.errorKinds)}; ${num(Math.min(r.accounts, r.load.requests))} of ${num(r.load.requests)} requests were an account's first (its key read from D1, its first charge) |`,
    `| gateway CPU per request (worker, objects, queue and local D1 in one process) | ${num(r.load.gatewayCpuMsPerRequest, 2)} ms |`,
    `| one account (one object) at ${r.concurrency} connections | ${r.hotAccount ? `${num(r.hotAccount.requestsPerSecond)} req/s, ${num(r.hotAccount.errors)} errors${kinds(r.hotAccount.errorKinds)}` : NA} |`,
    `| queue lag, response end → \`ingested_at\` | ${lag} |`,
    `| drain after the load | ${r.drain.drained ? `${num(r.drain.waitedMs / 1000, 1)} s` : `**not drained** within ${r.drain.timeoutSeconds} s`} |`,
    `| consumer invocations (\`billing_log.batch\` lines) | ${c ? `${num(c.invocations)}, ${num(c.rows)} rows, ${num(c.inserted)} inserted` : NA} |`,
    `| D1 statements per second (consumer's active span) | ${c ? num(c.statementsPerSecond, 1) : NA} |`,
    `| rows per D1 statement | ${c ? num(c.rowsPerStatement, 1) : NA} |`,
    `| D1 bytes per billing log (file growth / rows, indexes included) | ${num(perRow.d1)} |`,
    `| R2 bytes per billing log (archive objects / rows) | ${r.archive ? `${num(perRow.r2)} (${num(r.archive.objects)} objects)` : NA} |`,
    `| largest account object's storage (\`storage_bytes\`) | ${r.largestObject ? `${num(r.largestObject.storageBytes)} bytes` : NA} |`,
    `| exactly-once: 200s / rows / distinct request ids | ${num(e.ok200)} / ${num(e.rows)} / ${num(e.distinctRequestIds)} |`,
    `| missing · duplicated · rows without a request | ${num(e.missing)} · ${num(e.duplicated)} · ${num(e.orphans)} |`,
    `| batches | ${batches} |`,
    `| **exactly-once holds** | ${e.holds ? 'yes' : '**no**'} |`,
  ];
}

export function scaleSection(r: ScaleResults): string {
  return [`## Billing logs at scale`, ``, ...measuredLines(r), ``, ...planLines(r)].join('\n');
}

const RESULTS_START = '<!-- scale:start -->';
const RESULTS_END = '<!-- scale:end -->';
const README_START = '<!-- bench-scale:start -->';
const README_END = '<!-- bench-scale:end -->';

/** README's short block: the measured table and the plan in brief (its arithmetic lives in RESULTS.md). */
const readmeBlock = (r: ScaleResults) =>
  [
    ...measuredLines(r),
    ``,
    `The plan for 10,000 req/s in brief (with its arithmetic in [bench/RESULTS.md](bench/RESULTS.md#billing-logs-at-scale)):`,
    `864M rows a day cannot live in one D1 (10 GB holds well under an hour of them), so D1 keeps the recent days per`,
    `shard of accounts (D1 per shard, hash of the account id) plus the daily rollups, and R2 keeps every row (batch`,
    `objects at once, per-account day archives, exports); the queue is sharded the same way (one queue carries 5,000`,
    `messages/s); one hot account's object is bounded by its rate limit, and beyond ~500 chat requests/s its holds`,
    `move to credit leases held by several objects.`,
  ].join('\n');

export function writeScaleReport(results: ScaleResults): string {
  writeFileSync('bench/scale-results.json', `${JSON.stringify(results, null, 2)}\n`);
  const section = scaleSection(results);
  writeFileSync('bench/RESULTS.md', replaceBetween(readFileSync('bench/RESULTS.md', 'utf8'), RESULTS_START, RESULTS_END, section, true));
  writeFileSync('README.md', replaceBetween(readFileSync('README.md', 'utf8'), README_START, README_END, readmeBlock(results), false));
  return section;
}

/** `npm run bench` rewrites RESULTS.md whole: it keeps this section as the last scale run left it. */
export function keepScaleSection(previous: string, next: string): string {
  const start = previous.indexOf(RESULTS_START);
  const end = previous.indexOf(RESULTS_END);
  if (start === -1 || end < start) return next;
  return `${next.trimEnd()}\n\n${previous.slice(start, end + RESULTS_END.length)}\n`;
}
