/** What must hold for every account a money test touched, checked after each test: Σ ledger = balance ≥ 0. */
import { afterEach, expect } from 'vitest';
import { accountObject } from '../billing/helpers';

export async function expectBalanced(accountId: string): Promise<void> {
  const summary = await accountObject(accountId).summary(Date.now());
  const ledger = Object.values(summary.ledgerTotals).reduce((sum, units) => sum + units, 0);
  expect({ account: accountId, ledger, nonNegative: summary.balance >= 0 }).toEqual({ account: accountId, ledger: summary.balance, nonNegative: true });
}

/** Registers the check for this file; add each account a test touches to the returned set. */
export function checkAccountsAfterEach(): Set<string> {
  const touched = new Set<string>();
  afterEach(async () => {
    const accounts = [...touched];
    touched.clear();
    for (const accountId of accounts) await expectBalanced(accountId);
  });
  return touched;
}
