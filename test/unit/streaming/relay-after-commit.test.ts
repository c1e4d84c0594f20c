/** The stream relay once its response started: forwarding, keep-alives, and how each way of ending is told and billed. */
import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../../../src/base/upstream';
import { settle } from '../support/fake-clock';
import { chunkEvent, PREAMBLE, HELLO, STOP, DONE, failed, sse, DONE_TEXT, KEEPALIVE, errorText, USAGE_FIELDS, watch, relay, bodyOf, nextPiece, readAll, decoder } from '../support/relay-harness';

describe('after the response started', () => {
  it('sends a keep-alive comment after the keep-alive interval of upstream silence', async () => {
    const relayed = relay();
    relayed.source.send(HELLO);
    const reader = await bodyOf(relayed);
    expect(await nextPiece(reader, relayed.clock)).toBe(sse(HELLO));
    expect(await nextPiece(reader, relayed.clock)).toBe(KEEPALIVE);
    expect(relayed.clock.now()).toBe(250);
  });

  it('sets its idle timer about once per quiet spell, not once per chunk, and leaves none behind', async () => {
    const relayed = relay();
    const chunks = Array.from({ length: 50 }, (_, i) => chunkEvent({ content: `piece ${i}` }));
    relayed.source.send(HELLO, ...chunks, STOP, DONE);
    const pieces = await readAll(await bodyOf(relayed), relayed.clock);
    expect(pieces).toHaveLength(53);
    expect(relayed.clock.timersSet).toBeLessThanOrEqual(2);
    expect(relayed.clock.timersPending).toBe(0);
  });

  it('relays each event as it arrives, never waiting for more', async () => {
    const relayed = relay();
    relayed.source.send(HELLO);
    const reader = await bodyOf(relayed);
    await nextPiece(reader, relayed.clock);
    const read = watch(reader.read());
    await settle();
    expect(read.value()).toBeUndefined();
    const more = chunkEvent({ content: ' world' });
    relayed.source.send(more);
    const result = await read.promise;
    expect(decoder.decode(result.value)).toBe(sse(more));
    expect(relayed.clock.now()).toBe(0);
  });

  it('ends with a timeout error event and no [DONE] when the upstream is silent for the idle timeout', async () => {
    const relayed = relay();
    relayed.source.send(HELLO);
    expect(await readAll(await bodyOf(relayed), relayed.clock)).toEqual([sse(HELLO), KEEPALIVE, KEEPALIVE, KEEPALIVE, errorText('timeout')]);
    expect(relayed.clock.now()).toBe(1_000);
    expect(relayed.aborts()).toBe(1);
    expect(relayed.finalized).toEqual([{ completed: false, contentDelivered: true, usage: undefined, deliveredTokens: 0, failure: { kind: 'timeout', provider: 'deepseek' } }]);
  });

  it('finalizes as nothing delivered when the commit window committed the stream and it failed before any content', async () => {
    const relayed = relay();
    relayed.source.send(PREAMBLE);
    await relayed.clock.advance(250);
    const pieces = await readAll(await bodyOf(relayed), relayed.clock);
    expect([pieces[0], pieces.at(-1)]).toEqual([sse(PREAMBLE), errorText('timeout')]);
    expect(pieces.slice(1, -1).every((piece) => piece === KEEPALIVE)).toBe(true);
    expect(relayed.finalized).toEqual([{ completed: false, contentDelivered: false, usage: undefined, deliveredTokens: 0, failure: { kind: 'timeout', provider: 'deepseek' } }]);
  });

  it('completes an answer whose upstream goes silent after its finish chunk, never sending [DONE]', async () => {
    const relayed = relay();
    relayed.source.send(HELLO, STOP);
    expect(await readAll(await bodyOf(relayed), relayed.clock)).toEqual([sse(HELLO), sse(STOP), KEEPALIVE, KEEPALIVE, KEEPALIVE, DONE_TEXT]);
    expect(relayed.aborts()).toBe(1);
    expect(relayed.finalized).toEqual([{ completed: true, contentDelivered: true, usage: undefined, deliveredTokens: 0, failure: undefined }]);
  });

  it('completes an answer whose upstream closes after its finish chunk without [DONE]', async () => {
    const relayed = relay();
    relayed.source.send(HELLO, STOP);
    relayed.source.end();
    expect(await readAll(await bodyOf(relayed), relayed.clock)).toEqual([sse(HELLO), sse(STOP), DONE_TEXT]);
    expect(relayed.finalized).toEqual([{ completed: true, contentDelivered: true, usage: undefined, deliveredTokens: 0, failure: undefined }]);
  });

  it('ends with a stream_cut error event when the upstream closes before its finish', async () => {
    const relayed = relay();
    relayed.source.send(HELLO);
    relayed.source.end();
    expect(await readAll(await bodyOf(relayed), relayed.clock)).toEqual([sse(HELLO), errorText('stream_cut')]);
    expect(relayed.finalized).toEqual([{ completed: false, contentDelivered: true, usage: undefined, deliveredTokens: 0, failure: { kind: 'stream_cut', provider: 'deepseek' } }]);
  });

  it('ends with a stream_cut error event when the upstream connection breaks', async () => {
    const relayed = relay();
    relayed.source.send(HELLO);
    const reader = await bodyOf(relayed);
    await nextPiece(reader, relayed.clock);
    relayed.source.break();
    expect(await readAll(reader, relayed.clock)).toEqual([errorText('stream_cut')]);
    expect(relayed.aborts()).toBe(1);
  });

  it("ends with the provider's failure as an error event and no [DONE]", async () => {
    const relayed = relay();
    relayed.source.send(HELLO, failed({ kind: 'server', provider: 'deepseek' }));
    expect(await readAll(await bodyOf(relayed), relayed.clock)).toEqual([sse(HELLO), errorText('server')]);
    expect(relayed.finalized).toEqual([{ completed: false, contentDelivered: true, usage: undefined, deliveredTokens: 0, failure: { kind: 'server', provider: 'deepseek' } }]);
  });

  it('sends the usage chunk finalize returns before [DONE] when the client asked for usage', async () => {
    const relayed = relay({ includeUsage: true });
    relayed.source.send(HELLO, STOP, DONE);
    const usageChunk = { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'deepseek-chat', choices: [], usage: USAGE_FIELDS };
    expect(await readAll(await bodyOf(relayed), relayed.clock)).toEqual([sse(HELLO), sse(STOP), `data: ${JSON.stringify(usageChunk)}\n\n`, DONE_TEXT]);
  });

  it('sends no usage chunk when the client did not ask for usage', async () => {
    const relayed = relay({ includeUsage: false });
    relayed.source.send(HELLO, STOP, DONE);
    expect(await readAll(await bodyOf(relayed), relayed.clock)).toEqual([sse(HELLO), sse(STOP), DONE_TEXT]);
  });

  it('finalizes a completed answer exactly once, with the usage and delivered tokens the tap saw', async () => {
    const relayed = relay();
    const usage = { promptTokens: 12, completionTokens: 5, cachedTokens: 0, reasoningTokens: 0 };
    relayed.source.send(HELLO, STOP);
    const reader = await bodyOf(relayed);
    Object.assign(relayed.tap, { usage, deliveredTokens: 2 });
    relayed.source.send(DONE);
    await readAll(reader, relayed.clock);
    await reader.cancel();
    expect(relayed.finalized).toEqual([{ completed: true, contentDelivered: true, usage, deliveredTokens: 2, failure: undefined }]);
    expect(relayed.kept).toEqual([]);
  });

  it('aborts the upstream and finalizes once with a connection failure when the client cancels', async () => {
    const relayed = relay();
    relayed.source.send(HELLO);
    const reader = await bodyOf(relayed);
    await nextPiece(reader, relayed.clock);
    await reader.cancel();
    expect(relayed.aborts()).toBe(1);
    expect(relayed.source.cancelled()).toBe(true);
    expect(relayed.kept).toHaveLength(1);
    await Promise.all(relayed.kept);
    expect(relayed.finalized).toEqual([{ completed: false, contentDelivered: true, usage: undefined, deliveredTokens: 0, failure: { kind: 'connection', provider: 'deepseek' } }]);
  });

  it('bills a finished answer once even when the client leaves while it is being billed', async () => {
    let billed!: (usage: JsonObject | undefined) => void;
    const relayed = relay({ finalize: () => new Promise((resolve) => (billed = resolve)) });
    relayed.source.send(HELLO, DONE);
    const reader = await bodyOf(relayed);
    await nextPiece(reader, relayed.clock);
    const end = reader.read();
    await settle();
    await reader.cancel();
    billed(undefined);
    expect(await end).toEqual({ done: true, value: undefined });
    expect(relayed.finalized).toHaveLength(1);
    expect(relayed.kept).toEqual([]);
    expect(relayed.aborts()).toBe(0);
  });
});
