import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../env';
import { createDb } from '../db/client';
import { hashApiKey, isWellFormedApiKey } from '../accounts/keys';
import { findKeyByHash, needsLastUsedUpdate, touchApiKey } from '../accounts/account-store';
import { ApiError, invalidApiKey } from '../errors';

/**
 * Bearer auth for /v1: the key's state is read from D1 on every request, so a
 * revoked key fails on the very next call. The key itself never reaches a log.
 */
export function apiKeyAuth(now: () => number = Date.now): MiddlewareHandler<AppEnv> {
  return async function apiKeyAuthMiddleware(c, next) {
    const header = c.req.header('Authorization');
    if (!header) throw invalidApiKey('Missing API key. Send it as "Authorization: Bearer sk-ft_…".');
    const match = /^Bearer +(\S+)\s*$/i.exec(header);
    if (!match) throw invalidApiKey('The Authorization header must use the Bearer scheme: "Authorization: Bearer sk-ft_…".');
    const key = match[1] ?? '';
    if (!isWellFormedApiKey(key)) throw invalidApiKey('Malformed API key: a find-token key is "sk-ft_" followed by 64 lowercase hex characters.');
    const db = createDb(c.env.DB);
    const found = await findKeyByHash(db, await hashApiKey(key));
    if (!found) throw invalidApiKey('Incorrect API key provided.');
    if (found.revoked) throw invalidApiKey('This API key has been revoked.');
    if (found.accountStatus !== 'active') {
      throw new ApiError({ status: 403, type: 'permission_error', code: 'account_inactive', message: 'This account is not active.' });
    }
    c.set('auth', { keyId: found.keyId, accountId: found.accountId, keyName: found.keyName, keyPrefix: found.keyPrefix });
    const at = now();
    if (needsLastUsedUpdate(found.lastUsedAt, at)) c.executionCtx.waitUntil(touchApiKey(db, found.keyId, at));
    await next();
  };
}
