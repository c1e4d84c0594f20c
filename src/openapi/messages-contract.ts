/**
 * POST /v1/messages and /v1/messages/count_tokens (Anthropic's Messages API), described from their
 * contract while the route is built on another branch: when it lands, its request schema (the one the
 * route validates with) replaces MessagesRequest here, and this module keeps only what the route does not
 * define. Errors on these paths are Anthropic's shape, which its SDK reads.
 */
import { z } from 'zod';

const textBlock = z.looseObject({ type: z.literal('text'), text: z.string() });
const imageBlock = z.looseObject({ type: z.literal('image'), source: z.looseObject({ type: z.string() }) });
const toolUseBlock = z.looseObject({ type: z.literal('tool_use'), id: z.string(), name: z.string(), input: z.record(z.string(), z.unknown()) });
const toolResultBlock = z.looseObject({
  type: z.literal('tool_result'),
  tool_use_id: z.string(),
  content: z.union([z.string(), z.array(z.union([textBlock, imageBlock]))]).optional(),
  is_error: z.boolean().optional(),
});
const contentBlock = z.union([textBlock, imageBlock, toolUseBlock, toolResultBlock]);

const message = z.looseObject({ role: z.enum(['user', 'assistant']), content: z.union([z.string(), z.array(contentBlock).min(1)]) });

const tool = z.looseObject({ name: z.string().min(1), description: z.string().optional(), input_schema: z.record(z.string(), z.unknown()) });

const toolChoice = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('auto'), disable_parallel_tool_use: z.boolean().optional() }),
  z.looseObject({ type: z.literal('any'), disable_parallel_tool_use: z.boolean().optional() }),
  z.looseObject({ type: z.literal('tool'), name: z.string(), disable_parallel_tool_use: z.boolean().optional() }),
  z.looseObject({ type: z.literal('none') }),
]);

const prompt = {
  model: z.string().min(1).meta({ description: 'A model id from GET /v1/models' }),
  messages: z.array(message).min(1),
  system: z.union([z.string(), z.array(textBlock)]).optional(),
  tools: z.array(tool).optional(),
  tool_choice: toolChoice.optional(),
};

export const MessagesRequest = z.looseObject({
  ...prompt,
  max_tokens: z.number().int().min(1),
  stop_sequences: z.array(z.string()).optional(),
  temperature: z.number().min(0).max(1).optional(),
  top_p: z.number().min(0).max(1).optional(),
  stream: z.boolean().optional().meta({ description: 'Anthropic’s SSE events: message_start, content_block_*, message_delta, message_stop' }),
  metadata: z.looseObject({ user_id: z.string().optional() }).optional(),
});

export const CountTokensRequest = z.looseObject(prompt);

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
