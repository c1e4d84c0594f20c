/**
 * A chat stream, as the relay sends it, → Anthropic's events, frame by frame against the sequence
 * Anthropic documents: message_start, content blocks (start, deltas, stop), message_delta, message_stop.
 */
import { describe, expect, it } from 'vitest';
import { toAnthropicStream } from '../../../src/anthropic/stream';

const context = { requestId: 'req_00000000000000000000000a', model: 'deepseek-reasoner' };
const encoder = new TextEncoder();

const chunk = (delta: Record<string, unknown>, finishReason: string | null = null) => ({
  id: 'chatcmpl-1',
  object: 'chat.completion.chunk',
  model: 'deepseek-reasoner',
  choices: [{ index: 0, delta, finish_reason: finishReason }],
});
const usageChunk = { id: 'chatcmpl-1', object: 'chat.completion.chunk', choices: [], usage: { prompt_tokens: 12, completion_tokens: 7, prompt_tokens_details: { cached_tokens: 2 }, cost: 0.00001, balance: 9.99 } };
const data = (payload: unknown) => `data: ${JSON.stringify(payload)}\n\n`;
const DONE = 'data: [DONE]\n\n';

/** The relay's pieces through the translation; the frames back as [event line, parsed data]. */
async function frames(pieces: string[]): Promise<Array<[string, unknown]>> {
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const piece of pieces) controller.enqueue(encoder.encode(piece));
      controller.close();
    },
  });
  const text = await new Response(toAnthropicStream(body, context)).text();
  return text
    .split('\n\n')
    .filter(Boolean)
    .map((frame) => {
      const [event, payload] = frame.split('\n');
      return [event!, JSON.parse(payload!.slice('data: '.length))];
    });
}

const messageStart = [
  'event: message_start',
  {
    type: 'message_start',
    message: {
      id: 'msg_00000000000000000000000a',
      type: 'message',
      role: 'assistant',
      content: [],
      model: 'deepseek-reasoner',
      stop_reason: null,
      stop_sequence: null,
      usage: { input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
    },
  },
];
const messageDelta = (stopReason: string) => [
  'event: message_delta',
  {
    type: 'message_delta',
    delta: { stop_reason: stopReason, stop_sequence: null },
    usage: { input_tokens: 10, output_tokens: 7, cache_creation_input_tokens: 0, cache_read_input_tokens: 2, cost: 0.00001, balance: 9.99 },
  },
];
const blockStop = (index: number) => ['event: content_block_stop', { type: 'content_block_stop', index }];
const messageStop = ['event: message_stop', { type: 'message_stop' }];

describe('toAnthropicStream', () => {
  it('streams text as one text block with text_delta events', async () => {
    expect(await frames([data(chunk({ role: 'assistant', content: 'Hel' })), data(chunk({ content: 'lo' })), data(chunk({}, 'stop')), data(usageChunk), DONE])).toEqual([
      messageStart,
      ['event: content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }],
      ['event: content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hel' } }],
      ['event: content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'lo' } }],
      blockStop(0),
      messageDelta('end_turn'),
      messageStop,
    ]);
  });

  it('streams reasoning_content as a thinking block before the text block', async () => {
    expect(await frames([data(chunk({ role: 'assistant', reasoning_content: 'Hmm.' })), data(chunk({ content: 'Hi' }, 'stop')), data(usageChunk), DONE])).toEqual([
      messageStart,
      ['event: content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'thinking', thinking: '', signature: '' } }],
      ['event: content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'Hmm.' } }],
      blockStop(0),
      ['event: content_block_start', { type: 'content_block_start', index: 1, content_block: { type: 'text', text: '' } }],
      ['event: content_block_delta', { type: 'content_block_delta', index: 1, delta: { type: 'text_delta', text: 'Hi' } }],
      blockStop(1),
      messageDelta('end_turn'),
      messageStop,
    ]);
  });

  it('streams a tool call as a tool_use block with input_json_delta events, stop_reason tool_use', async () => {
    const start = { index: 0, id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '' } };
    expect(
      await frames([
        data(chunk({ role: 'assistant', content: 'Checking.' })),
        data(chunk({ tool_calls: [start] })),
        data(chunk({ tool_calls: [{ index: 0, function: { arguments: '{"location":' } }] })),
        data(chunk({ tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }] }, 'tool_calls')),
        data(usageChunk),
        DONE,
      ]),
    ).toEqual([
      messageStart,
      ['event: content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }],
      ['event: content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Checking.' } }],
      blockStop(0),
      ['event: content_block_start', { type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: 'call_1', name: 'get_weather', input: {} } }],
      ['event: content_block_delta', { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '{"location":' } }],
      ['event: content_block_delta', { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '"Paris"}' } }],
      blockStop(1),
      messageDelta('tool_use'),
      messageStop,
    ]);
  });

  it('gives each of two tool calls a block of its own', async () => {
    const call = (index: number, id: string) => ({ index, id, type: 'function', function: { name: 'Read', arguments: '{}' } });
    const starts = (await frames([data(chunk({ tool_calls: [call(0, 'a')] })), data(chunk({ tool_calls: [call(1, 'b')] }, 'tool_calls')), DONE])).filter(
      ([event]) => event === 'event: content_block_start',
    );
    expect(starts.map(([, payload]) => payload)).toEqual([
      { type: 'content_block_start', index: 0, content_block: { type: 'tool_use', id: 'a', name: 'Read', input: {} } },
      { type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: 'b', name: 'Read', input: {} } },
    ]);
  });

  it('says max_tokens when the answer was cut by its limit', async () => {
    const all = await frames([data(chunk({ content: 'a' }, 'length')), data(usageChunk), DONE]);
    expect(all.at(-2)).toEqual(messageDelta('max_tokens'));
  });

  it('turns a keep-alive comment into a ping event', async () => {
    expect((await frames([': keep-alive\n\n', data(chunk({}, 'stop')), DONE]))[1]).toEqual(['event: ping', { type: 'ping' }]);
  });

  it('turns the relay’s error event into an Anthropic error event, and sends no message_stop', async () => {
    const error = { error: { message: 'The provider stopped answering.', type: 'server_error', param: null, code: 'upstream_timeout' } };
    expect(await frames([data(chunk({ content: 'Hi' })), data(error)])).toEqual([
      messageStart,
      ['event: content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }],
      ['event: content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hi' } }],
      ['event: error', { type: 'error', error: { type: 'timeout_error', message: 'The provider stopped answering.' } }],
    ]);
  });

  it('ends a stream cut without [DONE] with an api_error event', async () => {
    expect((await frames([data(chunk({ content: 'Hi' }))])).at(-1)).toEqual([
      'event: error',
      { type: 'error', error: { type: 'api_error', message: 'The stream ended before the answer was complete.' } },
    ]);
  });

  it('reads events split across pieces', async () => {
    const whole = data(chunk({ content: 'Hello' })) + data(chunk({}, 'stop')) + DONE;
    const pieces = whole.match(/[\s\S]{1,7}/g)!;
    const deltas = (await frames(pieces)).filter(([event]) => event === 'event: content_block_delta');
    expect(deltas).toEqual([['event: content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hello' } }]]);
  });
});
