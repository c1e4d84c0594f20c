import { env, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { apiRequest } from '../helpers';

export const accountObject = (accountId: string) => env.ACCOUNTS.get(env.ACCOUNTS.idFromName(accountId));

/** How long a drain waits for the queue's consumer (it delivers 50 ms after a send in tests). */
const DRAIN_TIMEOUT_MS = 5_000;

/** The request ids whose billing logs the account object has handed to the BILLING_LOGS queue. */
export const handedRequestIds = async (accountId: string): Promise<string[]> =>
  runInDurableObject(accountObject(accountId), (_instance, state) =>
    state.storage.sql.exec<{ request_id: string }>("SELECT request_id FROM ledger WHERE kind = 'usage' AND flushed != 0 ORDER BY id").toArray().map((row) => row.request_id),
  );

/** The account object's billing logs not yet handed to the queue. */
const unhandedCount = async (accountId: string): Promise<number> =>
  runInDurableObject(accountObject(accountId), (_instance, state) =>
    state.storage.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM ledger WHERE kind = 'usage' AND flushed = 0 AND log IS NOT NULL").one().n,
  );

const pause = () => new Promise((resolve) => setTimeout(resolve, 10));

/**
 * Runs the account object's alarm until it has handed every billing log to the BILLING_LOGS queue
 * (an alarm a moved clock left in the past may have fired on its own meanwhile), then waits until the
 * queue's consumer has written every handed row to D1: what D1 shows afterwards is complete.
 */
export async function drainOutbox(accountId: string): Promise<void> {
  // Counted in polls, not by the clock: a test may have stopped Date.
  for (let polls = 0; ; polls++) {
    await runDurableObjectAlarm(accountObject(accountId));
    const left = await unhandedCount(accountId);
    if (left === 0) break;
    if (polls * 10 > DRAIN_TIMEOUT_MS) throw new Error(`drainOutbox: ${left} billing logs still not handed to the queue after ${DRAIN_TIMEOUT_MS} ms`);
    await pause();
  }
  // By request id, not by count: D1 may hold rows the object has since folded into a checkpoint.
  const handed = await handedRequestIds(accountId);
  const inD1 = async () =>
    (await env.DB.prepare('SELECT COUNT(*) AS n FROM billing_logs WHERE request_id IN (SELECT value FROM json_each(?))').bind(JSON.stringify(handed)).first<{ n: number }>())!.n;
  for (let found = await inD1(), polls = 0; found < handed.length; found = await inD1(), polls++) {
    if (polls * 10 > DRAIN_TIMEOUT_MS) throw new Error(`drainOutbox: ${found} of the ${handed.length} billing logs handed to the queue reached D1 in ${DRAIN_TIMEOUT_MS} ms`);
    await pause();
  }
}

export async function balanceOf(key: string): Promise<{ balance: number; reserved: number; currency: string; byok: unknown }> {
  return (await apiRequest(key, 'GET', '/v1/user/balance')).json();
}

export interface PublicLog {
  id: string;
  request_id: string;
  model: string;
  provider: string;
  mode: string;
  routing: string;
  prompt_tokens: number;
  cached_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  cost: number;
  provider_cost: number;
  estimated: boolean;
  status: string;
  stream: boolean;
  latency_ms: number;
  fallback_reason: string | null;
  key: { id: string; name: string; prefix: string } | null;
}

export async function billingLog(key: string, requestId: string): Promise<PublicLog> {
  return (await apiRequest(key, 'GET', `/v1/user/billing-logs/${requestId}`)).json();
}

export async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean, attempts = 100): Promise<T> {
  let value = await read();
  for (let i = 0; i < attempts && !done(value); i++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    value = await read();
  }
  return value;
}
