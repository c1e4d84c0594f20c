/**
 * The model catalog: every model find-token serves, as typed data. Prices are
 * find-token's list prices per 1M tokens in integer units (PRODUCT.md where it
 * names one, else the provider's international list price). Update prices here
 * and nowhere else.
 */
import { parseUsd } from './money';
import type { ProviderId } from './provider-id';

/** Models in one group are interchangeable for failover (PRODUCT.md). */
export type EquivalenceGroup = 'general-chat' | 'fast-code' | 'reasoning';

export interface CatalogModel {
  id: string;
  provider: ProviderId;
  /** The id the provider knows the model by. */
  upstreamModel: string;
  /** Fields merged into every upstream request for this model (e.g. thinking mode). */
  upstreamParams?: Record<string, unknown>;
  /** Units (1e-8 USD) per 1M tokens. */
  price: { input: number; output: number; cachedInput?: number };
  contextLength: number;
  maxOutputTokens: number;
  capabilities: { tools: boolean; reasoning: boolean };
  group: EquivalenceGroup;
  /** Unix seconds, shown as `created` in /v1/models. */
  created: number;
  /**
   * How many UPSTREAM_TIMEOUT_MS one non-streaming attempt may take (absent: 1). A reasoning model
   * thinks before it answers: a whole answer can take minutes where a chat model takes seconds.
   */
  timeoutMultiple?: number;
}

/** Reasoning models' non-streaming limit: 4 × UPSTREAM_TIMEOUT_MS (120 s by default, the whole default routing budget). */
const REASONING_TIMEOUT_MULTIPLE = 4;

/** How long one non-streaming attempt on `model` may take, in ms (shown as `timeout_ms` in /v1/models). */
export const nonStreamingTimeoutMs = (model: Pick<CatalogModel, 'timeoutMultiple'>, upstreamTimeoutMs: number): number =>
  upstreamTimeoutMs * (model.timeoutMultiple ?? 1);

const perMillion = (input: string, output: string, cachedInput?: string): CatalogModel['price'] => ({
  input: parseUsd(input),
  output: parseUsd(output),
  ...(cachedInput === undefined ? {} : { cachedInput: parseUsd(cachedInput) }),
});

const RELEASED_2026_04_24 = 1_777_000_000;

// The three DeepSeek names are one upstream model (V4 Flash) in different modes.
const DEEPSEEK_V4_FLASH = {
  provider: 'deepseek',
  upstreamModel: 'deepseek-v4-flash',
  price: perMillion('0.14', '0.28', '0.0028'),
  contextLength: 1_000_000,
  maxOutputTokens: 384_000,
  created: RELEASED_2026_04_24,
} as const satisfies Partial<CatalogModel>;

export const CATALOG: readonly CatalogModel[] = [
  {
    ...DEEPSEEK_V4_FLASH,
    id: 'deepseek-chat',
    // The legacy alias is retired upstream; V4 Flash with thinking off is what it meant.
    upstreamParams: { thinking: { type: 'disabled' } },
    capabilities: { tools: true, reasoning: false },
    group: 'general-chat',
  },
  {
    ...DEEPSEEK_V4_FLASH,
    id: 'deepseek-coder',
    // deepseek-coder was merged into deepseek-chat upstream in 2024.
    upstreamParams: { thinking: { type: 'disabled' } },
    capabilities: { tools: true, reasoning: false },
    group: 'fast-code',
  },
  {
    ...DEEPSEEK_V4_FLASH,
    id: 'deepseek-reasoner',
    upstreamParams: { thinking: { type: 'enabled' } },
    capabilities: { tools: true, reasoning: true },
    timeoutMultiple: REASONING_TIMEOUT_MULTIPLE,
    group: 'reasoning',
  },
  {
    id: 'qwen-max',
    provider: 'qwen',
    upstreamModel: 'qwen-max',
    price: perMillion('1.60', '6.40', '0.32'),
    contextLength: 32_768,
    maxOutputTokens: 8_192,
    capabilities: { tools: true, reasoning: false },
    group: 'general-chat',
    created: 1_727_740_800,
  },
  {
    id: 'qwen-turbo',
    provider: 'qwen',
    upstreamModel: 'qwen-turbo',
    price: perMillion('0.05', '0.20'),
    contextLength: 1_000_000,
    maxOutputTokens: 16_384,
    // qwen-turbo has no function calling upstream.
    capabilities: { tools: false, reasoning: false },
    group: 'fast-code',
    created: 1_727_740_800,
  },
  {
    id: 'glm-4-plus',
    provider: 'zhipu',
    upstreamModel: 'glm-4-plus',
    price: perMillion('0.50', '0.50'),
    contextLength: 128_000,
    maxOutputTokens: 4_096,
    capabilities: { tools: true, reasoning: false },
    group: 'general-chat',
    created: 1_724_976_000,
  },
  {
    id: 'glm-4-flash',
    provider: 'zhipu',
    upstreamModel: 'glm-4-flash',
    price: perMillion('0.10', '0.10'),
    contextLength: 128_000,
    maxOutputTokens: 4_096,
    capabilities: { tools: true, reasoning: false },
    group: 'fast-code',
    created: 1_724_976_000,
  },
  {
    id: 'kimi-k2',
    provider: 'kimi',
    // Moonshot has no bare kimi-k2 id; K2.6 is its current K2.
    upstreamModel: 'kimi-k2.6',
    price: perMillion('0.95', '4.00', '0.16'),
    contextLength: 262_144,
    maxOutputTokens: 32_768,
    capabilities: { tools: true, reasoning: true },
    timeoutMultiple: REASONING_TIMEOUT_MULTIPLE,
    group: 'general-chat',
    created: 1_776_643_200,
  },
  {
    id: 'minimax-m2.5',
    provider: 'minimax',
    upstreamModel: 'MiniMax-M2.5',
    price: perMillion('0.30', '1.20', '0.03'),
    contextLength: 204_800,
    maxOutputTokens: 131_072,
    capabilities: { tools: true, reasoning: true },
    timeoutMultiple: REASONING_TIMEOUT_MULTIPLE,
    group: 'general-chat',
    created: 1_770_854_400,
  },
  {
    id: 'step-3.5-flash',
    provider: 'stepfun',
    upstreamModel: 'step-3.5-flash',
    price: perMillion('0.10', '0.30', '0.02'),
    contextLength: 262_144,
    maxOutputTokens: 65_536,
    capabilities: { tools: true, reasoning: true },
    timeoutMultiple: REASONING_TIMEOUT_MULTIPLE,
    group: 'fast-code',
    created: 1_769_904_000,
  },
];

const BY_ID = new Map(CATALOG.map((model) => [model.id, model]));

export function findModel(id: string): CatalogModel | undefined {
  return BY_ID.get(id);
}
