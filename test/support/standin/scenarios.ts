// Behaviours of one chat request over time: delays, keep-alives, cut and stalled streams,
// hangs and errors. Shapes come from answer.ts / errors.ts; this file only does the I/O.
import type { ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { completionBody, planAnswer, sseFrames } from './answer.ts';
import type { StandinControl } from './control.ts';
import type { Dialect, JsonObject } from './dialects.ts';
import { providerError, validateChatRequest } from './errors.ts';
import type { ErrorReply } from './errors.ts';

export interface ChatExchange {
  res: ServerResponse;
  dialect: Dialect;
  body: JsonObject;
  control: StandinControl;
  /** Aborted when the response closes (client gone or server closing). */
  closed: AbortSignal;
  /** Authorization check result, answered after delay_ms like any other reply. */
  authError: ErrorReply | null;
}

/** Waits `ms` (or one event-loop turn for 0) unless the exchange closes first. */
async function pause(ms: number, closed: AbortSignal): Promise<void> {
  if (closed.aborted) return;
  if (ms <= 0) {
    await new Promise<void>((resolve) => setImmediate(resolve));
    return;
  }
  await sleep(ms, undefined, { signal: closed }).catch(() => undefined);
}

function untilClosed(closed: AbortSignal): Promise<void> {
  if (closed.aborted) return Promise.resolve();
  return new Promise((resolve) => closed.addEventListener('abort', () => resolve(), { once: true }));
}

/**
 * Resolves once the text is handed to the socket (or the exchange closes): natural
 * back-pressure for 10 MB streams, and a cut never drops a chunk it meant to send.
 */
function write(res: ServerResponse, text: string, closed: AbortSignal): Promise<void> {
  if (closed.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      closed.removeEventListener('abort', done);
      resolve();
    };
    closed.addEventListener('abort', done, { once: true });
    res.write(text, () => done());
  });
}

export function sendJson(res: ServerResponse, status: number, body: JsonObject): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function sendRaw(res: ServerResponse, control: StandinControl, status: number): void {
  const looksJson = /^\s*[[{]/.test(control.body);
  const looksHtml = /^\s*</.test(control.body);
  const contentType =
    control.contentType ?? (looksJson ? 'application/json' : looksHtml ? 'text/html; charset=utf-8' : 'text/plain; charset=utf-8');
  const headers: Record<string, string | number> = { 'content-type': contentType, 'content-length': Buffer.byteLength(control.body) };
  if (control.retryAfter !== undefined) headers['retry-after'] = String(control.retryAfter);
  res.writeHead(status, headers);
  res.end(control.body);
}

export async function runChat(x: ChatExchange): Promise<void> {
  const { res, dialect, body, control, closed } = x;
  await pause(control.delayMs, closed);
  if (closed.aborted) return;

  if (x.authError) return sendJson(res, x.authError.status, x.authError.body);
  const invalid = validateChatRequest(dialect.provider, body);
  if (invalid) return sendJson(res, invalid.status, invalid.body);
  if (control.status !== undefined) return sendRaw(res, control, control.status);

  switch (control.scenario) {
    case 'hang':
      return untilClosed(closed);
    case 'error': {
      // MiniMax errors are bare JSON even for stream:true, like every other provider's.
      const reply = providerError(dialect.provider, control.error);
      return sendJson(res, reply.status, reply.body);
    }
    default:
      return body['stream'] === true ? streamAnswer(x) : completeAnswer(x);
  }
}

async function completeAnswer(x: ChatExchange): Promise<void> {
  const { res, dialect, body, control, closed } = x;
  const text = JSON.stringify(completionBody(dialect, planAnswer(dialect, body, control, false)));
  const bytes = Buffer.byteLength(text);

  switch (control.scenario) {
    case 'stall':
      res.writeHead(200, { 'content-type': 'application/json' });
      res.flushHeaders();
      return untilClosed(closed);
    case 'cut': {
      // Promise the whole body, deliver half, drop the connection.
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': bytes });
      await write(res, text.slice(0, Math.floor(text.length / 2)), closed);
      res.destroy();
      return;
    }
    case 'keepalive': {
      // DeepSeek while queued: 200 first, blank lines, then the JSON (chunked, no length known up front).
      res.writeHead(200, { 'content-type': 'application/json' });
      res.flushHeaders();
      for (let i = 0; i < control.keepalives; i++) {
        await pause(control.keepaliveMs, closed);
        await write(res, '\n', closed);
      }
      await pause(control.keepaliveMs, closed);
      if (!closed.aborted) res.end(text);
      return;
    }
    default:
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': bytes });
      res.end(text);
  }
}

async function streamAnswer(x: ChatExchange): Promise<void> {
  const { res, dialect, body, control, closed } = x;
  const plan = planAnswer(dialect, body, control, true);
  const streamOptions = body['stream_options'];
  const includeUsage =
    typeof streamOptions === 'object' &&
    streamOptions !== null &&
    !Array.isArray(streamOptions) &&
    streamOptions['include_usage'] === true;

  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  res.flushHeaders();

  if (control.scenario === 'keepalive') {
    for (let i = 0; i < control.keepalives; i++) {
      if (i > 0) await pause(control.keepaliveMs, closed);
      await write(res, ': keep-alive\n\n', closed);
    }
    await pause(control.keepaliveMs, closed);
  }

  const stopAfter =
    control.scenario === 'cut' ? control.cutAfter : control.scenario === 'stall' ? control.stallAfter : Infinity;
  let piecesSent = 0;
  let first = true;
  for (const frame of sseFrames(dialect, plan, includeUsage)) {
    if (closed.aborted) return;
    if (frame.isPiece && piecesSent >= stopAfter) break;
    // A separate event-loop turn per chunk so each one leaves as its own TCP write.
    if (!first) await pause(control.chunkDelayMs, closed);
    first = false;
    await write(res, frame.text, closed);
    if (frame.isPiece) piecesSent++;
  }
  if (closed.aborted) return;

  if (control.scenario === 'cut') {
    // The chunks sent are flushed (write waits); drop the socket: no final chunk, usage or [DONE].
    res.destroy();
    return;
  }
  if (control.scenario === 'stall') return untilClosed(closed);
  res.end();
}
