/** The benchmark's scenarios; each interleaves its targets round by round so drift hits all alike. */
import { loadFor, timedRequest, timedStream, type Target } from './http-client.ts';
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

function serverTimingSpans(header: string | string[] | undefined): Record<string, number> {
  const spans: Record<string, number> = {};
  for (const part of String(header ?? '').split(',')) {
    const match = /^\s*([\w-]+);dur=([\d.]+)/.exec(part);
    if (match?.[1]) spans[match[1]] = Number(match[2]);
  }
  return spans;
}

export async function latencyAtConcurrencyOne(targets: Target[], rounds: number, perRound: number): Promise<LatencyResult> {
  const samples: Record<string, number[]> = {};
  const roundMedians: Record<string, number[]> = {};
  const spans: Record<string, number[]> = {};
  for (const target of targets) for (let i = 0; i < 20; i++) await timedRequest(target); // warm-up
  for (let round = 0; round < rounds; round++) {
    for (const target of targets) {
      const times: number[] = [];
      for (let i = 0; i < perRound; i++) {
        const result = await timedRequest(target);
        if (result.status !== 200) throw new Error(`${target.name} answered ${result.status}`);
        times.push(result.ms);
        for (const [name, ms] of Object.entries(serverTimingSpans(result.headers['server-timing']))) (spans[name] ??= []).push(ms);
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
  const serverTiming = Object.fromEntries(Object.entries(spans).map(([name, values]) => [name, median(values)]));
  return { byTarget, serverTiming, addedVsDirect };
}

export interface ThroughputFigures {
  concurrency: number;
  rps: number;
  p99: number;
  errors: number;
}

export async function throughput(targets: Target[], concurrencies: number[], seconds: number): Promise<Record<string, ThroughputFigures[]>> {
  const out: Record<string, ThroughputFigures[]> = {};
  for (const concurrency of concurrencies) {
    for (const target of targets) {
      const { latencies, errors, elapsedMs } = await loadFor(target, concurrency, seconds);
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
    for (const target of targets) {
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
