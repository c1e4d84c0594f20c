/** A chat completion → Anthropic's message: blocks, stop reasons, usage. */
import { describe, expect, it } from 'vitest';
import { anthropicUsage, stopReasonOf, toAnthropicMessage } from '../../../src/anthropic/response';

const context = { requestId: 'req_0123456789abcdef01234567', model: 'deepseek-reasoner' };
const usage = { prompt_tokens: 120, completion_tokens: 30, total_tokens: 150, prompt_tokens_details: { cached_tokens: 100 } };
const completion = (message: Record<string, unknown>, finishReason = 'stop') => ({
  id: 'chatcmpl-1',
  object: 'chat.completion',
  model: 'deepseek-reasoner',
  choices: [{ index: 0, message: { role: 'assistant', ...message }, finish_reason: finishReason }],
  usage,
});

describe('toAnthropicMessage', () => {
  it('renders a text answer as Anthropic’s message', () => {
    expect(toAnthropicMessage(completion({ content: 'Hi!' }), context)).toEqual({
      id: 'msg_0123456789abcdef01234567',
      type: 'message',
      role: 'assistant',
      content: [{ type: 'text', text: 'Hi!' }],
      model: 'deepseek-reasoner',
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: 20, output_tokens: 30, cache_creation_input_tokens: 0, cache_read_input_tokens: 100 },
    });
  });

  it('puts reasoning_content first as a thinking block', () => {
    expect(toAnthropicMessage(completion({ content: 'Hi!', reasoning_content: 'Greet back.' }), context).content).toEqual([
      { type: 'thinking', thinking: 'Greet back.', signature: '' },
      { type: 'text', text: 'Hi!' },
    ]);
  });

  it('renders tool calls as tool_use blocks with parsed input and stop_reason tool_use', () => {
    const message = toAnthropicMessage(
      completion({ content: '', tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"location":"Paris"}' } }] }, 'tool_calls'),
      context,
    );
    expect([message.content, message.stop_reason]).toEqual([[{ type: 'tool_use', id: 'call_1', name: 'get_weather', input: { location: 'Paris' } }], 'tool_use']);
  });

  it('gives a tool call whose arguments are not a JSON object an empty input', () => {
    const message = toAnthropicMessage(completion({ tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{"cut' } }] }, 'tool_calls'), context);
    expect(message.content).toEqual([{ type: 'tool_use', id: 'c', name: 'f', input: {} }]);
  });
});

describe('stopReasonOf', () => {
  it.each([
    ['stop', 'end_turn'],
    ['length', 'max_tokens'],
    ['tool_calls', 'tool_use'],
    ['content_filter', 'refusal'],
    [null, 'end_turn'],
  ])('maps finish_reason %s to %s', (finish, reason) => {
    expect(stopReasonOf(finish, undefined).stop_reason).toBe(reason);
  });

  it('is stop_sequence, naming it, when the provider says which of the request’s sequences matched', () => {
    expect(stopReasonOf('stop', 'END', ['END'])).toEqual({ stop_reason: 'stop_sequence', stop_sequence: 'END' });
  });

  it('is end_turn when the matched value is not one of the request’s sequences', () => {
    expect(stopReasonOf('stop', 151_645, ['END'])).toEqual({ stop_reason: 'end_turn', stop_sequence: null });
  });
});

describe('anthropicUsage', () => {
  it('counts cache reads apart from input tokens', () => {
    expect(anthropicUsage(usage)).toEqual({ input_tokens: 20, output_tokens: 30, cache_creation_input_tokens: 0, cache_read_input_tokens: 100 });
  });

  it('is zeros without usage', () => {
    expect(anthropicUsage(undefined)).toEqual({ input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 });
  });
});
