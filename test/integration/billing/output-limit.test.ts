/**
 * No request can cost more than it held: a request without max_tokens is sent
 * upstream with the output limit its hold covers (the model's cap, or the most
 * the balance affords), named in X-FindToken-Max-Tokens; what cannot be
 * afforded is a 402 naming the largest max_tokens that can.
 */
import { describe, expect, it } from 'vitest';
import { onePlus, parseRate } from '../../../src/base/cost';
import { findModel } from '../../../src/base/catalog';
import { chat, chatWithEnv, createAccountWithKey, hello, readSse, upstreamRequests } from '../helpers';
import { uniqueTag } from '../chat/provider-models';
import { freshAccount, requestContext } from '../account/fixtures';
import { setObjectVars } from '../account/object-vars';
import { accountObject, balanceOf } from './helpers';

const maxTokensSent = async (tag: string) => (await upstreamRequests(tag)).map((request) => [request.provider, request.body.max_tokens]);
const errorOf = async (response: Response) => (await response.json<{ error: { message: string; code: string } }>()).error;

describe('a request without max_tokens', () => {
  it('on $0.05 is served with the most output the balance affords, sent upstream and named in the header', async () => {
    // The user guide's example: deepseek-chat's whole cap (384,000 tokens) would hold $0.113434.
    const { key } = await createAccountWithKey(0.05);
    const tag = uniqueTag();
    const response = await chat(key, { model: 'deepseek-chat', messages: hello, standin: { tag } });
    expect(response.status).toBe(200);
    // 6 prompt tokens and 169,259 output tokens at $0.28/M + 5.5%: 4,999,999 units.
    expect(response.headers.get('X-FindToken-Max-Tokens')).toBe('169259');
    expect(await maxTokensSent(tag)).toEqual([['deepseek', 169_259]]);
    expect(await balanceOf(key)).toMatchObject({ reserved: 0 });
  });

  it('holds and sends the model’s output cap when the balance covers it, on a stream too', async () => {
    const { key } = await createAccountWithKey(1);
    const tag = uniqueTag();
    const response = await chat(key, { model: 'qwen-max', messages: hello, stream: true, standin: { tag } });
    expect(response.headers.get('X-FindToken-Max-Tokens')).toBe('8192');
    await readSse(response);
    expect(await maxTokensSent(tag)).toEqual([['qwen', 8_192]]);
  });

  it('is refused with 402 below the 16-token floor rather than cut short, naming what it affords', async () => {
    // 15 output tokens cost 532 units, 16 cost 561.
    const { key } = await createAccountWithKey(0.0000056);
    const tag = uniqueTag();
    const response = await chat(key, { model: 'deepseek-chat', messages: hello, standin: { tag } });
    expect(response.status).toBe(402);
    expect(await errorOf(response)).toMatchObject({
      code: 'insufficient_credits',
      message:
        'Insufficient credits: $0.000006 is available, enough for at most 15 output tokens; without max_tokens a request needs room for at least 16 rather than be cut short. Recharge, or set max_tokens to 15 or less.',
    });
    expect(await upstreamRequests(tag)).toEqual([]);
    const chosen = await chat(key, { model: 'deepseek-chat', messages: hello, max_tokens: 15, standin: { tag } });
    expect(chosen.status).toBe(200);
    expect(await maxTokensSent(tag)).toEqual([['deepseek', 15]]);
  });

  it('counts an image in the prompt estimate, so the hold leaves less for output', async () => {
    const { key } = await createAccountWithKey(0.05);
    const tag = uniqueTag();
    const messages = [{ role: 'user', content: [{ type: 'text', text: 'What is this?' }, { type: 'image_url', image_url: { url: 'https://example.com/cat.png' } }] }];
    const response = await chat(key, { model: 'deepseek-chat', messages, standin: { tag } });
    // 4 + 5 text tokens + 2,048 for the image: 168,233 output tokens fit in $0.05 (169,259 without the image).
    expect(response.headers.get('X-FindToken-Max-Tokens')).toBe('168233');
    expect(await maxTokensSent(tag)).toEqual([['deepseek', 168_233]]);
  });

  it('keeps its limit on failover, within each model’s cap, raising the hold for a pricier model', async () => {
    // $1 holds deepseek-chat's cap ($0.113434); kimi-k2's 32,768 tokens at $4/M need $0.138285, a raised hold.
    const { key } = await createAccountWithKey(1);
    const tag = uniqueTag();
    const failing = { scenario: 'error', error: 'auth' };
    const standin = { tag, providers: { deepseek: failing, qwen: failing, zhipu: failing } };
    const response = await chat(key, { model: 'deepseek-chat', messages: hello, routing: 'fallback', standin });
    expect(response.status).toBe(200);
    expect(response.headers.get('X-FindToken-Model')).toBe('kimi-k2');
    expect(response.headers.get('X-FindToken-Max-Tokens')).toBe('32768');
    expect(await maxTokensSent(tag)).toEqual([
      ['deepseek', 384_000],
      ['qwen', 8_192],
      ['zhipu', 4_096],
      ['kimi', 32_768],
    ]);
  });

  it('skips a failover whose worst case at that limit the balance cannot hold', async () => {
    // $0.05 holds 169,259 deepseek-chat tokens; qwen-max's 8,192 would need $0.055321: skipped; glm-4-plus's 4,096 fit.
    const { key } = await createAccountWithKey(0.05);
    const tag = uniqueTag();
    const standin = { tag, providers: { deepseek: { scenario: 'error', error: 'auth' } } };
    const response = await chat(key, { model: 'deepseek-chat', messages: hello, routing: 'fallback', standin });
    expect(response.headers.get('X-FindToken-Model')).toBe('glm-4-plus');
    expect(response.headers.get('X-FindToken-Max-Tokens')).toBe('4096');
    expect(await maxTokensSent(tag)).toEqual([
      ['deepseek', 169_259],
      ['zhipu', 4_096],
    ]);
  });
});

describe('a request with max_tokens', () => {
  it('is sent upstream as asked, with no X-FindToken-Max-Tokens', async () => {
    const { key } = await createAccountWithKey(1);
    const tag = uniqueTag();
    const response = await chat(key, { model: 'deepseek-chat', messages: hello, max_completion_tokens: 50, standin: { tag } });
    expect(response.status).toBe(200);
    expect(response.headers.get('X-FindToken-Max-Tokens')).toBeNull();
    expect(await maxTokensSent(tag)).toEqual([['deepseek', 50]]);
  });

  it('that cannot be afforded is a 402 naming the largest max_tokens that can', async () => {
    const { key } = await createAccountWithKey(0.0001);
    const tag = uniqueTag();
    const response = await chat(key, { model: 'deepseek-chat', messages: hello, max_tokens: 1_000, standin: { tag } });
    expect(response.status).toBe(402);
    expect(await errorOf(response)).toMatchObject({
      code: 'insufficient_credits',
      message: 'Insufficient credits: this request may cost up to $0.000296 and $0.0001 is available; the largest max_tokens it affords is 335. Recharge, or set max_tokens to 335 or less.',
    });
    expect(await upstreamRequests(tag)).toEqual([]);
  });
});

describe('BYOK', () => {
  const byokBody = (tag: string) => ({ model: 'deepseek-chat', messages: hello, provider_key: { provider: 'deepseek', api_key: 'sk-user-outputcap-0001' }, standin: { tag } });

  it('in the free tier holds nothing and sends no output limit of its own', async () => {
    const { key } = await createAccountWithKey(0);
    const tag = uniqueTag();
    const response = await chat(key, byokBody(tag));
    expect(response.status).toBe(200);
    expect(response.headers.get('X-FindToken-Mode')).toBe('byok');
    expect(response.headers.get('X-FindToken-Max-Tokens')).toBeNull();
    expect(await maxTokensSent(tag)).toEqual([['deepseek', undefined]]);
  });

  it('past the free tier is limited to the output whose routing fee the balance affords', async () => {
    const { key, accountId } = await createAccountWithKey(0.0001);
    await setObjectVars(accountObject(accountId), { BYOK_FREE_REQUESTS_PER_MONTH: '0' });
    const tag = uniqueTag();
    const response = await chatWithEnv(key, byokBody(tag), { BYOK_FREE_REQUESTS_PER_MONTH: '0' });
    expect(response.status).toBe(200);
    // 5% of 6 prompt tokens at $0.14/M and 7,140 output tokens at $0.28/M: 10,000 units.
    expect(response.headers.get('X-FindToken-Max-Tokens')).toBe('7140');
    expect(await maxTokensSent(tag)).toEqual([['deepseek', 7_140]]);
  });
});

describe('the account object sizes each hold from what the others leave', () => {
  const deepseek = findModel('deepseek-chat')!;
  const NOW = Date.UTC(2026, 10, 25, 12, 0, 30);
  const terms = { promptTokens: 6, price: deepseek.price, multiplier: onePlus(parseRate('0.055')), cap: deepseek.maxOutputTokens };
  const authorize = (stub: ReturnType<typeof freshAccount>['stub'], requestId: string) => stub.authorize({ requestId, terms, context: requestContext(NOW), now: NOW });

  it('grants the cap, then what is left, then refuses; a replay gets its own grant back', async () => {
    const { stub } = freshAccount();
    await stub.adjust({ amount: 20_000_000, reason: 'test', now: NOW });
    expect(await authorize(stub, 'req_a')).toEqual({ ok: true, balance: 20_000_000, reserved: 11_343_449, replay: false, maxTokens: 384_000 });
    expect(await authorize(stub, 'req_b')).toEqual({ ok: true, balance: 20_000_000, reserved: 19_999_998, replay: false, maxTokens: 293_042 });
    expect(await authorize(stub, 'req_c')).toEqual({ ok: false, reason: 'insufficient_credits', available: 2, required: 561, affordableMaxTokens: 0, floor: 16 });
    expect(await authorize(stub, 'req_b')).toMatchObject({ ok: true, replay: true, maxTokens: 293_042 });
  });
});
