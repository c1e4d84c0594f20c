/**
 * fallback_to_credits through the worker, with the OpenAI SDK as the client: a registered key its
 * provider refuses serves the request in standard mode from credits — re-authorized as standard,
 * charged standard, logged with why, not counted as a BYOK request — or answers what it answered before.
 */
import { SELF } from 'cloudflare:test';
import OpenAI from 'openai';
import { describe, expect, it, vi } from 'vitest';
import { apiRequest, BASE, createAccountWithKey, hello, readSse, upstreamRequests } from '../helpers';
import { uniqueTag } from '../chat/provider-models';
import { accountObject, balanceOf, billingLog, drainOutbox } from '../billing/helpers';
import { expectMoneyInvariants } from '../billing/invariants';
import { accountsWhere, chatThrough, unreachable } from '../billing/faults';

type Body = OpenAI.Chat.ChatCompletionCreateParamsNonStreaming & Record<string, unknown>;

const sdk = (key: string) => new OpenAI({ apiKey: key, baseURL: `${BASE}/v1`, maxRetries: 0, fetch: (url, init) => SELF.fetch(String(url), init) });

/** A deepseek key whose account there is out of balance (the stand-in answers 402). */
const DRY_KEY = 'sk-dry-deepseek-0001';
// 1M prompt tokens of deepseek-chat: $0.14 at list price, $0.1477 standard.
const MILLION_PROMPT = { usage: { prompt_tokens: 1_000_000, completion_tokens: 0 } };
const REFUSED = 'deepseek key refused: out of balance (HTTP 402)';

async function register(key: string, body: Record<string, unknown>): Promise<{ id: string; fallback_to_credits: boolean }> {
  const response = await apiRequest(key, 'POST', '/v1/user/byok/register', body);
  expect(response.status).toBe(201);
  return response.json();
}

const authorizationsOf = async (tag: string) => (await upstreamRequests(tag)).map((r) => [r.provider, r.headers.authorization]);

/** The SDK's error for a request the worker refuses. */
async function refusal(key: string, body: Record<string, unknown>) {
  const error = await sdk(key)
    .chat.completions.create({ model: 'deepseek-chat', messages: hello, ...body } as Body)
    .then(() => undefined, (caught: unknown) => caught);
  if (!(error instanceof OpenAI.APIError)) throw new Error(`expected an API error, got ${String(error)}`);
  return { status: error.status, code: error.code, param: error.param, message: error.message, mode: error.headers?.get('x-findtoken-mode') ?? null };
}

describe('fallback_to_credits on a registered key', () => {
  it('serves a request its dry key cannot on the platform key, standard: charged standard, logged with why, no BYOK request used', async () => {
    const { key, accountId } = await createAccountWithKey();
    const stored = await register(key, { provider: 'deepseek', api_key: DRY_KEY, fallback_to_credits: true });
    const tag = uniqueTag();
    const { data, response } = await sdk(key)
      .chat.completions.create({ model: 'deepseek-chat', messages: hello, max_tokens: 100, standin: { tag, ...MILLION_PROMPT } } as Body)
      .withResponse();
    expect(data.choices[0]?.message.content).toEqual(expect.any(String));
    expect(response.headers.get('X-FindToken-Mode')).toBe('standard');
    expect(response.headers.get('X-FindToken-Provider')).toBe('deepseek');
    expect(response.headers.get('X-FindToken-Attempts')).toBe('2');
    expect(response.headers.get('X-FindToken-Cost')).toBe('0.1477');
    expect(response.headers.get('X-FindToken-Balance')).toBe('9.8523');
    expect(await authorizationsOf(tag)).toEqual([
      ['deepseek', `Bearer ${DRY_KEY}`],
      ['deepseek', 'Bearer platform-key-deepseek'],
    ]);
    await drainOutbox(accountId);
    expect(await billingLog(key, response.headers.get('X-Request-Id')!)).toMatchObject({ mode: 'standard', fallback_reason: REFUSED, cost: 0.1477, provider_cost: 0.14, status: 'succeeded' });
    expect(await balanceOf(key)).toMatchObject({ balance: 9.8523, reserved: 0, byok: { requests: 0 } });
    // The key is still marked with its error, as without fallback.
    const listed = await (await apiRequest(key, 'GET', '/v1/user/byok/keys')).json<{ data: Array<{ id: string; last_error: string | null; fallback_to_credits: boolean }> }>();
    expect(listed.data).toEqual([expect.objectContaining({ id: stored.id, last_error: 'out of balance (HTTP 402)', fallback_to_credits: true })]);
    await expectMoneyInvariants(accountId, [response.headers.get('X-Request-Id')!]);
  });

  it('grants the output limit a standard request gets, when the request sent no max_tokens', async () => {
    const { key } = await createAccountWithKey();
    await register(key, { provider: 'deepseek', api_key: DRY_KEY, fallback_to_credits: true });
    const fellBack = await sdk(key).chat.completions.create({ model: 'deepseek-chat', messages: hello } as Body).withResponse();
    const standard = await sdk(key).chat.completions.create({ model: 'deepseek-chat', messages: hello, billing_mode: 'standard' } as Body).withResponse();
    expect(fellBack.response.headers.get('X-FindToken-Mode')).toBe('standard');
    expect(fellBack.response.headers.get('X-FindToken-Max-Tokens')).toBe(standard.response.headers.get('X-FindToken-Max-Tokens'));
    expect(fellBack.response.headers.get('X-FindToken-Max-Tokens')).toMatch(/^\d+$/);
  });

  it('streams the fallback: standard mode, the standard cost and balance in the usage chunk', async () => {
    const { key, accountId } = await createAccountWithKey();
    await register(key, { provider: 'deepseek', api_key: DRY_KEY, fallback_to_credits: true });
    const tag = uniqueTag();
    const response = await SELF.fetch(`${BASE}/v1/chat/completions`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ model: 'deepseek-chat', messages: hello, max_tokens: 100, stream: true, stream_options: { include_usage: true }, standin: { tag, ...MILLION_PROMPT } }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('X-FindToken-Mode')).toBe('standard');
    const { data } = await readSse(response);
    expect(data.at(-1)).toBe('[DONE]');
    expect(JSON.parse(data.at(-2)!).usage).toMatchObject({ cost: 0.1477, balance: 9.8523 });
    expect(await authorizationsOf(tag)).toEqual([
      ['deepseek', `Bearer ${DRY_KEY}`],
      ['deepseek', 'Bearer platform-key-deepseek'],
    ]);
    await drainOutbox(accountId);
    expect(await billingLog(key, response.headers.get('X-Request-Id')!)).toMatchObject({ mode: 'standard', fallback_reason: REFUSED, cost: 0.1477, stream: true });
    expect(await balanceOf(key)).toMatchObject({ balance: 9.8523, reserved: 0, byok: { requests: 0 } });
  });

  it('falls back from a key its provider rejects outright, naming the rejection', async () => {
    const { key, accountId } = await createAccountWithKey();
    await register(key, { provider: 'minimax', api_key: 'bad-key-minimax-0001', fallback_to_credits: true });
    const { response } = await sdk(key).chat.completions.create({ model: 'minimax-m2.5', messages: hello, max_tokens: 100 } as Body).withResponse();
    expect(response.headers.get('X-FindToken-Mode')).toBe('standard');
    await drainOutbox(accountId);
    expect((await billingLog(key, response.headers.get('X-Request-Id')!)).fallback_reason).toMatch(/^minimax key refused: rejected \(HTTP \d+\)$/);
  });

  it('answers 402 naming the refused key when credits do not cover the request as standard: nothing charged, the hold released', async () => {
    const { key, accountId } = await createAccountWithKey(0);
    await register(key, { provider: 'deepseek', api_key: DRY_KEY, fallback_to_credits: true });
    const tag = uniqueTag();
    expect(await refusal(key, { max_tokens: 100, standin: { tag } })).toEqual({
      status: 402,
      code: 'insufficient_credits',
      param: null,
      message: "402 Your deepseek key was refused and credits do not cover this request as standard: $0 is available, which does not cover this request's prompt and a single output token. Recharge, or shorten the prompt.",
      mode: null,
    });
    expect(await authorizationsOf(tag)).toEqual([['deepseek', `Bearer ${DRY_KEY}`]]);
    expect(await balanceOf(key)).toMatchObject({ balance: 0, reserved: 0 });
    expect((await accountObject(accountId).summary(Date.now())).openReservations).toBe(0);
    await expectMoneyInvariants(accountId);
  });
});

describe('failure windows: the re-authorization', () => {
  it('that the account object does not answer: 503 to retry, nothing charged, the BYOK hold released', async () => {
    const { key, accountId } = await createAccountWithKey();
    await register(key, { provider: 'deepseek', api_key: DRY_KEY, fallback_to_credits: true });
    const tag = uniqueTag();
    const quiet = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const { response, settled } = await chatThrough({ ACCOUNTS: accountsWhere('reauthorizeAsStandard', unreachable) }, key, { model: 'deepseek-chat', messages: hello, max_tokens: 100, standin: { tag } });
      expect(response.status).toBe(503);
      expect(response.headers.get('Retry-After')).toBe('1');
      expect(await response.json()).toEqual({
        error: { message: 'Your deepseek key was refused, and this request could not be moved to credits right now. Please retry.', type: 'server_error', param: null, code: 'provider_unavailable' },
      });
      await settled();
    } finally {
      quiet.mockRestore();
    }
    expect(await authorizationsOf(tag)).toEqual([['deepseek', `Bearer ${DRY_KEY}`]]);
    // Released as the BYOK request it still was: counted like any refused BYOK request, charged nothing.
    expect(await balanceOf(key)).toMatchObject({ balance: 10, reserved: 0, byok: { requests: 1 } });
    await expectMoneyInvariants(accountId);
  });
});

describe('no fallback', () => {
  it('without the flag: 400 invalid_provider_key, the platform key never called, nothing charged', async () => {
    const { key, accountId } = await createAccountWithKey();
    const stored = await register(key, { provider: 'deepseek', api_key: DRY_KEY });
    expect(stored.fallback_to_credits).toBe(false);
    const tag = uniqueTag();
    expect(await refusal(key, { max_tokens: 100, standin: { tag } })).toEqual({
      status: 400,
      code: 'invalid_provider_key',
      param: 'provider_key',
      message: '400 Your deepseek key did not work: deepseek reports that the account behind it is out of balance or quota.',
      mode: 'byok',
    });
    expect(await authorizationsOf(tag)).toEqual([['deepseek', `Bearer ${DRY_KEY}`]]);
    expect(await balanceOf(key)).toMatchObject({ balance: 10, reserved: 0 });
    await expectMoneyInvariants(accountId);
  });

  it('when the request asked for BYOK (billing_mode "byok"): 400, even with the flag', async () => {
    const { key } = await createAccountWithKey();
    await register(key, { provider: 'deepseek', api_key: DRY_KEY, fallback_to_credits: true });
    const tag = uniqueTag();
    expect(await refusal(key, { billing_mode: 'byok', max_tokens: 100, standin: { tag } })).toMatchObject({ status: 400, code: 'invalid_provider_key', mode: 'byok' });
    expect(await authorizationsOf(tag)).toEqual([['deepseek', `Bearer ${DRY_KEY}`]]);
    expect(await balanceOf(key)).toMatchObject({ balance: 10, reserved: 0 });
  });

  it('for an inline provider_key, even beside a registered key with the flag', async () => {
    const { key } = await createAccountWithKey();
    await register(key, { provider: 'deepseek', api_key: 'sk-registered-good-0001', fallback_to_credits: true });
    const tag = uniqueTag();
    expect(await refusal(key, { provider_key: { provider: 'deepseek', api_key: 'sk-dry-inline-0001' }, max_tokens: 100, standin: { tag } })).toMatchObject({
      status: 400,
      code: 'invalid_provider_key',
    });
    expect(await authorizationsOf(tag)).toEqual([['deepseek', 'Bearer sk-dry-inline-0001']]);
    expect(await balanceOf(key)).toMatchObject({ balance: 10, reserved: 0 });
  });
});

describe('registering fallback_to_credits', () => {
  it('is stored with the key and listed; absent, it is false', async () => {
    const { key } = await createAccountWithKey();
    const withFlag = await register(key, { provider: 'deepseek', api_key: 'sk-with-fallback-0001', fallback_to_credits: true });
    const without = await register(key, { provider: 'kimi', api_key: 'sk-no-fallback-00001' });
    expect([withFlag.fallback_to_credits, without.fallback_to_credits]).toEqual([true, false]);
    const listed = await (await apiRequest(key, 'GET', '/v1/user/byok/keys')).json<{ data: Array<{ id: string; fallback_to_credits: boolean }> }>();
    expect(listed.data.map((k) => [k.id, k.fallback_to_credits])).toEqual([
      [withFlag.id, true],
      [without.id, false],
    ]);
  });

  it('refuses a value that is not a boolean: 400 naming fallback_to_credits, nothing stored', async () => {
    const { key } = await createAccountWithKey();
    const response = await apiRequest(key, 'POST', '/v1/user/byok/register', { provider: 'deepseek', api_key: 'sk-with-fallback-0001', fallback_to_credits: 'yes' });
    expect(response.status).toBe(400);
    expect((await response.json<{ error: { code: string; param: string } }>()).error).toMatchObject({ code: 'invalid_value', param: 'fallback_to_credits' });
    expect((await (await apiRequest(key, 'GET', '/v1/user/byok/keys')).json<{ data: unknown[] }>()).data).toEqual([]);
  });
});
