/** Drives the worker the way a client does: real requests through its fetch handler. */
import { createExecutionContext, env, SELF, waitOnExecutionContext } from 'cloudflare:test';
import { createApp } from '../../src/app';

export const BASE = 'http://gateway.test';

export async function adminRequest(method: string, path: string, body?: unknown): Promise<Response> {
  return SELF.fetch(`${BASE}/admin/v1${path}`, {
    method,
    headers: { Authorization: `Bearer ${env.ADMIN_TOKEN}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

let accountCounter = 0;

export interface TestAccount {
  accountId: string;
  key: string;
  keyId: string;
}

/** A new account with one key, funded with `credits` dollars through the operator API. */
export async function createAccountWithKey(credits = 10): Promise<TestAccount> {
  accountCounter += 1;
  const email = `user${accountCounter}-${crypto.randomUUID()}@example.com`;
  const account = await (await adminRequest('POST', '/accounts', { email })).json<{ id: string }>();
  if (credits !== 0) await adminRequest('POST', `/accounts/${account.id}/credits`, { amount: credits, reason: 'test funding' });
  const key = await (await adminRequest('POST', `/accounts/${account.id}/keys`, { name: 'test' })).json<{ id: string; key: string }>();
  return { accountId: account.id, key: key.key, keyId: key.id };
}

export async function apiRequest(key: string, method: string, path: string, body?: unknown): Promise<Response> {
  return SELF.fetch(`${BASE}${path}`, {
    method,
    headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

export function chat(key: string, body: Record<string, unknown>): Promise<Response> {
  return apiRequest(key, 'POST', '/v1/chat/completions', body);
}

export const hello = [{ role: 'user', content: 'Hello!' }];

/** Reads what the stand-in received for requests tagged `tag`. */
export interface UpstreamRequest {
  provider: string;
  headers: Record<string, string>;
  body: Record<string, unknown>;
  /** When the stand-in received it, ms since the epoch. */
  at: number;
}

export async function upstreamRequests(tag: string): Promise<UpstreamRequest[]> {
  const response = await fetch(`${env.STANDIN_URL}/__standin/requests?tag=${encodeURIComponent(tag)}`);
  const { requests } = await response.json<{ requests: UpstreamRequest[] }>();
  return requests;
}

/** Reads an SSE body whole and splits it into its `data:` payloads and comments. */
export async function readSse(response: Response): Promise<{ data: string[]; comments: string[]; raw: string }> {
  const raw = await response.text();
  const data: string[] = [];
  const comments: string[] = [];
  for (const block of raw.split('\n\n')) {
    if (block.startsWith(':')) comments.push(block);
    else if (block.startsWith('data: ')) data.push(block.slice('data: '.length));
  }
  return { data, comments, raw };
}

/** A request through a fresh app with vars overridden (a smaller free tier, a missing key, another master key). */
export async function fetchWithEnv(path: string, init: RequestInit, overrides: Record<string, string>): Promise<Response> {
  const ctx = createExecutionContext();
  const response = await createApp().fetch(new Request(`${BASE}${path}`, init), { ...env, ...overrides }, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

export const chatWithEnv = (key: string, body: object, overrides: Record<string, string>): Promise<Response> =>
  fetchWithEnv('/v1/chat/completions', { method: 'POST', headers: { Authorization: `Bearer ${key}` }, body: JSON.stringify(body) }, overrides);
