/**
 * How a charge reaches the account object, whatever fails on the way. The
 * worker asks the object directly and waits at most CHARGE_TIMEOUT_MS (a
 * failed round trip is tried again within that time); a charge not recorded by
 * then goes to the CHARGES queue, which outlives the worker and delivers it to
 * the object later (charge-queue.ts). The object charges a request id once, so
 * a round trip that did land late and the queue's copy never charge twice. A
 * charge that cannot even be queued is logged as `charge_lost` and recorded in
 * D1 for the operator, with what is needed to replay it.
 */
import { messageOf } from '../errors';
import type { Env } from '../env';
import type { AccountDurableObject } from './account-object';
import type { ChargeInput, ChargeResult } from './request-charges';
import { hashAccountId, logError } from '../base/log';

/** One charge, as the queue carries it: the account it belongs to and the object's own input. */
export interface ChargeMessage {
  accountId: string;
  charge: ChargeInput;
}

export type Delivery = { recorded: true; result: ChargeResult } | { recorded: false; queued: boolean };

/** Waits between failed round trips within the timeout. */
const RETRY_DELAYS_MS = [25, 100, 250, 500, 1_000];

export interface DeliveryOptions {
  timeoutMs: number;
  /** Runs work the response need not wait for (recording a lost charge). */
  waitUntil: (promise: Promise<unknown>) => void;
}

/**
 * Records `message` with the account object within `timeoutMs`, or queues it.
 * Never throws: the answer is delivered whichever way the charge goes.
 */
export async function deliverCharge(env: Env, stub: DurableObjectStub<AccountDurableObject>, message: ChargeMessage, options: DeliveryOptions): Promise<Delivery> {
  const result = await withinTimeout(() => stub.charge(message.charge), options.timeoutMs);
  if (result) return { recorded: true, result };
  try {
    await env.CHARGES.send(message, { contentType: 'json' });
    return { recorded: false, queued: true };
  } catch (error) {
    options.waitUntil(recordLostCharge(env, message, error));
    return { recorded: false, queued: false };
  }
}

/** The first successful answer of `call` within `timeoutMs`, retrying failures; undefined if none came in time. */
async function withinTimeout<T>(call: () => Promise<T>, timeoutMs: number): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), timeoutMs);
  });
  try {
    for (let attempt = 0; ; attempt++) {
      const answer = await Promise.race([
        call().then(
          (value) => ({ value }),
          (error: unknown) => ({ error }),
        ),
        expired,
      ]);
      if (answer === undefined) return undefined;
      if ('value' in answer) return answer.value;
      logError('charge.round_trip_failed', { message: 'charge round trip failed', cause: messageOf(answer.error) });
      const delay = RETRY_DELAYS_MS[Math.min(attempt, RETRY_DELAYS_MS.length - 1)]!;
      if (Date.now() + delay >= deadline) return undefined;
      const waited = await Promise.race([new Promise<true>((resolve) => setTimeout(() => resolve(true), delay)), expired]);
      if (waited === undefined) return undefined;
    }
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The charge could not be recorded nor queued: said loudly in the log, and
 * kept in D1 (once per request id) so the operator sees the count and can
 * replay it. If D1 is down too, the log line is all that is left.
 */
export async function recordLostCharge(env: Env, message: ChargeMessage, cause: unknown): Promise<void> {
  const { charge } = message;
  logError('charge.lost', { requestId: charge.requestId, account: hashAccountId(message.accountId), cost: charge.outcome.cost, cause: messageOf(cause) });
  try {
    await env.DB.prepare('INSERT OR IGNORE INTO lost_charges (request_id, account_id, cost, charge, created_at) VALUES (?, ?, ?, ?, ?)')
      .bind(charge.requestId, message.accountId, charge.outcome.cost, JSON.stringify(charge), Date.now())
      .run();
  } catch (error) {
    logError('charge.lost', { requestId: charge.requestId, message: 'not recorded in D1 either', cause: messageOf(error) });
  }
}
