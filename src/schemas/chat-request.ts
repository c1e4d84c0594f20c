/**
 * The client's chat completion request: strict on every field we know (its
 * errors become our 400s), loose on fields we don't, which pass through to the
 * provider untouched. `routing`, `models`, `max_price`, `billing_mode` and
 * `provider_key` are find-token's own fields (GATEWAY_FIELDS never reach a provider).
 */
import { z } from 'zod';
import { findModel } from '../base/catalog';
import { parseSignedUsd } from '../base/money';
import { invalidValue } from '../errors';

/** `none`: the requested model only (retries, no failover). */
export const ROUTING_STRATEGIES = ['auto', 'cheapest', 'fallback', 'none'] as const;
export type RoutingStrategy = (typeof ROUTING_STRATEGIES)[number];

export const BILLING_MODES = ['standard', 'byok'] as const;
export type BillingModeChoice = (typeof BILLING_MODES)[number];

/** The most fallbacks a request may name (the catalog has fewer models than this). */
export const MAX_FALLBACK_MODELS = 16;

/** Dollars per 1M tokens (a JSON number or a decimal string) → integer units per 1M, the catalog's price unit. */
const pricePerMillion = z.union([z.number(), z.string()]).transform((value, ctx) => {
  const units = parseSignedUsd(value);
  if (units === undefined || units < 0) {
    ctx.addIssue({ code: 'custom', message: 'must be dollars per 1M tokens: a number 0 or above, with at most 8 decimals' });
    return z.NEVER;
  }
  return units;
});

const unique = <T>(values: readonly T[]) => new Set(values).size === values.length;

const textPart = z.looseObject({ type: z.literal('text'), text: z.string() });
const otherPart = z.looseObject({ type: z.string().min(1) });
const contentParts = z.array(z.union([textPart, otherPart])).min(1);

const toolCall = z.looseObject({
  id: z.string(),
  type: z.literal('function'),
  function: z.looseObject({ name: z.string(), arguments: z.string() }),
});

const message = z.discriminatedUnion('role', [
  z.looseObject({ role: z.literal('system'), content: z.union([z.string(), contentParts]), name: z.string().optional() }),
  z.looseObject({ role: z.literal('developer'), content: z.union([z.string(), contentParts]), name: z.string().optional() }),
  z.looseObject({ role: z.literal('user'), content: z.union([z.string(), contentParts]), name: z.string().optional() }),
  z.looseObject({
    role: z.literal('assistant'),
    content: z.union([z.string(), contentParts]).nullish(),
    name: z.string().optional(),
    tool_calls: z.array(toolCall).optional(),
    reasoning_content: z.string().nullish(),
  }),
  z.looseObject({ role: z.literal('tool'), content: z.union([z.string(), contentParts]), tool_call_id: z.string().min(1) }),
]);

const tool = z.looseObject({
  type: z.literal('function'),
  function: z.looseObject({
    name: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, 'must be 1-64 letters, digits, underscores or dashes'),
    description: z.string().optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
    strict: z.boolean().nullish(),
  }),
});

const toolChoice = z.union([
  z.enum(['none', 'auto', 'required']),
  z.looseObject({ type: z.literal('function'), function: z.looseObject({ name: z.string().min(1) }) }),
]);

const responseFormat = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('text') }),
  z.looseObject({ type: z.literal('json_object') }),
  z.looseObject({ type: z.literal('json_schema'), json_schema: z.looseObject({ name: z.string().min(1) }) }),
]);

const tokenCount = z.number().int().min(1);

export const ChatRequestSchema = z
  .looseObject({
    model: z.string().min(1, 'must be a non-empty string'),
    messages: z.array(message).min(1, 'must contain at least one message'),
    stream: z.boolean().nullish(),
    stream_options: z.strictObject({ include_usage: z.boolean().optional() }).nullish(),
    temperature: z.number().min(0).max(2).nullish(),
    top_p: z.number().min(0).max(1).nullish(),
    max_tokens: tokenCount.nullish(),
    max_completion_tokens: tokenCount.nullish(),
    n: z.literal(1, 'only n=1 is supported').nullish(),
    stop: z.union([z.string(), z.array(z.string()).max(4)]).nullish(),
    presence_penalty: z.number().min(-2).max(2).nullish(),
    frequency_penalty: z.number().min(-2).max(2).nullish(),
    seed: z.number().int().nullish(),
    logprobs: z.boolean().nullish(),
    top_logprobs: z.number().int().min(0).max(20).nullish(),
    user: z.string().max(256).nullish(),
    tools: z.array(tool).max(128).nullish(),
    tool_choice: toolChoice.nullish(),
    parallel_tool_calls: z.boolean().nullish(),
    response_format: responseFormat.nullish(),
    routing: z.enum(ROUTING_STRATEGIES).optional(),
    /** The fallback order after the requested model, replacing its equivalence group (OpenRouter's field). */
    models: z
      .array(z.string().refine((id) => findModel(id) !== undefined, 'is not a model in GET /v1/models'))
      .min(1, 'must name at least one model')
      .max(MAX_FALLBACK_MODELS, `must name at most ${MAX_FALLBACK_MODELS} models`)
      .refine(unique, 'must not repeat a model')
      .optional(),
    /** The most a candidate may cost, dollars per 1M tokens before the fee (OpenRouter's shape). */
    max_price: z
      .strictObject({ prompt: pricePerMillion.optional(), completion: pricePerMillion.optional() })
      .refine((price) => price.prompt !== undefined || price.completion !== undefined, 'must set prompt, completion, or both')
      .optional(),
    billing_mode: z.enum(BILLING_MODES).optional(),
    provider_key: z.strictObject({ provider: z.string().min(1), api_key: z.string().min(1) }).optional(),
  })
  .superRefine((request, ctx) => {
    if (request.stream_options && !request.stream) {
      ctx.addIssue({ code: 'custom', path: ['stream_options'], message: 'only allowed when stream is true' });
    }
    if (request.routing === 'none' && request.models) {
      ctx.addIssue({ code: 'custom', path: ['models'], message: 'names fallbacks, and routing "none" allows none' });
    }
    if (request.billing_mode === 'standard' && request.provider_key) {
      ctx.addIssue({ code: 'custom', path: ['billing_mode'], message: '"standard" bills credits on the platform\'s keys, so it cannot come with a provider_key' });
    }
  });

export type ChatRequest = z.infer<typeof ChatRequestSchema>;
export type ChatMessage = ChatRequest['messages'][number];

/**
 * The request's billing mode: `billing_mode`, or the `X-FindToken-Mode` header (either may be
 * used; both must agree). Throws the client's 400.
 */
export function withModeHeader(request: ChatRequest, header: string | undefined): ChatRequest {
  if (header === undefined) return request;
  const mode = header.trim().toLowerCase();
  if (!(BILLING_MODES as readonly string[]).includes(mode)) throw invalidValue('The X-FindToken-Mode header must be "standard" or "byok".', 'X-FindToken-Mode');
  if (request.billing_mode !== undefined && request.billing_mode !== mode) {
    throw invalidValue(`billing_mode is "${request.billing_mode}" but the X-FindToken-Mode header says "${mode}"; send one, or both the same.`, 'billing_mode');
  }
  if (mode === 'standard' && request.provider_key) {
    throw invalidValue('X-FindToken-Mode "standard" bills credits on the platform\'s keys, so it cannot come with a provider_key.', 'X-FindToken-Mode');
  }
  return { ...request, billing_mode: mode as BillingModeChoice };
}
