import { describe, expect, it } from 'vitest';
import { chat, createAccountWithKey, hello, readSse } from '../helpers';
import { MODEL_BY_PROVIDER } from './provider-models';

type Expected = { status: number; code: string; type: string };

const REQUEST_FAULT = { status: 400, code: 'provider_rejected_request', type: 'invalid_request_error' };
const UNAVAILABLE = { status: 503, code: 'provider_unavailable', type: 'server_error' };
const BY_KIND: Record<string, Expected> = {
  bad_request: REQUEST_FAULT,
  context_length: { status: 400, code: 'context_length_exceeded', type: 'invalid_request_error' },
  content_filter: { status: 400, code: 'content_filtered', type: 'invalid_request_error' },
  // The platform's own key or balance with the provider: not the caller's fault.
  auth: UNAVAILABLE,
  balance: UNAVAILABLE,
  rate_limit: UNAVAILABLE,
  overloaded: UNAVAILABLE,
  server: UNAVAILABLE,
};

const cases = MODEL_BY_PROVIDER.flatMap(([provider, model]) =>
  Object.entries(BY_KIND).flatMap(([kind, expected]) =>
    [false, true].map((stream) => ({ provider, model, kind, expected, stream })),
  ),
);

describe("mapping each provider's real errors", () => {
  it.each(cases)('$provider $kind (stream: $stream) → $expected.status $expected.code', async ({ model, kind, expected, stream }) => {
    const { key } = await createAccountWithKey();
    const response = await chat(key, { model, messages: hello, stream, standin: { scenario: 'error', error: kind } });
    expect(response.status).toBe(expected.status);
    const body = await response.json<{ error: { code: string; type: string; message: string } }>();
    expect(body.error).toMatchObject({ code: expected.code, type: expected.type });
    if (expected.status === 503) expect(response.headers.get('Retry-After')).toBe('1');
    expect(response.headers.get('X-FindToken-Provider')).toBe(MODEL_BY_PROVIDER.find(([, m]) => m === model)![0]);
  });
});

describe('upstream failures', () => {
  it("keeps the provider's code in a content-filter error", async () => {
    const { key } = await createAccountWithKey();
    const response = await chat(key, { model: 'glm-4-plus', messages: hello, standin: { scenario: 'error', error: 'content_filter' } });
    expect(await response.json()).toEqual({
      error: { message: "zhipu's content filter blocked this request (provider code: 1301).", type: 'invalid_request_error', param: null, code: 'content_filtered' },
    });
  });

  it.each([false, true])('maps a content-filter finish before any content to 400 content_filtered (stream: %s)', async (stream) => {
    const { key } = await createAccountWithKey();
    const response = await chat(key, { model: 'glm-4-flash', messages: hello, stream, standin: { scenario: 'finish_filter' } });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: { message: "zhipu's content filter blocked this request (provider code: sensitive).", type: 'invalid_request_error', param: null, code: 'content_filtered' },
    });
  });

  it("shows the provider's words for a request fault, without anything key-like", async () => {
    const { key } = await createAccountWithKey();
    const body = JSON.stringify({ error: { message: 'Invalid max_tokens for key sk-live1234567890abcdef', type: 'invalid_request_error' } });
    const response = await chat(key, { model: 'deepseek-chat', messages: hello, standin: { status: 400, body } });
    expect(await response.json()).toEqual({
      error: {
        message: 'deepseek rejected the request: Invalid max_tokens for key [redacted] (provider code: invalid_request_error)',
        type: 'invalid_request_error',
        param: null,
        code: 'provider_rejected_request',
      },
    });
  });

  it("never shows the provider's words about the platform key", async () => {
    const { key } = await createAccountWithKey();
    const response = await chat(key, { model: 'deepseek-chat', messages: hello, standin: { scenario: 'error', error: 'auth' } });
    const text = await response.text();
    expect(response.status).toBe(503);
    expect(text).not.toMatch(/api key|platform-key/i);
  });

  it('maps an HTML error page to 503', async () => {
    const { key } = await createAccountWithKey();
    const response = await chat(key, { model: 'qwen-max', messages: hello, standin: { status: 502, body: '<html><body>Bad Gateway</body></html>' } });
    expect(response.status).toBe(503);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('provider_unavailable');
  });

  it("honours the provider's Retry-After when it sends one", async () => {
    const { key } = await createAccountWithKey();
    const response = await chat(key, { model: 'kimi-k2', messages: hello, standin: { status: 429, body: '{"error":{"type":"rate_limit_reached_error","message":"slow down"}}', retry_after: 7 } });
    expect(response.status).toBe(503);
    expect(response.headers.get('Retry-After')).toBe('7');
  });

  it('maps a 200 that is not JSON to 503', async () => {
    const { key } = await createAccountWithKey();
    const response = await chat(key, { model: 'qwen-max', messages: hello, standin: { status: 200, body: 'OK', content_type: 'text/plain' } });
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ error: { message: 'qwen is unavailable right now (invalid response). Please retry.' } });
  });

  it('answers 504 when a non-streaming call exceeds the upstream timeout', async () => {
    const { key } = await createAccountWithKey();
    const response = await chat(key, { model: 'deepseek-chat', messages: hello, standin: { scenario: 'hang' } });
    expect(response.status).toBe(504);
    expect(await response.json()).toEqual({
      error: { message: 'deepseek did not answer in time. Please retry.', type: 'server_error', param: null, code: 'upstream_timeout' },
    });
  });

  it('answers 503 when the provider cannot be reached', async () => {
    const { key } = await createAccountWithKey();
    // A stand-in route that does not exist is a 404 from the provider's host: the platform's configuration is wrong.
    const response = await chat(key, { model: 'deepseek-chat', messages: hello, standin: { status: 404, body: 'not found' } });
    expect(response.status).toBe(503);
  });

  it('completes a stream whose provider closed after the finish chunk without [DONE]', async () => {
    const { key } = await createAccountWithKey();
    const chunk = (delta: object, finish: string | null) =>
      `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'x', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
    const body = chunk({ role: 'assistant', content: 'Hi' }, null) + chunk({}, 'stop');
    const response = await chat(key, { model: 'deepseek-chat', messages: hello, stream: true, standin: { status: 200, body, content_type: 'text/event-stream' } });
    const { data } = await readSse(response);
    expect(data.at(-1)).toBe('[DONE]');
  });

  it('ends a stream with an error event when the provider sends a broken event after content', async () => {
    const { key } = await createAccountWithKey();
    const good = `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'x', choices: [{ index: 0, delta: { content: 'Hi' }, finish_reason: null }] })}\n\n`;
    const response = await chat(key, { model: 'deepseek-chat', messages: hello, stream: true, standin: { status: 200, body: `${good}data: {not json\n\n`, content_type: 'text/event-stream' } });
    const { data } = await readSse(response);
    expect(data).not.toContain('[DONE]');
    expect(JSON.parse(data.at(-1)!)).toMatchObject({ error: { code: 'provider_unavailable' } });
  });
});
