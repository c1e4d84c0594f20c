import { describe, expect, it } from 'vitest';
import { chat, chatWithEnv, createAccountWithKey, hello, readSse, upstreamRequests } from '../helpers';
import { MODEL_BY_PROVIDER, uniqueTag, type ProviderName } from './provider-models';
import { CATALOG, findModel } from '../../../src/base/catalog';

type Outcome =
  /** Answered at once with this error, never tried elsewhere. */
  | { says: string; answers: { status: number; code: string; type: string } }
  /** The next model of the group serves after this many attempts on the failing provider. */
  | { says: string; failsOverAfter: number };

const REJECTED: Outcome = { says: 'is answered at once (provider_rejected_request)', answers: { status: 400, code: 'provider_rejected_request', type: 'invalid_request_error' } };
const FILTERED: Outcome = { says: 'is answered at once (content_filtered)', answers: { status: 400, code: 'content_filtered', type: 'invalid_request_error' } };
const AT_ONCE: Outcome = { says: 'fails over at once', failsOverAfter: 1 };
const AFTER_RETRIES: Outcome = { says: 'fails over after the first try and three retries', failsOverAfter: 4 };

/**
 * One case per router action (answer, next, next and open, retry), streamed and
 * not, each on a provider whose error says it in its own way: an in-band MiniMax
 * error, a balance sent as 429 or 400, a content filter sent as 451 or only in
 * the message. Every provider × error body is classified in
 * test/unit/providers/classify-standin-errors.test.ts; what each action does in
 * test/unit/routing/dispatch.test.ts.
 */
const CASES: Array<{ provider: ProviderName; kind: string; stream: boolean; outcome: Outcome }> = [
  // The request's own fault: the same on every provider.
  { provider: 'deepseek', kind: 'bad_request', stream: false, outcome: REJECTED }, // 400
  { provider: 'minimax', kind: 'bad_request', stream: true, outcome: REJECTED }, // HTTP 200, base_resp 2013, to a stream request
  { provider: 'stepfun', kind: 'content_filter', stream: false, outcome: FILTERED }, // 451
  { provider: 'deepseek', kind: 'content_filter', stream: true, outcome: FILTERED }, // 400, only the message says so
  // Another model may have a larger window: no retry.
  { provider: 'kimi', kind: 'context_length', stream: false, outcome: AT_ONCE }, // 400, only the message says so
  { provider: 'zhipu', kind: 'context_length', stream: true, outcome: AT_ONCE }, // 400, code 1261
  // The platform's own key or balance with the provider: not worth a retry.
  { provider: 'qwen', kind: 'balance', stream: false, outcome: AT_ONCE }, // 400 Arrearage
  { provider: 'stepfun', kind: 'auth', stream: false, outcome: AT_ONCE }, // 401
  { provider: 'zhipu', kind: 'balance', stream: true, outcome: AT_ONCE }, // 429, code 1113
  { provider: 'kimi', kind: 'balance', stream: true, outcome: AT_ONCE }, // 429, type exceeded_current_quota_error
  // Transient.
  { provider: 'minimax', kind: 'rate_limit', stream: false, outcome: AFTER_RETRIES }, // HTTP 200, base_resp 1002
  { provider: 'kimi', kind: 'overloaded', stream: true, outcome: AFTER_RETRIES }, // 429, type engine_overloaded_error
  { provider: 'qwen', kind: 'server', stream: true, outcome: AFTER_RETRIES }, // 500
];

const modelOf = (provider: ProviderName) => MODEL_BY_PROVIDER.find(([name]) => name === provider)![1];

/** The next model of the group in the catalog's order: who serves when the requested one fails. */
const nextInGroup = (id: string) => {
  const model = findModel(id)!;
  return CATALOG.find((other) => other.group === model.group && other.id !== id)!;
};

describe("routing each provider's real errors (fallback)", () => {
  it.each(CASES)('$provider $kind (stream: $stream) $outcome.says', async ({ provider, kind, stream, outcome }) => {
    const model = modelOf(provider);
    const { key } = await createAccountWithKey();
    const tag = uniqueTag();
    const standin = { tag, providers: { [provider]: { scenario: 'error', error: kind } } };
    const response = await chat(key, { model, messages: hello, stream, routing: 'fallback', standin });
    const upstream = (await upstreamRequests(tag)).map((request) => request.provider);
    if ('answers' in outcome) {
      expect(response.status).toBe(outcome.answers.status);
      const body = await response.json<{ error: { code: string; type: string } }>();
      expect(body.error).toMatchObject({ code: outcome.answers.code, type: outcome.answers.type });
      expect(response.headers.get('X-FindToken-Provider')).toBe(provider);
      expect(response.headers.get('X-FindToken-Attempts')).toBe('1');
      expect(upstream).toEqual([provider]);
      return;
    }
    const next = nextInGroup(model);
    expect(response.status).toBe(200);
    expect(response.headers.get('X-FindToken-Model')).toBe(next.id);
    expect(response.headers.get('X-FindToken-Provider')).toBe(next.provider);
    expect(response.headers.get('X-FindToken-Attempts')).toBe(String(outcome.failsOverAfter + 1));
    expect(upstream).toEqual([...Array<string>(outcome.failsOverAfter).fill(provider), next.provider]);
    if (stream) expect((await readSse(response)).data.at(-1)).toBe('[DONE]');
    else expect((await response.json<{ model: string }>()).model).toBe(next.id);
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

  it("never shows the provider's words about the platform key, even when every provider refuses it", async () => {
    const { key } = await createAccountWithKey();
    const response = await chat(key, { model: 'deepseek-chat', messages: hello, standin: { scenario: 'error', error: 'auth' } });
    const text = await response.text();
    expect(response.status).toBe(503);
    expect(JSON.parse(text)).toMatchObject({ error: { code: 'all_providers_unavailable', type: 'server_error' } });
    expect(text).not.toMatch(/api key|platform-key/i);
  });

  /** The request fails on `provider` only; returns who served and what the stand-in saw. */
  async function failOn(provider: string, model: string, control: object, vars: Record<string, string> = {}) {
    const { key } = await createAccountWithKey();
    const tag = uniqueTag();
    const body = { model, messages: hello, routing: 'fallback', standin: { tag, providers: { [provider]: control } } };
    const response = await chatWithEnv(key, body, vars);
    return { response, upstream: (await upstreamRequests(tag)).map((request) => request.provider) };
  }

  it('retries an HTML error page, then fails over', async () => {
    const { response, upstream } = await failOn('qwen', 'qwen-max', { status: 502, body: '<html><body>Bad Gateway</body></html>' });
    expect(response.status).toBe(200);
    expect(response.headers.get('X-FindToken-Provider')).toBe('deepseek');
    expect(upstream).toEqual(['qwen', 'qwen', 'qwen', 'qwen', 'deepseek']);
  });

  it('retries a 200 that is not JSON, then fails over', async () => {
    const { response, upstream } = await failOn('qwen', 'qwen-max', { status: 200, body: 'OK', content_type: 'text/plain' });
    expect(response.status).toBe(200);
    expect(upstream).toEqual(['qwen', 'qwen', 'qwen', 'qwen', 'deepseek']);
  });

  it('fails over at once when the provider answers 404 (the platform is misconfigured)', async () => {
    const { response, upstream } = await failOn('deepseek', 'deepseek-chat', { status: 404, body: 'not found' });
    expect(response.status).toBe(200);
    expect(upstream).toEqual(['deepseek', 'qwen']);
  });

  it('retries a timeout once, then fails over', async () => {
    // Two timeouts of 300 ms rather than of the suite's 1.5 s.
    const { response, upstream } = await failOn('deepseek', 'deepseek-chat', { scenario: 'hang' }, { UPSTREAM_TIMEOUT_MS: '300' });
    expect(response.status).toBe(200);
    expect(response.headers.get('X-FindToken-Provider')).toBe('qwen');
    expect(upstream).toEqual(['deepseek', 'deepseek', 'qwen']);
  });

  it("answers 503 all_providers_unavailable with the providers' Retry-After when every candidate is rate limited", async () => {
    const { key } = await createAccountWithKey();
    const response = await chat(key, { model: 'kimi-k2', messages: hello, standin: { status: 429, body: '{"error":{"type":"rate_limit_reached_error","message":"slow down"}}', retry_after: 7 } });
    expect(response.status).toBe(503);
    expect(response.headers.get('Retry-After')).toBe('7');
    expect(response.headers.get('X-FindToken-Attempts')).toBe('20');
    expect(await response.json()).toEqual({
      error: {
        message:
          'No provider could serve this request right now (kimi-k2 (kimi): rate limit; deepseek-chat (deepseek): rate limit; qwen-max (qwen): rate limit; glm-4-plus (zhipu): rate limit; minimax-m2.5 (minimax): rate limit). Please retry.',
        type: 'server_error',
        param: null,
        code: 'all_providers_unavailable',
      },
    });
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
