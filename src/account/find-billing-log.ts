/**
 * One request's billing log, readable as soon as its response has ended: D1
 * first (the query store), then the account object, whose ledger holds the log
 * from the charge until BILLING_LOG_READ_WINDOW_MS after it was handed to the
 * queue. Asked in this order there is no gap: a row D1 has not got yet is still
 * in the object. A D1 that fails is not the end either: a row the object holds
 * is answered all the same.
 */
import type { Env } from '../env';
import { createDb } from '../db/client';
import type { BillingLogRow } from '../db/schema';
import { getBillingLog, rowOfRecord } from '../billing/billing-log-store';
import { accountStub } from './client';
import { billingLogsUnavailable } from '../errors';

export async function findBillingLog(env: Env, accountId: string, requestId: string): Promise<BillingLogRow | undefined> {
  let d1Failure: { error: unknown } | undefined;
  try {
    const row = await getBillingLog(createDb(env.DB), accountId, requestId);
    if (row) return row;
  } catch (error) {
    d1Failure = { error };
  }
  const record = await accountStub(env, accountId).billingLog(requestId);
  if (record) return rowOfRecord(record);
  if (d1Failure) throw billingLogsUnavailable(d1Failure.error);
  return undefined;
}
