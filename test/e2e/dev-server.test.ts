/**
 * The README's promise, checked for real: `npm run dev` on a fresh checkout
 * serves the quick-start requests offline, and the official OpenAI SDK works
 * against it (chat, streams with and without usage, tools, and its error classes).
 */
import OpenAI from 'openai';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { ADMIN, waitForDevServer } from './dev-server-process.ts';

const baseUrl = inject('devServerUrl');
let apiKey: string;

beforeAll(async () => {
  await waitForDevServer(baseUrl, inject('devServerLog'));
  // The README's first steps: an account, some credits and a key through the admin API.
  const account = (await (await fetch(`${baseUrl}/admin/v1/accounts`, { method: 'POST', headers: ADMIN, body: JSON.stringify({ email: 'dev@example.com' }) })).json()) as { id: string };
  await fetch(`${baseUrl}/admin/v1/accounts/${account.id}/credits`, { method: 'POST', headers: ADMIN, body: JSON.stringify({ amount: 10, reason: 'local development' }) });
  const key = (await (await fetch(`${baseUrl}/admin/v1/accounts/${account.id}/keys`, { method: 'POST', headers: ADMIN, body: JSON.stringify({ name: 'quick start' }) })).json()) as { key: string };
  apiKey = key.key;
});

describe('npm run dev serves the quick start offline', () => {
  it('issues an sk-ft_ key through the admin API', () => {
    expect(apiKey).toMatch(/^sk-ft_[0-9a-f]{64}$/);
  });

  it('answers a chat completion', async () => {
    const response = await fetch(`${baseUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${apiKey}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ model: 'deepseek-chat', messages: [{ role: 'user', content: 'Hello!' }] }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-findtoken-provider')).toBe('deepseek');
    expect(response.headers.get('x-findtoken-mode')).toBe('standard');
    expect(Number(response.headers.get('x-findtoken-balance'))).toBeLessThan(10);
    const body = (await response.json()) as { choices: Array<{ message: { content: string } }> };
    expect(body.choices[0]?.message.content).toBe('Hello from the deepseek stand-in.');
  });

  it('streams a chat completion ending in [DONE]', async () => {
    const response = await fetch(`${baseUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${apiKey}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ model: 'glm-4-flash', stream: true, messages: [{ role: 'user', content: 'Hello!' }] }),
    });
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const text = await response.text();
    expect(text.trimEnd().endsWith('data: [DONE]')).toBe(true);
  });

  it('shows the balance', async () => {
    const response = await fetch(`${baseUrl}/v1/user/balance`, { headers: { Authorization: `Bearer ${apiKey}` } });
    expect(((await response.json()) as { currency: string }).currency).toBe('USD');
  });

  it('lists the models', async () => {
    const response = await fetch(`${baseUrl}/v1/models`, { headers: { Authorization: `Bearer ${apiKey}` } });
    const body = (await response.json()) as { object: string; data: Array<{ id: string }> };
    expect(body.object).toBe('list');
    expect(body.data.map((m) => m.id)).toContain('kimi-k2');
  });
});

describe('recharging without Stripe on the dev server', () => {
  it('opens the local checkout page, pays, and credits the balance through the signed webhook', async () => {
    const auth = { Authorization: `Bearer ${apiKey}`, 'Content-Type': 'application/json' };
    const balance = async () => ((await (await fetch(`${baseUrl}/v1/user/balance`, { headers: auth })).json()) as { balance: number }).balance;
    const before = await balance();
    const opened = await fetch(`${baseUrl}/v1/user/credits`, { method: 'POST', headers: auth, body: JSON.stringify({ amount: 10, success_url: 'http://localhost:3000/ok', cancel_url: 'http://localhost:3000/no' }) });
    expect(opened.status).toBe(201);
    const { checkout_url: checkoutUrl } = (await opened.json()) as { checkout_url: string };
    expect(await (await fetch(checkoutUrl)).text()).toContain('Pay $10');
    const paid = await fetch(`${checkoutUrl}/pay`, { method: 'POST', redirect: 'manual' });
    expect(paid.status).toBe(303);
    expect(paid.headers.get('location')).toBe('http://localhost:3000/ok');
    expect(await balance()).toBeCloseTo(before + 10, 6);
  });
});

describe('the health cron under wrangler dev --test-scheduled', () => {
  it('runs on /__scheduled and records every provider as up, for the operator and the public status', async () => {
    const fired = await fetch(`${baseUrl}/__scheduled?cron=${encodeURIComponent('*/5 * * * *')}`);
    expect(fired.status).toBe(200);
    type Providers = { data: Array<{ provider: string; status: string; last_checked_at: number | null }> };
    // The scheduled handler runs its jobs after answering: wait for the checks to land.
    let admin: Providers = { data: [] };
    for (let i = 0; i < 50; i++) {
      admin = (await (await fetch(`${baseUrl}/admin/v1/providers`, { headers: ADMIN })).json()) as Providers;
      if (admin.data.every((p) => p.last_checked_at !== null)) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(admin.data.map((p) => [p.provider, p.status, typeof p.last_checked_at])).toEqual([
      ['deepseek', 'up', 'number'],
      ['zhipu', 'up', 'number'],
      ['minimax', 'up', 'number'],
      ['qwen', 'up', 'number'],
      ['kimi', 'up', 'number'],
      ['stepfun', 'up', 'number'],
    ]);
    const status = (await (await fetch(`${baseUrl}/v1/status`)).json()) as { status: string };
    expect(status.status).toBe('operational');
  });
});

describe('the official OpenAI SDK against the dev server', () => {
  const client = () => new OpenAI({ apiKey, baseURL: `${baseUrl}/v1`, maxRetries: 0 });

  it('completes a chat', async () => {
    const completion = await client().chat.completions.create({ model: 'qwen-max', messages: [{ role: 'user', content: 'Hello!' }] });
    expect(completion.choices[0]?.message.content).toBe('Hello from the qwen stand-in.');
    expect(completion.model).toBe('qwen-max');
    expect(completion.usage?.total_tokens).toEqual(expect.any(Number));
  });

  it('streams without usage', async () => {
    const stream = await client().chat.completions.create({ model: 'kimi-k2', stream: true, messages: [{ role: 'user', content: 'Hello!' }] });
    let text = '';
    let usageChunks = 0;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      if (chunk.usage) usageChunks++;
    }
    expect(text).toBe('Hello from the kimi stand-in.');
    expect(usageChunks).toBe(0);
  });

  it('streams with include_usage and gets the usage chunk last', async () => {
    const stream = await client().chat.completions.create({
      model: 'minimax-m2.5',
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'Hello!' }],
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    const last = chunks.at(-1);
    expect(last?.choices).toEqual([]);
    expect(last?.usage).toMatchObject({ prompt_tokens: expect.any(Number), completion_tokens: expect.any(Number), total_tokens: expect.any(Number) });
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe('Hello from the minimax stand-in.');
  });

  it('calls a tool', async () => {
    const completion = await client().chat.completions.create({
      model: 'deepseek-chat',
      messages: [{ role: 'user', content: 'What is the weather in Paris?' }],
      tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { location: { type: 'string' } } } } }],
      // @ts-expect-error the stand-in's switch, passed through like any unknown field
      standin: { scenario: 'tool_call' },
    });
    const call = completion.choices[0]?.message.tool_calls?.[0];
    expect(call?.type).toBe('function');
    expect(call?.type === 'function' && call.function).toEqual({ name: 'get_weather', arguments: '{"location":"Paris"}' });
    expect(completion.choices[0]?.finish_reason).toBe('tool_calls');
  });

  it('raises AuthenticationError for a bad key', async () => {
    const bad = new OpenAI({ apiKey: `sk-ft_${'0'.repeat(64)}`, baseURL: `${baseUrl}/v1`, maxRetries: 0 });
    const error = await bad.chat.completions.create({ model: 'deepseek-chat', messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    expect((error as InstanceType<typeof OpenAI.AuthenticationError>).code).toBe('invalid_api_key');
  });

  it('raises BadRequestError naming the field', async () => {
    const error = await client().chat.completions.create({ model: 'deepseek-chat', messages: [], temperature: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).param).toBe('messages');
  });

  it('raises NotFoundError for an unknown model', async () => {
    const error = await client().chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    expect((error as InstanceType<typeof OpenAI.NotFoundError>).code).toBe('model_not_found');
  });
});
