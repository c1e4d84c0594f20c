/**
 * Qwen (DashScope compatible mode): error meaning lives in `code`
 * (Arrearage = out of balance, DataInspectionFailed = content filter,
 * Throttling.* = rate limits); top_p must be inside (0, 1).
 */
import { classifyOpenAiError, clampField, defineProvider } from './openai-compatible';
import type { Classification } from './types';

function classifyQwenCode(code: string): Classification['kind'] | undefined {
  if (code === 'Arrearage') return 'balance';
  if (code === 'DataInspectionFailed' || code === 'data_inspection_failed') return 'content_filter';
  if (code === 'InvalidApiKey' || code === 'invalid_api_key' || code === 'AccessDenied') return 'auth';
  if (code === 'ModelNotFound' || code === 'model_not_found') return 'not_found';
  if (code === 'insufficient_quota' || code.startsWith('Throttling')) return 'rate_limit';
  return undefined;
}

export const qwen = defineProvider({
  id: 'qwen',
  baseUrl: 'https://dashscope-intl.aliyuncs.com/compatible-mode/v1',
  transformRequest(body) {
    clampField(body, 'top_p', 0.01, 0.99);
    return body;
  },
  classifyError(status, fields) {
    const kind = fields.code === undefined ? undefined : classifyQwenCode(fields.code);
    return kind ? { kind, providerCode: fields.code } : classifyOpenAiError(status, fields);
  },
  contentFilterFinishReasons: ['content_filter', 'data_inspection_failed'],
});
