/**
 * An account's own provider keys (BYOK): checked, optionally verified with the
 * provider, encrypted and stored in the account object; removed at will. The
 * key itself is never returned, logged or put in an error.
 */
import type { Config, Env } from '../env';
import { ByokUnavailableError, encryptProviderKey, masterKeys, type MasterKeys } from './crypto';
import { byokCache } from './cache';
import { newId } from '../base/ids';
import { accountStub } from '../account/client';
import type { StoredByokKey } from '../account/byok-key-store';
import { byokUnavailable, invalidProviderKey, invalidValue, providerUnavailable, tooManyKeys } from '../errors';
import { probeModels } from '../providers/probe-models';
import { upstreamTarget } from '../providers/upstream-request';
import type { ProviderId } from '../base/provider-id';
import type { RegisterInput } from '../schemas/byok-requests';

/** Lenient: providers change key formats (PRODUCT.md); the provider is the judge of the rest. */
export function providerKeyProblem(apiKey: string): string | undefined {
  if (apiKey.length < 8 || apiKey.length > 512) return 'must be 8 to 512 characters';
  if (!/^[\x21-\x7e]+$/.test(apiKey)) return 'must be printable ASCII without spaces';
  return undefined;
}

/** Formats the providers document; the rest are judged by the provider (PRODUCT.md: validate loosely). */
export const KEY_FORMATS: Partial<Record<ProviderId, { pattern: RegExp; shape: string }>> = {
  deepseek: { pattern: /^sk-/, shape: 'sk-…' },
  qwen: { pattern: /^sk-/, shape: 'sk-…' },
  kimi: { pattern: /^sk-/, shape: 'sk-…' },
  zhipu: { pattern: /^[^.]+\.[^.]+$/, shape: '<id>.<secret>' },
};

export const MAX_KEYS_PER_ACCOUNT = 50;

export const hintOf = (apiKey: string): string => `${apiKey.slice(0, 3)}…${apiKey.slice(-4)}`;

export const publicKey = (key: StoredByokKey) => ({
  id: key.id,
  object: 'provider_key',
  provider: key.provider,
  name: key.name,
  hint: key.hint,
  created_at: key.createdAt,
  last_used_at: key.lastUsedAt,
  last_error: key.lastError,
  fallback_to_credits: key.fallbackToCredits,
});

async function masterKeysOr503(env: Env): Promise<MasterKeys> {
  try {
    return await masterKeys(env);
  } catch (error) {
    if (!(error instanceof ByokUnavailableError)) throw error;
    throw byokUnavailable('Provider keys cannot be stored on this gateway right now (its encryption key is not configured).', error);
  }
}

/** One cheap call with the key (the models list): does the provider accept it? */
async function verifyWithProvider(config: Config, provider: ProviderId, apiKey: string): Promise<void> {
  const outcome = await probeModels({ ...upstreamTarget(config, provider, apiKey), timeoutMs: config.healthProbeTimeoutMs });
  if (outcome.ok) return;
  if (outcome.kind === 'auth') {
    throw invalidProviderKey(`${provider} rejected this key.`, 'api_key');
  }
  throw providerUnavailable(`${provider} could not verify the key right now (${outcome.kind.replaceAll('_', ' ')}). Retry, or register without verify.`);
}

/** Checks, optionally verifies, encrypts and stores a provider key; throws the client's error. */
export async function registerProviderKey(env: Env, config: Config, accountId: string, { provider, api_key: apiKey, name, verify, fallback_to_credits: fallbackToCredits = false }: RegisterInput): Promise<StoredByokKey> {
  const problem = providerKeyProblem(apiKey);
  if (problem) throw invalidValue(`api_key ${problem}.`, 'api_key');
  const format = KEY_FORMATS[provider];
  if (format && !format.pattern.test(apiKey)) throw invalidValue(`api_key does not look like a ${provider} key (${format.shape}).`, 'api_key');
  const keys = await masterKeysOr503(env);
  if (verify) await verifyWithProvider(config, provider, apiKey);
  const stub = accountStub(env, accountId);
  if ((await stub.byokKeySet()).keys.length >= MAX_KEYS_PER_ACCOUNT) {
    throw tooManyKeys(`An account can have at most ${MAX_KEYS_PER_ACCOUNT} provider keys; delete one first.`);
  }
  const id = newId('pk');
  const sealed = await encryptProviderKey(keys, apiKey, { accountId, keyId: id });
  const key: StoredByokKey = { id, provider, name: name ?? provider, hint: hintOf(apiKey), createdAt: Date.now(), lastUsedAt: null, lastError: null, lastErrorAt: null, fallbackToCredits, ...sealed };
  byokCache.set(accountId, await stub.registerByokKey(key));
  return key;
}

/** Removes a provider key; false when the account has none with that id. */
export async function deleteProviderKey(env: Env, accountId: string, id: string): Promise<boolean> {
  const stub = accountStub(env, accountId);
  if (!(await stub.deleteByokKey(id))) return false;
  byokCache.set(accountId, await stub.byokKeySet());
  return true;
}

