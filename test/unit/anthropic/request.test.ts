/** Anthropic Messages request → chat completion request: each part of the request, one behaviour per test. */
import { describe, expect, it } from 'vitest';
import { toChatRequest } from '../../../src/anthropic/request';
import { ApiError } from '../../../src/errors';
import { MessagesRequestSchema, type MessagesRequest } from '../../../src/schemas/messages-request';

const hello = [{ role: 'user', content: 'Hello!' }];

/** The translation of a request the schema accepted. */
const translate = (request: Record<string, unknown>) => toChatRequest(MessagesRequestSchema.parse({ model: 'deepseek-chat', max_tokens: 100, messages: hello, ...request }) as MessagesRequest);

const refusal = (request: Record<string, unknown>): ApiError => {
  try {
    translate(request);
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
};

describe('toChatRequest', () => {
  it('translates a plain text request to model, messages and max_tokens', () => {
    expect(translate({})).toEqual({ model: 'deepseek-chat', messages: [{ role: 'user', content: 'Hello!' }], max_tokens: 100 });
  });

  it('makes a string system prompt the first message', () => {
    expect(translate({ system: 'Be brief.' }).messages[0]).toEqual({ role: 'system', content: 'Be brief.' });
  });

  it('joins system text blocks and ignores their cache_control', () => {
    const system = [
      { type: 'text', text: 'You are Claude Code.' },
      { type: 'text', text: 'Be brief.', cache_control: { type: 'ephemeral' } },
    ];
    expect(translate({ system }).messages[0]).toEqual({ role: 'system', content: 'You are Claude Code.\n\nBe brief.' });
  });

  it('joins a user turn of text blocks into one string', () => {
    const messages = [{ role: 'user', content: [{ type: 'text', text: 'one' }, { type: 'text', text: 'two', cache_control: { type: 'ephemeral' } }] }];
    expect(translate({ messages }).messages).toEqual([{ role: 'user', content: 'one\n\ntwo' }]);
  });

  it('makes a base64 image a data URL and a url image its URL', () => {
    const content = [
      { type: 'text', text: 'Compare:' },
      { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
      { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } },
    ];
    expect(translate({ messages: [{ role: 'user', content }] }).messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Compare:' },
          { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
          { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg' } },
        ],
      },
    ]);
  });

  it('makes tool_use blocks assistant tool calls, with the text beside them as content', () => {
    const messages = [
      ...hello,
      { role: 'assistant', content: [{ type: 'text', text: 'Let me look.' }, { type: 'tool_use', id: 'toolu_1', name: 'Read', input: { file_path: '/a.ts' } }] },
    ];
    expect(translate({ messages }).messages[1]).toEqual({
      role: 'assistant',
      content: 'Let me look.',
      tool_calls: [{ id: 'toolu_1', type: 'function', function: { name: 'Read', arguments: '{"file_path":"/a.ts"}' } }],
    });
  });

  it('gives an assistant turn of tool calls only null content', () => {
    const messages = [...hello, { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'Read', input: {} }] }];
    expect(translate({ messages }).messages[1]).toMatchObject({ role: 'assistant', content: null });
  });

  it('makes thinking blocks the assistant turn’s reasoning_content and drops redacted thinking', () => {
    const messages = [
      ...hello,
      {
        role: 'assistant',
        content: [
          { type: 'thinking', thinking: 'The user greets me.', signature: 'sig' },
          { type: 'redacted_thinking', data: 'opaque' },
          { type: 'tool_use', id: 'toolu_1', name: 'Read', input: {} },
        ],
      },
    ];
    expect(translate({ messages }).messages[1]).toEqual({
      role: 'assistant',
      content: null,
      tool_calls: [{ id: 'toolu_1', type: 'function', function: { name: 'Read', arguments: '{}' } }],
      reasoning_content: 'The user greets me.',
    });
  });

  it('makes tool_result blocks tool messages ahead of the user text beside them', () => {
    const messages = [
      ...hello,
      { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'Read', input: {} }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'file text' }, { type: 'text', text: 'Now fix it.' }] },
    ];
    expect(translate({ messages }).messages.slice(2)).toEqual([
      { role: 'tool', tool_call_id: 'toolu_1', content: 'file text' },
      { role: 'user', content: 'Now fix it.' },
    ]);
  });

  it('joins a tool_result’s text blocks and moves its images to a user message after it', () => {
    const result = {
      type: 'tool_result',
      tool_use_id: 'toolu_1',
      content: [
        { type: 'text', text: 'a' },
        { type: 'image', source: { type: 'url', url: 'https://example.com/s.png' } },
        { type: 'text', text: 'b' },
      ],
    };
    const messages = [...hello, { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'Shot', input: {} }] }, { role: 'user', content: [result] }];
    expect(translate({ messages }).messages.slice(2)).toEqual([
      { role: 'tool', tool_call_id: 'toolu_1', content: 'a\n\nb' },
      { role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://example.com/s.png' } }] },
    ]);
  });

  it('marks an is_error tool_result as an error and gives an empty one empty content', () => {
    const messages = [
      ...hello,
      { role: 'assistant', content: [{ type: 'tool_use', id: 'a', name: 'Run', input: {} }, { type: 'tool_use', id: 'b', name: 'Run', input: {} }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'a', content: 'exit 1', is_error: true }, { type: 'tool_result', tool_use_id: 'b' }] },
    ];
    expect(translate({ messages }).messages.slice(2)).toEqual([
      { role: 'tool', tool_call_id: 'a', content: 'Error: exit 1' },
      { role: 'tool', tool_call_id: 'b', content: '' },
    ]);
  });

  it('makes client tools functions and leaves Anthropic’s server tools out', () => {
    const tools = [
      { name: 'Read', description: 'Reads a file', input_schema: { type: 'object', properties: { file_path: { type: 'string' } } } },
      { type: 'web_search_20250305', name: 'web_search', max_uses: 5 },
    ];
    expect(translate({ tools }).tools).toEqual([
      { type: 'function', function: { name: 'Read', description: 'Reads a file', parameters: { type: 'object', properties: { file_path: { type: 'string' } } } } },
    ]);
  });

  it.each([
    [{ type: 'auto' }, 'auto'],
    [{ type: 'any' }, 'required'],
    [{ type: 'none' }, 'none'],
    [{ type: 'tool', name: 'Read' }, { type: 'function', function: { name: 'Read' } }],
  ])('maps tool_choice %j to %j', (choice, expected) => {
    expect(translate({ tools: [{ name: 'Read', input_schema: { type: 'object' } }], tool_choice: choice }).tool_choice).toEqual(expected);
  });

  it('turns disable_parallel_tool_use into parallel_tool_calls: false', () => {
    expect(translate({ tools: [{ name: 'Read', input_schema: { type: 'object' } }], tool_choice: { type: 'auto', disable_parallel_tool_use: true } }).parallel_tool_calls).toBe(false);
  });

  it('sends no tool_choice when no tool is left to choose', () => {
    const request = translate({ tools: [{ type: 'web_search_20250305', name: 'web_search' }], tool_choice: { type: 'any' } });
    expect([request.tools, request.tool_choice]).toEqual([undefined, undefined]);
  });

  it('sends stop_sequences, temperature and top_p as stop, temperature and top_p', () => {
    const request = translate({ stop_sequences: ['\n\nHuman:'], temperature: 0.2, top_p: 0.9 });
    expect([request.stop, request.temperature, request.top_p]).toEqual([['\n\nHuman:'], 0.2, 0.9]);
  });

  it('asks a stream for its usage chunk (message_delta carries the usage)', () => {
    const request = translate({ stream: true });
    expect([request.stream, request.stream_options]).toEqual([true, { include_usage: true }]);
  });

  it('clamps max_tokens to the model’s output cap', () => {
    expect(translate({ model: 'glm-4-flash', max_tokens: 32_000 }).max_tokens).toBe(4_096);
  });

  it('drops metadata, thinking, top_k and unknown fields', () => {
    const request = translate({ metadata: { user_id: 'u' }, thinking: { type: 'enabled', budget_tokens: 1024 }, top_k: 5, service_tier: 'auto' });
    expect(Object.keys(request).sort()).toEqual(['max_tokens', 'messages', 'model']);
  });

  it('keeps find-token’s routing and billing fields', () => {
    const request = translate({ routing: 'none', billing_mode: 'standard' });
    expect([request.routing, request.billing_mode]).toEqual(['none', 'standard']);
  });

  it('refuses a claude-* model with a 404 naming Claude Code’s model variables', () => {
    const error = refusal({ model: 'claude-sonnet-4-5-20250929' });
    expect([error.status, error.code]).toEqual([404, 'model_not_found']);
    expect(error.message).toBe(
      "The model 'claude-sonnet-4-5-20250929' does not exist. find-token serves its own catalog, not Claude models: set ANTHROPIC_MODEL, ANTHROPIC_DEFAULT_OPUS_MODEL, ANTHROPIC_DEFAULT_SONNET_MODEL and ANTHROPIC_DEFAULT_HAIKU_MODEL to catalog ids, e.g. deepseek-reasoner, deepseek-chat, glm-4-flash (GET /v1/models lists all 10).",
    );
  });

  it('refuses a tool_use block in a user turn, naming where it is', () => {
    const error = refusal({ messages: [{ role: 'user', content: [{ type: 'tool_use', id: 't', name: 'Read', input: {} }] }] });
    expect([error.status, error.param]).toEqual([400, 'messages[0].content[0].type']);
  });

  it('refuses a tool name the providers would refuse, through the chat schema', () => {
    const error = refusal({ tools: [{ name: 'read file', input_schema: { type: 'object' } }] });
    expect([error.status, error.param]).toEqual([400, 'tools[0].function.name']);
  });
});
