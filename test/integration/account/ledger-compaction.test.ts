/** Ledger compaction: old handed request rows fold into checkpoints; money and every idempotency key stay exact. */
import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { compactLedger, COMPACTION_INTERVAL_MS, REQUEST_ID_RETENTION_MS } from '../../../src/account/ledger-compaction';
import type { RequestOutcome } from '../../../src/billing/billing-log';
import { freshAccount, requestContext } from './fixtures';

const DAY = 24 * 60 * 60_000;
const T0 = Date.UTC(2026, 0, 5, 12);
/** When the last charge is made and handed on. */
const RECENT = T0 + 10 * DAY;
/** Twenty days on: T0's activity is past the request-id retention, the last charge (RECENT) is not. */
const LATER = T0 + 20 * DAY;

type Stub = ReturnType<typeof freshAccount>['stub'];

const outcome = (cost: number): RequestOutcome => ({ promptTokens: 10, cachedTokens: 0, completionTokens: 5, reasoningTokens: 0, cost, providerCost: cost, estimated: false, status: 'succeeded' });
const charge = (requestId: string, cost: number, at: number) => ({ requestId, held: 0, context: requestContext(at), outcome: outcome(cost), now: at });
const recharge = { rechargeId: 'rch_1', sessionId: 'cs_1', eventId: 'evt_paid_1', amount: 100_000, now: T0 };
const refund = { attemptId: 'rfa_1', rechargeId: 'rch_1', amount: 1_000, now: T0 + 60_000 };
const dispute = { disputeId: 'dp_1', rechargeId: 'rch_1', amount: 2_000, eventId: 'evt_dp_open', now: T0 + 120_000 };
const adjustment = { idempotencyKey: 'adj-1', amount: 5_000, reason: 'goodwill', now: T0 };

type LedgerRow = {
  id: number;
  kind: string;
  request_id: string | null;
  amount: number;
  balance_after: number;
};

const ledgerRows = (stub: Stub) =>
  runInDurableObject(stub, (_instance, state) => state.storage.sql.exec<LedgerRow>('SELECT id, kind, request_id, amount, balance_after FROM ledger ORDER BY id').toArray());

/** Every row's balance_after is the sum of the rows up to it. */
function expectRunningSums(rows: LedgerRow[]): void {
  let sum = 0;
  for (const row of rows) {
    sum += row.amount;
    expect(row.balance_after).toBe(sum);
  }
}

/** A recharge, an operator credit, charges around a refund and a won dispute at T0, one charge at RECENT; each handed to D1 by the alarm. */
async function activeAccount(): Promise<Stub> {
  const { stub } = freshAccount();
  vi.useFakeTimers({ toFake: ['Date'], now: T0 });
  await stub.creditRecharge(recharge);
  await stub.adjustOnce(adjustment);
  for (let i = 0; i < 10; i++) await stub.charge(charge(`req_a${i}`, 100, T0 + i * 1_000));
  await stub.beginRefund(refund);
  await stub.settleRefund({ ...refund, outcome: 'refunded' });
  await stub.openDispute(dispute);
  await stub.closeDispute({ ...dispute, eventId: 'evt_dp_won', outcome: 'won' });
  for (let i = 0; i < 10; i++) await stub.charge(charge(`req_b${i}`, 50, T0 + 200_000 + i * 1_000));
  await runDurableObjectAlarm(stub);
  vi.setSystemTime(RECENT);
  await stub.charge(charge('req_recent', 70, RECENT));
  await runDurableObjectAlarm(stub);
  return stub;
}

/** The alarm at LATER: it compacts. */
async function compactAtLater(stub: Stub): Promise<void> {
  vi.setSystemTime(LATER);
  await runInDurableObject(stub, (_instance, state) => state.storage.setAlarm(LATER));
  await runDurableObjectAlarm(stub);
}

// 100,000 + 5,000 − 10 × 100 − 1,000 (refund) − 2,000 + 2,000 (dispute won) − 10 × 50 − 70.
const BALANCE = 102_430;

afterEach(() => {
  vi.useRealTimers();
});

describe('ledger compaction', () => {
  it('folds old request rows into checkpoints: the balance, Σ ledger and every running sum stay exact', async () => {
    const stub = await activeAccount();
    expect((await stub.summary(LATER)).balance).toBe(BALANCE);
    expect(await ledgerRows(stub)).toHaveLength(26);
    await compactAtLater(stub);
    const rows = await ledgerRows(stub);
    expect(rows.map((row) => [row.kind, row.request_id, row.amount])).toEqual([
      ['recharge', 'cs_1', 100_000],
      ['adjustment', null, 5_000],
      ['checkpoint', null, -1_000],
      ['refund', 'rfa_1', -1_000],
      ['dispute', 'dp_1', -2_000],
      ['dispute_won', 'dp_1', 2_000],
      ['checkpoint', null, -500],
      ['usage', 'req_recent', -70],
    ]);
    expectRunningSums(rows);
    const summary = await stub.summary(LATER);
    expect(summary.balance).toBe(BALANCE);
    expect(Object.values(summary.ledgerTotals).reduce((a, b) => a + b, 0)).toBe(BALANCE);
    expect(summary.ledgerTotals).toEqual({ recharge: 100_000, adjustment: 5_000, checkpoint: -1_500, refund: -1_000, dispute: -2_000, dispute_won: 2_000, usage: -70 });
  });

  it('changes nothing when each idempotent change is replayed after compaction', async () => {
    const stub = await activeAccount();
    await compactAtLater(stub);
    expect(await stub.charge(charge('req_recent', 999, LATER))).toEqual({ charged: 70, uncollected: 0, balance: BALANCE, replay: true });
    expect(await stub.creditRecharge({ ...recharge, now: LATER })).toEqual({ credited: false, balance: BALANCE });
    // A keyed adjustment's replay answers its first result: the balance right after it.
    expect(await stub.adjustOnce({ ...adjustment, now: LATER })).toMatchObject({ ok: true, replay: true, balance: 105_000 });
    expect(await stub.beginRefund({ ...refund, now: LATER })).toMatchObject({ ok: true, replay: true, balance: BALANCE });
    expect(await stub.settleRefund({ ...refund, now: LATER, outcome: 'refunded' })).toMatchObject({ balance: BALANCE });
    expect(await stub.openDispute({ ...dispute, now: LATER })).toMatchObject({ applied: false, balance: BALANCE });
    expect(await stub.closeDispute({ ...dispute, eventId: 'evt_dp_won', outcome: 'won', now: LATER })).toMatchObject({ applied: false, balance: BALANCE });
    expect((await stub.summary(LATER)).balance).toBe(BALANCE);
    expectRunningSums(await ledgerRows(stub));
  });

  it('folds into the earlier checkpoint on the next pass, and keeps the balance across a restart', async () => {
    const stub = await activeAccount();
    await compactAtLater(stub);
    vi.setSystemTime(LATER);
    await stub.charge(charge('req_c1', 30, LATER));
    await runDurableObjectAlarm(stub);
    vi.setSystemTime(LATER + 20 * DAY);
    await runInDurableObject(stub, (_instance, state) => state.storage.setAlarm(LATER + 20 * DAY));
    await runDurableObjectAlarm(stub);
    const rows = await ledgerRows(stub);
    expect(rows.map((row) => [row.kind, row.amount])).toEqual([
      ['recharge', 100_000],
      ['adjustment', 5_000],
      ['checkpoint', -1_000],
      ['refund', -1_000],
      ['dispute', -2_000],
      ['dispute_won', 2_000],
      ['checkpoint', -600],
    ]);
    expectRunningSums(rows);
    await evictDurableObject(stub);
    expect((await stub.summary(LATER + 20 * DAY)).balance).toBe(BALANCE - 30);
    expect(await stub.charge(charge('req_c2', 10, LATER + 20 * DAY))).toEqual({ charged: 10, uncollected: 0, balance: BALANCE - 40, replay: false });
    expectRunningSums(await ledgerRows(stub));
  });

  it('works a bounded number of rows per call, exact after each, and asks to be called again', async () => {
    const stub = await activeAccount();
    vi.setSystemTime(LATER);
    const results = await runInDurableObject(stub, (_instance, state) => {
      const seen = [];
      for (let call = 0; call < 10; call++) {
        const result = compactLedger(state.storage, LATER, 4);
        seen.push(result);
        if (result.nextAt !== LATER + 1_000) break;
      }
      return seen;
    });
    expect(results.length).toBeGreaterThan(2);
    expect(results.slice(0, -1).every((result) => result.nextAt === LATER + 1_000)).toBe(true);
    // Then none is due until req_recent is a day past its retention.
    expect(results.at(-1)!.nextAt).toBe(RECENT + REQUEST_ID_RETENTION_MS + COMPACTION_INTERVAL_MS);
    const rows = await ledgerRows(stub);
    expect(rows).toHaveLength(8);
    expectRunningSums(rows);
    expect((await stub.summary(LATER)).balance).toBe(BALANCE);
  });

  it('rolls back whole when it throws mid-transaction: no row deleted without its checkpoint', async () => {
    const stub = await activeAccount();
    const before = await ledgerRows(stub);
    const thrown = await runInDurableObject(stub, (_instance, state) => {
      // The rows of the first run are deleted, then making their checkpoint fails.
      const sql = new Proxy(state.storage.sql, {
        get(target, property) {
          if (property === 'exec')
            return (query: string, ...bindings: unknown[]) => {
              if (query.startsWith("UPDATE ledger SET kind = 'checkpoint'")) throw new Error('SQLITE_FULL: database or disk is full');
              return target.exec(query, ...(bindings as SqlStorageValue[]));
            };
          return Reflect.get(target, property) as unknown;
        },
      });
      const storage = { sql, transactionSync: <T>(change: () => T) => state.storage.transactionSync(change) } as unknown as DurableObjectStorage;
      try {
        compactLedger(storage, LATER);
        return 'no error';
      } catch (error) {
        return String(error);
      }
    });
    expect(thrown).toBe('Error: SQLITE_FULL: database or disk is full');
    expect(await ledgerRows(stub)).toEqual(before);
    expect((await stub.summary(LATER)).balance).toBe(BALANCE);
    await runInDurableObject(stub, (_instance, state) => compactLedger(state.storage, LATER));
    expect(await ledgerRows(stub)).toHaveLength(8);
  });

  it('keeps request rows not yet handed on, however old', async () => {
    const { stub } = freshAccount();
    vi.useFakeTimers({ toFake: ['Date'], now: T0 });
    await stub.adjustOnce(adjustment);
    await stub.charge(charge('req_unhanded', 100, T0));
    const result = await runInDurableObject(stub, (_instance, state) => compactLedger(state.storage, LATER));
    expect(result).toEqual({ folded: 0, nextAt: undefined });
    expect((await ledgerRows(stub)).map((row) => row.kind)).toEqual(['adjustment', 'usage']);
  });

  it('keeps an alarm set after compaction while request rows will come of age', async () => {
    const stub = await activeAccount();
    await compactAtLater(stub);
    // Nothing is left to flush: only compaction asks for it (the runtime clamps a time the fake clock puts in the past to now).
    expect(await runInDurableObject(stub, (_instance, state) => state.storage.getAlarm())).not.toBeNull();
  });

  it('drops Checkout Sessions past their hour and BYOK months before last month', async () => {
    const { stub } = freshAccount();
    const left = await runInDurableObject(stub, (_instance, state) => {
      const sql = state.storage.sql;
      for (const at of [LATER - 2 * 60 * 60_000, LATER - 10 * 60_000]) sql.exec('INSERT INTO checkout_sessions (opened_at) VALUES (?)', at);
      for (const month of ['2025-12', '2026-01', '2026-02']) sql.exec('INSERT INTO byok_months (month, requests) VALUES (?, 1)', month);
      // LATER is in January 2026: December is last month.
      compactLedger(state.storage, Date.UTC(2026, 1, 10));
      return {
        sessions: sql.exec('SELECT opened_at FROM checkout_sessions').toArray(),
        months: sql.exec('SELECT month FROM byok_months ORDER BY month').toArray(),
      };
    });
    expect(left).toEqual({ sessions: [], months: [{ month: '2026-01' }, { month: '2026-02' }] });
  });
});
