// A real HTTP server impersonating six upstream providers, each under its own path prefix
// (http://127.0.0.1:PORT/deepseek, …/zhipu, …). The gateway under test appends
// /chat/completions and /models and never knows it talks to a stand-in.
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { controlInPrompt, isJsonObject, parseControl } from './control.ts';
import { DIALECTS, isProviderName, STANDIN_PROVIDERS } from './dialects.ts';
import type { Dialect, Json, JsonObject, ProviderName } from './dialects.ts';
import { missingKeyError, providerError } from './errors.ts';
import type { ErrorReply } from './errors.ts';
import { runChat, sendJson } from './scenarios.ts';

export { STANDIN_PROVIDERS };
export type { ProviderName };

export interface Standin {
  url: string;
  port: number;
  close(): Promise<void>;
}

export interface StandinOptions {
  port?: number;
  host?: string;
  /** Control fields applied to every request, under its own `standin` field (the benchmark's fixed mode). */
  defaults?: JsonObject;
}

/** One chat request as received, for tests to assert on what the gateway sent upstream. */
interface LoggedRequest {
  provider: string;
  path: string;
  method: string;
  headers: Record<string, string>;
  body: Json;
  tag: string | undefined;
  /** When the stand-in received it (ms since the epoch): tests read retry spacing from it. */
  at: number;
  /** How the exchange ended: `closed_early` = the connection closed before the reply was complete (a client abort, or a cut). */
  outcome: 'open' | 'finished' | 'closed_early';
}

const LOG_LIMIT = 1000;
const MAX_BODY_BYTES = 64 * 1024 * 1024;
const CREATED_AT = 1_735_689_600; // fixed `created` for model lists: 2025-01-01

function routeNotFound(res: ServerResponse, method: string, path: string): void {
  sendJson(res, 404, {
    error: { message: `stand-in: no route for ${method} ${path}`, type: 'invalid_request_error', param: null, code: 'not_found' },
  });
}

function controlProblem(res: ServerResponse, problem: string): void {
  sendJson(res, 400, { error: { message: `stand-in control error: ${problem}`, type: 'standin_control_error' } });
}

function flatHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

/**
 * null when the key is acceptable; a key starting with `bad-key` plays a revoked key, one starting
 * with `dry-` (or `sk-dry-`) an account out of balance, and one starting with `down-` an outage:
 * everything that key asks for is overloaded.
 */
function checkAuth(provider: ProviderName, req: IncomingMessage): ErrorReply | null {
  const match = /^Bearer\s+(\S.*)$/i.exec(req.headers.authorization ?? '');
  const key = match?.[1]?.trim();
  if (key === undefined || key === '') return missingKeyError(provider);
  if (key.startsWith('bad-key')) return providerError(provider, 'auth');
  if (/^(sk-)?dry-/.test(key)) return providerError(provider, 'balance');
  if (key.startsWith('down-')) return providerError(provider, 'overloaded');
  return null;
}

/**
 * The control that applies to this provider: `standin.providers.<name>` overrides
 * the shared fields, so one request can fail on one provider and succeed on the next.
 */
function controlFor(provider: ProviderName, standin: Json | undefined): Json | undefined {
  if (!isJsonObject(standin)) return standin;
  const { providers, ...shared } = standin;
  const own = isJsonObject(providers) ? providers[provider] : undefined;
  return isJsonObject(own) ? { ...shared, ...own } : shared;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new Error('request body too large');
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function modelList(dialect: Dialect): JsonObject {
  return {
    object: 'list',
    data: dialect.models.map((id) => ({ id, object: 'model', created: CREATED_AT, owned_by: dialect.ownedBy })),
  };
}

export async function startStandin(options: StandinOptions = {}): Promise<Standin> {
  const host = options.host ?? '127.0.0.1';
  const log: LoggedRequest[] = [];
  const sockets = new Set<Socket>();
  /** Requests seen per tag and provider, for `fail_first`. */
  const attempts = new Map<string, number>();

  async function handleChat(req: IncomingMessage, res: ServerResponse, dialect: Dialect, path: string): Promise<void> {
    const raw = await readBody(req);
    let body: Json;
    try {
      body = JSON.parse(raw) as Json;
    } catch {
      body = raw; // logged as received; the provider rejects it like malformed JSON
    }
    const own = controlFor(dialect.provider, isJsonObject(body) ? (body['standin'] ?? controlInPrompt(body)) : undefined);
    const merged = options.defaults && (own === undefined || isJsonObject(own)) ? { ...options.defaults, ...(own ?? {}) } : own;
    let control = isJsonObject(body) ? parseControl(merged) : undefined;
    const tag = typeof control === 'object' ? control.tag : undefined;
    if (typeof control === 'object' && control.failFirst !== undefined) {
      // Only the first `fail_first` requests of this tag to this provider misbehave; later ones succeed.
      const key = `${tag ?? ''}|${dialect.provider}`;
      const seen = attempts.get(key) ?? 0;
      attempts.set(key, seen + 1);
      if (seen >= control.failFirst) control = { ...control, scenario: 'ok', status: undefined };
    }
    const entry: LoggedRequest = { provider: dialect.provider, path, method: 'POST', headers: flatHeaders(req), body, tag, at: Date.now(), outcome: 'open' };
    log.push(entry);
    res.on('close', () => {
      entry.outcome = res.writableFinished ? 'finished' : 'closed_early';
    });
    if (log.length > LOG_LIMIT) log.splice(0, log.length - LOG_LIMIT);

    if (!isJsonObject(body) || control === undefined) {
      const auth = checkAuth(dialect.provider, req);
      const reply = auth ?? providerError(dialect.provider, 'bad_request');
      return sendJson(res, reply.status, reply.body);
    }
    if (typeof control === 'string') return controlProblem(res, control);

    const closing = new AbortController();
    res.on('close', () => closing.abort());
    await runChat({
      res,
      dialect,
      body,
      control,
      closed: closing.signal,
      authError: checkAuth(dialect.provider, req),
    });
  }

  function handleLog(res: ServerResponse, method: string, url: URL): void {
    if (method === 'DELETE') {
      log.length = 0;
      return sendJson(res, 200, { requests: [] });
    }
    const tag = url.searchParams.get('tag');
    const requests = log
      .filter((entry) => tag === null || entry.tag === tag)
      .map(({ provider, path, method: m, headers, body, at, outcome }) => ({ provider, path, method: m, headers, body, at, outcome }));
    sendJson(res, 200, { requests });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', 'http://standin.invalid');
    const path = url.pathname;
    if (path === '/__standin/requests' && (method === 'GET' || method === 'DELETE')) return handleLog(res, method, url);

    const match = /^\/([^/]+)(\/.*)$/.exec(path);
    const providerName = match?.[1] ?? '';
    const rest = match?.[2] ?? '';
    if (!isProviderName(providerName)) return routeNotFound(res, method, path);
    const dialect = DIALECTS[providerName];

    if (rest === '/chat/completions' && method === 'POST') return handleChat(req, res, dialect, path);
    if (rest === '/models' && method === 'GET') {
      const auth = checkAuth(dialect.provider, req);
      if (auth) return sendJson(res, auth.status, auth.body);
      return sendJson(res, 200, modelList(dialect));
    }
    return routeNotFound(res, method, path);
  }

  const server = createServer({ noDelay: true }, (req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const message = error instanceof Error ? error.message : String(error);
      sendJson(res, 500, { error: { message: `stand-in internal error: ${message}`, type: 'standin_internal_error' } });
    });
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;

  let closing: Promise<void> | undefined;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    close(): Promise<void> {
      // Stalled and hanging exchanges never end by themselves: destroy their sockets.
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
