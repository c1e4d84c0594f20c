/** The stream relay before its response starts: what it holds, when it commits, and failures that are still HTTP errors. */
import { describe, expect, it } from 'vitest';
import type { UpstreamFailure } from '../../../src/base/upstream';
import { settle } from '../support/fake-clock';
import { chunkEvent, PREAMBLE, HELLO, STOP, DONE, failed, sse, DONE_TEXT, relay, bodyOf, nextPiece, readAll } from '../support/relay-harness';

describe('before the response starts', () => {
  it('holds the role preamble until the first content, then sends both', async () => {
    const relayed = relay();
    relayed.source.send(PREAMBLE);
    await settle();
    expect(relayed.started.value()).toBeUndefined();
    relayed.source.send(HELLO);
    const reader = await bodyOf(relayed);
    expect([await nextPiece(reader, relayed.clock), await nextPiece(reader, relayed.clock)]).toEqual([sse(PREAMBLE), sse(HELLO)]);
  });

  it('commits with only the preamble once the keep-alive window passes without content', async () => {
    const relayed = relay();
    relayed.source.send(PREAMBLE);
    await relayed.clock.advance(249);
    expect(relayed.started.value()).toBeUndefined();
    await relayed.clock.advance(1);
    const reader = await bodyOf(relayed);
    expect(await nextPiece(reader, relayed.clock)).toBe(sse(PREAMBLE));
  });

  it("answers the provider's failure before any content as {ok: false}, aborting the upstream and billing nothing", async () => {
    const relayed = relay();
    const failure: UpstreamFailure = { kind: 'overloaded', provider: 'deepseek', status: 503 };
    relayed.source.send(PREAMBLE, failed(failure));
    expect(await relayed.started.promise).toEqual({ ok: false, failure });
    expect(relayed.aborts()).toBe(1);
    expect(relayed.source.cancelled()).toBe(true);
    expect(relayed.finalized).toEqual([]);
  });

  it('answers an upstream that ends before any content as a stream_cut', async () => {
    const relayed = relay();
    relayed.source.send(PREAMBLE);
    relayed.source.end();
    expect(await relayed.started.promise).toEqual({ ok: false, failure: { kind: 'stream_cut', provider: 'deepseek' } });
  });

  it('answers an upstream connection that breaks before any content as a stream_cut', async () => {
    const relayed = relay();
    relayed.source.break();
    expect(await relayed.started.promise).toEqual({ ok: false, failure: { kind: 'stream_cut', provider: 'deepseek' } });
  });

  it("answers a content filter's finish before any content as a content_filter failure with the provider's reason", async () => {
    const relayed = relay({ contentFilterFinishReasons: ['sensitive'] });
    relayed.source.send(PREAMBLE, chunkEvent({}, 'sensitive'));
    expect(await relayed.started.promise).toEqual({ ok: false, failure: { kind: 'content_filter', provider: 'deepseek', providerCode: 'sensitive' } });
    expect(relayed.aborts()).toBe(1);
  });

  it('answers a timeout when the idle timeout passes before the commit window does', async () => {
    const relayed = relay({ timings: { idleTimeoutMs: 100, keepaliveMs: 250 } });
    await relayed.clock.advance(99);
    expect(relayed.started.value()).toBeUndefined();
    await relayed.clock.advance(1);
    expect(await relayed.started.promise).toEqual({ ok: false, failure: { kind: 'timeout', provider: 'deepseek' } });
  });

  it('commits at a finish without content (an empty answer) and ends it with [DONE]', async () => {
    const relayed = relay();
    relayed.source.send(PREAMBLE, STOP, DONE);
    expect(await readAll(await bodyOf(relayed), relayed.clock)).toEqual([sse(PREAMBLE), sse(STOP), DONE_TEXT]);
  });
});
