// Per-provider shapes of successful answers: usage objects, chunk quirks, models.
// Facts come from /work/shared/providers.md; each provider speaks its own
// "OpenAI-compatible" dialect and the gateway must cope with every one of them.

export const STANDIN_PROVIDERS = ['deepseek', 'zhipu', 'minimax', 'qwen', 'kimi', 'stepfun'] as const;
export type ProviderName = (typeof STANDIN_PROVIDERS)[number];

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** Usage numbers before a dialect shapes them. `completion` already includes `reasoning`. */
export interface UsageNumbers {
  prompt: number;
  completion: number;
  cached: number;
  reasoning: number;
}

/** Where a streamed answer reports its usage. */
export type StreamUsageStyle =
  | 'trailing_if_asked' // OpenAI: extra `choices: []` chunk, only with stream_options.include_usage
  | 'final_chunk' // top-level usage on the chunk that carries finish_reason (Zhipu)
  | 'in_choice' // choices[0].usage of the final chunk (Moonshot)
  | 'cumulative'; // running totals on every chunk, never to be summed (StepFun)

export interface Dialect {
  provider: ProviderName;
  models: readonly string[];
  ownedBy: string;
  streamUsage: StreamUsageStyle;
  /** OpenAI-style first chunk `{role:"assistant", content:""}` before any text. */
  roleOnlyFirstChunk: boolean;
  /** Role written into every delta ('' for MiniMax/StepFun), or null for none. */
  deltaRole: string | null;
  /** MiniMax has no reasoning field: `<think>…</think>` goes in front of the content. */
  reasoningField: 'reasoning_content' | 'reasoning' | 'think_tags';
  /** finish_reason on chunks before the last one. */
  pendingFinishReason: '' | null;
  filterFinishReason: string;
  /** Zhipu: the last text piece travels in the same chunk as finish_reason and usage. */
  lastPieceCarriesFinish: boolean;
  finishDelta: JsonObject;
  chunkExtras: JsonObject;
  choiceExtras: JsonObject;
  completionExtras: JsonObject;
  /** `message.content` next to tool_calls. */
  toolCallContent: string | null;
  usage(numbers: UsageNumbers): JsonObject;
}

function openAiUsage(u: UsageNumbers): JsonObject {
  const usage: JsonObject = {
    prompt_tokens: u.prompt,
    completion_tokens: u.completion,
    total_tokens: u.prompt + u.completion,
    prompt_tokens_details: { cached_tokens: u.cached },
  };
  if (u.reasoning > 0) usage['completion_tokens_details'] = { reasoning_tokens: u.reasoning };
  return usage;
}

/** Moonshot and StepFun report cache hits as a plain `cached_tokens` next to the totals. */
function flatCachedUsage(u: UsageNumbers): JsonObject {
  return {
    prompt_tokens: u.prompt,
    completion_tokens: u.completion,
    total_tokens: u.prompt + u.completion,
    cached_tokens: u.cached,
  };
}

const deepseek: Dialect = {
  provider: 'deepseek',
  models: ['deepseek-chat', 'deepseek-reasoner', 'deepseek-v4-flash', 'deepseek-v4-pro'],
  ownedBy: 'deepseek',
  streamUsage: 'trailing_if_asked',
  roleOnlyFirstChunk: true,
  deltaRole: null,
  reasoningField: 'reasoning_content',
  pendingFinishReason: null,
  filterFinishReason: 'content_filter',
  lastPieceCarriesFinish: false,
  finishDelta: { content: '' },
  chunkExtras: { system_fingerprint: 'fp_standin_ds', usage: null },
  choiceExtras: { logprobs: null },
  completionExtras: { system_fingerprint: 'fp_standin_ds' },
  toolCallContent: '',
  usage: (u) => ({
    ...openAiUsage(u),
    prompt_cache_hit_tokens: u.cached,
    prompt_cache_miss_tokens: Math.max(0, u.prompt - u.cached),
  }),
};

const qwen: Dialect = {
  ...deepseek,
  provider: 'qwen',
  models: ['qwen-max', 'qwen-plus', 'qwen-turbo', 'qwen-flash', 'qwen3-max'],
  ownedBy: 'system',
  chunkExtras: { system_fingerprint: null, usage: null },
  completionExtras: { system_fingerprint: null },
  toolCallContent: null,
  usage: openAiUsage,
};

const zhipu: Dialect = {
  provider: 'zhipu',
  models: ['glm-4-plus', 'glm-4-flash', 'glm-4.6', 'glm-4.5-air', 'glm-5.1'],
  ownedBy: 'z-ai',
  streamUsage: 'final_chunk',
  roleOnlyFirstChunk: false,
  deltaRole: 'assistant',
  reasoningField: 'reasoning_content',
  pendingFinishReason: null,
  filterFinishReason: 'sensitive',
  lastPieceCarriesFinish: true,
  finishDelta: { role: 'assistant', content: '' },
  chunkExtras: {},
  choiceExtras: {},
  completionExtras: {},
  toolCallContent: null,
  usage: openAiUsage,
};

const kimi: Dialect = {
  provider: 'kimi',
  models: ['kimi-k2.6', 'kimi-k2.5', 'kimi-k2-thinking', 'kimi-k3', 'moonshot-v1-8k'],
  ownedBy: 'moonshot',
  streamUsage: 'in_choice',
  roleOnlyFirstChunk: true,
  deltaRole: null,
  reasoningField: 'reasoning_content',
  pendingFinishReason: null,
  filterFinishReason: 'content_filter',
  lastPieceCarriesFinish: false,
  finishDelta: {},
  chunkExtras: { system_fingerprint: 'fpv0_standin' },
  choiceExtras: {},
  completionExtras: {},
  toolCallContent: '',
  usage: flatCachedUsage,
};

const minimax: Dialect = {
  provider: 'minimax',
  models: ['MiniMax-M2.5', 'MiniMax-M2.7', 'MiniMax-M2'],
  ownedBy: 'minimax',
  streamUsage: 'trailing_if_asked',
  roleOnlyFirstChunk: false,
  deltaRole: '',
  reasoningField: 'think_tags',
  pendingFinishReason: null,
  filterFinishReason: 'content_filter',
  lastPieceCarriesFinish: false,
  finishDelta: { content: '', role: '' },
  // Placeholder usage on every chunk: a parser that trusts it would bill zero.
  chunkExtras: {
    usage: { total_tokens: 0, total_characters: 0 },
    input_sensitive: false,
    output_sensitive: false,
  },
  choiceExtras: {},
  completionExtras: {
    input_sensitive: false,
    output_sensitive: false,
    base_resp: { status_code: 0, status_msg: '' },
  },
  toolCallContent: '',
  usage: (u) => ({ total_characters: 0, ...openAiUsage(u) }),
};

const stepfun: Dialect = {
  provider: 'stepfun',
  models: ['step-3.5-flash', 'step-3.7-flash', 'step-1-8k', 'step-2-16k'],
  ownedBy: 'stepai',
  streamUsage: 'cumulative',
  roleOnlyFirstChunk: false,
  deltaRole: '',
  reasoningField: 'reasoning',
  pendingFinishReason: '',
  filterFinishReason: 'content_filter',
  lastPieceCarriesFinish: false,
  finishDelta: { role: '', content: '' },
  chunkExtras: {},
  choiceExtras: {},
  completionExtras: {},
  toolCallContent: null,
  usage: flatCachedUsage,
};

export const DIALECTS: Record<ProviderName, Dialect> = { deepseek, zhipu, minimax, qwen, kimi, stepfun };

export function isProviderName(name: string): name is ProviderName {
  return (STANDIN_PROVIDERS as readonly string[]).includes(name);
}
