import type { Env } from '../env';
import type { AccountDurableObject } from './account-object';

/** The account's one Durable Object, addressed by its account id. */
export const accountStub = (env: Env, accountId: string): DurableObjectStub<AccountDurableObject> =>
  env.ACCOUNTS.get(env.ACCOUNTS.idFromName(accountId));
