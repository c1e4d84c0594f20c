/** One catalog model per provider (its first), so every dialect is exercised through the worker. */
import { CATALOG } from '../../../src/base/catalog';
import { PROVIDER_IDS, type ProviderId } from '../../../src/base/provider-id';

/** [provider, catalog model id, the id the provider knows it by]. */
export const MODEL_BY_PROVIDER = PROVIDER_IDS.map((provider) => {
  const model = CATALOG.find((candidate) => candidate.provider === provider)!;
  return [provider, model.id, model.upstreamModel] as const;
});

export type ProviderName = ProviderId;

export const uniqueTag = () => crypto.randomUUID();
