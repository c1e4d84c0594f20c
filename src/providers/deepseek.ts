/** DeepSeek: OpenAI dialect; cache hits in `prompt_cache_hit_tokens`; 402 = out of balance. */
import { defineProvider, usageWithCachedField } from './openai-compatible';

const normalizeUsage = usageWithCachedField((raw) => raw.prompt_cache_hit_tokens);

export const deepseek = defineProvider({
  id: 'deepseek',
  convertUsage: (payload) => normalizeUsage(payload.usage),
});
