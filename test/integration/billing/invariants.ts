/**
 * What must hold for every account after any failure: the ledger sums to the
 * balance, the balance is not negative, each delivered request is charged
 * exactly once, D1's billing logs are the ledger's charges, and no hold is left.
 */
import { env, runInDurableObject } from 'cloudflare:test';
import { expect } from 'vitest';
import { accountObject, drainOutbox } from './helpers';

type ChargeRow = {
  request_id: string;
  amount: number;
  balance_after: number;
};

/** The account's charges as its object's ledger holds them, oldest first. */
export async function ledgerCharges(accountId: string): Promise<ChargeRow[]> {
  return runInDurableObject(accountObject(accountId), (_instance, state) =>
    state.storage.sql.exec<ChargeRow>("SELECT request_id, amount, balance_after FROM ledger WHERE kind = 'usage' ORDER BY id").toArray(),
  );
}

/**
 * Asserts the invariants for `accountId`; `delivered`: the request ids whose
 * answer reached the client (each must have exactly one charge). Flushes the
 * billing logs to D1 first (through the queue).
 */
export async function expectMoneyInvariants(accountId: string, delivered: readonly string[] = []): Promise<void> {
  const stub = accountObject(accountId);
  await drainOutbox(accountId);
  const summary = await stub.summary(Date.now());
  const ledgerSum = Object.values(summary.ledgerTotals).reduce((sum, units) => sum + units, 0);
  expect({ ledgerSum, nonNegative: summary.balance >= 0, reserved: summary.reserved, openHolds: summary.openReservations }).toEqual({
    ledgerSum: summary.balance,
    nonNegative: true,
    reserved: 0,
    openHolds: 0,
  });

  const charges = await ledgerCharges(accountId);
  const chargedIds = charges.map((row) => row.request_id);
  expect(new Set(chargedIds).size).toBe(chargedIds.length);
  for (const requestId of delivered) expect(chargedIds).toContain(requestId);

  const logs = await env.DB.prepare('SELECT request_id, cost FROM billing_logs WHERE account_id = ? ORDER BY request_id').bind(accountId).all<{ request_id: string; cost: number }>();
  const fromLedger = charges.map((row) => ({ request_id: row.request_id, cost: 0 - row.amount })).sort((a, b) => (a.request_id < b.request_id ? -1 : 1));
  expect(logs.results).toEqual(fromLedger);
}
