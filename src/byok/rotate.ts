/**
 * Rotating the BYOK master key: stored provider keys are re-encrypted under the
 * current master key, a page of accounts per call, so one call stays within a
 * request's limits however many accounts there are. Each account's object
 * replaces its ciphertexts; the worker does the crypto (the object never holds
 * the master secret). Safe to repeat: a key already under the current version
 * is left as it is. A key no configured master key opens is named and skipped,
 * so one unreadable key neither stops the others nor hides behind a 503.
 */
import type { Env } from '../env';
import { accountStub } from '../account/client';
import { byokUnavailable, messageOf } from '../errors';
import { masterKeys, reencryptProviderKey } from './crypto';
import { hashAccountId, logError } from '../base/log';

/** Accounts whose provider keys one call re-encrypts. */
export const ROTATION_PAGE = 100;

export interface RotationPage {
  accounts: number;
  resealedKeys: number;
  /** Stale keys of this page that no configured master key opens (left as they are). */
  unreadable: Array<{ accountId: string; keyId: string }>;
  /** Where the next call starts; null once every account was seen. */
  nextCursor: string | null;
}

/**
 * Re-encrypts the provider keys of the accounts after `cursor` (by id, one
 * page). Repeat with `nextCursor` until it is null; once no page named an
 * unreadable key, the old master key can be dropped from
 * BYOK_PREVIOUS_ENCRYPTION_KEYS. Throws 503 when the master keys themselves
 * are missing or malformed, or an account's object cannot be reached.
 */
export async function rotateMasterKey(env: Env, cursor: string): Promise<RotationPage> {
  const page = await env.DB.prepare('SELECT id FROM accounts WHERE id > ? ORDER BY id LIMIT ?').bind(cursor, ROTATION_PAGE).all<{ id: string }>();
  let resealed = 0;
  const unreadable: RotationPage['unreadable'] = [];
  try {
    const keys = await masterKeys(env);
    for (const { id: accountId } of page.results) {
      const stub = accountStub(env, accountId);
      const stale = (await stub.byokKeySet()).keys.filter((key) => key.keyVersion !== keys.current.version);
      const sealed = [];
      for (const key of stale) {
        try {
          sealed.push({ id: key.id, ...(await reencryptProviderKey(keys, key, { accountId, keyId: key.id })) });
        } catch (error) {
          logError('byok.rotate_unreadable', { account: hashAccountId(accountId), keyId: key.id, message: 'the provider key opens with no configured master key', cause: messageOf(error) });
          unreadable.push({ accountId, keyId: key.id });
        }
      }
      if (sealed.length === 0) continue;
      await stub.resealByokKeys(sealed);
      resealed += sealed.length;
    }
  } catch (error) {
    throw byokUnavailable('Stored provider keys could not be re-encrypted (are the master keys configured?).', error);
  }
  const last = page.results.at(-1)?.id;
  return { accounts: page.results.length, resealedKeys: resealed, unreadable, nextCursor: page.results.length === ROTATION_PAGE && last !== undefined ? last : null };
}
