/**
 * The client's Anthropic Messages request (POST /v1/messages): strict on what
 * the gateway translates, loose everywhere else. Anthropic's own extras
 * (`metadata`, `thinking`, `top_k`, `cache_control`, fields we do not know) are
 * accepted and never reach a provider: anthropic/request.ts copies only what it
 * translates. find-token's own routing and billing fields are those of chat.
 */
import { z } from 'zod';
import { BILLING_MODES, MAX_FALLBACK_MODELS, ROUTING_STRATEGIES } from './chat-request';

const textBlock = z.looseObject({ type: z.literal('text'), text: z.string() });

const imageSource = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('base64'), media_type: z.string().min(1), data: z.string().min(1) }),
  z.looseObject({ type: z.literal('url'), url: z.string().min(1) }),
]);
const imageBlock = z.looseObject({ type: z.literal('image'), source: imageSource });

const toolUseBlock = z.looseObject({ type: z.literal('tool_use'), id: z.string().min(1), name: z.string().min(1), input: z.unknown() });

const toolResultBlock = z.looseObject({
  type: z.literal('tool_result'),
  tool_use_id: z.string().min(1),
  content: z.union([z.string(), z.array(z.union([textBlock, imageBlock]))]).optional(),
  is_error: z.boolean().optional(),
});

const thinkingBlock = z.looseObject({ type: z.literal('thinking'), thinking: z.string(), signature: z.string().optional() });
const redactedThinkingBlock = z.looseObject({ type: z.literal('redacted_thinking') });

export const ContentBlockSchema = z.discriminatedUnion('type', [textBlock, imageBlock, toolUseBlock, toolResultBlock, thinkingBlock, redactedThinkingBlock]);

const message = z.looseObject({
  role: z.enum(['user', 'assistant']),
  content: z.union([z.string(), z.array(ContentBlockSchema)]),
});

/**
 * A client tool (name, input_schema), or one of Anthropic's server tools (a `type` such as
 * `web_search_20250305`, no input_schema), which no provider here can run: the translation drops those.
 */
const tool = z.looseObject({
  type: z.string().optional(),
  name: z.string().min(1),
  description: z.string().optional(),
  input_schema: z.record(z.string(), z.unknown()).optional(),
});

const toolChoice = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('auto'), disable_parallel_tool_use: z.boolean().optional() }),
  z.looseObject({ type: z.literal('any'), disable_parallel_tool_use: z.boolean().optional() }),
  z.looseObject({ type: z.literal('none') }),
  z.looseObject({ type: z.literal('tool'), name: z.string().min(1), disable_parallel_tool_use: z.boolean().optional() }),
]);

export const MessagesRequestSchema = z.looseObject({
  model: z.string().min(1, 'must be a non-empty string'),
  messages: z.array(message).min(1, 'must contain at least one message'),
  max_tokens: z.number().int().min(1),
  system: z.union([z.string(), z.array(textBlock)]).optional(),
  stop_sequences: z.array(z.string()).max(4).optional(),
  stream: z.boolean().optional(),
  temperature: z.number().min(0).max(1).optional(),
  top_p: z.number().min(0).max(1).optional(),
  tools: z.array(tool).max(128).optional(),
  tool_choice: toolChoice.optional(),
  // find-token's own fields, as on chat completions (checked there once translated).
  routing: z.enum(ROUTING_STRATEGIES).optional(),
  models: z.array(z.string()).min(1).max(MAX_FALLBACK_MODELS).optional(),
  max_price: z.unknown().optional(),
  billing_mode: z.enum(BILLING_MODES).optional(),
  provider_key: z.unknown().optional(),
});

export type MessagesRequest = z.infer<typeof MessagesRequestSchema>;
export type AnthropicContentBlock = z.infer<typeof ContentBlockSchema>;

/** The body of POST /v1/messages/count_tokens: a Messages request without max_tokens. */
export const CountTokensRequestSchema = MessagesRequestSchema.extend({ max_tokens: z.number().int().min(1).optional() });
export type CountTokensRequest = z.infer<typeof CountTokensRequestSchema>;
