import { describe, expect, it } from 'vitest';
import { ChatRequestSchema } from '../../../src/schemas/chat-request';
import { formatPath, zodToApiError } from '../../../src/schemas/zod-error';

const valid = { model: 'deepseek-chat', messages: [{ role: 'user', content: 'Hi' }] };

/** Parsed as the json-body middleware does: zodToApiError needs `reportInput` to tell a missing field. */
const parse = (body: unknown) => ChatRequestSchema.safeParse(body, { reportInput: true });

/** The 400 a request body earns, or undefined when it is valid. */
function problem(body: unknown) {
  const parsed = parse(body);
  if (parsed.success) return undefined;
  const error = zodToApiError(parsed.error);
  return { status: error.status, code: error.code, param: error.param };
}

const invalid = (param: string) => ({ status: 400, code: 'invalid_value', param });

describe('ChatRequestSchema with zodToApiError', () => {
  it.each<[string, unknown, ReturnType<typeof problem>]>([
    ['missing model', { messages: valid.messages }, { status: 400, code: 'missing_required_parameter', param: 'model' }],
    ['missing messages', { model: 'deepseek-chat' }, { status: 400, code: 'missing_required_parameter', param: 'messages' }],
    ['an empty model', { ...valid, model: '' }, invalid('model')],
    ['model not a string', { ...valid, model: 42 }, invalid('model')],
    ['messages []', { ...valid, messages: [] }, invalid('messages')],
    ['messages[0].role "robot"', { ...valid, messages: [{ role: 'robot', content: 'Hi' }] }, invalid('messages[0].role')],
    ['messages[1] without content', { ...valid, messages: [...valid.messages, { role: 'user' }] }, { status: 400, code: 'missing_required_parameter', param: 'messages[1].content' }],
    ['a tool message without tool_call_id', { ...valid, messages: [{ role: 'tool', content: '{}' }] }, { status: 400, code: 'missing_required_parameter', param: 'messages[0].tool_call_id' }],
    ['temperature 3', { ...valid, temperature: 3 }, invalid('temperature')],
    ['temperature -0.1', { ...valid, temperature: -0.1 }, invalid('temperature')],
    ['top_p -1', { ...valid, top_p: -1 }, invalid('top_p')],
    ['top_p 1.5', { ...valid, top_p: 1.5 }, invalid('top_p')],
    ['max_tokens 0', { ...valid, max_tokens: 0 }, invalid('max_tokens')],
    ['max_tokens 1.5', { ...valid, max_tokens: 1.5 }, invalid('max_tokens')],
    ['max_completion_tokens "100"', { ...valid, max_completion_tokens: '100' }, invalid('max_completion_tokens')],
    ['n 2', { ...valid, n: 2 }, invalid('n')],
    ['stop with 5 strings', { ...valid, stop: ['a', 'b', 'c', 'd', 'e'] }, invalid('stop')],
    ['stream "yes"', { ...valid, stream: 'yes' }, invalid('stream')],
    ['tools[0].function.name "bad name!"', { ...valid, tools: [{ type: 'function', function: { name: 'bad name!' } }] }, invalid('tools[0].function.name')],
    ['tools[0].type "retrieval"', { ...valid, tools: [{ type: 'retrieval', function: { name: 'f' } }] }, invalid('tools[0].type')],
    ['routing "fastest"', { ...valid, routing: 'fastest' }, invalid('routing')],
    ['stream_options without stream', { ...valid, stream_options: { include_usage: true } }, invalid('stream_options')],
    ['stream_options with stream false', { ...valid, stream: false, stream_options: { include_usage: true } }, invalid('stream_options')],
    ['an unknown field in stream_options', { ...valid, stream: true, stream_options: { include_usage: true, extra: 1 } }, invalid('stream_options')],
    ['tool_choice "always"', { ...valid, tool_choice: 'always' }, invalid('tool_choice')],
    ['provider_key without api_key', { ...valid, provider_key: { provider: 'deepseek' } }, { status: 400, code: 'missing_required_parameter', param: 'provider_key.api_key' }],
    ['response_format "json"', { ...valid, response_format: { type: 'json' } }, invalid('response_format.type')],
  ])('%s is a 400', (_name, body, expected) => {
    expect(problem(body)).toEqual(expected);
  });

  it('a body that is not an object is a 400 without a param', () => {
    expect(problem('hello')).toEqual({ status: 400, code: 'invalid_value', param: null });
  });

  it('the routing error names auto, cheapest and fallback', () => {
    const parsed = parse({ ...valid, routing: 'fastest' });
    expect(parsed.success).toBe(false);
    const message = parsed.success ? '' : zodToApiError(parsed.error).message;
    expect([message.includes('"auto"'), message.includes('"cheapest"'), message.includes('"fallback"')]).toEqual([true, true, true]);
  });

  it('the missing-parameter message names the parameter', () => {
    const parsed = parse({ messages: valid.messages });
    expect(parsed.success ? '' : zodToApiError(parsed.error).message).toBe("Missing required parameter: 'model'.");
  });

  it.each<[string, unknown]>([
    ['a minimal request', valid],
    ['nulls for optional fields', { ...valid, temperature: null, top_p: null, max_tokens: null, stop: null, tools: null, tool_choice: null }],
    ['a stream asking for usage', { ...valid, stream: true, stream_options: { include_usage: true } }],
    ['the edge values', { ...valid, temperature: 2, top_p: 0, max_tokens: 1, n: 1, stop: ['a', 'b', 'c', 'd'] }],
    ['every role', {
      ...valid,
      messages: [
        { role: 'developer', content: 'Be brief.' },
        { role: 'system', content: [{ type: 'text', text: 'sys' }] },
        { role: 'user', content: [{ type: 'text', text: 'Hi' }, { type: 'image_url', image_url: { url: 'https://x/y.png' } }] },
        { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: '{}' } }] },
        { role: 'tool', content: '{"ok":true}', tool_call_id: 'call_1' },
      ],
    }],
    ['tools and a named tool_choice', { ...valid, tools: [{ type: 'function', function: { name: 'get-weather_2', parameters: { type: 'object' } } }], tool_choice: { type: 'function', function: { name: 'get-weather_2' } } }],
    ['each routing strategy', { ...valid, routing: 'cheapest', provider_key: { provider: 'deepseek', api_key: 'sk-user' } }],
  ])('accepts %s', (_name, body) => {
    expect(problem(body)).toBeUndefined();
  });

  it('unknown extra fields survive parsing, at the top and inside messages', () => {
    const body = { ...valid, messages: [{ role: 'user', content: 'Hi', cache_control: { type: 'ephemeral' } }], enable_search: true, top_k: 20 };
    expect(ChatRequestSchema.parse(body)).toEqual(body);
  });
});

describe('formatPath', () => {
  it.each<[PropertyKey[], string]>([
    [['model'], 'model'],
    [['messages', 0, 'role'], 'messages[0].role'],
    [['tools', 3, 'function', 'name'], 'tools[3].function.name'],
    [[], ''],
  ])('%j is %j', (path, text) => {
    expect(formatPath(path)).toBe(text);
  });
});
