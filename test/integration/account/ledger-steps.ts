/** The steps the ledger's property test draws, and what it checks of refunds and disputes after them. */
import { runInDurableObject } from 'cloudflare:test';
import fc from 'fast-check';
import { expect } from 'vitest';
import type { RequestOutcome } from '../../../src/billing/billing-log';
import type { freshAccount } from './fixtures';

export const NOW = Date.UTC(2026, 10, 25, 12);
export const PERIOD = 30_000;
export const IDS = ['r0', 'r1', 'r2', 'r3'] as const;
export const RECHARGES = ['ch0', 'ch1'] as const;
const ATTEMPTS = 3;
const DISPUTES = 2;

export type Step =
  | { op: 'authorize'; id: number; amount: number }
  | { op: 'raise'; id: number; amount: number }
  | { op: 'renew'; id: number }
  | { op: 'charge'; id: number; cost: number }
  | { op: 'release'; id: number }
  | { op: 'expire' }
  | { op: 'restart' }
  | { op: 'credit'; amount: number }
  | { op: 'recharge'; rc: number; amount: number }
  | { op: 'beginRefund'; attempt: number; rc: number; amount: number }
  | { op: 'settleRefund'; attempt: number; rc: number; amount: number; outcome: 'refunded' | 'not_refunded' }
  | { op: 'stripeRefund'; rc: number; total: number; replay: boolean }
  | { op: 'openDispute'; dispute: number; amount: number; fresh: boolean }
  | { op: 'closeDispute'; dispute: number; amount: number; outcome: 'won' | 'lost'; fresh: boolean }
  | { op: 'operator'; suspend: boolean };

const id = fc.integer({ min: 0, max: IDS.length - 1 });
const units = fc.integer({ min: 0, max: 400 });
const rc = fc.integer({ min: 0, max: RECHARGES.length - 1 });
const attempt = fc.integer({ min: 0, max: ATTEMPTS - 1 });
const dispute = fc.integer({ min: 0, max: DISPUTES - 1 });
export const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant('authorize' as const), id, amount: units }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('raise' as const), id, amount: units }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('renew' as const), id }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant('charge' as const), id, cost: fc.oneof(fc.integer({ min: 0, max: 400 }), fc.integer({ min: 400, max: 1500 })) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('release' as const), id }) },
  { weight: 1, arbitrary: fc.constant({ op: 'expire' as const }) },
  { weight: 1, arbitrary: fc.constant({ op: 'restart' as const }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('credit' as const), amount: fc.integer({ min: -500, max: 800 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('recharge' as const), rc, amount: fc.integer({ min: 100, max: 1000 }) }) },
  // Sometimes more than is left of the recharge, or than is unspent.
  { weight: 3, arbitrary: fc.record({ op: fc.constant('beginRefund' as const), attempt, rc, amount: fc.integer({ min: 1, max: 1200 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('settleRefund' as const), attempt, rc, amount: fc.integer({ min: 1, max: 600 }), outcome: fc.constantFrom('refunded' as const, 'not_refunded' as const) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('stripeRefund' as const), rc, total: fc.integer({ min: 0, max: 1200 }), replay: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('openDispute' as const), dispute, amount: fc.integer({ min: 1, max: 1000 }), fresh: fc.boolean() }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant('closeDispute' as const), dispute, amount: fc.integer({ min: 1, max: 1000 }), outcome: fc.constantFrom('won' as const, 'lost' as const), fresh: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('operator' as const), suspend: fc.boolean() }) },
);

export const outcome = (cost: number, status: RequestOutcome['status'] = 'succeeded'): RequestOutcome => ({ promptTokens: 1, cachedTokens: 0, completionTokens: 1, reasoningTokens: 0, cost, providerCost: cost, estimated: false, status });

/** What the test knows of each request: what its worker holds, and how many disruptions preceded its admission. */
export interface Known {
  held: number;
  epoch: number;
  charged?: { charged: number; uncollected: number; delivered: boolean };
}

type Stub = ReturnType<typeof freshAccount>['stub'];
type MoneyRow = { kind: string; request_id: string; amount: number };

/**
 * Refunds and disputes as the object's storage has them: each attempt's debit is
 * its own `refund` row, reversed at most once and by exactly that debit, only
 * when the attempt is `reversed`; each dispute takes once and gives back, once,
 * exactly what it took, only when `won`; no such row belongs to nothing.
 */
export async function expectRefundAndDisputeRows(stub: Stub): Promise<void> {
  const { rows, attempts, disputes } = await runInDurableObject(stub, (_instance, state) => ({
    rows: state.storage.sql.exec<MoneyRow>("SELECT kind, request_id, amount FROM ledger WHERE kind IN ('refund', 'refund_reversed', 'dispute', 'dispute_won')").toArray(),
    attempts: state.storage.sql.exec<{ attempt_id: string; debited: number; status: string }>('SELECT attempt_id, debited, status FROM refund_attempts').toArray(),
    disputes: state.storage.sql.exec<{ dispute_id: string; debited: number; status: string }>('SELECT dispute_id, debited, status FROM disputes').toArray(),
  }));
  const of = (kind: string, reference: string) => rows.filter((row) => row.kind === kind && row.request_id === reference).map((row) => row.amount);
  const actual = [
    ...attempts.map((a) => ({ id: a.attempt_id, taken: of('refund', a.attempt_id), given: of('refund_reversed', a.attempt_id) })),
    ...disputes.map((d) => ({ id: d.dispute_id, taken: of('dispute', d.dispute_id), given: of('dispute_won', d.dispute_id) })),
  ];
  const expected = [
    ...attempts.map((a) => ({ id: a.attempt_id, taken: a.debited > 0 ? [-a.debited] : [], given: a.status === 'reversed' && a.debited > 0 ? [a.debited] : [] })),
    ...disputes.map((d) => ({ id: d.dispute_id, taken: d.debited > 0 ? [-d.debited] : [], given: d.status === 'won' && d.debited > 0 ? [d.debited] : [] })),
  ];
  expect(actual).toEqual(expected);
  const owned = new Set([...attempts.map((a) => a.attempt_id), ...disputes.map((d) => d.dispute_id)]);
  expect(rows.filter((row) => !owned.has(row.request_id))).toEqual([]);
}
