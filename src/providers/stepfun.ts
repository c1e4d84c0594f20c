/**
 * StepFun: every stream chunk carries cumulative usage (the last one wins),
 * `finish_reason: ""` until the end, `role: ""`, reasoning in `reasoning`;
 * `stream_options` is not known to be accepted, so it is not sent; 451 = content filter.
 */
import { defineProvider, normalizeOpenAiMessage, usageWithCachedField } from './openai-compatible';

const normalizeUsage = usageWithCachedField((raw) => raw.cached_tokens);

export const stepfun = defineProvider({
  id: 'stepfun',
  baseUrl: 'https://api.stepfun.ai/v1',
  acceptsStreamUsageOption: false,
  convertUsage: (payload) => normalizeUsage(payload.usage),
  normalizeMessage(message) {
    normalizeOpenAiMessage(message);
    if (typeof message.reasoning === 'string') {
      message.reasoning_content = message.reasoning;
      delete message.reasoning;
    }
  },
});
