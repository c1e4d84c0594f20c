/**
 * The account object reads its policy (rate limit, hold renewal, BYOK free tier)
 * from its own vars, not from the worker's request: a test that needs other
 * values for one account sets them on that account's live object. Its clock is
 * moved the same way, instead of waiting.
 */
import { runInDurableObject } from 'cloudflare:test';
import type { AccountDurableObject } from '../../../src/account/account-object';

export async function setObjectVars(stub: DurableObjectStub<AccountDurableObject>, vars: Record<string, string>): Promise<void> {
  await runInDurableObject(stub, (instance) => {
    Reflect.set(instance, 'env', { ...(Reflect.get(instance, 'env') as object), ...vars });
  });
}

/** Moves the object's clock (what holds are renewed and expired by) `ms` ahead of real time, until it restarts. */
export async function moveObjectClock(stub: DurableObjectStub<AccountDurableObject>, ms: number): Promise<void> {
  await runInDurableObject(stub, (instance) => {
    Reflect.set(instance, 'clock', () => Date.now() + ms);
  });
}
