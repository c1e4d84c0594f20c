/**
 * The ledger's invariants under random interleavings of everything that moves
 * money or holds, run against the real account object and its storage (not a
 * model of it): authorize, raise, renew, charge, release, expiry of unrenewed
 * holds, restarts and credits. After every step the ledger sums to the
 * balance, which is never negative; a request id is charged once; a charge
 * plus its uncollected part is its cost; and a hold is money: a request
 * charged within its hold, with no debit, expiry or restart since it was
 * admitted, is collected in full. At the end no hold is left and D1's billing
 * logs are the ledger's charges.
 */
import { evictDurableObject, runDurableObjectAlarm } from 'cloudflare:test';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RequestOutcome } from '../../../src/billing/billing-log';
import { expectMoneyInvariants } from '../billing/invariants';
import { freshAccount, requestContext } from './fixtures';
import { moveObjectClock } from './object-vars';

const NOW = Date.UTC(2026, 10, 25, 12);
const PERIOD = 30_000;
const IDS = ['r0', 'r1', 'r2', 'r3'] as const;

type Step =
  | { op: 'authorize'; id: number; amount: number }
  | { op: 'raise'; id: number; amount: number }
  | { op: 'renew'; id: number }
  | { op: 'charge'; id: number; cost: number }
  | { op: 'release'; id: number }
  | { op: 'expire' }
  | { op: 'restart' }
  | { op: 'credit'; amount: number };

const id = fc.integer({ min: 0, max: IDS.length - 1 });
const units = fc.integer({ min: 0, max: 400 });
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant('authorize' as const), id, amount: units }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('raise' as const), id, amount: units }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('renew' as const), id }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant('charge' as const), id, cost: fc.oneof(fc.integer({ min: 0, max: 400 }), fc.integer({ min: 400, max: 1500 })) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('release' as const), id }) },
  { weight: 1, arbitrary: fc.constant({ op: 'expire' as const }) },
  { weight: 1, arbitrary: fc.constant({ op: 'restart' as const }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('credit' as const), amount: fc.integer({ min: -500, max: 800 }) }) },
);

const outcome = (cost: number, status: RequestOutcome['status'] = 'succeeded'): RequestOutcome => ({ promptTokens: 1, cachedTokens: 0, completionTokens: 1, reasoningTokens: 0, cost, providerCost: cost, estimated: false, status });

/** What the test knows of each request: what its worker holds, and how many disruptions preceded its admission. */
interface Known {
  held: number;
  epoch: number;
  charged?: { charged: number; uncollected: number; delivered: boolean };
}

async function run(steps: Step[]): Promise<void> {
  const { accountId, stub } = freshAccount();
  await stub.adjust({ amount: 800, reason: 'start', now: NOW });
  const known = new Map<string, Known>();
  let epoch = 0;
  const context = requestContext(NOW);
  const chargeOf = async (requestId: string, request: Known, cost: number, status: RequestOutcome['status']) => {
    const result = await stub.charge({ requestId, held: request.held, context, outcome: outcome(cost, status), now: NOW });
    if (request.charged) {
      expect(result).toMatchObject({ replay: true, charged: request.charged.charged, uncollected: request.charged.uncollected });
      return;
    }
    expect(result.replay).toBe(false);
    expect(result.charged + result.uncollected).toBe(cost);
    if (request.epoch === epoch && cost <= request.held) expect(result.uncollected).toBe(0);
    request.charged = { charged: result.charged, uncollected: result.uncollected, delivered: status === 'succeeded' };
  };

  // Request ids are unique in D1's billing logs: each run has its own.
  const run = accountId.slice(-8);
  for (const s of steps) {
    const requestId = 'id' in s ? `${IDS[s.id]}_${run}` : '';
    const request = known.get(requestId);
    switch (s.op) {
      case 'authorize': {
        const decision = await stub.authorize({ requestId, amount: s.amount, context, now: NOW });
        // A charged request is never admitted again; one the object forgot (a restart, an expiry) is held anew.
        if (request?.charged) expect(decision).toMatchObject({ ok: true, replay: true });
        else if (decision.ok && !decision.replay) known.set(requestId, { held: s.amount, epoch });
        break;
      }
      case 'raise':
        if (request && !request.charged && (await stub.raiseHold(requestId, s.amount)).ok) request.held = Math.max(request.held, s.amount);
        break;
      case 'renew':
        if (request && !request.charged) await stub.renew({ requestId, amount: request.held });
        break;
      case 'charge':
        if (request) await chargeOf(requestId, request, s.cost, 'succeeded');
        break;
      case 'release':
        if (request) await chargeOf(requestId, request, 0, 'failed');
        break;
      case 'expire':
        await moveObjectClock(stub, 3 * PERIOD);
        await runDurableObjectAlarm(stub);
        await moveObjectClock(stub, 0);
        epoch += 1;
        break;
      case 'restart':
        await evictDurableObject(stub);
        epoch += 1;
        break;
      case 'credit': {
        const adjusted = await stub.adjust({ amount: s.amount === 0 ? 1 : s.amount, reason: 'property', now: NOW });
        if (adjusted.ok && s.amount < 0) epoch += 1;
        break;
      }
    }
    const summary = await stub.summary(NOW);
    const ledgerSum = Object.values(summary.ledgerTotals).reduce((sum, n) => sum + n, 0);
    expect({ ledgerSum, nonNegative: summary.balance >= 0, reservedNonNegative: summary.reserved >= 0 }).toEqual({ ledgerSum: summary.balance, nonNegative: true, reservedNonNegative: true });
  }

  // Every request still open ends (released), time passes: nothing is held, and the logs are the ledger's.
  for (const [requestId, request] of known) if (!request.charged) await chargeOf(requestId, request, 0, 'failed');
  await moveObjectClock(stub, 3 * PERIOD);
  const delivered = [...known].filter(([, request]) => request.charged?.delivered).map(([requestId]) => requestId);
  await expectMoneyInvariants(accountId, delivered);
}

describe('the ledger under random interleavings (real object storage)', () => {
  it('keeps its invariants whatever the order of authorize, raise, renew, charge, release, expiry, restart and credit', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 30 }), (steps) => run(steps)),
      {
        numRuns: 60,
        // The audit's overrun, always tried: a charge far above its hold must not take another request's hold.
        examples: [
          [
            [
              { op: 'authorize', id: 0, amount: 300 },
              { op: 'authorize', id: 1, amount: 300 },
              { op: 'charge', id: 1, cost: 1500 },
              { op: 'charge', id: 0, cost: 250 },
            ],
          ],
        ],
      },
    );
  }, 60_000);
});
