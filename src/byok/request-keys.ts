/**
 * The provider keys one chat request calls with, and what happens when a
 * provider refuses one of the user's own: the refusal is the user's to fix
 * (a 400 naming the provider, never a failover to the platform's key), and a
 * registered key is marked with the error so the dashboard shows it. A
 * registered key with fallback_to_credits is remembered as refused, so the
 * chat flow may serve the request from credits instead (chat/credit-fallback.ts).
 */
import type { ProviderId } from '../base/provider-id';
import type { UpstreamFailure } from '../base/upstream';
import { accountStub } from '../account/client';
import type { Config, Env } from '../env';
import { byokUnavailable, type ApiError } from '../errors';
import { apiKeyFor, providerKeyRefused, type Credentials } from './credentials';

export interface RequestKey {
  apiKey: string;
  /** The registered key's id (BYOK), to record its use. */
  byokKeyId?: string;
}

/** A registered key its provider refused during this request. */
export interface RefusedKey {
  provider: ProviderId;
  keyId: string;
  fallbackToCredits: boolean;
  /** What the billing log records when the request falls back: `deepseek key refused: out of balance (HTTP 402)`. */
  reason: string;
}

export interface RequestKeys {
  /** The key for `provider`, decrypted at most once per request however many attempts use it. */
  keyFor(provider: ProviderId): Promise<RequestKey>;
  /** The error to answer when `failure` is the user's own key refused; undefined otherwise. */
  refused(failure: UpstreamFailure): ApiError | undefined;
  /** The registered key refused in this request, if one was. */
  refusedKey(): RefusedKey | undefined;
}

export interface RequestKeysContext {
  env: Env;
  config: Config;
  accountId: string;
  requestId: string;
  now: () => number;
  waitUntil: (promise: Promise<unknown>) => void;
}

/** The account's stored keys cannot be read now (a record that does not open, keys that keep changing). */
export const storedKeysUnusable = (cause?: unknown): ApiError => byokUnavailable('Stored provider keys cannot be used right now. Please retry.', cause);

export function requestKeys(credentials: Credentials, context: RequestKeysContext): RequestKeys {
  const { env, config, accountId } = context;
  const keys = new Map<ProviderId, Promise<RequestKey>>();
  let refusedKey: RefusedKey | undefined;
  return {
    keyFor(provider) {
      let key = keys.get(provider);
      if (!key) {
        key = apiKeyFor(credentials, provider, env, config, accountId).catch((error: unknown) => {
          throw storedKeysUnusable(error);
        });
        keys.set(provider, key);
      }
      return key;
    },
    refused(failure) {
      if (credentials.mode !== 'byok' || (failure.kind !== 'auth' && failure.kind !== 'balance')) return undefined;
      const stored = credentials.source === 'registered' ? credentials.keys.get(failure.provider) : undefined;
      if (stored) {
        const why = `${failure.kind === 'auth' ? 'rejected' : 'out of balance'} (HTTP ${failure.status ?? '?'})`;
        context.waitUntil(accountStub(env, accountId).byokKeyFailed(stored.id, why, context.now()));
        refusedKey = { provider: failure.provider, keyId: stored.id, fallbackToCredits: stored.fallbackToCredits, reason: `${failure.provider} key refused: ${why}` };
      }
      return providerKeyRefused(failure);
    },
    refusedKey: () => refusedKey,
  };
}
