/**
 * Routing control and billing mode through the worker, with the OpenAI SDK as the client: `routing: "none"`,
 * `models`, `max_price`, `billing_mode` / `X-FindToken-Mode`, the key's allowlist beside them, and the longer
 * non-streaming limit of reasoning models.
 */
import { SELF } from 'cloudflare:test';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { apiRequest, BASE, createAccountWithKey, fetchWithEnv, hello, upstreamRequests } from '../helpers';
import { uniqueTag } from '../chat/provider-models';

type Body = OpenAI.Chat.ChatCompletionCreateParamsNonStreaming & Record<string, unknown>;

/** The OpenAI SDK pointed at the worker (optionally with vars overridden), no retries of its own. */
const sdk = (key: string, overrides?: Record<string, string>) =>
  new OpenAI({
    apiKey: key,
    baseURL: `${BASE}/v1`,
    maxRetries: 0,
    fetch: overrides ? (url, init) => fetchWithEnv(new URL(String(url)).pathname, init ?? {}, overrides) : (url, init) => SELF.fetch(String(url), init),
  });

/** One completion: what served it (the response headers) and which providers were called. */
async function serve(key: string, body: Record<string, unknown>, options: { headers?: Record<string, string>; overrides?: Record<string, string> } = {}) {
  const tag = uniqueTag();
  const standin = { tag, ...((body.standin as object | undefined) ?? {}) };
  const { data, response } = await sdk(key, options.overrides)
    .chat.completions.create({ model: 'deepseek-chat', messages: hello, ...body, standin } as Body, { headers: options.headers ?? {} })
    .withResponse();
  return { data, model: response.headers.get('X-FindToken-Model'), mode: response.headers.get('X-FindToken-Mode'), called: (await upstreamRequests(tag)).map((r) => r.provider), tag };
}

/** The SDK's error for a request the worker refuses: status, code, param. */
async function refusal(key: string, body: Record<string, unknown>, headers: Record<string, string> = {}) {
  const error = await sdk(key)
    .chat.completions.create({ model: 'deepseek-chat', messages: hello, ...body } as Body, { headers })
    .then(() => undefined, (caught: unknown) => caught);
  if (!(error instanceof OpenAI.APIError)) throw new Error(`expected an API error, got ${String(error)}`);
  return { status: error.status, code: error.code, param: error.param, message: error.message };
}

const DEEPSEEK_DOWN = { providers: { deepseek: { scenario: 'error', error: 'server' } } };

describe('routing: "none"', () => {
  it('tries the requested model only: a pinned model that is down is a 503 naming it, with no failover', async () => {
    const { key } = await createAccountWithKey();
    const tag = uniqueTag();
    const error = await sdk(key)
      .chat.completions.create({ model: 'deepseek-chat', messages: hello, routing: 'none', standin: { tag, ...DEEPSEEK_DOWN } } as Body)
      .then(() => undefined, (caught: unknown) => caught as InstanceType<typeof OpenAI.APIError>);
    expect(error?.status).toBe(503);
    expect(error?.code).toBe('all_providers_unavailable');
    expect(error?.message).toContain('deepseek-chat');
    expect((await upstreamRequests(tag)).map((r) => r.provider)).toEqual(['deepseek', 'deepseek', 'deepseek', 'deepseek']);
  });

  it('refuses models beside it: 400 invalid_value naming models', async () => {
    const { key } = await createAccountWithKey();
    expect(await refusal(key, { routing: 'none', models: ['glm-4-plus'] })).toMatchObject({ status: 400, code: 'invalid_value', param: 'models' });
  });
});

describe('models: the request names its fallbacks', () => {
  it('fails over in the order it names, instead of the group', async () => {
    const { key } = await createAccountWithKey();
    const served = await serve(key, { routing: 'fallback', models: ['kimi-k2', 'glm-4-plus'], standin: DEEPSEEK_DOWN });
    expect(served.model).toBe('kimi-k2');
    expect(served.called).toEqual(['deepseek', 'deepseek', 'deepseek', 'deepseek', 'kimi']);
  });

  it('cheapest chooses among the requested model and its models only', async () => {
    const { key } = await createAccountWithKey();
    // qwen-max ($1.60/$6.40) or glm-4-plus ($0.50/$0.50); deepseek-chat, cheaper still, is not among them.
    expect((await serve(key, { model: 'qwen-max', routing: 'cheapest', models: ['glm-4-plus'] })).model).toBe('glm-4-plus');
  });

  it('refuses a model outside the catalog, naming its place', async () => {
    const { key } = await createAccountWithKey();
    expect(await refusal(key, { models: ['glm-4-plus', 'gpt-5'] })).toMatchObject({ status: 400, code: 'invalid_value', param: 'models[1]' });
  });

  it('with a key allowlist, refuses a fallback outside it: 403 model_not_allowed naming it', async () => {
    const { key } = await createAccountWithKey();
    const listed = await (await apiRequest(key, 'POST', '/v1/user/keys', { name: 'listed', models: ['deepseek-chat', 'glm-4-plus'] })).json<{ key: string }>();
    expect(await refusal(listed.key, { models: ['glm-4-plus', 'qwen-max'] })).toMatchObject({ status: 403, code: 'model_not_allowed', param: 'models[1]' });
  });
});

describe('max_price', () => {
  it('refuses a requested model priced above it: 400 naming max_price', async () => {
    const { key } = await createAccountWithKey();
    const refused = await refusal(key, { model: 'qwen-max', max_price: { prompt: 1 } });
    expect(refused).toMatchObject({ status: 400, code: 'invalid_value', param: 'max_price' });
    expect(refused.message).toContain("The model 'qwen-max' costs $1.6 prompt and $6.4 completion per 1M tokens, above max_price (prompt $1)");
  });

  it('never calls a fallback priced above it', async () => {
    const { key } = await createAccountWithKey();
    // The group's order after deepseek-chat is qwen-max ($6.40 completion), then glm-4-plus ($0.50).
    const served = await serve(key, { routing: 'fallback', max_price: { completion: 0.5 }, standin: DEEPSEEK_DOWN });
    expect(served.model).toBe('glm-4-plus');
    expect(served.called).toEqual(['deepseek', 'deepseek', 'deepseek', 'deepseek', 'zhipu']);
  });

  it('refuses a negative price', async () => {
    const { key } = await createAccountWithKey();
    expect(await refusal(key, { max_price: { prompt: -1 } })).toMatchObject({ status: 400, code: 'invalid_value', param: 'max_price.prompt' });
  });
});

describe('billing_mode and X-FindToken-Mode', () => {
  const registerDeepseek = async (key: string) =>
    expect((await apiRequest(key, 'POST', '/v1/user/byok/register', { provider: 'deepseek', api_key: 'sk-user-registered-0001' })).status).toBe(201);

  it('"standard" serves from credits on the platform key, though the user registered a key', async () => {
    const { key } = await createAccountWithKey();
    await registerDeepseek(key);
    const byField = await serve(key, { billing_mode: 'standard' });
    const byHeader = await serve(key, {}, { headers: { 'X-FindToken-Mode': 'standard' } });
    for (const served of [byField, byHeader]) {
      expect(served.mode).toBe('standard');
      expect((await upstreamRequests(served.tag)).map((r) => r.headers.authorization)).toEqual(['Bearer platform-key-deepseek']);
    }
    expect((await serve(key, {})).mode).toBe('byok');
  });

  it('"byok" without a key for the model is 400 provider_key_required', async () => {
    const { key } = await createAccountWithKey();
    expect(await refusal(key, { billing_mode: 'byok' })).toMatchObject({ status: 400, code: 'provider_key_required', param: 'provider_key' });
    expect(await refusal(key, {}, { 'X-FindToken-Mode': 'byok' })).toMatchObject({ status: 400, code: 'provider_key_required' });
  });

  it('"byok" with a registered key serves BYOK', async () => {
    const { key } = await createAccountWithKey();
    await registerDeepseek(key);
    expect((await serve(key, { billing_mode: 'byok' })).mode).toBe('byok');
  });

  it('refuses a header that is not a mode, one that disagrees with the field, and "standard" with a provider_key', async () => {
    const { key } = await createAccountWithKey();
    expect(await refusal(key, {}, { 'X-FindToken-Mode': 'free' })).toMatchObject({ status: 400, code: 'invalid_value', param: 'X-FindToken-Mode' });
    expect(await refusal(key, { billing_mode: 'byok' }, { 'X-FindToken-Mode': 'standard' })).toMatchObject({ status: 400, code: 'invalid_value', param: 'billing_mode' });
    const inline = { provider_key: { provider: 'deepseek', api_key: 'sk-inline-key-000001' } };
    expect(await refusal(key, { billing_mode: 'standard', ...inline })).toMatchObject({ status: 400, code: 'invalid_value', param: 'billing_mode' });
    expect(await refusal(key, { billing_mode: 'bogus' })).toMatchObject({ status: 400, code: 'invalid_value', param: 'billing_mode' });
  });
});

describe('non-streaming limits per model', () => {
  // UPSTREAM_TIMEOUT_MS 300: a chat model's attempt may take 300 ms, a reasoning model's 1,200 ms.
  const quick = { UPSTREAM_TIMEOUT_MS: '300' };

  it('lets a reasoning model answer after the chat models limit', async () => {
    const { key } = await createAccountWithKey();
    const served = await serve(key, { model: 'deepseek-reasoner', routing: 'none', standin: { delay_ms: 600 } }, { overrides: quick });
    expect(served.model).toBe('deepseek-reasoner');
    expect(served.called).toEqual(['deepseek']);
  });

  it('cuts a chat model at its own limit, and retries a timeout once', async () => {
    const { key } = await createAccountWithKey();
    const tag = uniqueTag();
    const error = await sdk(key, quick)
      .chat.completions.create({ model: 'deepseek-chat', messages: hello, routing: 'none', standin: { tag, delay_ms: 600 } } as Body)
      .then(() => undefined, (caught: unknown) => caught as InstanceType<typeof OpenAI.APIError>);
    expect(error?.status).toBe(503);
    expect((await upstreamRequests(tag)).map((r) => r.provider)).toEqual(['deepseek', 'deepseek']);
  });
});
