import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../env';
import { createDb } from '../db/client';
import { hashApiKey, isWellFormedApiKey } from '../accounts/keys';
import { keyCache, type CachedKey } from '../accounts/key-cache';
import { findKeyByHash, needsLastUsedUpdate, touchApiKey } from '../accounts/account-store';
import { keyAccessError } from '../account/client';
import { authUnavailable, invalidApiKey } from '../errors';
import type { KeyScope } from '../base/key-rules';

/**
 * Key auth for /v1 (Bearer, or x-api-key): which key this is and whose. The account a key belongs
 * to never changes, so it comes from the isolate's cache or one D1 read.
 * Whether the key may act is not decided here (see keyAccess). The key itself
 * never reaches a log.
 */
export function apiKeyAuth(options: { now?: () => number } = {}): MiddlewareHandler<AppEnv> {
  const now = options.now ?? Date.now;
  return async function apiKeyAuthMiddleware(c, next) {
    const key = presentedKey(c.req.header('Authorization'), c.req.header('x-api-key'));
    if (!isWellFormedApiKey(key)) throw invalidApiKey('Malformed API key: a find-token key is "sk-ft_" followed by 64 lowercase hex characters.');
    const hash = await hashApiKey(key);
    const identity = keyCache.get(hash) ?? (await lookUp(c.env.DB, hash));
    const { lastUsedAt, ...auth } = identity;
    c.set('auth', auth);
    const at = now();
    if (needsLastUsedUpdate(lastUsedAt, at)) {
      identity.lastUsedAt = at;
      c.executionCtx.waitUntil(touchApiKey(createDb(c.env.DB), auth.keyId, auth.accountId, at));
    }
    await next();
  };
}

/**
 * The key a request presents: `Authorization: Bearer …`, or Anthropic's `x-api-key` header when there is
 * no Authorization header (what the Anthropic SDKs send with an API key).
 */
function presentedKey(authorization: string | undefined, apiKeyHeader: string | undefined): string {
  if (!authorization) {
    if (apiKeyHeader?.trim()) return apiKeyHeader.trim();
    throw invalidApiKey('Missing API key. Send it as "Authorization: Bearer sk-ft_…" (or "x-api-key: sk-ft_…").');
  }
  const match = /^Bearer +(\S+)\s*$/i.exec(authorization);
  if (!match) throw invalidApiKey('The Authorization header must use the Bearer scheme: "Authorization: Bearer sk-ft_…".');
  return match[1] ?? '';
}

/**
 * The scope a /v1 request needs (PRODUCT "Keys and access"): changing keys,
 * provider keys and recharges is `manage`; everything else (chat, models,
 * balance, billing logs, the recharges list) is `inference`.
 */
export function requiredScope(path: string): KeyScope {
  return /^\/v1\/user\/(keys|byok|credits)(\/|$)/.test(path) ? 'manage' : 'inference';
}

/**
 * Whether the authenticated key may act here, as its account's object rules on
 * every request (a revocation or an expiry holds from the very next call, in
 * every isolate), the route's scope included. The chat flow gets the same
 * ruling from its authorize round trip instead.
 */
export function keyAccess(): MiddlewareHandler<AppEnv> {
  return async function keyAccessMiddleware(c, next) {
    const denied = await keyAccessError(c.env, c.get('auth'), Date.now(), requiredScope(c.req.path));
    if (denied) throw denied;
    await next();
  };
}

async function lookUp(d1: D1Database, hash: string): Promise<CachedKey> {
  const found = await findKeyByHash(d1, hash).catch((error: unknown) => {
    throw authUnavailable(error);
  });
  if (!found) throw invalidApiKey('Incorrect API key provided.');
  const models = found.models === null ? null : (JSON.parse(found.models) as string[]);
  const identity: CachedKey = { keyId: found.keyId, accountId: found.accountId, keyName: found.keyName, keyPrefix: found.keyPrefix, lastUsedAt: found.lastUsedAt, models };
  keyCache.set(hash, identity);
  return identity;
}
