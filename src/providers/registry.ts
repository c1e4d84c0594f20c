import type { ProviderId } from '../base/provider-id';
import type { ProviderAdapter } from './types';
import { deepseek } from './deepseek';
import { kimi } from './kimi';
import { minimax } from './minimax';
import { qwen } from './qwen';
import { stepfun } from './stepfun';
import { zhipu } from './zhipu';

/** Keyed by the ProviderId union: a provider without an adapter is a compile error. */
export const PROVIDERS = { deepseek, zhipu, minimax, qwen, kimi, stepfun } satisfies Record<ProviderId, ProviderAdapter>;

export const getAdapter = (id: ProviderId): ProviderAdapter => PROVIDERS[id];
