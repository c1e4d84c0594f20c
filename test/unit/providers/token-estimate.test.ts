import { describe, expect, it } from 'vitest';
import { estimatePromptTokens, NON_TEXT_PART_TOKENS } from '../../../src/providers/token-estimate';
import type { ChatRequest } from '../../../src/schemas/chat-request';

const estimate = (request: Partial<ChatRequest> & Pick<ChatRequest, 'messages'>) => estimatePromptTokens(request);
/** 4 tokens of overhead per message; ASCII at one token per 3 characters, rounded up. */
const hello = { role: 'user' as const, content: 'Hello!' };

describe('estimatePromptTokens: every input part counts', () => {
  it('text: a string or text parts', () => {
    expect(estimate({ messages: [hello] })).toBe(4 + 2);
    expect(estimate({ messages: [{ role: 'user', content: [{ type: 'text', text: 'Hello!' }, { type: 'text', text: '你好' }] }] })).toBe(4 + 2 + 2);
  });

  it('an image part counts as one image, whatever its URL’s length', () => {
    const image = (url: string) => ({ type: 'image_url', image_url: { url } });
    const inline = `data:image/png;base64,${'A'.repeat(30_000)}`;
    expect(estimate({ messages: [{ role: 'user', content: [{ type: 'text', text: 'What is this?' }, image('https://example.com/cat.png')] }] })).toBe(4 + 5 + NON_TEXT_PART_TOKENS);
    expect(estimate({ messages: [{ role: 'user', content: [image(inline), image(inline)] }] })).toBe(4 + 2 * NON_TEXT_PART_TOKENS);
    expect(NON_TEXT_PART_TOKENS).toBe(2_048);
  });

  it('tool definitions, as their JSON', () => {
    const tools = [{ type: 'function' as const, function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }];
    expect(estimate({ messages: [hello], tools })).toBe(6 + Math.ceil(JSON.stringify(tools).length / 3));
  });

  it('earlier tool calls, earlier reasoning, names and tool results', () => {
    const calls = [{ id: 'call_1', type: 'function' as const, function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }];
    const messages: ChatRequest['messages'] = [
      { role: 'user', content: 'Weather?', name: 'ana' },
      { role: 'assistant', content: null, reasoning_content: 'Ask the tool.', tool_calls: calls },
      { role: 'tool', content: 'Sunny, 21C', tool_call_id: 'call_1' },
    ];
    const user = 4 + 3 + 1;
    const assistant = 4 + 5 + Math.ceil(JSON.stringify(calls).length / 3);
    const tool = 4 + 4;
    expect(estimate({ messages })).toBe(user + assistant + tool);
  });

  it('a JSON schema the provider puts into the prompt', () => {
    const json_schema = { name: 'answer', schema: { type: 'object', properties: { city: { type: 'string' } } } };
    expect(estimate({ messages: [hello], response_format: { type: 'json_schema', json_schema } })).toBe(6 + Math.ceil(JSON.stringify(json_schema).length / 3));
    expect(estimate({ messages: [hello], response_format: { type: 'json_object' } })).toBe(6);
  });
});
