/**
 * DeepSeek: OpenAI dialect; cache hits in `prompt_cache_hit_tokens`; 402 = out
 * of balance; its content filter answers 400 "Content Exists Risk".
 */
import { classifyOpenAiError, defineProvider, usageWithCachedField } from './openai-compatible';

const normalizeUsage = usageWithCachedField((raw) => raw.prompt_cache_hit_tokens);
const CONTENT_FILTER = /content exists risk/i;

export const deepseek = defineProvider({
  id: 'deepseek',
  baseUrl: 'https://api.deepseek.com',
  convertUsage: (payload) => normalizeUsage(payload.usage),
  classifyError(status, fields) {
    if (status === 400 && CONTENT_FILTER.test(fields.message ?? '')) return { kind: 'content_filter', providerCode: fields.code ?? 'content_exists_risk' };
    return classifyOpenAiError(status, fields);
  },
});
