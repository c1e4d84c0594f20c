/** The account's own resources under /v1/user: keys, balance, billing logs, provider keys, recharges. */
import { RegisterSchema } from '../schemas/byok-requests';
import { ExportQuerySchema, LogQuerySchema } from '../schemas/billing-requests';
import { RechargeRequestSchema } from '../schemas/credit-requests';
import { CreateKeySchema } from '../schemas/key-requests';
import { BODY_CODES, errorResponses, KEYED_CODES, success } from './components';
import { requestSchema, responseSchema, type SchemaObject } from './json-schema';
import { BEARER, jsonBody, needsScope, pathParameter, queryParameter, type Endpoint } from './operation';
import * as R from './response-schemas';

const INFERENCE = [...KEYED_CODES, 'insufficient_scope'];
const MANAGE = [...INFERENCE, ...BODY_CODES];

/** The billing-log query's parameters, from the schema the route parses it with. */
function logQueryParameters() {
  const { properties } = requestSchema(LogQuerySchema) as { properties: Record<string, SchemaObject> };
  const what: Record<string, string> = {
    limit: 'Rows per page, 1 to 100 (default 20).',
    cursor: 'The previous page’s `next_cursor`.',
    model: 'Only this model’s calls.',
    from: 'From this time: Unix ms or ISO 8601.',
    to: 'Until this time: Unix ms or ISO 8601.',
  };
  return Object.entries(properties).map(([name, schema]) => queryParameter(name, what[name] ?? name, schema));
}

function exportQueryParameters() {
  const { properties } = requestSchema(ExportQuerySchema) as { properties: Record<string, SchemaObject> };
  const what: Record<string, string> = {
    from: 'From this time (inclusive): Unix ms or ISO 8601. Default: 30 days before `to`.',
    to: 'Until this time (inclusive): Unix ms or ISO 8601. Default and most: now.',
    format: '`csv` (default) or `ndjson`.',
  };
  return Object.entries(properties).map(([name, schema]) => queryParameter(name, what[name] ?? name, schema));
}

/** The file an export streams: CSV (a header row, then a row per call) or NDJSON (a billing log per line). */
const exportFile = (description: string) => ({
  description,
  headers: { 'X-Request-Id': { $ref: '#/components/headers/X-Request-Id' } },
  content: { 'text/csv': { schema: { type: 'string' } }, 'application/x-ndjson': { schema: responseSchema(R.BillingLog) } },
});

const pageParameters = [
  queryParameter('limit', 'Rows per page, 1 to 100 (default 20).', { type: 'integer', minimum: 1, maximum: 100 }),
  queryParameter('cursor', 'The previous page’s `next_cursor`.', { type: 'string' }),
];

export const USER_ENDPOINTS: Endpoint[] = [
  {
    method: 'get',
    path: '/v1/user/keys',
    summary: 'Your API keys, masked, each with its rules and what it spent.',
    operation: { operationId: 'listKeys', description: needsScope('manage'), security: BEARER, responses: { '200': success('The keys.', responseSchema(R.ApiKeyList)), ...errorResponses(INFERENCE) } },
  },
  {
    method: 'post',
    path: '/v1/user/keys',
    summary: 'Make a key (shown once): optional scopes, spend limit, model allowlist, expiry; a child of the key that made it.',
    operation: {
      operationId: 'createKey',
      description: needsScope('manage'),
      security: BEARER,
      requestBody: jsonBody(requestSchema(CreateKeySchema)),
      responses: { '201': success('The new key, with its secret.', responseSchema(R.CreatedApiKey)), ...errorResponses([...MANAGE, 'too_many_keys']) },
    },
  },
  {
    method: 'delete',
    path: '/v1/user/keys/{id}',
    summary: 'Revoke a key, and every key it made.',
    operation: {
      operationId: 'revokeKey',
      description: needsScope('manage'),
      security: BEARER,
      parameters: [pathParameter('id', 'The key’s id')],
      responses: { '200': success('Revoked.', responseSchema(R.RevokedApiKey)), ...errorResponses([...INFERENCE, 'key_not_found']) },
    },
  },
  {
    method: 'get',
    path: '/v1/user/balance',
    summary: 'Balance, what requests in flight hold, and this month’s BYOK requests.',
    operation: { operationId: 'getBalance', description: needsScope('inference'), security: BEARER, responses: { '200': success('The balance.', responseSchema(R.Balance)), ...errorResponses(INFERENCE) } },
  },
  {
    method: 'get',
    path: '/v1/user/billing-logs',
    summary: 'Every call, newest first, with tokens, cost and status; filter by model and time.',
    operation: {
      operationId: 'listBillingLogs',
      description: needsScope('inference'),
      security: BEARER,
      parameters: logQueryParameters(),
      responses: { '200': success('A page of calls.', responseSchema(R.BillingLogPage)), ...errorResponses([...INFERENCE, 'invalid_value']) },
    },
  },
  {
    method: 'get',
    path: '/v1/user/billing-logs/{request_id}',
    summary: 'One call, by its X-Request-Id, as soon as its response has ended.',
    operation: {
      operationId: 'retrieveBillingLog',
      description: needsScope('inference'),
      security: BEARER,
      parameters: [pathParameter('request_id', 'The call’s `X-Request-Id`')],
      responses: { '200': success('The call.', responseSchema(R.BillingLog)), ...errorResponses([...INFERENCE, 'billing_log_not_found', 'billing_logs_unavailable']) },
    },
  },
  {
    method: 'get',
    path: '/v1/user/billing-logs/export',
    summary: 'Every call of a time range, oldest first, as CSV or NDJSON: streamed, or (a large range) built by a job to download.',
    operation: {
      operationId: 'exportBillingLogs',
      description: `${needsScope('inference')} A range of at most EXPORT_INLINE_MAX_ROWS calls (estimated) streams at once; a larger one answers 202 with an export to poll. A failure after the stream began ends it with an error line (NDJSON: an error object; CSV: a line starting \`#error\`).`,
      security: BEARER,
      parameters: exportQueryParameters(),
      responses: {
        '200': exportFile('The calls, streamed.'),
        '202': success('Too large to stream: an export is being built.', responseSchema(R.BillingLogExport)),
        ...errorResponses([...INFERENCE, 'invalid_value', 'too_many_exports']),
      },
    },
  },
  {
    method: 'get',
    path: '/v1/user/billing-logs/exports/{id}',
    summary: 'An export built by a job: its status, and its download link once ready (kept 7 days).',
    operation: {
      operationId: 'retrieveBillingLogExport',
      description: needsScope('inference'),
      security: BEARER,
      parameters: [pathParameter('id', 'The export’s id')],
      responses: { '200': success('The export.', responseSchema(R.BillingLogExport)), ...errorResponses([...INFERENCE, 'export_not_found']) },
    },
  },
  {
    method: 'get',
    path: '/v1/user/billing-logs/exports/{id}/download',
    summary: 'Download a ready export.',
    operation: {
      operationId: 'downloadBillingLogExport',
      description: needsScope('inference'),
      security: BEARER,
      parameters: [pathParameter('id', 'The export’s id')],
      responses: { '200': exportFile('The export’s file.'), ...errorResponses([...INFERENCE, 'export_not_found']) },
    },
  },
  {
    method: 'post',
    path: '/v1/user/byok/register',
    summary: 'Store your own provider key, encrypted (never shown again); optionally verify it, and fall back to credits when it is refused.',
    operation: {
      operationId: 'registerProviderKey',
      description: needsScope('manage'),
      security: BEARER,
      requestBody: jsonBody(requestSchema(RegisterSchema)),
      responses: {
        '201': success('The stored key, masked.', responseSchema(R.ProviderKey)),
        ...errorResponses([...MANAGE, 'invalid_provider_key', 'too_many_keys', 'byok_unavailable', 'provider_unavailable']),
      },
    },
  },
  {
    method: 'get',
    path: '/v1/user/byok/keys',
    summary: 'Your provider keys, masked.',
    operation: { operationId: 'listProviderKeys', description: needsScope('manage'), security: BEARER, responses: { '200': success('The keys.', responseSchema(R.ProviderKeyList)), ...errorResponses(INFERENCE) } },
  },
  {
    method: 'delete',
    path: '/v1/user/byok/keys/{id}',
    summary: 'Remove a provider key (the next request already goes without it).',
    operation: {
      operationId: 'deleteProviderKey',
      description: needsScope('manage'),
      security: BEARER,
      parameters: [pathParameter('id', 'The provider key’s id')],
      responses: { '200': success('Removed.', responseSchema(R.DeletedProviderKey)), ...errorResponses([...INFERENCE, 'provider_key_not_found']) },
    },
  },
  {
    method: 'post',
    path: '/v1/user/credits',
    summary: 'Recharge: a Stripe Checkout Session for an amount in dollars; credited by the webhook once paid.',
    operation: {
      operationId: 'createRecharge',
      description: needsScope('manage'),
      security: BEARER,
      requestBody: jsonBody(requestSchema(RechargeRequestSchema)),
      responses: {
        '201': success('Open checkout_url to pay.', responseSchema(R.OpenedRecharge)),
        ...errorResponses([...MANAGE, 'amount_too_small', 'amount_too_large', 'payments_unavailable', 'links_unavailable']),
      },
    },
  },
  {
    method: 'get',
    path: '/v1/user/recharges',
    summary: 'Your recharges, newest first.',
    operation: {
      operationId: 'listRecharges',
      description: needsScope('inference'),
      security: BEARER,
      parameters: pageParameters,
      responses: { '200': success('A page of recharges.', responseSchema(R.RechargePage)), ...errorResponses([...INFERENCE, 'invalid_value']) },
    },
  },
];
