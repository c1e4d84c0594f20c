/** The report's sections for the two bursts: many streams on one account, many accounts once each. */
import type { BurstFigures, ConcurrentStreamFigures } from './burst-scenarios.ts';
import { round } from './stats.ts';

const ms = (value: number) => `${round(value, 2)} ms`;
const errors = (n: number, kinds: Record<string, number>) =>
  n === 0 ? '0' : `**${n}** (${Object.entries(kinds).map(([kind, count]) => `${count}× ${kind}`).join(', ')})`;

export interface AccountBurstResult {
  accounts: number;
  /** How long making the accounts and keys took (before the timed part, not in its figures). */
  provisioningSeconds: number;
  byTarget: Record<string, BurstFigures>;
}

export function concurrentStreamLines(byTarget: Record<string, ConcurrentStreamFigures>): string[] {
  const atOnce = Object.values(byTarget)[0]?.atOnce ?? 0;
  return [
    `## ${atOnce} concurrent streams on one account`,
    ``,
    `Each target's streams sent at the same instant on one key (find-token: one account, so one account object serves`,
    `every hold and charge), in rounds taken in turn; an error is any stream that is not a 200 with 64/64 frames and [DONE].`,
    ``,
    `| target | streams | first content p50 | p99 | total p50 | p99 | round wall time | frames delivered | errors |`,
    `|---|---|---|---|---|---|---|---|---|`,
    ...Object.entries(byTarget).map(
      ([name, s]) =>
        `| ${name} | ${s.streams} | ${ms(s.ttfcP50)} | ${ms(s.ttfcP99)} | ${ms(s.totalP50)} | ${ms(s.totalP99)} | ${ms(s.wallMs)} | ${s.framesDelivered}/${s.framesExpected} | ${errors(s.errors, s.errorKinds)} |`,
    ),
    ``,
  ];
}

export function accountBurstLines(burst: AccountBurstResult): string[] {
  const accounts = burst.accounts.toLocaleString('en-US');
  return [
    `## ${accounts} accounts, one request each at once`,
    ``,
    `${accounts} accounts, each with $10 and its own key, made through the operator API before the timed part (${Math.round(burst.provisioningSeconds)} s,`,
    `not counted); then one non-streaming request per key, all sent at the same instant: each key's first chat request.`,
    `The bare worker, for reference, gets as many requests at once with the upstream key.`,
    ``,
    `| target | requests | p50 | p99 | max | all answered in | errors |`,
    `|---|---|---|---|---|---|---|`,
    ...Object.entries(burst.byTarget).map(
      ([name, b]) => `| ${name} | ${b.requests} | ${ms(b.p50)} | ${ms(b.p99)} | ${ms(b.max)} | ${ms(b.wallMs)} | ${errors(b.errors, b.errorKinds)} |`,
    ),
    ...Object.entries(burst.byTarget)
      .filter(([, b]) => Object.keys(b.serverTiming ?? {}).length > 0)
      .flatMap(([name, b]) => [``, `${name}'s Server-Timing in the burst (p50 / p99): ${Object.entries(b.serverTiming).map(([span, t]) => `${span} ${ms(t.p50)} / ${ms(t.p99)}`).join(', ')}.`]),
  ];
}
