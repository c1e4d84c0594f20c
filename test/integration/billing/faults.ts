/**
 * Failures injected between the worker and what it depends on: an account
 * object whose charge RPC throws or hangs, a CHARGES queue that captures or
 * refuses messages, and a stream read part-way.
 */
import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test';
import { createApp } from '../../../src/app';
import type { ChargeMessage } from '../../../src/account/charge-delivery';
import type { ChargeInput } from '../../../src/account/request-charges';
import type { Env } from '../../../src/env';
import { BASE } from '../helpers';

type Namespace = Env['ACCOUNTS'];
type Stub = ReturnType<Namespace['get']>;

/** The account objects as the worker sees them, with `charge` replaced (every other RPC reaches the real object). */
export function accountsWhereCharge(charge: (input: ChargeInput, real: Stub) => Promise<unknown>): Namespace {
  return accountsWhere('charge', (input, real) => charge(input as ChargeInput, real));
}

/** The account objects as the worker sees them, with the RPC `name` replaced (every other reaches the real object). */
export function accountsWhere(name: string, rpc: (input: unknown, real: Stub) => Promise<unknown>): Namespace {
  const wrap = (stub: Stub): Stub =>
    new Proxy(stub, {
      get(target, property) {
        if (property === name) return (input: unknown) => rpc(input, target);
        // An RPC stub's properties are themselves stubs (even `bind`): call through the target.
        return (...args: unknown[]) => (Reflect.get(target, property) as (...args: unknown[]) => unknown)(...args);
      },
    });
  return new Proxy(env.ACCOUNTS, {
    get(target, property) {
      if (property === 'get') return (id: DurableObjectId) => wrap(target.get(id));
      const value = Reflect.get(target, property) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** A charge RPC that fails as an unreachable object does. */
export const unreachable = (): Promise<never> => Promise.reject(new Error('Durable Object is overloaded'));

/** A CHARGES queue that keeps what is sent to it (or refuses it). */
export function capturingQueue(refuse = false): { queue: Queue; sent: ChargeMessage[] } {
  const sent: ChargeMessage[] = [];
  const queue = {
    send: async (message: ChargeMessage) => {
      if (refuse) throw new Error('Queue send failed: service unavailable');
      sent.push(structuredClone(message));
    },
    sendBatch: async () => {
      throw new Error('not used');
    },
  } as unknown as Queue;
  return { queue, sent };
}

/** A chat request through a fresh app over `bindings`; `settled` waits for its background work. */
export async function chatThrough(bindings: Partial<Env>, key: string, body: object): Promise<{ response: Response; settled: () => Promise<void> }> {
  const ctx = createExecutionContext();
  const init = { method: 'POST', headers: { Authorization: `Bearer ${key}` }, body: JSON.stringify(body) };
  const response = await createApp().fetch(new Request(`${BASE}/v1/chat/completions`, init), { ...env, ...bindings }, ctx);
  return { response, settled: () => waitOnExecutionContext(ctx) };
}

/** Reads a body until its text so far contains `marker`; returns that text (the reader stays open). */
export async function readUntil(reader: ReadableStreamDefaultReader<Uint8Array>, marker: string): Promise<string> {
  const decoder = new TextDecoder();
  let text = '';
  while (!text.includes(marker)) {
    const read = await reader.read();
    if (read.done) throw new Error(`the body ended before ${JSON.stringify(marker)}: ${text}`);
    text += decoder.decode(read.value, { stream: true });
  }
  return text;
}

/** Reads the rest of a body. */
export async function readRest(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<string> {
  const decoder = new TextDecoder();
  let text = '';
  for (let read = await reader.read(); !read.done; read = await reader.read()) text += decoder.decode(read.value, { stream: true });
  return text;
}
