import { describe, expect, it } from 'vitest';
import { encodeSseData, SSE_DONE, SSE_KEEPALIVE } from '../../../src/streaming/sse';
import { bytes, decodeSse, splitEvery } from '../support/streams';

const decodeText = (...chunks: string[]) => decodeSse(chunks.map(bytes));

describe('SseDecoderStream', () => {
  it('decodes one event delivered in one chunk', async () => {
    expect(await decodeText('data: {"a":1}\n\n')).toEqual([{ data: '{"a":1}' }]);
  });

  it('an event split across network chunks is decoded once', async () => {
    expect(await decodeText('da', 'ta: {"a"', ':1}\n', '\n')).toEqual([{ data: '{"a":1}' }]);
  });

  it('decodes two events that arrive in the same chunk', async () => {
    expect(await decodeText('data: 1\n\ndata: 2\n\n')).toEqual([{ data: '1' }, { data: '2' }]);
  });

  it.each([
    ['你好 split after its first byte', 'data: 你好\n\n', 7],
    ['你好 split after its second byte', 'data: 你好\n\n', 8],
    ['an emoji split between its bytes', 'data: ok 👍\n\n', 11],
  ])('a multi-byte character split between two byte chunks is decoded whole: %s', async (_name, text, cut) => {
    const all = bytes(text);
    const events = await decodeSse([all.slice(0, cut), all.slice(cut)]);
    expect(events).toEqual([{ data: text.slice('data: '.length, -2) }]);
  });

  it('a body delivered one byte at a time decodes to the same events as in one chunk', async () => {
    const body = bytes(': keep-alive\n\ndata: {"text":"你好👍"}\r\n\r\nevent: ping\ndata: x\n\ndata: [DONE]\n\n');
    expect(await decodeSse(splitEvery(body, 1))).toEqual([
      { data: '{"text":"你好👍"}' },
      { event: 'ping', data: 'x' },
      { data: '[DONE]' },
    ]);
  });

  it('CRLF line ends separate lines and events', async () => {
    expect(await decodeText('data: a\r\ndata: b\r\n\r\ndata: c\r\n\r\n')).toEqual([{ data: 'a\nb' }, { data: 'c' }]);
  });

  it('CR-only line ends separate lines and events', async () => {
    expect(await decodeText('data: a\rdata: b\r\rdata: c\r\r')).toEqual([{ data: 'a\nb' }, { data: 'c' }]);
  });

  it('a CRLF split across two chunks is exactly one line end', async () => {
    expect(await decodeText('data: a\r', '\ndata: b\r\n\r\n')).toEqual([{ data: 'a\nb' }]);
  });

  it('a CRLF blank line split across two chunks ends the event exactly once', async () => {
    expect(await decodeText('data: a\r\n\r', '\ndata: b\r\n\r\n')).toEqual([{ data: 'a' }, { data: 'b' }]);
  });

  it('a CR at the end of a chunk followed by another CR is two line ends', async () => {
    expect(await decodeText('data: a\r', '\rdata: b\r\r')).toEqual([{ data: 'a' }, { data: 'b' }]);
  });

  it('comment lines such as ": keep-alive" are ignored', async () => {
    expect(await decodeText(': keep-alive\n\n: keep-alive\n\ndata: x\n\n')).toEqual([{ data: 'x' }]);
  });

  it('a comment inside an event does not break the event', async () => {
    expect(await decodeText('data: a\n: ping\ndata: b\n\n')).toEqual([{ data: 'a\nb' }]);
  });

  it('blank lines with no data dispatch nothing', async () => {
    expect(await decodeText('\n\n\n\ndata: a\n\n\n\n')).toEqual([{ data: 'a' }]);
  });

  it('multi-line data is joined with \\n', async () => {
    expect(await decodeText('data: {\ndata: "a": 1\ndata: }\n\n')).toEqual([{ data: '{\n"a": 1\n}' }]);
  });

  it('the event field names the event and applies to that event only', async () => {
    expect(await decodeText('event: error\ndata: {}\n\ndata: next\n\n')).toEqual([
      { event: 'error', data: '{}' },
      { data: 'next' },
    ]);
  });

  it.each([
    ['with the space', 'data: x\n\n', 'x'],
    ['without the space', 'data:x\n\n', 'x'],
    ['with two spaces, keeping the second', 'data:  x\n\n', ' x'],
    ['with an empty value', 'data:\n\n', ''],
    ['with colons inside the value', 'data: a:b: c\n\n', 'a:b: c'],
  ])('reads data: %s', async (_name, text, data) => {
    expect(await decodeText(text)).toEqual([{ data }]);
  });

  it('ignores id, retry and unknown fields', async () => {
    expect(await decodeText('id: 7\nretry: 1000\nfoo: bar\ndata: x\n\n')).toEqual([{ data: 'x' }]);
  });

  it('an event without data is not dispatched', async () => {
    expect(await decodeText('event: ping\n\ndata: x\n\n')).toEqual([{ data: 'x' }]);
  });

  it.each([
    ['no line end at all', 'data: a\n\ndata: b'],
    ['a single line end', 'data: a\n\ndata: b\n'],
  ])('a last event without a trailing blank line is delivered at end of stream: %s', async (_name, text) => {
    expect(await decodeText(text)).toEqual([{ data: 'a' }, { data: 'b' }]);
  });

  it('[DONE] passes through as data', async () => {
    expect(await decodeText('data: {"a":1}\n\ndata: [DONE]\n\n')).toEqual([{ data: '{"a":1}' }, { data: '[DONE]' }]);
  });

  it('an empty stream gives no events', async () => {
    expect(await decodeSse([])).toEqual([]);
  });
});

describe('SSE encoding', () => {
  it('encodeSseData writes one data event that decodes back to the payload', async () => {
    const payload = { text: '你好', n: 1 };
    const encoded = encodeSseData(payload);
    expect(new TextDecoder().decode(encoded)).toBe('data: {"text":"你好","n":1}\n\n');
    expect(await decodeSse([encoded])).toEqual([{ data: JSON.stringify(payload) }]);
  });

  it('SSE_DONE is the [DONE] event and SSE_KEEPALIVE a comment', async () => {
    expect(new TextDecoder().decode(SSE_DONE)).toBe('data: [DONE]\n\n');
    expect(new TextDecoder().decode(SSE_KEEPALIVE)).toBe(': keep-alive\n\n');
    expect(await decodeSse([SSE_KEEPALIVE, SSE_DONE])).toEqual([{ data: '[DONE]' }]);
  });
});
