/**
 * Whose key calls the provider, and so how the request is billed:
 * - an inline `provider_key` → BYOK on that provider only (never stored, never logged);
 * - else, when the account registered a key for the requested model's provider
 *   → BYOK, routed only among the providers it has keys for;
 * - else standard, on the platform's keys, among the providers the account has
 *   no key for (a provider the user brought a key for is billed BYOK).
 * A request's `billing_mode` overrides that choice: `standard` ignores the
 * registered keys (every provider on the platform's keys, billed from credits);
 * `byok` requires a key (inline, or registered for the requested model's
 * provider). The platform key is never used for a BYOK request.
 */
import { decryptProviderKey, masterKeys } from './crypto';
import type { ByokKeySet, StoredByokKey } from '../account/byok-key-store';
import { chooseKey } from '../account/byok-key-store';
import type { Config, Env } from '../env';
import { providerKeyProblem } from './provider-keys';
import { invalidProviderKey, invalidValue, providerKeyRequired, type ApiError } from '../errors';
import type { BillingModeChoice } from '../schemas/chat-request';
import { PROVIDER_IDS, type ProviderId } from '../base/provider-id';
import type { UpstreamFailure } from '../base/upstream';
import type { CatalogModel } from '../base/catalog';

export type Credentials =
  | { mode: 'standard'; byokVersion: string; excluded: ReadonlySet<ProviderId> }
  | { mode: 'byok'; source: 'inline'; provider: ProviderId; apiKey: string }
  | { mode: 'byok'; source: 'registered'; byokVersion: string; keys: ReadonlyMap<ProviderId, StoredByokKey> };

export const isProviderId = (value: string): value is ProviderId => (PROVIDER_IDS as readonly string[]).includes(value);

export function chooseCredentials(inline: { provider: string; api_key: string } | undefined, model: CatalogModel, byok: ByokKeySet, mode?: BillingModeChoice): Credentials {
  // The request chose credits: its registered keys sit this one out (an inline key with it is a 400 at parsing).
  if (mode === 'standard') return { mode: 'standard', byokVersion: byok.version, excluded: new Set() };
  if (inline) {
    if (!isProviderId(inline.provider)) {
      throw invalidValue(`provider_key.provider must be one of ${PROVIDER_IDS.join(', ')}.`, 'provider_key.provider');
    }
    const problem = providerKeyProblem(inline.api_key);
    if (problem) throw invalidValue(`provider_key.api_key ${problem}.`, 'provider_key.api_key');
    return { mode: 'byok', source: 'inline', provider: inline.provider, apiKey: inline.api_key };
  }
  const keyed = new Set(byok.keys.map((key) => key.provider));
  if (!keyed.has(model.provider)) {
    if (mode === 'byok') throw providerKeyRequired(model);
    return { mode: 'standard', byokVersion: byok.version, excluded: keyed };
  }
  const keys = new Map([...keyed].map((provider) => [provider, chooseKey(byok.keys, provider)!]));
  return { mode: 'byok', source: 'registered', byokVersion: byok.version, keys };
}

/** Which providers a request may call with these credentials. */
export function usableProviders(credentials: Credentials, config: Config): (provider: ProviderId) => boolean {
  switch (credentials.mode) {
    case 'standard':
      return (provider) => config.providers[provider].apiKey !== undefined && !credentials.excluded.has(provider);
    case 'byok':
      return credentials.source === 'inline' ? (provider) => provider === credentials.provider : (provider) => credentials.keys.has(provider);
  }
}

/** The key for one upstream call, and the registered key's id when it is one. */
export async function apiKeyFor(credentials: Credentials, provider: ProviderId, env: Env, config: Config, accountId: string): Promise<{ apiKey: string; byokKeyId?: string }> {
  if (credentials.mode === 'standard') return { apiKey: config.providers[provider].apiKey ?? '' };
  if (credentials.source === 'inline') return { apiKey: credentials.apiKey };
  const stored = credentials.keys.get(provider);
  if (!stored) throw new Error(`no registered ${provider} key`);
  return { apiKey: await decryptProviderKey(await masterKeys(env), stored, { accountId, keyId: stored.id }), byokKeyId: stored.id };
}

/** The user's own key refused by its provider: theirs to fix, never a reason to use the platform's key. */
export function providerKeyRefused(failure: UpstreamFailure): ApiError {
  const why = failure.kind === 'balance' ? 'reports that the account behind it is out of balance or quota' : 'rejected it';
  return invalidProviderKey(`Your ${failure.provider} key did not work: ${failure.provider} ${why}.`, 'provider_key');
}
