import type { AuthenticatedKey, Env } from '../env';
import { accountDeactivated, type ApiError, revokedKey } from '../errors';
import type { AccountDurableObject } from './account-object';

/** The account's one Durable Object, addressed by its account id. */
export const accountStub = (env: Env, accountId: string): DurableObjectStub<AccountDurableObject> =>
  env.ACCOUNTS.get(env.ACCOUNTS.idFromName(accountId));

/** Asks the account's object, the authority, whether the key may act: the error to answer, or undefined. */
export async function keyAccessError(env: Env, auth: Pick<AuthenticatedKey, 'accountId' | 'keyId'>): Promise<ApiError | undefined> {
  const state = await accountStub(env, auth.accountId).keyState(auth.keyId);
  if (state.revoked) return revokedKey();
  if (state.deactivated) return accountDeactivated();
  return undefined;
}
