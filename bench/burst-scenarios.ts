/**
 * Bursts: many requests sent at the same instant, each counted. Unlike the other scenarios they look for
 * what breaks under contention (one account's object serving 200 streams; 1,000 cold accounts and keys),
 * so every failure is an error in the figures, never an exception that ends the run.
 */
import { timedRequest, timedStream, type Target } from './http-client.ts';
import { inTurn, serverTimingSpans } from './scenarios.ts';
import { median, percentile } from './stats.ts';

/** Why requests failed, by kind (`HTTP 429`, `ECONNRESET`, `incomplete stream`…), with counts. */
export type ErrorKinds = Record<string, number>;

export interface ConcurrentStreamFigures {
  /** Streams sent at once in each round, and over all rounds. */
  atOnce: number;
  streams: number;
  /** Time to first content over every stream that delivered any. */
  ttfcP50: number;
  ttfcP99: number;
  /** A stream's whole time, request to its last byte. */
  totalP50: number;
  totalP99: number;
  /** From the first request sent to the last stream ended. */
  wallMs: number;
  /** Streams that were not a 200 with every frame and [DONE]. */
  errors: number;
  errorKinds: ErrorKinds;
  /** Content frames delivered over all streams, and how many were sent (streams × frames per stream). */
  framesDelivered: number;
  framesExpected: number;
}

export interface BurstFigures {
  requests: number;
  p50: number;
  p99: number;
  max: number;
  wallMs: number;
  errors: number;
  errorKinds: ErrorKinds;
  /** Server-Timing spans of the answered requests (medians and p99s, ms): where a slow burst spent its time. */
  serverTiming: Record<string, { p50: number; p99: number }>;
}

const kindOf = (error: unknown): string => (error as { code?: string }).code ?? (error instanceof Error ? error.message : String(error));
const count = (kinds: ErrorKinds, kind: string) => void (kinds[kind] = (kinds[kind] ?? 0) + 1);

/** `streams` streams at once on each target's one key, `rounds` rounds taken in turn; the samples of all rounds pooled. */
export async function concurrentStreams(targets: Target[], streams: number, framesPerStream: number, rounds: number): Promise<Record<string, ConcurrentStreamFigures>> {
  const runs: Record<string, { ttfc: number[]; total: number[]; wall: number[]; kinds: ErrorKinds; frames: number }> = {};
  for (let round = 0; round < rounds; round++) {
    for (const target of inTurn(targets, round, (t) => t.pair)) {
      const run = (runs[target.name] ??= { ttfc: [], total: [], wall: [], kinds: {}, frames: 0 });
      const start = performance.now();
      await Promise.all(
        Array.from({ length: streams }, async () => {
          try {
            const result = await timedStream(target, undefined, streams);
            run.frames += result.contentFrames;
            if (!Number.isNaN(result.ttfcMs)) run.ttfc.push(result.ttfcMs);
            run.total.push(result.totalMs);
            if (result.status !== 200) count(run.kinds, `HTTP ${result.status}`);
            else if (result.contentFrames !== framesPerStream || !result.done) count(run.kinds, 'incomplete stream');
          } catch (error) {
            count(run.kinds, kindOf(error));
          }
        }),
      );
      run.wall.push(performance.now() - start);
    }
  }
  return Object.fromEntries(
    targets.map((target) => {
      const run = runs[target.name]!;
      const errors = Object.values(run.kinds).reduce((a, b) => a + b, 0);
      return [
        target.name,
        {
          atOnce: streams,
          streams: streams * rounds,
          ttfcP50: median(run.ttfc),
          ttfcP99: percentile(run.ttfc, 99),
          totalP50: median(run.total),
          totalP99: percentile(run.total, 99),
          wallMs: median(run.wall),
          errors,
          errorKinds: run.kinds,
          framesDelivered: run.frames,
          framesExpected: streams * rounds * framesPerStream,
        },
      ];
    }),
  );
}

/** One non-streaming request per key, all sent at once, each target in turn (its requests bearing `keys` in place of its own). */
export async function onePerKeyAtOnce(targets: Array<{ target: Target; keys: readonly string[] }>): Promise<Record<string, BurstFigures>> {
  const out: Record<string, BurstFigures> = {};
  for (const { target, keys } of targets) {
    const latencies: number[] = [];
    const kinds: ErrorKinds = {};
    const spans: Record<string, number[]> = {};
    const start = performance.now();
    await Promise.all(
      keys.map(async (key) => {
        try {
          const result = await timedRequest({ ...target, headers: { ...target.headers, Authorization: `Bearer ${key}` } }, keys.length);
          if (result.status !== 200) return count(kinds, `HTTP ${result.status}`);
          latencies.push(result.ms);
          for (const [name, ms] of Object.entries(serverTimingSpans(result.headers['server-timing']))) (spans[name] ??= []).push(ms);
        } catch (error) {
          count(kinds, kindOf(error));
        }
      }),
    );
    out[target.name] = {
      requests: keys.length,
      p50: median(latencies),
      p99: percentile(latencies, 99),
      max: latencies.length ? Math.max(...latencies) : Number.NaN,
      wallMs: performance.now() - start,
      errors: keys.length - latencies.length,
      errorKinds: kinds,
      serverTiming: Object.fromEntries(Object.entries(spans).map(([name, values]) => [name, { p50: median(values), p99: percentile(values, 99) }])),
    };
  }
  return out;
}
