/**
 * The "Before / after" section of a `BENCH_BASELINE=<revision>` run: the figures a change is
 * judged by, for the baseline build and the current one, measured in the same run.
 */
import type { Results } from './report.ts';
import { round } from './stats.ts';

/** Which build was the baseline, as results.json records it; its figures sit under `target` in every table. */
export interface BaselineResult {
  /** The baseline's target name, e.g. `find-token (baseline 137d266)`. */
  target: string;
  /** The revision as given in BENCH_BASELINE. */
  revision: string;
  commit: string;
  /** What "after" is: HEAD's short hash, and whether the working tree had changes (it is what was built). */
  current: { commit: string; uncommitted: boolean };
  /** The baseline's Server-Timing medians (the current build's are in latency.serverTiming). */
  serverTiming: Record<string, number>;
}

interface Row {
  figure: string;
  before: number;
  after: number;
  unit: 'ms' | 'req/s' | 'errors';
  /** Which way is better, so the table can say it and no reader has to work it out per row. */
  better: 'lower' | 'higher';
}

const CURRENT = 'find-token';

function value(x: number, unit: Row['unit']): string {
  if (!Number.isFinite(x)) return 'n/a';
  return unit === 'ms' ? `${round(x, 2)} ms` : `${Math.round(x)} ${unit}`;
}

function difference({ before, after, unit, better }: Row): string {
  const delta = after - before;
  if (!Number.isFinite(delta)) return 'n/a';
  const magnitude = value(Math.abs(delta), unit);
  if (magnitude === value(0, unit)) return 'same';
  const sign = delta > 0 ? '+' : '−';
  const percent = before !== 0 ? ` (${sign}${Math.abs(round((delta / before) * 100, 0))}%)` : '';
  const verdict = (delta < 0) === (better === 'lower') ? 'better' : 'worse';
  return `${sign}${magnitude}${percent}, ${verdict}`;
}

const frames = (r: Results, name: string): string => {
  const s = r.streaming[name];
  if (!s) return 'n/a';
  if (s.error) return `failed: ${s.error}`;
  return `${s.minFrames}/64${s.allDone ? ', [DONE]' : ', no [DONE]'}`;
};

const spans = (timing: Record<string, number>): string =>
  Object.entries(timing)
    .map(([name, v]) => `${name} ${round(v, 2)} ms`)
    .join(', ') || 'none';

/** The section's lines; empty unless the run had a baseline. */
export function beforeAfterLines(r: Results): string[] {
  const b = r.baseline;
  if (!b) return [];
  const before = b.target;
  const added = r.latency.addedVsDirect;
  const p50 = (name: string) => r.latency.byTarget[name]?.p50 ?? NaN;
  const rps = (name: string, c: number) => r.throughput[name]?.find((t) => t.concurrency === c)?.rps ?? NaN;
  const stream = (name: string) => r.streaming[name];
  const short = b.commit.slice(0, 7);
  const streams = (name: string) => r.concurrentStreamsOneAccount[name];
  const accounts = (name: string) => r.oneRequestEachManyAccounts.byTarget[name];
  const atOnce = streams(CURRENT)?.atOnce ?? NaN;
  const many = r.oneRequestEachManyAccounts.accounts.toLocaleString('en-US');
  const rows: Row[] = [
    // The headline own cost of the latency section: median over rounds of (build − bare worker), each against direct.
    { figure: 'own added latency, concurrency 1 (vs bare worker, median of rounds)', before: (added[before] ?? NaN) - (added['bare worker'] ?? NaN), after: (added[CURRENT] ?? NaN) - (added['bare worker'] ?? NaN), unit: 'ms', better: 'lower' },
    { figure: 'p50 − bare worker p50, concurrency 1', before: p50(before) - p50('bare worker'), after: p50(CURRENT) - p50('bare worker'), unit: 'ms', better: 'lower' },
    { figure: 'req/s at concurrency 8', before: rps(before, 8), after: rps(CURRENT, 8), unit: 'req/s', better: 'higher' },
    { figure: 'req/s at concurrency 32', before: rps(before, 32), after: rps(CURRENT, 32), unit: 'req/s', better: 'higher' },
    { figure: 'CPU per non-streaming request', before: r.cpuMsPerRequest[before] ?? NaN, after: r.cpuMsPerRequest[CURRENT] ?? NaN, unit: 'ms', better: 'lower' },
    { figure: 'streaming: time to first content', before: stream(before)?.ttfcMs ?? NaN, after: stream(CURRENT)?.ttfcMs ?? NaN, unit: 'ms', better: 'lower' },
    { figure: 'streaming: inter-chunk gap p99', before: stream(before)?.gapP99 ?? NaN, after: stream(CURRENT)?.gapP99 ?? NaN, unit: 'ms', better: 'lower' },
    { figure: `${atOnce} streams on one account: first content p99`, before: streams(before)?.ttfcP99 ?? NaN, after: streams(CURRENT)?.ttfcP99 ?? NaN, unit: 'ms', better: 'lower' },
    { figure: `${atOnce} streams on one account: errors`, before: streams(before)?.errors ?? NaN, after: streams(CURRENT)?.errors ?? NaN, unit: 'errors', better: 'lower' },
    { figure: `${many} accounts × 1 request at once: p99`, before: accounts(before)?.p99 ?? NaN, after: accounts(CURRENT)?.p99 ?? NaN, unit: 'ms', better: 'lower' },
    { figure: `${many} accounts × 1 request at once: errors`, before: accounts(before)?.errors ?? NaN, after: accounts(CURRENT)?.errors ?? NaN, unit: 'errors', better: 'lower' },
  ];
  const beforeFrames = frames(r, before);
  const afterFrames = frames(r, CURRENT);
  return [
    `## Before / after`,
    ``,
    `Before: \`${short}\` (\`BENCH_BASELINE=${b.revision}\`, the row "${before}" in the tables below). After: the working tree at \`${b.current.commit}\`${b.current.uncommitted ? ' with uncommitted changes' : ''} ("find-token").`,
    `Both served the same way in this run, measured back to back and taking turns to go first; difference = after − before.`,
    `Reproduce with \`BENCH_BASELINE=${b.revision} npm run bench\`.`,
    ``,
    `| figure | before (${short}) | after (${b.current.commit}${b.current.uncommitted ? '+' : ''}) | difference |`,
    `|---|---|---|---|`,
    ...rows.map((row) => `| ${row.figure} | ${value(row.before, row.unit)} | ${value(row.after, row.unit)} | ${difference(row)} |`),
    `| streaming: frames delivered (min of runs) | ${beforeFrames} | ${afterFrames} | ${beforeFrames === afterFrames ? 'same' : '**differs**'} |`,
    ``,
    `Server-Timing medians: before ${spans(b.serverTiming)}; after ${spans(r.latency.serverTiming)}.`,
    `"Better" and "worse" only read the sign; on a shared machine small differences are noise. \`BENCH_BASELINE=HEAD\` on a clean tree`,
    `measures that noise (the same code on both sides); repeat the run before calling a small difference a regression.`,
    ``,
  ];
}
