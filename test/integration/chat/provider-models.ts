/** One catalog model per provider, so every dialect is exercised through the worker. */
export const MODEL_BY_PROVIDER = [
  ['deepseek', 'deepseek-chat', 'deepseek-v4-flash'],
  ['zhipu', 'glm-4-plus', 'glm-4-plus'],
  ['minimax', 'minimax-m2.5', 'MiniMax-M2.5'],
  ['qwen', 'qwen-max', 'qwen-max'],
  ['kimi', 'kimi-k2', 'kimi-k2.6'],
  ['stepfun', 'step-3.5-flash', 'step-3.5-flash'],
] as const;

export type ProviderName = (typeof MODEL_BY_PROVIDER)[number][0];

export const uniqueTag = () => crypto.randomUUID();
