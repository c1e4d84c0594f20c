/**
 * The account object reads its policy (rate limit, hold bound, BYOK free tier)
 * from its own vars, not from the worker's request: a test that needs other
 * values for one account sets them on that account's live object.
 */
import { runInDurableObject } from 'cloudflare:test';
import type { AccountDurableObject } from '../../../src/account/account-object';

export async function setObjectVars(stub: DurableObjectStub<AccountDurableObject>, vars: Record<string, string>): Promise<void> {
  await runInDurableObject(stub, (instance) => {
    Reflect.set(instance, 'env', { ...(Reflect.get(instance, 'env') as object), ...vars });
  });
}
