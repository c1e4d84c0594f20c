/**
 * Zhipu (GLM): errors carry a numeric business code that decides their meaning
 * (1113 out of balance arrives as HTTP 429); temperature must stay in (0, 1] and
 * top_p in (0, 1); n, logprobs and penalties are not accepted.
 */
import { classifyOpenAiError, clampField, defineProvider, dropFields, usageWithCachedField } from './openai-compatible';
import { isObject } from './upstream-schemas';
import type { Classification } from './types';

const CODES: Record<string, Classification['kind']> = {
  '1000': 'auth', '1001': 'auth', '1002': 'auth', '1003': 'auth', '1004': 'auth', '1005': 'auth',
  '1113': 'balance',
  '1210': 'bad_request', '1211': 'not_found', '1214': 'bad_request',
  '1261': 'context_length',
  '1301': 'content_filter',
  '1302': 'rate_limit', '1303': 'rate_limit', '1304': 'rate_limit',
  '1305': 'overloaded', '1312': 'overloaded',
};

// Cached tokens are in prompt_tokens_details, sometimes input_tokens_details.
const normalizeUsage = usageWithCachedField((raw) =>
  isObject(raw.input_tokens_details) && !isObject(raw.prompt_tokens_details) ? raw.input_tokens_details.cached_tokens : undefined,
);

export const zhipu = defineProvider({
  id: 'zhipu',
  baseUrl: 'https://open.bigmodel.cn/api/paas/v4',
  transformRequest(body) {
    if (body.temperature === 0) body.temperature = 0.01;
    clampField(body, 'temperature', 0.01, 1);
    clampField(body, 'top_p', 0.01, 0.99);
    dropFields(body, ['n', 'logprobs', 'top_logprobs', 'presence_penalty', 'frequency_penalty']);
    return body;
  },
  convertUsage: (payload) => normalizeUsage(payload.usage),
  classifyError(status, fields) {
    const kind = fields.code === undefined ? undefined : CODES[fields.code];
    return kind ? { kind, providerCode: fields.code } : classifyOpenAiError(status, fields);
  },
  contentFilterFinishReasons: ['sensitive', 'content_filter'],
});
