import { SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { BASE, chat, chatWithEnv, createAccountWithKey, hello, upstreamRequests } from '../helpers';
import { uniqueTag } from './provider-models';

async function post(key: string, body: BodyInit, headers: Record<string, string> = {}): Promise<Response> {
  return SELF.fetch(`${BASE}/v1/chat/completions`, { method: 'POST', headers: { Authorization: `Bearer ${key}`, ...headers }, body });
}

const errorOf = async (response: Response) => ((await response.json()) as { error: Record<string, unknown> }).error;

describe('bad chat requests get a 400 naming the field and never reach a provider', () => {
  it.each([
    ['not JSON', '{"model": "deepseek-chat",', 'invalid_json', null],
    ['an empty body', '', 'invalid_json', null],
    ['invalid UTF-8', new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]), 'invalid_json', null],
  ])('%s', async (_, body, code, param) => {
    const { key } = await createAccountWithKey();
    const response = await post(key, body);
    expect(response.status).toBe(400);
    expect(await errorOf(response)).toEqual({
      message: code === 'invalid_json' && body !== '' ? 'We could not parse the JSON body of your request. Send valid UTF-8 JSON.' : expect.any(String),
      type: 'invalid_request_error',
      param,
      code,
    });
  });

  const valid = { model: 'deepseek-chat', messages: hello };
  it.each([
    ['a JSON array', [], null, 'invalid_value'],
    ['no model', { messages: hello }, 'model', 'missing_required_parameter'],
    ['an empty model', { ...valid, model: '' }, 'model', 'invalid_value'],
    ['no messages', { model: 'deepseek-chat' }, 'messages', 'missing_required_parameter'],
    ['empty messages', { ...valid, messages: [] }, 'messages', 'invalid_value'],
    ['messages as a string', { ...valid, messages: 'hi' }, 'messages', 'invalid_value'],
    ['an unknown role', { ...valid, messages: [{ role: 'robot', content: 'x' }] }, 'messages[0].role', 'invalid_value'],
    ['a message without content', { ...valid, messages: [{ role: 'user' }] }, 'messages[0].content', 'missing_required_parameter'],
    ['a tool message without tool_call_id', { ...valid, messages: [{ role: 'tool', content: 'x' }] }, 'messages[0].tool_call_id', 'missing_required_parameter'],
    ['temperature above 2', { ...valid, temperature: 2.5 }, 'temperature', 'invalid_value'],
    ['temperature as a string', { ...valid, temperature: 'hot' }, 'temperature', 'invalid_value'],
    ['top_p above 1', { ...valid, top_p: 1.5 }, 'top_p', 'invalid_value'],
    ['max_tokens 0', { ...valid, max_tokens: 0 }, 'max_tokens', 'invalid_value'],
    ['fractional max_tokens', { ...valid, max_tokens: 10.5 }, 'max_tokens', 'invalid_value'],
    ['n of 2', { ...valid, n: 2 }, 'n', 'invalid_value'],
    ['five stop sequences', { ...valid, stop: ['a', 'b', 'c', 'd', 'e'] }, 'stop', 'invalid_value'],
    ['stream as a string', { ...valid, stream: 'yes' }, 'stream', 'invalid_value'],
    ['stream_options without stream', { ...valid, stream_options: { include_usage: true } }, 'stream_options', 'invalid_value'],
    ['a tool name with spaces', { ...valid, tools: [{ type: 'function', function: { name: 'get weather' } }] }, 'tools[0].function.name', 'invalid_value'],
    ['a bad tool_choice', { ...valid, tool_choice: 'always' }, 'tool_choice', 'invalid_value'],
    ['a bad response_format', { ...valid, response_format: { type: 'yaml' } }, 'response_format.type', 'invalid_value'],
    ['an unknown routing strategy', { ...valid, routing: 'fastest' }, 'routing', 'invalid_value'],
  ])('%s', async (_, body, param, code) => {
    const { key } = await createAccountWithKey();
    const response = await chat(key, body as Record<string, unknown>);
    expect(response.status).toBe(400);
    const error = await errorOf(response);
    expect(error).toMatchObject({ type: 'invalid_request_error', param, code });
    if (param) expect(error.message).toContain(`'${param}'`);
  });

  it('names the allowed routing strategies', async () => {
    const { key } = await createAccountWithKey();
    const error = await errorOf(await chat(key, { ...valid, routing: 'fastest' }));
    expect(error.message).toBe('Invalid value for \'routing\': Invalid option: expected one of "auto"|"cheapest"|"fallback"|"none".');
  });

  it('answers 413 for a body over the size limit', async () => {
    const { key } = await createAccountWithKey();
    const big = JSON.stringify({ ...valid, messages: [{ role: 'user', content: 'x'.repeat(70_000) }] });
    const response = await post(key, big);
    expect(response.status).toBe(413);
    expect(await errorOf(response)).toEqual({ message: 'The request body is larger than 65536 bytes.', type: 'invalid_request_error', param: null, code: 'request_too_large' });
  });

  it('answers 413 for an oversized body sent without Content-Length', async () => {
    const { key } = await createAccountWithKey();
    const bytes = new TextEncoder().encode(JSON.stringify({ ...valid, pad: 'x'.repeat(70_000) }));
    const body = new ReadableStream({
      start(controller) {
        for (let i = 0; i < bytes.length; i += 8192) controller.enqueue(bytes.slice(i, i + 8192));
        controller.close();
      },
    });
    const response = await post(key, body);
    expect(response.status).toBe(413);
  });

  it('answers 404 model_not_found for an unknown model', async () => {
    const { key } = await createAccountWithKey();
    const response = await chat(key, { ...valid, model: 'gpt-4o' });
    expect(response.status).toBe(404);
    expect(await errorOf(response)).toEqual({
      message: "The model 'gpt-4o' does not exist. GET /v1/models lists the available models.",
      type: 'invalid_request_error',
      param: 'model',
      code: 'model_not_found',
    });
  });

  it('refuses tools for a model without tool support', async () => {
    const { key } = await createAccountWithKey();
    const response = await chat(key, { model: 'qwen-turbo', messages: hello, tools: [{ type: 'function', function: { name: 'f' } }] });
    expect(response.status).toBe(400);
    expect(await errorOf(response)).toEqual({ message: "The model 'qwen-turbo' does not support tools.", type: 'invalid_request_error', param: 'tools', code: 'unsupported_parameter' });
  });

  it("refuses max_tokens beyond the model's output limit", async () => {
    const { key } = await createAccountWithKey();
    const response = await chat(key, { model: 'qwen-max', messages: hello, max_completion_tokens: 9000 });
    expect(response.status).toBe(400);
    expect(await errorOf(response)).toEqual({
      message: 'max_completion_tokens is too large: qwen-max supports at most 8192 output tokens.',
      type: 'invalid_request_error',
      param: 'max_completion_tokens',
      code: 'invalid_value',
    });
  });

  it('never reaches the provider for a rejected request', async () => {
    const { key } = await createAccountWithKey();
    const tag = uniqueTag();
    await chat(key, { ...valid, temperature: 9, standin: { tag } });
    expect(await upstreamRequests(tag)).toEqual([]);
  });

  it('answers a 4xx, never a 500, to arbitrary JSON', async () => {
    const { key } = await createAccountWithKey();
    let seed = 42;
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    const values = (depth: number): unknown => {
      const pick = Math.floor(random() * (depth > 2 ? 5 : 8));
      if (pick === 0) return null;
      if (pick === 1) return random() < 0.5;
      if (pick === 2) return Math.floor(random() * 2000) - 1000 + (random() < 0.3 ? 0.5 : 0);
      if (pick === 3) return ['', 'user', 'deepseek-chat', 'assistant', 'x'.repeat(5)][Math.floor(random() * 5)];
      if (pick === 4) return 'text';
      if (pick === 5) return Array.from({ length: Math.floor(random() * 3) }, () => values(depth + 1));
      const keys = ['model', 'messages', 'role', 'content', 'stream', 'tools', 'temperature', 'stop', 'tool_calls', 'n'];
      return Object.fromEntries(Array.from({ length: Math.floor(random() * 4) }, () => [keys[Math.floor(random() * keys.length)]!, values(depth + 1)]));
    };
    const statuses = new Set<number>();
    for (let i = 0; i < 150; i++) {
      const body = { model: random() < 0.7 ? 'deepseek-chat' : values(1), messages: values(1), ...(values(1) as object) };
      const response = await chat(key, body as Record<string, unknown>);
      await response.arrayBuffer();
      statuses.add(response.status);
    }
    expect([...statuses].every((status) => status >= 400 && status < 500)).toBe(true);
  });
});

describe('a provider without a platform key', () => {
  it('is never called: an equivalent model serves instead', async () => {
    const { key } = await createAccountWithKey();
    const tag = uniqueTag();
    const response = await chatWithEnv(key, { model: 'glm-4-plus', messages: hello, standin: { tag } }, { ZHIPU_API_KEY: '' });
    expect(response.status).toBe(200);
    expect(response.headers.get('X-FindToken-Model')).toBe('deepseek-chat');
    expect((await upstreamRequests(tag)).map((r) => r.provider)).toEqual(['deepseek']);
  });

  it('answers 503 provider_not_configured when no model of the group has one, without calling anything', async () => {
    const { key } = await createAccountWithKey();
    const tag = uniqueTag();
    const unconfigured = { DEEPSEEK_API_KEY: '', QWEN_API_KEY: '', ZHIPU_API_KEY: '', KIMI_API_KEY: '', MINIMAX_API_KEY: '' };
    const response = await chatWithEnv(key, { model: 'glm-4-plus', messages: hello, standin: { tag } }, unconfigured);
    expect(response.status).toBe(503);
    expect(await errorOf(response)).toEqual({
      message: 'The provider zhipu is not configured on this gateway.',
      type: 'server_error',
      param: null,
      code: 'provider_not_configured',
    });
    expect(await upstreamRequests(tag)).toEqual([]);
  });
});
