/** Stream plumbing for unit tests: bytes in, decoded SSE events or tapped chunks out. */
import { getAdapter } from '../../../src/providers/registry';
import type { ProviderId } from '../../../src/base/provider-id';
import { SseDecoderStream, type SseEvent } from '../../../src/streaming/sse';
import { createUsageTap } from '../../../src/providers/usage-tap';
import type { StreamEvent, TapState } from '../../../src/streaming/stream-event';

const encoder = new TextEncoder();

export const bytes = (text: string): Uint8Array => encoder.encode(text);

export function streamOf<T>(items: readonly T[]): ReadableStream<T> {
  return new ReadableStream<T>({
    start(controller) {
      for (const item of items) controller.enqueue(item);
      controller.close();
    },
  });
}

export async function collect<T>(stream: ReadableStream<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of stream) out.push(item);
  return out;
}

/** Cuts bytes into pieces of `size`, the way a network delivers them (mid-character included). */
export function splitEvery(data: Uint8Array, size: number): Uint8Array[] {
  const pieces: Uint8Array[] = [];
  for (let start = 0; start < data.length; start += size) pieces.push(data.slice(start, start + size));
  return pieces;
}

/** Network byte chunks → TextDecoderStream → SseDecoderStream → events. */
export function decodeSse(chunks: readonly Uint8Array[]): Promise<SseEvent[]> {
  return collect(streamOf(chunks).pipeThrough(new TextDecoderStream()).pipeThrough(new SseDecoderStream()));
}

export const newTapState = (): TapState => ({ usage: undefined, deliveredTokens: 0 });

/** Already-decoded SSE events → the usage tap of `provider`. */
export async function tapEvents(
  provider: ProviderId,
  servedModel: string,
  events: readonly SseEvent[],
): Promise<{ events: StreamEvent[]; state: TapState }> {
  const state = newTapState();
  const out = await collect(streamOf(events).pipeThrough(createUsageTap(getAdapter(provider), servedModel, state)));
  return { events: out, state };
}

/** A recorded SSE body, in network chunks of `chunkSize` bytes, through the whole pipeline. */
export async function tapRecording(
  provider: ProviderId,
  servedModel: string,
  recording: string,
  chunkSize: number,
): Promise<{ events: StreamEvent[]; state: TapState }> {
  const state = newTapState();
  const out = await collect(
    streamOf(splitEvery(bytes(recording), chunkSize))
      .pipeThrough(new TextDecoderStream())
      .pipeThrough(new SseDecoderStream())
      .pipeThrough(createUsageTap(getAdapter(provider), servedModel, state)),
  );
  return { events: out, state };
}

/** One SSE event carrying `payload` as JSON. */
export const dataEvent = (payload: unknown): SseEvent => ({ data: JSON.stringify(payload) });
