export const PROVIDER_IDS = ['deepseek', 'zhipu', 'minimax', 'qwen', 'kimi', 'stepfun'] as const;
export type ProviderId = (typeof PROVIDER_IDS)[number];
