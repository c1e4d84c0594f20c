/**
 * Kimi (Moonshot): stream usage sits inside `choices[0].usage` of the final
 * chunk; error meaning lives in `type` (429 exceeded_current_quota_error = out of
 * balance, engine_overloaded_error = overloaded); K2.5+ reasoning models reject
 * any temperature but their own, so it is dropped for them.
 */
import { classifyOpenAiError, defineProvider, usageWithCachedField } from './openai-compatible';
import { isObject } from './upstream-schemas';
import type { Classification } from './types';
import type { JsonObject } from '../base/upstream';

const TYPES: Record<string, Classification['kind']> = {
  exceeded_current_quota_error: 'balance',
  engine_overloaded_error: 'overloaded',
  rate_limit_reached_error: 'rate_limit',
  content_filter: 'content_filter',
  invalid_authentication_error: 'auth',
  incorrect_api_key_error: 'auth',
  permission_denied_error: 'auth',
  access_terminated_error: 'auth',
  resource_not_found_error: 'not_found',
  server_error: 'server',
};

const usageFrom = usageWithCachedField((raw) => raw.cached_tokens);

export const kimi = defineProvider({
  id: 'kimi',
  baseUrl: 'https://api.moonshot.ai/v1',
  transformRequest(body, model) {
    if (model.capabilities.reasoning) delete body.temperature;
    else if (typeof body.temperature === 'number') body.temperature = Math.min(1, body.temperature);
    return body;
  },
  convertUsage(payload: JsonObject) {
    const top = usageFrom(payload.usage);
    if (top) return top;
    const first = Array.isArray(payload.choices) ? payload.choices[0] : undefined;
    return isObject(first) ? usageFrom(first.usage) : undefined;
  },
  classifyError(status, fields) {
    const kind = fields.type === undefined ? undefined : TYPES[fields.type];
    return kind ? { kind, providerCode: fields.type } : classifyOpenAiError(status, fields);
  },
});
