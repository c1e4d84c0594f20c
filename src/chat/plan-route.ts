/**
 * Whose keys call the providers (byok/credentials.ts), then which models in
 * which order (routing/): the two decisions a chat request needs before its
 * worst case is held.
 */
import type { ByokKeySet } from '../account/byok-key-store';
import type { CatalogModel } from '../base/catalog';
import type { Config } from '../env';
import { chooseCredentials, usableProviders, type Credentials } from '../byok/credentials';
import type { ProviderHealth } from '../routing/health';
import { planCandidates, type ChatNeeds } from '../routing/plan-request';
import type { ChatRequest } from '../schemas/chat-request';

export interface RoutePlan {
  credentials: Credentials;
  plan: CatalogModel[];
}

export function planRequest(request: ChatRequest, chat: ChatNeeds, byok: ByokKeySet, config: Config, health: ProviderHealth, now: number): RoutePlan {
  const credentials = chooseCredentials(request.provider_key, chat.model, byok, request.billing_mode);
  const inlineProvider = credentials.mode === 'byok' && credentials.source === 'inline' ? credentials.provider : undefined;
  const plan = planCandidates(chat, { usable: usableProviders(credentials, config), inlineProvider }, config, health, now);
  return { credentials, plan };
}
