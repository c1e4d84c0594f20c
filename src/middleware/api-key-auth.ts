import type { Context, MiddlewareHandler } from 'hono';
import type { AppEnv } from '../env';
import { createDb } from '../db/client';
import { hashApiKey, isWellFormedApiKey } from '../accounts/keys';
import { keyCache, type CachedKey } from '../accounts/key-cache';
import { findKeyByHash, needsLastUsedUpdate, touchApiKey } from '../accounts/account-store';
import { accountStub, keyStateRefusal, refusalToError } from '../account/client';
import { accountDeactivated, ApiError, invalidApiKey, revokedKey } from '../errors';

export interface ApiKeyAuthOptions {
  /** Requests whose handler asks the account object anyway (chat's authorize checks revocation itself). */
  revocationCheckedByHandler?: (c: Context<AppEnv>) => boolean;
  now?: () => number;
}

/**
 * Bearer auth for /v1. Which account a key belongs to comes from the isolate's
 * cache or one D1 read; whether it is revoked comes from the account's Durable
 * Object on every request, so a revocation holds from the very next call.
 * The key itself never reaches a log.
 */
export function apiKeyAuth(options: ApiKeyAuthOptions = {}): MiddlewareHandler<AppEnv> {
  const now = options.now ?? Date.now;
  return async function apiKeyAuthMiddleware(c, next) {
    const header = c.req.header('Authorization');
    if (!header) throw invalidApiKey('Missing API key. Send it as "Authorization: Bearer sk-ft_…".');
    const match = /^Bearer +(\S+)\s*$/i.exec(header);
    if (!match) throw invalidApiKey('The Authorization header must use the Bearer scheme: "Authorization: Bearer sk-ft_…".');
    const key = match[1] ?? '';
    if (!isWellFormedApiKey(key)) throw invalidApiKey('Malformed API key: a find-token key is "sk-ft_" followed by 64 lowercase hex characters.');
    const hash = await hashApiKey(key);
    const identity = keyCache.get(hash) ?? (await lookUp(c, hash));
    const { lastUsedAt, ...auth } = identity;
    c.set('auth', auth);
    if (!options.revocationCheckedByHandler?.(c)) await assertKeyNotRevoked(c);
    const at = now();
    if (needsLastUsedUpdate(lastUsedAt, at)) {
      identity.lastUsedAt = at;
      c.executionCtx.waitUntil(touchApiKey(createDb(c.env.DB), auth.keyId, auth.accountId, at));
    }
    await next();
  };
}

/** Asks the account's object, the authority, whether the authenticated key was revoked. */
export async function assertKeyNotRevoked(c: Context<AppEnv>): Promise<void> {
  const { accountId, keyId } = c.get('auth');
  const state = await accountStub(c.env, accountId).keyState(keyId);
  if (state.revoked) keyCache.deleteKeyId(keyId);
  const refusal = keyStateRefusal(state);
  if (refusal) throw refusalToError(refusal);
}

async function lookUp(c: Context<AppEnv>, hash: string): Promise<CachedKey> {
  const found = await findKeyByHash(c.env.DB, hash);
  if (!found) throw invalidApiKey('Incorrect API key provided.');
  if (found.revoked) throw revokedKey();
  if (found.accountStatus === 'deactivated') throw accountDeactivated();
  if (found.accountStatus !== 'active') {
    throw new ApiError({ status: 403, type: 'permission_error', code: 'account_inactive', message: 'This account is not active.' });
  }
  const identity: CachedKey = {
    keyId: found.keyId,
    accountId: found.accountId,
    keyName: found.keyName,
    keyPrefix: found.keyPrefix,
    lastUsedAt: found.lastUsedAt,
  };
  keyCache.set(hash, identity);
  return identity;
}
