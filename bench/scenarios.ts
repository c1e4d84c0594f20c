/** The benchmark's scenarios; each interleaves its targets round by round so drift hits all alike. */
import { loadFor, timedRequest, timedStream, type Target } from './http-client.ts';
import { cpuMs } from './processes.ts';
import { median, percentile } from './stats.ts';

export interface LatencyFigures {
  p50: number;
  p90: number;
  p99: number;
  /** Median of the per-round medians. */
  roundMedian: number;
  samples: number;
}

export interface LatencyResult {
  byTarget: Record<string, LatencyFigures>;
  /** find-token's Server-Timing spans (ms, medians). */
  serverTiming: Record<string, number>;
  /** Median over rounds of (target round median − direct round median). */
  addedVsDirect: Record<string, number>;
}

/** What the scenario measures: Server-Timing spans per target, since two builds of find-token may both send them. */
export interface LatencyRun extends Omit<LatencyResult, 'serverTiming'> {
  serverTimingByTarget: Record<string, Record<string, number>>;
}

/**
 * A round's order. Adjacent targets of one pair swap places every other round: on two shared cores the
 * target measured next pays for the one before's leftover work (its charge, its billing flush), so neither
 * build of a before/after pair may always be the one that follows. Unpaired targets keep their order.
 */
export function inTurn<T>(items: readonly T[], round: number, pairOf: (item: T) => string | undefined): T[] {
  const order = [...items];
  if (round % 2 === 0) return order;
  for (let i = 0; i + 1 < order.length; i++) {
    const pair = pairOf(order[i]!);
    if (pair !== undefined && pair === pairOf(order[i + 1]!)) {
      [order[i], order[i + 1]] = [order[i + 1]!, order[i]!];
      i++;
    }
  }
  return order;
}

const pairOf = (target: Target) => target.pair;

export function serverTimingSpans(header: string | string[] | undefined): Record<string, number> {
  const spans: Record<string, number> = {};
  for (const part of String(header ?? '').split(',')) {
    const match = /^\s*([\w-]+);dur=([\d.]+)/.exec(part);
    if (match?.[1]) spans[match[1]] = Number(match[2]);
  }
  return spans;
}

export async function latencyAtConcurrencyOne(targets: Target[], rounds: number, perRound: number): Promise<LatencyRun> {
  const samples: Record<string, number[]> = {};
  const roundMedians: Record<string, number[]> = {};
  const spans: Record<string, Record<string, number[]>> = {};
  for (const target of targets) for (let i = 0; i < 20; i++) await timedRequest(target); // warm-up
  for (let round = 0; round < rounds; round++) {
    for (const target of inTurn(targets, round, pairOf)) {
      const times: number[] = [];
      for (let i = 0; i < perRound; i++) {
        const result = await timedRequest(target);
        if (result.status !== 200) throw new Error(`${target.name} answered ${result.status}`);
        times.push(result.ms);
        for (const [name, ms] of Object.entries(serverTimingSpans(result.headers['server-timing']))) ((spans[target.name] ??= {})[name] ??= []).push(ms);
      }
      (samples[target.name] ??= []).push(...times);
      (roundMedians[target.name] ??= []).push(median(times));
    }
  }
  const byTarget: Record<string, LatencyFigures> = {};
  const addedVsDirect: Record<string, number> = {};
  const direct = roundMedians[targets[0]!.name]!;
  for (const target of targets) {
    const all = samples[target.name]!;
    const medians = roundMedians[target.name]!;
    byTarget[target.name] = { p50: median(all), p90: percentile(all, 90), p99: percentile(all, 99), roundMedian: median(medians), samples: all.length };
    addedVsDirect[target.name] = median(medians.map((m, i) => m - direct[i]!));
  }
  const serverTimingByTarget = Object.fromEntries(
    Object.entries(spans).map(([target, byName]) => [target, Object.fromEntries(Object.entries(byName).map(([name, values]) => [name, median(values)]))]),
  );
  return { byTarget, serverTimingByTarget, addedVsDirect };
}

export interface ThroughputFigures {
  concurrency: number;
  rps: number;
  p99: number;
  errors: number;
}

/** `seconds` of load per target and concurrency, split into `rounds` blocks taken in turn (one block: back to back). */
export async function throughput(targets: Target[], concurrencies: number[], seconds: number, rounds = 1): Promise<Record<string, ThroughputFigures[]>> {
  const out: Record<string, ThroughputFigures[]> = {};
  for (const concurrency of concurrencies) {
    const runs: Record<string, { latencies: number[]; errors: number; elapsedMs: number }> = {};
    for (let round = 0; round < rounds; round++) {
      for (const target of inTurn(targets, round, pairOf)) {
        const block = await loadFor(target, concurrency, seconds / rounds);
        const run = (runs[target.name] ??= { latencies: [], errors: 0, elapsedMs: 0 });
        run.latencies.push(...block.latencies);
        run.errors += block.errors;
        run.elapsedMs += block.elapsedMs;
      }
    }
    for (const target of targets) {
      const { latencies, errors, elapsedMs } = runs[target.name]!;
      (out[target.name] ??= []).push({ concurrency, rps: latencies.length / (elapsedMs / 1000), p99: percentile(latencies, 99), errors });
    }
  }
  return out;
}

export interface StreamFigures {
  ttfbMs: number;
  /** Time to the first content frame (find-token holds the role preamble until then, by design). */
  ttfcMs: number;
  gapP50: number;
  gapP99: number;
  /** Content frames delivered per stream (64 expected), the worst seen. */
  minFrames: number;
  allDone: boolean;
  /** Why the target could not stream at all, if it could not. */
  error?: string;
}

export async function streaming(targets: Target[], rounds: number, perRound: number): Promise<Record<string, StreamFigures>> {
  const ttfb: Record<string, number[]> = {};
  const ttfc: Record<string, number[]> = {};
  const gaps: Record<string, number[]> = {};
  const frames: Record<string, number[]> = {};
  const done: Record<string, boolean> = {};
  const errors: Record<string, string> = {};
  for (let round = 0; round < rounds; round++) {
    for (const target of inTurn(targets, round, pairOf)) {
      if (errors[target.name]) continue;
      for (let i = 0; i < perRound; i++) {
        const result = await timedStream(target);
        if (result.status !== 200) {
          errors[target.name] = `answered HTTP ${result.status}`;
          break;
        }
        (ttfb[target.name] ??= []).push(result.ttfbMs);
        (ttfc[target.name] ??= []).push(result.ttfcMs);
        (gaps[target.name] ??= []).push(...result.gapsMs);
        (frames[target.name] ??= []).push(result.contentFrames);
        done[target.name] = (done[target.name] ?? true) && result.done;
      }
    }
  }
  return Object.fromEntries(
    targets.map((target) => [
      target.name,
      errors[target.name] ? { ttfbMs: NaN, ttfcMs: NaN, gapP50: NaN, gapP99: NaN, minFrames: 0, allDone: false, error: errors[target.name] } : {
        ttfbMs: median(ttfb[target.name]!),
        ttfcMs: median(ttfc[target.name]!),
        gapP50: median(gaps[target.name]!),
        gapP99: percentile(gaps[target.name]!, 99),
        minFrames: Math.min(...frames[target.name]!),
        allDone: done[target.name] ?? false,
      },
    ]),
  );
}

/**
 * Process CPU per non-streaming request, each target's requests in `rounds` blocks taken in turn
 * (one block of all of them reproduces the sequential measurement). The clock ticks in 10 ms, so a
 * block needs enough requests to make that small.
 */
export async function cpuPerRequest(targets: Array<{ target: Target; pid: number }>, rounds: number, perRound: number): Promise<Record<string, number>> {
  const spent: Record<string, number> = {};
  for (let round = 0; round < rounds; round++) {
    for (const { target, pid } of inTurn(targets, round, (item) => item.target.pair)) {
      const before = cpuMs(pid);
      for (let i = 0; i < perRound; i++) await timedRequest(target);
      spent[target.name] = (spent[target.name] ?? 0) + cpuMs(pid) - before;
    }
  }
  return Object.fromEntries(targets.map(({ target }) => [target.name, spent[target.name]! / (rounds * perRound)]));
}
