/**
 * What each /v1 endpoint answers, for the OpenAPI document only (the routes build these objects; nothing
 * parses them): money in dollars as JSON numbers, timestamps in Unix ms unless named otherwise.
 */
import { z } from 'zod';
import { KEY_SCOPES, LIMIT_PERIODS } from '../base/key-rules';
import { PROVIDER_IDS } from '../base/provider-id';

const dollars = z.number().meta({ description: 'US dollars' });
const ms = z.number().int().meta({ description: 'Unix milliseconds' });
const list = <T extends z.ZodType>(item: T) => z.object({ object: z.literal('list'), data: z.array(item) });
const paged = <T extends z.ZodType>(item: T) => list(item).extend({ has_more: z.boolean(), next_cursor: z.string().nullable() });

export const ErrorBody = z.object({
  error: z.object({ message: z.string(), type: z.string(), param: z.string().nullable(), code: z.string() }),
});

export const Model = z.object({
  id: z.string(),
  object: z.literal('model'),
  created: z.number().int().meta({ description: 'Unix seconds' }),
  owned_by: z.string(),
  provider: z.enum(PROVIDER_IDS),
  context_length: z.number().int(),
  max_output_tokens: z.number().int(),
  pricing: z.object({
    currency: z.literal('USD'),
    unit: z.literal('1M tokens'),
    input: z.string(),
    output: z.string(),
    cached_input: z.string().nullable(),
  }),
  capabilities: z.array(z.string()),
  group: z.string(),
  timeout_ms: z.number().int().meta({ description: 'How long one non-streaming attempt may take' }),
});
export const ModelList = list(Model);

const usage = z.object({
  prompt_tokens: z.number().int(),
  completion_tokens: z.number().int(),
  total_tokens: z.number().int(),
  cost: dollars.optional().meta({ description: 'In a stream’s usage chunk: what the request was charged' }),
  balance: dollars.optional().meta({ description: 'In a stream’s usage chunk, standard mode: the balance right after the charge' }),
  charge_pending: z.boolean().optional().meta({ description: 'The charge is queued; recorded shortly' }),
});

export const ChatCompletion = z.looseObject({
  id: z.string(),
  object: z.literal('chat.completion'),
  created: z.number().int(),
  model: z.string(),
  choices: z.array(
    z.looseObject({
      index: z.number().int(),
      message: z.looseObject({ role: z.literal('assistant'), content: z.string().nullable(), reasoning_content: z.string().nullable().optional(), tool_calls: z.array(z.looseObject({})).optional() }),
      finish_reason: z.string().nullable(),
    }),
  ),
  usage,
});

export const ChatCompletionChunk = z
  .looseObject({
    id: z.string(),
    object: z.literal('chat.completion.chunk'),
    created: z.number().int(),
    model: z.string(),
    choices: z.array(z.looseObject({ index: z.number().int(), delta: z.looseObject({}), finish_reason: z.string().nullable() })),
    usage: usage.optional(),
  })
  .meta({ description: 'One `data:` event of the SSE stream; the last before `data: [DONE]` carries usage when stream_options.include_usage is true' });

const limit = z.object({ amount: dollars, period: z.enum(LIMIT_PERIODS) }).nullable();
const keyRules = {
  scopes: z.array(z.enum(KEY_SCOPES)),
  limit,
  models: z.array(z.string()).nullable(),
  expires_at: ms.nullable(),
  parent: z.string().nullable().meta({ description: 'The key that made this one' }),
};

export const ApiKey = z.object({
  id: z.string(),
  name: z.string(),
  masked_key: z.string(),
  status: z.enum(['active', 'revoked']),
  created_at: ms,
  last_used_at: ms.nullable(),
  revoked_at: ms.nullable(),
  ...keyRules,
  spent: dollars.nullable().meta({ description: 'Spent in the limit’s current period (its children’s included); null without a limit' }),
});
export const ApiKeyList = list(ApiKey);
export const CreatedApiKey = z.object({ id: z.string(), name: z.string(), key: z.string().meta({ description: 'sk-ft_…: shown this once' }), created_at: ms, ...keyRules });
export const RevokedApiKey = z.object({ id: z.string(), object: z.literal('api_key'), revoked: z.literal(true), revoked_at: ms });

export const Balance = z.object({
  balance: dollars,
  currency: z.literal('USD'),
  reserved: dollars.meta({ description: 'Held for requests in flight' }),
  byok: z.object({ month: z.string(), requests: z.number().int(), free_requests: z.number().int(), free_remaining: z.number().int() }),
});

export const BillingLog = z.object({
  id: z.string(),
  request_id: z.string(),
  created_at: ms,
  model: z.string(),
  provider: z.string(),
  mode: z.enum(['standard', 'byok']),
  routing: z.string(),
  prompt_tokens: z.number().int(),
  cached_tokens: z.number().int(),
  completion_tokens: z.number().int(),
  reasoning_tokens: z.number().int(),
  total_tokens: z.number().int(),
  cost: dollars,
  uncollected: dollars,
  provider_cost: dollars,
  estimated: z.boolean(),
  status: z.enum(['succeeded', 'failed', 'interrupted', 'abandoned']),
  latency_ms: z.number().int(),
  stream: z.boolean(),
  fallback_reason: z.string().nullable(),
  key: z.object({ id: z.string(), name: z.string().nullable(), prefix: z.string().nullable() }).nullable(),
});
export const BillingLogPage = paged(BillingLog);

export const BillingLogExport = z.object({
  id: z.string(),
  object: z.literal('billing_log_export'),
  status: z.enum(['pending', 'building', 'ready', 'failed']),
  format: z.enum(['csv', 'ndjson']),
  from: ms,
  to: ms,
  created_at: ms,
  finished_at: ms.nullable(),
  expires_at: ms,
  rows: z.number().int().nullable(),
  bytes: z.number().int().nullable(),
  error: z.string().nullable(),
  url: z.string(),
  download_url: z.string().nullable(),
});

export const ProviderKey = z.object({
  id: z.string(),
  object: z.literal('provider_key'),
  provider: z.enum(PROVIDER_IDS),
  name: z.string().nullable(),
  hint: z.string(),
  created_at: ms,
  last_used_at: ms.nullable(),
  last_error: z.string().nullable(),
  fallback_to_credits: z.boolean(),
});
export const ProviderKeyList = list(ProviderKey);
export const DeletedProviderKey = z.object({ id: z.string(), object: z.literal('provider_key'), deleted: z.literal(true) });

export const OpenedRecharge = z.object({ id: z.string(), object: z.literal('recharge'), checkout_url: z.string(), amount: dollars, status: z.literal('pending') });
export const Recharge = z.object({
  id: z.string(),
  object: z.literal('recharge'),
  amount: dollars,
  status: z.enum(['pending', 'paid', 'failed', 'expired', 'refunded', 'partially_refunded']),
  created_at: ms,
  paid_at: ms.nullable(),
  refunded_amount: dollars,
});
export const RechargePage = paged(Recharge);

export const Status = z.object({
  status: z.enum(['operational', 'degraded', 'down']),
  providers: z.array(z.object({ provider: z.enum(PROVIDER_IDS), status: z.enum(['up', 'down']), checked_at: ms.nullable() })),
});
