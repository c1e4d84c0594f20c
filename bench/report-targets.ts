/** The "Targets" section: issue 15's targets, each checked against this run's figures and marked met or missed. */
import { METERED_FLOORS } from './metered-floors.ts';
import type { Results } from './report.ts';
import { round } from './stats.ts';

const MB = 1024 * 1024;
const ms = (value: number) => `${round(value, 2)} ms`;
const mb = (bytes: number) => `${round(bytes / MB, 1)} MB`;
const check = (ok: boolean) => (ok ? 'met' : '**missed**');
const errorList = (kinds: Record<string, number> | undefined) =>
  Object.entries(kinds ?? {})
    .map(([kind, n]) => `${n}× ${kind}`)
    .join(', ');

/** The figures the targets read, also used by the report's prose. */
export function headlineFigures(r: Results) {
  const added = r.latency.addedVsDirect;
  const rps32 = (name: string) => r.throughput[name]?.find((t) => t.concurrency === 32)?.rps ?? NaN;
  const floor = METERED_FLOORS.memoryHold.name;
  return {
    added,
    rps32,
    ftOwn: (added['find-token'] ?? NaN) - (added['bare worker'] ?? NaN),
    portkeyAdded: added.Portkey ?? NaN,
    /** find-token's added median over the memory-hold floor's: what the gateway costs beyond billing's least. */
    aboveFloor: (added['find-token'] ?? NaN) - (added[floor] ?? NaN),
    floorRatio32: rps32('find-token') / rps32(floor),
    cpu: (name: string) => r.cpuMsPerRequest[name] ?? NaN,
  };
}

export function targetLines(r: Results): string[] {
  const { ftOwn, portkeyAdded, aboveFloor, floorRatio32, rps32, cpu } = headlineFigures(r);
  const ft = r.streaming['find-token'];
  const bare = r.streaming['bare worker'];
  const direct = r.streaming.direct;
  const ttfcOverBare = (ft?.ttfcMs ?? NaN) - (bare?.ttfcMs ?? NaN);
  const addedGapP99 = (ft?.gapP99 ?? NaN) - (direct?.gapP99 ?? NaN);
  // Flat in stream length: ten times the stream may not cost memory in proportion. A relay that held the
  // stream would grow by the 9 MB more it relays; half of that is the line.
  const extraGrowth = r.memory.tenMbStream.growthBytes - r.memory.oneMbStream.growthBytes;
  const streamBurst = r.concurrentStreamsOneAccount['find-token'];
  const accountBurst = r.oneRequestEachManyAccounts.byTarget['find-token'];
  const accounts = r.oneRequestEachManyAccounts.accounts.toLocaleString('en-US');
  const burstErrors = (errors: number | undefined, kinds: Record<string, number> | undefined) => (errors ? `${errors} errors (${errorList(kinds)})` : '0 errors');
  return [
    `## Targets`,
    ``,
    `| target | result | |`,
    `|---|---|---|`,
    `| find-token's own added median (− bare worker) ≤ Portkey's added median | ${ms(ftOwn)} vs ${ms(portkeyAdded)} | ${check(ftOwn <= portkeyAdded)} |`,
    `| … and under 1 ms above the memory-hold floor's added median | ${ms(aboveFloor)} above | ${check(aboveFloor < 1)} |`,
    `| time to first content under 5 ms more than the bare worker's | ${ms(ttfcOverBare)} more | ${check(ttfcOverBare < 5)} |`,
    `| throughput at 32 ≥ 80% of the memory-hold floor's | ${round(floorRatio32 * 100, 0)}% (${Math.round(rps32('find-token'))} vs ${Math.round(rps32(METERED_FLOORS.memoryHold.name))} req/s) | ${check(floorRatio32 >= 0.8)} |`,
    `| … and above Portkey's | ${Math.round(rps32('find-token'))} vs ${Math.round(rps32('Portkey'))} req/s | ${check(rps32('find-token') > rps32('Portkey'))} |`,
    `| CPU per non-streaming request < 2 ms (the account object included) | ${ms(cpu('find-token'))} | ${check(cpu('find-token') < 2)} |`,
    `| streaming 64/64 frames and [DONE] | ${ft?.minFrames ?? 0}/64 | ${check((ft?.minFrames ?? 0) === 64 && (ft?.allDone ?? false))} |`,
    `| added inter-chunk p99 < 2 ms (vs direct) | ${ms(addedGapP99)} | ${check(addedGapP99 < 2)} |`,
    `| memory flat in stream length (10 MB relayed grows < 4.5 MB more than 1 MB) | ${mb(r.memory.oneMbStream.growthBytes)} → ${mb(r.memory.tenMbStream.growthBytes)} | ${check(extraGrowth < 4.5 * MB)} |`,
    `| ${streamBurst?.atOnce ?? 0} concurrent streams on one account: 0 errors | ${burstErrors(streamBurst?.errors, streamBurst?.errorKinds)}; first content p50 ${ms(streamBurst?.ttfcP50 ?? NaN)}, p99 ${ms(streamBurst?.ttfcP99 ?? NaN)} | ${check(streamBurst?.errors === 0)} |`,
    `| ${accounts} accounts × 1 request at once: 0 errors | ${burstErrors(accountBurst?.errors, accountBurst?.errorKinds)}; p50 ${ms(accountBurst?.p50 ?? NaN)}, p99 ${ms(accountBurst?.p99 ?? NaN)}, max ${ms(accountBurst?.max ?? NaN)} | ${check(accountBurst?.errors === 0)} |`,
  ];
}
