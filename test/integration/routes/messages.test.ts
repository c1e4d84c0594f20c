/**
 * POST /v1/messages and /v1/messages/count_tokens through the worker, with the official Anthropic SDK
 * as the client: answers, streams, tools, count_tokens, errors in Anthropic's shape, X-FindToken-*
 * headers, and the same charge as the same chat completion.
 */
import Anthropic from '@anthropic-ai/sdk';
import { SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { toChatRequest } from '../../../src/anthropic/request';
import { estimatePromptTokens } from '../../../src/providers/token-estimate';
import { MessagesRequestSchema } from '../../../src/schemas/messages-request';
import { uniqueTag } from '../chat/provider-models';
import { adminRequest, BASE, chat, createAccountWithKey, upstreamRequests } from '../helpers';

/** The SDK pointed at the worker (the host, no /v1: the SDK adds it), no retries of its own. */
const sdk = (key: string, auth: 'apiKey' | 'authToken' = 'apiKey') =>
  new Anthropic({ [auth]: key, baseURL: BASE, maxRetries: 0, fetch: (url: string | URL | Request, init?: RequestInit) => SELF.fetch(String(url), init) });

/** A system prompt carrying the stand-in's control (the Messages API forwards no extra field). */
const standin = (control: Record<string, unknown>) => `You are helpful.<standin>${JSON.stringify(control)}</standin>`;
const hello: Anthropic.MessageParam[] = [{ role: 'user', content: 'Hello!' }];
const weatherTool: Anthropic.Tool = { name: 'get_weather', description: 'The weather in a city', input_schema: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] } };

/** The SDK's error for a refused request: status and Anthropic's error body. */
async function refusal(promise: Promise<unknown>) {
  const error = await promise.then(() => undefined, (caught: unknown) => caught);
  if (!(error instanceof Anthropic.APIError)) throw new Error(`expected an API error, got ${String(error)}`);
  return { status: error.status, body: error.error as unknown, headers: error.headers };
}

describe('POST /v1/messages', () => {
  it('answers messages.create with Anthropic’s message, the served model and its usage', async () => {
    const { key } = await createAccountWithKey();
    const { data, response } = await sdk(key).messages.create({ model: 'deepseek-chat', max_tokens: 64, messages: hello }).withResponse();
    expect(data).toMatchObject({ type: 'message', role: 'assistant', model: 'deepseek-chat', content: [{ type: 'text', text: 'Hello from the deepseek stand-in.' }], stop_reason: 'end_turn', stop_sequence: null });
    expect(data.id).toBe(`msg_${response.headers.get('X-Request-Id')!.replace(/^req_/, '')}`);
    expect(data.usage.output_tokens).toBe(Math.ceil('Hello from the deepseek stand-in.'.length / 4));
  });

  it('sends the X-FindToken-* headers of chat completions', async () => {
    const { key } = await createAccountWithKey();
    const { response } = await sdk(key).messages.create({ model: 'deepseek-chat', max_tokens: 64, messages: hello }).withResponse();
    expect(['Provider', 'Model', 'Mode', 'Attempts'].map((name) => response.headers.get(`X-FindToken-${name}`))).toEqual(['deepseek', 'deepseek-chat', 'standard', '1']);
    expect(response.headers.get('X-FindToken-Cost')).toMatch(/^\d+\.\d+$/);
  });

  it('accepts the key as a Bearer token (ANTHROPIC_AUTH_TOKEN) as well as x-api-key', async () => {
    const { key } = await createAccountWithKey();
    const message = await sdk(key, 'authToken').messages.create({ model: 'deepseek-chat', max_tokens: 64, messages: hello });
    expect(message.content).toEqual([{ type: 'text', text: 'Hello from the deepseek stand-in.' }]);
  });

  it('streams: messages.stream(...).finalMessage() holds the thinking, the text and the usage', async () => {
    const { key } = await createAccountWithKey();
    const system = standin({ reasoning: 'Greet back.', usage: { prompt_tokens: 40, cached_tokens: 10, completion_tokens: 9 } });
    const message = await sdk(key).messages.stream({ model: 'deepseek-reasoner', max_tokens: 64, system, messages: hello }).finalMessage();
    expect(message.content).toEqual([
      { type: 'thinking', thinking: 'Greet back.', signature: '' },
      { type: 'text', text: 'Hello from the deepseek stand-in.' },
    ]);
    expect([message.stop_reason, message.usage.input_tokens, message.usage.output_tokens, message.usage.cache_read_input_tokens]).toEqual(['end_turn', 30, 9, 10]);
  });

  it('streams Anthropic’s events with their event: lines, ending in message_stop', async () => {
    const { key } = await createAccountWithKey();
    const response = await SELF.fetch(`${BASE}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': key, 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ model: 'glm-4-flash', max_tokens: 64, stream: true, messages: hello }),
    });
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const events = [...(await response.text()).matchAll(/^event: (\w+)$/gm)].map((match) => match[1]).filter((name) => name !== 'ping' && name !== 'content_block_delta');
    expect(events).toEqual(['message_start', 'content_block_start', 'content_block_stop', 'message_delta', 'message_stop']);
  });

  it('round-trips a tool: tool_use out, tool_result back as the provider’s tool message', async () => {
    const { key } = await createAccountWithKey();
    const tag = uniqueTag();
    const first = await sdk(key).messages.create({ model: 'deepseek-chat', max_tokens: 64, system: standin({ tag, scenario: 'tool_call' }), tools: [weatherTool], messages: hello });
    const call = first.content.find((block) => block.type === 'tool_use');
    expect([first.stop_reason, call?.name, call?.input]).toEqual(['tool_use', 'get_weather', { location: 'Paris' }]);

    const tag2 = uniqueTag();
    const messages: Anthropic.MessageParam[] = [...hello, { role: 'assistant', content: first.content }, { role: 'user', content: [{ type: 'tool_result', tool_use_id: call!.id, content: '18 °C' }] }];
    const second = await sdk(key).messages.create({ model: 'deepseek-chat', max_tokens: 64, system: standin({ tag: tag2 }), tools: [weatherTool], messages });
    expect(second.stop_reason).toBe('end_turn');
    const [sent] = await upstreamRequests(tag2);
    expect((sent!.body.messages as unknown[]).slice(2)).toEqual([
      { role: 'assistant', content: null, tool_calls: [{ id: call!.id, type: 'function', function: { name: 'get_weather', arguments: '{"location":"Paris"}' } }] },
      { role: 'tool', tool_call_id: call!.id, content: '18 °C' },
    ]);
  });

  it('streams a tool call the SDK assembles into a tool_use block', async () => {
    const { key } = await createAccountWithKey();
    const message = await sdk(key)
      .messages.stream({ model: 'kimi-k2', max_tokens: 64, system: standin({ scenario: 'tool_call', arguments: '{"location":"Tokyo"}' }), tools: [weatherTool], messages: hello })
      .finalMessage();
    expect([message.stop_reason, message.content.find((block) => block.type === 'tool_use')?.input]).toEqual(['tool_use', { location: 'Tokyo' }]);
  });

  it('costs what the same chat completion costs', async () => {
    const { key } = await createAccountWithKey();
    const system = standin({ usage: { prompt_tokens: 5_000, completion_tokens: 2_000 } });
    const { response } = await sdk(key).messages.create({ model: 'deepseek-chat', max_tokens: 64, system, messages: hello }).withResponse();
    const viaChat = await chat(key, { model: 'deepseek-chat', max_tokens: 64, messages: [{ role: 'system', content: system }, { role: 'user', content: 'Hello!' }] });
    expect(viaChat.status).toBe(200);
    expect(response.headers.get('X-FindToken-Cost')).toBe(viaChat.headers.get('X-FindToken-Cost'));
  });

  it('clamps max_tokens 32000 to the model’s output cap rather than refusing it', async () => {
    const { key } = await createAccountWithKey();
    const tag = uniqueTag();
    const message = await sdk(key).messages.stream({ model: 'glm-4-flash', max_tokens: 32_000, system: standin({ tag }), messages: hello }).finalMessage();
    expect(message.stop_reason).toBe('end_turn');
    expect((await upstreamRequests(tag)).map((request) => request.body.max_tokens)).toEqual([4_096]);
  });
});

describe('POST /v1/messages: errors in Anthropic’s shape', () => {
  it('401 authentication_error for an unknown key', async () => {
    const refused = await refusal(sdk(`sk-ft_${'0'.repeat(64)}`).messages.create({ model: 'deepseek-chat', max_tokens: 16, messages: hello }));
    expect([refused.status, refused.body]).toEqual([401, { type: 'error', error: { type: 'authentication_error', message: 'Incorrect API key provided.' } }]);
  });

  it('404 not_found_error for a claude-* model, telling how to set Claude Code’s models', async () => {
    const { key } = await createAccountWithKey();
    const refused = await refusal(sdk(key).messages.create({ model: 'claude-sonnet-4-5', max_tokens: 16, messages: hello }));
    expect(refused.status).toBe(404);
    expect(refused.body).toMatchObject({ type: 'error', error: { type: 'not_found_error' } });
    expect((refused.body as { error: { message: string } }).error.message).toContain('set ANTHROPIC_MODEL, ANTHROPIC_DEFAULT_OPUS_MODEL, ANTHROPIC_DEFAULT_SONNET_MODEL and ANTHROPIC_DEFAULT_HAIKU_MODEL');
  });

  it('403 permission_error for a model outside the key’s allowlist', async () => {
    const { accountId } = await createAccountWithKey();
    const glmOnly = await (await adminRequest('POST', `/accounts/${accountId}/keys`, { name: 'glm only', models: ['glm-4-flash'] })).json<{ key: string }>();
    const refused = await refusal(sdk(glmOnly.key).messages.create({ model: 'deepseek-chat', max_tokens: 16, messages: hello }));
    expect([refused.status, refused.body]).toEqual([
      403,
      { type: 'error', error: { type: 'permission_error', message: "This API key may not use the model 'deepseek-chat'; it may use only: glm-4-flash." } },
    ]);
  });

  it('429 rate_limit_error with Retry-After over the account’s rate limit', async () => {
    const { key, accountId } = await createAccountWithKey();
    await adminRequest('PATCH', `/accounts/${accountId}`, { rate_limit_per_minute: 1 });
    await sdk(key).messages.create({ model: 'deepseek-chat', max_tokens: 16, messages: hello }).catch(() => undefined);
    const refused = await refusal(sdk(key).messages.create({ model: 'deepseek-chat', max_tokens: 16, messages: hello }));
    expect([refused.status, (refused.body as { error: { type: string } }).error.type]).toEqual([429, 'rate_limit_error']);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('400 invalid_request_error naming the field for a request without max_tokens', async () => {
    const { key } = await createAccountWithKey();
    const response = await SELF.fetch(`${BASE}/v1/messages`, { method: 'POST', headers: { 'x-api-key': key }, body: JSON.stringify({ model: 'deepseek-chat', messages: hello }) });
    expect([response.status, await response.json()]).toEqual([400, { type: 'error', error: { type: 'invalid_request_error', message: "Missing required parameter: 'max_tokens'." } }]);
  });

  it('413 request_too_large over chat’s body bound, with its X-Request-Id', async () => {
    const { key } = await createAccountWithKey();
    const response = await SELF.fetch(`${BASE}/v1/messages`, { method: 'POST', headers: { 'x-api-key': key }, body: 'x'.repeat(70_000) });
    expect([response.status, await response.json()]).toEqual([413, { type: 'error', error: { type: 'request_too_large', message: 'The request body is larger than 65536 bytes.' } }]);
    expect(response.headers.get('X-Request-Id')).toMatch(/^req_/);
  });

  it('404 not_found_error for a method no route takes', async () => {
    const response = await SELF.fetch(`${BASE}/v1/messages`, { method: 'GET', headers: { 'x-api-key': (await createAccountWithKey()).key } });
    expect([response.status, await response.json()]).toEqual([404, { type: 'error', error: { type: 'not_found_error', message: 'Unknown path: GET /v1/messages' } }]);
  });
});

describe('POST /v1/messages/count_tokens', () => {
  it('answers {input_tokens} from the estimate the hold uses', async () => {
    const { key } = await createAccountWithKey();
    const request = { model: 'deepseek-chat', system: 'Be brief.', messages: hello, tools: [weatherTool] };
    const counted = await sdk(key).messages.countTokens(request);
    expect(counted).toEqual({ input_tokens: estimatePromptTokens(toChatRequest(MessagesRequestSchema.parse({ ...request, max_tokens: 1 }))) });
  });

  it('refuses a model outside the key’s allowlist like /v1/messages', async () => {
    const { accountId } = await createAccountWithKey();
    const glmOnly = await (await adminRequest('POST', `/accounts/${accountId}/keys`, { name: 'glm only', models: ['glm-4-flash'] })).json<{ key: string }>();
    const refused = await refusal(sdk(glmOnly.key).messages.countTokens({ model: 'deepseek-chat', messages: hello }));
    expect([refused.status, (refused.body as { error: { type: string } }).error.type]).toEqual([403, 'permission_error']);
  });
});
