/** Chat, models, status and the Messages API. */
import { ChatRequestSchema } from '../schemas/chat-request';
import { BODY_CODES, errorResponses, KEYED_CODES, success, type HeaderName } from './components';
import { requestSchema, responseSchema } from './json-schema';
import { CountTokensRequest, Message, MESSAGES_ERROR_CODES, MessagesRequest, TokenCount } from './messages-contract';
import { BEARER, jsonBody, needsScope, pathParameter, type Endpoint } from './operation';
import { ChatCompletion, ChatCompletionChunk, Model, ModelList, Status } from './response-schemas';

const SERVED_HEADERS: HeaderName[] = ['X-FindToken-Mode', 'X-FindToken-Provider', 'X-FindToken-Model', 'X-FindToken-Attempts', 'X-FindToken-Max-Tokens'];
const CHARGED_HEADERS: HeaderName[] = ['X-FindToken-Cost', 'X-FindToken-Balance', 'X-FindToken-Charge'];

const modeHeader = {
  name: 'X-FindToken-Mode',
  in: 'header',
  required: false,
  description: 'The billing mode, as `billing_mode` (either, or both the same).',
  schema: { type: 'string', enum: ['standard', 'byok'] },
};

const CHAT_CODES = [
  ...KEYED_CODES,
  ...BODY_CODES,
  'unsupported_parameter',
  'context_length_exceeded',
  'provider_rejected_request',
  'content_filtered',
  'invalid_provider_key',
  'provider_key_required',
  'insufficient_credits',
  'insufficient_scope',
  'model_not_allowed',
  'key_limit_exceeded',
  'model_not_found',
  'upstream_stream_interrupted',
  'all_providers_unavailable',
  'provider_not_configured',
  'provider_unavailable',
  'byok_unavailable',
  'upstream_timeout',
];

/** Both content types of one answer: a whole answer, or (stream: true) SSE. */
function chatAnswer() {
  const whole = success('A whole answer, charged before it is sent.', responseSchema(ChatCompletion), [...SERVED_HEADERS, ...CHARGED_HEADERS]);
  const stream = success(
    'With `stream: true`: SSE. Keep-alive comments while the provider is silent; a failure after the first byte is an error event, with no `[DONE]`.',
    responseSchema(ChatCompletionChunk),
    SERVED_HEADERS,
    'text/event-stream',
  );
  return { ...whole, content: { ...whole.content, ...stream.content } };
}

export const API_ENDPOINTS: Endpoint[] = [
  {
    method: 'post',
    path: '/v1/chat/completions',
    summary: 'OpenAI chat completions (JSON or SSE), routed across equivalent models, with find-token’s routing and billing fields.',
    operation: {
      operationId: 'createChatCompletion',
      description: `${needsScope('inference')} Unknown fields are passed to the provider.`,
      security: BEARER,
      parameters: [modeHeader],
      requestBody: jsonBody(requestSchema(ChatRequestSchema)),
      responses: { '200': chatAnswer(), ...errorResponses(CHAT_CODES) },
    },
  },
  {
    method: 'post',
    path: '/v1/messages',
    summary: 'Anthropic’s Messages API (JSON or SSE), for Anthropic SDKs and Claude Code, on the same routing and billing.',
    operation: {
      operationId: 'createMessage',
      description: `${needsScope('inference')} The key goes in \`x-api-key\` or \`Authorization: Bearer\`.`,
      security: [{ apiKeyHeader: [] }, { bearer: [] }],
      parameters: [modeHeader],
      requestBody: jsonBody(requestSchema(MessagesRequest)),
      responses: {
        '200': success('The assistant’s message (SSE with `stream: true`).', responseSchema(Message), [...SERVED_HEADERS, ...CHARGED_HEADERS]),
        ...errorResponses(MESSAGES_ERROR_CODES, 'anthropic'),
      },
    },
  },
  {
    method: 'post',
    path: '/v1/messages/count_tokens',
    summary: 'How many input tokens a Messages request would have (free).',
    operation: {
      operationId: 'countMessageTokens',
      security: [{ apiKeyHeader: [] }, { bearer: [] }],
      requestBody: jsonBody(requestSchema(CountTokensRequest)),
      responses: { '200': success('The input token count.', responseSchema(TokenCount)), ...errorResponses(MESSAGES_ERROR_CODES, 'anthropic') },
    },
  },
  {
    method: 'get',
    path: '/v1/models',
    summary: 'Every model: provider, context length, output cap, prices per 1M tokens, equivalence group, timeout.',
    operation: { operationId: 'listModels', description: needsScope('inference'), security: BEARER, responses: { '200': success('The catalog.', responseSchema(ModelList)), ...errorResponses([...KEYED_CODES, 'insufficient_scope']) } },
  },
  {
    method: 'get',
    path: '/v1/models/{id}',
    summary: 'One model.',
    operation: {
      operationId: 'retrieveModel',
      description: needsScope('inference'),
      security: BEARER,
      parameters: [pathParameter('id', 'A model id, such as deepseek-chat')],
      responses: { '200': success('The model.', responseSchema(Model)), ...errorResponses([...KEYED_CODES, 'insufficient_scope', 'model_not_found']) },
    },
  },
  {
    method: 'get',
    path: '/v1/status',
    summary: 'Which configured providers are up (no key; cached 30 s).',
    operation: { operationId: 'getStatus', security: [], responses: { '200': success('Overall and per provider.', responseSchema(Status)), ...errorResponses(['internal_error']) } },
  },
];
