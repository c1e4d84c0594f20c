/** Turns the benchmark's figures into bench/results.json and the bench/RESULTS.md table (with targets checked). */
import { readFileSync, writeFileSync } from 'node:fs';
import type { ConcurrentStreamFigures } from './burst-scenarios.ts';
import { METERED_FLOORS } from './metered-floors.ts';
import { beforeAfterLines, type BaselineResult } from './report-before-after.ts';
import { accountBurstLines, concurrentStreamLines, type AccountBurstResult } from './report-bursts.ts';
import { headlineFigures, targetLines } from './report-targets.ts';
import { keepScaleSection } from './report-scale.ts';
import type { LatencyResult, StreamFigures, ThroughputFigures } from './scenarios.ts';
import { round } from './stats.ts';

interface MemoryFigures {
  baselineBytes: number;
  peakBytes: number;
  growthBytes: number;
}

export interface Results {
  date: string;
  machine: { cpus: number; cpuModel: string; node: string };
  storage: string;
  latency: LatencyResult;
  throughput: Record<string, ThroughputFigures[]>;
  streaming: Record<string, StreamFigures>;
  memory: { oneMbStream: MemoryFigures; tenMbStream: MemoryFigures; hundredConcurrentStreams: MemoryFigures };
  cpuMsPerRequest: Record<string, number>;
  /** Many streams at once on one account (one account object), per target. */
  concurrentStreamsOneAccount: Record<string, ConcurrentStreamFigures>;
  /** Many accounts, one non-streaming request each, all at once. */
  oneRequestEachManyAccounts: AccountBurstResult;
  wranglerDev: { addedVsDirect: number; p50: number };
  durationSeconds: number;
  /** Only in a before/after run (BENCH_BASELINE): which build the second find-token target is. */
  baseline?: BaselineResult;
}

const MB = 1024 * 1024;
const ms = (value: number) => `${round(value, 2)} ms`;
const mb = (bytes: number) => `${round(bytes / MB, 1)} MB`;

export function markdown(r: Results): string {
  const names = Object.keys(r.latency.byTarget);
  const rpsAt = (name: string, c: number) => r.throughput[name]?.find((t) => t.concurrency === c);
  const { added, ftOwn, portkeyAdded, aboveFloor, rps32, cpu } = headlineFigures(r);
  const memoryHold = METERED_FLOORS.memoryHold.name;
  const durableHold = METERED_FLOORS.durableHold.name;
  const overBare = (name: string) => (added[name] ?? NaN) - (added['bare worker'] ?? NaN);
  const ofBare32 = (name: string) => `${round((rps32(name) / rps32('bare worker')) * 100, 0)}%`;
  const lines = [
    `# Benchmark results`,
    ``,
    `${r.date.slice(0, 10)} · ${r.machine.cpus} cores (${r.machine.cpuModel}) · Node ${r.machine.node} · ${r.storage} · run took ${Math.round(r.durationSeconds)} s.`,
    `Reproduce with \`npm install && npm run bench\`. Overhead = target − direct, interleaved rounds, medians of round medians.`,
    `Billing logs under sustained load across 1,000 accounts, and the plan for 10,000 req/s: [Billing logs at scale](#billing-logs-at-scale) (\`npm run bench:scale\`).`,
    ``,
    ...beforeAfterLines(r),
    `## Non-streaming latency, concurrency 1`,
    ``,
    `| target | p50 | p90 | p99 | added vs direct (median of rounds) |`,
    `|---|---|---|---|---|`,
    ...names.map((name) => {
      const t = r.latency.byTarget[name]!;
      return `| ${name} | ${ms(t.p50)} | ${ms(t.p90)} | ${ms(t.p99)} | ${name === 'direct' ? '—' : ms(added[name] ?? NaN)} |`;
    }),
    ``,
    `find-token's own cost (find-token − bare worker): **${ms(ftOwn)}**; Portkey's added: **${ms(portkeyAdded)}**; ratio find-token/Portkey added: ${round((added['find-token'] ?? NaN) / portkeyAdded, 2)}.`,
    ``,
    `The metered floors are the bare worker plus the least billing needs, in a SQLite Durable Object per account. The`,
    `memory-hold floor (issue 15's design: one object call that writes nothing for the hold, one durable ledger row awaited`,
    `before the response) adds ${ms(overBare(memoryHold))} to the bare worker; the durable-hold floor (2024 design: a durable hold row, then a durable`,
    `settle sent after the response) adds ${ms(overBare(durableHold))}. find-token adds ${ms(aboveFloor)} beyond the memory-hold floor.`,
    ``,
    `Inside find-token (Server-Timing medians): ${Object.entries(r.latency.serverTiming).map(([name, v]) => `${name} ${ms(v)}`).join(', ')} (the charge is recorded before the response).`,
    ``,
    `## Throughput`,
    ``,
    `| target | req/s at 8 | p99 at 8 | req/s at 32 | p99 at 32 | errors |`,
    `|---|---|---|---|---|---|`,
    ...names.map((name) => {
      const c8 = rpsAt(name, 8);
      const c32 = rpsAt(name, 32);
      return `| ${name} | ${Math.round(c8?.rps ?? 0)} | ${ms(c8?.p99 ?? NaN)} | ${Math.round(c32?.rps ?? 0)} | ${ms(c32?.p99 ?? NaN)} | ${(c8?.errors ?? 0) + (c32?.errors ?? 0)} |`;
    }),
    ``,
    `find-token at 32 is ${ofBare32('find-token')} of the bare worker, ${round((rps32('find-token') / rps32(memoryHold)) * 100, 0)}% of the memory-hold floor and ${round(rps32('find-token') / rps32('Portkey'), 2)}× Portkey; the floors are ${ofBare32(memoryHold)} (memory hold) and ${ofBare32(durableHold)} (durable hold) of the bare worker.`,
    ``,
    `## Streaming (64 chunks, 20 ms apart)`,
    ``,
    `| target | first byte | first content | gap p50 | gap p99 | frames (min of runs) | [DONE] |`,
    `|---|---|---|---|---|---|---|`,
    ...Object.keys(r.streaming).map((name) => {
      const s = r.streaming[name]!;
      if (s.error) return `| ${name} | failed: ${s.error} | | | | | |`;
      return `| ${name} | ${ms(s.ttfbMs)} | ${ms(s.ttfcMs)} | ${ms(s.gapP50)} | ${ms(s.gapP99)} | ${s.minFrames}/64 | ${s.allDone ? 'yes' : 'no'} |`;
    }),
    ``,
    `find-token sends nothing until the first content (it holds the role preamble so that a failure before any token is still a clean HTTP error), so its first byte is its first content; compare first content.`,
    ``,
    `## Memory and CPU (find-token's workerd process)`,
    ``,
    `| what | peak RSS growth |`,
    `|---|---|`,
    `| a 1 MB stream relayed | ${mb(r.memory.oneMbStream.growthBytes)} |`,
    `| a 10 MB stream relayed | ${mb(r.memory.tenMbStream.growthBytes)} |`,
    `| 100 concurrent streams | ${mb(r.memory.hundredConcurrentStreams.growthBytes)} |`,
    ``,
    `CPU per non-streaming request (process CPU / requests, the account object and local D1 included: one process serves them all here): find-token ${ms(cpu('find-token'))}, memory-hold floor ${ms(cpu(memoryHold))}, durable-hold floor ${ms(cpu(durableHold))}, bare worker ${ms(cpu('bare worker'))}.`,
    ``,
    ...concurrentStreamLines(r.concurrentStreamsOneAccount),
    ...accountBurstLines(r.oneRequestEachManyAccounts),
    ``,
    `## Development path`,
    ``,
    `find-token under \`wrangler dev\` adds ${ms(r.wranglerDev.addedVsDirect)} over direct (p50 ${ms(r.wranglerDev.p50)}): its dev proxy, not the worker — benchmark the production runtime above.`,
    ``,
    ...targetLines(r),
    ``,
    `For scale, the floors alone over the bare worker: memory hold ${ms(overBare(memoryHold))} added, ${ofBare32(memoryHold)} of its throughput at 32 (${Math.round(rps32(memoryHold))} req/s), ${ms(cpu(memoryHold))} CPU per request; durable hold ${ms(overBare(durableHold))}, ${ofBare32(durableHold)} (${Math.round(rps32(durableHold))} req/s), ${ms(cpu(durableHold))} CPU.`,
  ];
  return lines.join('\n');
}

const README_START = '<!-- bench:start -->';
const README_END = '<!-- bench:end -->';

/** Writes results.json, RESULTS.md (with the findings) and the README's copy of the tables. */
export function writeReport(results: Results): string {
  writeFileSync('bench/results.json', `${JSON.stringify(results, null, 2)}\n`);
  const table = markdown(results);
  // The scale section is bench:scale's: kept as its last run wrote it.
  writeFileSync('bench/RESULTS.md', keepScaleSection(readFileSync('bench/RESULTS.md', 'utf8'), `${table}\n\n${FINDINGS}`));
  const readme = readFileSync('README.md', 'utf8');
  const start = readme.indexOf(README_START);
  const end = readme.indexOf(README_END);
  if (start !== -1 && end > start) {
    // The README shows the tables without RESULTS.md's title line.
    const body = table.split('\n').slice(2).join('\n').replaceAll('\n## ', '\n### ');
    writeFileSync('README.md', `${readme.slice(0, start + README_START.length)}\n${body}\n${readme.slice(end)}`);
  }
  return table;
}

export const FINDINGS = `## Findings

How the figures were found and what was changed (profiles taken with V8's sampling profiler over
Miniflare's inspector port, 400 non-streaming chat requests, shares of the worker isolate's samples).

**The runtime here.** Each worker is served by one workerd process on a direct socket (Miniflare's entry
worker, its development router, is bypassed; with it in front the bare worker lost more than half its
throughput). Local D1 is a worker plus SQLite in the same process, so the billing-log flush costs CPU here that
production spends inside D1. The bare worker is the floor every figure is compared with.

**Fixed.**
1. *A D1 read per request for the key* (~3.3 ms CPU through drizzle, ~2.4 ms as plain SQL): an isolate
   cache now maps key hash → account (a mapping that never changes) and the account's Durable Object answers
   whether the key is revoked; chat folds that into \`authorize\`, so it costs no extra round trip. Chat went
   from 9.1 to 5.5 ms CPU and from 137 to ~250 req/s at concurrency 32 (both measured behind the entry worker).
2. *~16 SQL statements per request in the account object* (re-reading the balance, summing reservations,
   reading the rate window): the object is the only writer, so those numbers live in memory beside storage.
   Now authorize writes one row (the hold) and settle two statements (delete the hold, append the ledger row,
   which carries the balance after it); the rate window is memory-only (a limit, not money).
3. *The object asked storage for its alarm on every call*: it remembers the alarm it set.
4. *The body was read chunk by chunk*: a declared Content-Length within the limit is read in one call.
5. *esbuild's keep-names helper ran on every function creation* (~2% of samples): off in wrangler.toml.
6. *The client waited for the settle round trip*: a whole answer's cost is computed in the worker by the same
   function the ledger records, so the charge is sent after the response (retried; idempotent per request).
   Own added latency went from 5.1 to 3.4 ms here; in production it saves a full round trip to the
   account's object, which may sit in another region. (Routing, BYOK and the account checks added
   since cost ~0.7 ms of it back. Issue 15 then moved the charge back before the response and the hold into
   the object's memory: see the floors below. The tables above are the code as it is now.)
7. *The billing-log flush ran one D1 statement per row*: a batch is now one statement over a JSON array.

**Issue 15 (this table).** The decision it measures: a hold does not need to be durable; a charge does.
8. *Admission wrote an alarm*: the first hold of a quiet account armed the object's alarm, a durable write the
   response waited on (the output gate). Holds left unrenewed are now released by the next request that reads
   the holds; \`authorize\` executes no statement that writes and sets no alarm (a test wraps the object's SQL
   and asserts it). The one durable write of a request is its charge.
9. *A key without a limit wrote a spend row with every charge*: only a key with a limit keeps one.
10. *Streams cost 29 ms of CPU per 64-chunk stream* (\`PROFILE_STREAMS=1 npm run bench:profile\`, 100 streams
   at a time): each chunk crossed three transform stages (text, SSE, usage tap), each with its own promises, and
   the relay set and cleared a timer per chunk for its idle timeout. One pull now reads, decodes, parses and
   normalizes, and the relay's one timer only moves its deadline: 15–16 ms per stream. 200 streams on one
   account: total p50 4.07 s → 3.04 s in two plain runs, first content p99 650 → 460 ms in the before/after run.

**Before / after this session** (\`BENCH_BASELINE=187ee6b\`, one run, the two builds taking turns): own added
latency 4.01 → 4.07 ms, req/s at 32 374 → 381, CPU per request 4.12 → 4.02 ms (all within noise: scoped keys and
routing control cost nothing measurable), time to first content 30.74 → 28.15 ms, 200 streams' first content p99
650 → 460 ms, 1,000 accounts' p99 19.5 → 10.9 s (order-dependent: each key is used once), 0 errors in both.

**Since this closing table** (\`BENCH_BASELINE=f710b0d\`, the commit that wrote it, against the code after issues 17
and 19: CORS on /v1, the Messages route, a JSON log line per request): own added latency 3.07 → 3.33 ms (+9%),
p50 − bare +12%, req/s at 32 369 → 346 (−6%), CPU 3.16 → 3.34 ms (+6%), streaming and the bursts unchanged or
better. Profiled: the log line was 9% of the isolate's busy samples (redaction's dozen regex passes per field; now
one test decides whether a field needs them — the first before/after had own added +0.41 ms, req/s −6%), and each
line is written to the process's stdout, which this harness pipes and reads (Workers Logs collects it off the
request in production). Within the 10% the issue allows except the p50 figure in that run.

**Issue 18: billing logs through a queue** (the tables above are \`BENCH_BASELINE=f710b0d\` against the code after
it). The account object's alarm now hands billing logs to the \`BILLING_LOGS\` queue; the consumer writes D1 (rows,
batch row, rollups in one transaction), one R2 object per batch, and marks it; each alarm also drops logs past the
read window and runs the ledger's compaction check. All of it runs off the request path but, here, in the same
process as the requests. Against the closing table: own added 2.01 → 2.22 ms (+10%), p50 − bare +8%, req/s at 32
588 → 534 (−9%), CPU per request 2.5 → 2.48 ms (−1%), streaming and the bursts within 3% or better. Against this
issue's starting point (\`BENCH_BASELINE=aa04125\`, one run): own added 1.72 → 1.65 ms, req/s at 32 564 → 568, CPU
2.18 → 2.24 ms (+3%), 200 streams' first content p99 535 → 373 ms, the 1,000-accounts burst's p99 8.6 → 7.7 s (a
queue message per account instead of a D1 write per account): the pipeline costs nothing measurable on the request
path; the drift against the closing table is issues 17 and 19's, as measured above, plus run-to-run noise.

**The metering floors.** Each is the bare worker plus only the billing work its design requires, in a SQLite
Durable Object per account, in the same runtime. The *durable-hold floor* (the 2024 design) writes a hold row
before the upstream call and settles after the response; the *memory-hold floor* (issue 15's design) makes one
object call that writes nothing for the hold and awaits one durable ledger row before the response.

**What is still missed, and why (figures from three runs on this machine, which vary by ±30% between runs;
compare within a run).**
- *CPU under 2 ms per non-streaming request*: the memory-hold floor alone used 2.48–2.66 ms per request (the bare
  worker 1.0–1.6 ms). No design that makes one object round trip and one durable write per request meets it in
  this runtime, where the worker, every account object and local D1 share one process and one thread.
  find-token used 1.1–1.7 ms more than that floor: isolate JavaScript is ~0.5 ms of it (key hash, request
  validation, the provider dialect, JSON in and out, RPC serialization; no single function above 8% of
  samples), and the billing-log flush to *local* D1 runs in the same process (with the flush deferred by
  \`OUTBOX_FLUSH_DELAY_MS\`=600000, \`bench:profile\` read 3.4–3.8 ms instead of 3.7–4.6 ms per request: within
  noise, but the direction production does not pay — there D1 is another machine).
- *Throughput above Portkey's at 32*: the memory-hold floor served 476–600 req/s against Portkey's 633–652
  (Portkey bills nothing and keeps no per-account state). No design with the billing invariants reaches it here.
- *At least 80% of the memory-hold floor's throughput*: 77–78% in the plain runs, 64% in the before/after run
  (whose floor measured 600 req/s): the same ~1.2–1.7 ms of CPU per request above the floor, on two shared cores.
- *Own added latency under 1 ms above the memory-hold floor's*: 0.61 ms in one run (met), 1.92 ms in the next;
  the before/after run puts this session's code and the session's starting point within 0.1 ms of each other.
- *Inter-chunk p99 under 2 ms above direct*: 2.98–5.49 ms in the plain runs (the bare worker 1.4–1.7 ms). It is the
  p99 of ~380 gaps (the 4th largest), which a single GC pause or a neighbour's burst sets; the median gap is
  within 0.1 ms of direct in every run, and the before/after run shows no change (+0.37 ms).
- *1,000 accounts × 1 request at once*: 0 errors, but 8–11 s p99 against the bare worker's 1.2 s. Every request
  is a key's first in the isolate: a D1 read for the key, a D1 write for its last use, an account object woken,
  and each account's first charge arms a billing-log flush (1,000 D1 writes). Here all of it runs on one thread
  with local D1; in production the objects are spread over machines and D1 is remote.

\`npm run bench\` took 225 s end to end on a fresh install here (the plain run); \`BENCH_BASELINE=<rev>\` adds a
second build and its 1,000 accounts (about 5.5 minutes).

**Time to first content** is ~7–9 ms over direct in repeated runs (6.8 ms before routing): the authorize
round trip, request validation and the plan come before the upstream call, and the relay holds the
role preamble until the first content. Nothing here waits on the network beyond that round trip.

Portkey's Node build answers streams with HTTP 500 here ("TypeError: immutable" appending a header to the
upstream response), so it has no streaming figures.

Time to first content is the fair streaming comparison: find-token holds the role preamble until the first
content so that a failure or filter before any token can still be a clean HTTP error (and a failover).
`;
