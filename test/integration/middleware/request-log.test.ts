/** One JSON line per request: the matched route, status, latency, the chat headers, the account by hash. */
import { SELF } from 'cloudflare:test';
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import { hashAccountId } from '../../../src/base/log';
import { BASE, chat, createAccountWithKey, hello, readSse } from '../helpers';
import { loggedLines } from '../log-lines';

let log: MockInstance;
beforeEach(() => {
  log = vi.spyOn(console, 'log').mockImplementation(() => {});
});
afterEach(() => log.mockRestore());

const requestLine = (requestId: string) => loggedLines(log, 'request').find((line) => line.requestId === requestId);

describe('the request line', () => {
  it('names a chat answer by its route pattern, with what its headers say and the account hashed', async () => {
    const { key, accountId } = await createAccountWithKey();
    const response = await chat(key, { model: 'deepseek-chat', messages: hello });
    expect(response.status).toBe(200);
    expect(requestLine(response.headers.get('X-Request-Id')!)).toEqual({
      level: 'info',
      kind: 'request',
      requestId: response.headers.get('X-Request-Id'),
      method: 'POST',
      route: '/v1/chat/completions',
      status: 200,
      ms: expect.any(Number),
      model: 'deepseek-chat',
      provider: 'deepseek',
      attempts: 1,
      mode: 'standard',
      cost: response.headers.get('X-FindToken-Cost'),
      account: hashAccountId(accountId),
    });
  });

  it('is written for a stream before its body ends, without the cost the usage chunk carries', async () => {
    const { key } = await createAccountWithKey();
    const response = await chat(key, { model: 'deepseek-chat', messages: hello, stream: true });
    const line = requestLine(response.headers.get('X-Request-Id')!);
    await readSse(response);
    expect(line).toMatchObject({ route: '/v1/chat/completions', status: 200, model: 'deepseek-chat', provider: 'deepseek', attempts: 1, mode: 'standard', stream: true });
    expect(line).not.toHaveProperty('cost');
  });

  it('names a route with an id by its pattern, and an unauthenticated refusal without an account', async () => {
    const { key } = await createAccountWithKey();
    const revoked = await SELF.fetch(`${BASE}/v1/user/keys/key_0123456789abcdef0123456789abcdef`, { method: 'DELETE', headers: { Authorization: `Bearer ${key}` } });
    expect(requestLine(revoked.headers.get('X-Request-Id')!)).toMatchObject({ method: 'DELETE', route: '/v1/user/keys/:id', status: 404 });
    const refused = await SELF.fetch(`${BASE}/v1/models`);
    expect(requestLine(refused.headers.get('X-Request-Id')!)).toEqual({
      level: 'info',
      kind: 'request',
      requestId: refused.headers.get('X-Request-Id'),
      method: 'GET',
      route: '/v1/*',
      status: 401,
      ms: expect.any(Number),
    });
  });
});
