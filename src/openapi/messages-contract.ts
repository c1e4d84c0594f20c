/**
 * POST /v1/messages and /v1/messages/count_tokens (Anthropic's Messages API): the requests are the
 * schemas the route validates with (schemas/messages-request.ts); this module adds what the route
 * does not define as a schema — the answer, the token count and Anthropic's error shape.
 */
import { z } from 'zod';
export { CountTokensRequestSchema as CountTokensRequest, MessagesRequestSchema as MessagesRequest } from '../schemas/messages-request';

const textBlock = z.looseObject({ type: z.literal('text'), text: z.string() });
const toolUseBlock = z.looseObject({ type: z.literal('tool_use'), id: z.string(), name: z.string(), input: z.record(z.string(), z.unknown()) });
export const Message = z.object({
  id: z.string(),
  type: z.literal('message'),
  role: z.literal('assistant'),
  model: z.string(),
  content: z.array(z.union([textBlock, toolUseBlock, z.looseObject({ type: z.literal('thinking'), thinking: z.string() })])),
  stop_reason: z.enum(['end_turn', 'max_tokens', 'stop_sequence', 'tool_use', 'refusal']).nullable(),
  stop_sequence: z.string().nullable(),
  usage: z.looseObject({ input_tokens: z.number().int(), output_tokens: z.number().int() }),
});

export const TokenCount = z.object({ input_tokens: z.number().int() });

export const AnthropicErrorBody = z.object({ type: z.literal('error'), error: z.object({ type: z.string(), message: z.string() }) });

/** The error codes these paths answer (their OpenAI `code`, named in the message's `type` by Anthropic's shape). */
export const MESSAGES_ERROR_CODES = [
  'invalid_json',
  'invalid_value',
  'missing_required_parameter',
  'invalid_api_key',
  'key_expired',
  'insufficient_credits',
  'account_suspended',
  'insufficient_scope',
  'model_not_allowed',
  'key_limit_exceeded',
  'model_not_found',
  'request_too_large',
  'rate_limit_exceeded',
  'internal_error',
  'all_providers_unavailable',
  'upstream_timeout',
] as const;
