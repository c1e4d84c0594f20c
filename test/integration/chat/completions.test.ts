import { SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { BASE, chat, createAccountWithKey, hello, upstreamRequests } from '../helpers';
import { MODEL_BY_PROVIDER, uniqueTag } from './provider-models';

describe('POST /v1/chat/completions (non-streaming)', () => {
  it.each(MODEL_BY_PROVIDER)('answers through %s with OpenAI-shaped body, normalized usage and served-model headers', async (provider, model) => {
    const { key } = await createAccountWithKey();
    const response = await chat(key, {
      model,
      messages: hello,
      standin: { usage: { prompt_tokens: 12, completion_tokens: 5, cached_tokens: 4 } },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('X-FindToken-Provider')).toBe(provider);
    expect(response.headers.get('X-FindToken-Model')).toBe(model);
    expect(response.headers.get('X-Request-Id')).toMatch(/^req_/);
    const body = await response.json<Record<string, unknown>>();
    // Fields a provider adds (system_fingerprint, logprobs) pass through; ours must be exact.
    expect(body).toMatchObject({
      id: expect.any(String),
      object: 'chat.completion',
      created: expect.any(Number),
      model,
      choices: [{ index: 0, message: { role: 'assistant', content: `Hello from the ${provider} stand-in.` }, finish_reason: 'stop' }],
      usage: {
        prompt_tokens: 12,
        completion_tokens: 5,
        total_tokens: 17,
        prompt_tokens_details: { cached_tokens: 4 },
        completion_tokens_details: { reasoning_tokens: 0 },
      },
    });
  });

  it.each(MODEL_BY_PROVIDER)('sends %s the platform key, the upstream model id and nothing of find-token', async (provider, model, upstreamModel) => {
    const { key } = await createAccountWithKey();
    const tag = uniqueTag();
    const response = await chat(key, {
      model,
      messages: [
        { role: 'developer', content: 'Be brief.' },
        { role: 'user', content: 'Hi' },
      ],
      routing: 'auto',
      max_completion_tokens: 100,
      stop: ['\n\n'],
      user: 'end-user-7',
      response_format: { type: 'json_object' },
      some_future_field: { keep: true },
      standin: { tag },
    });
    expect(response.status).toBe(200);
    const [received] = await upstreamRequests(tag);
    expect(received?.provider).toBe(provider);
    expect(received?.headers.authorization).toBe(`Bearer platform-key-${provider}`);
    expect(received?.body).toMatchObject({
      model: upstreamModel,
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hi' },
      ],
      max_tokens: 100,
      stop: ['\n\n'],
      user: 'end-user-7',
      response_format: { type: 'json_object' },
      some_future_field: { keep: true },
      stream: false,
    });
    expect(received?.body).not.toHaveProperty('routing');
    expect(received?.body).not.toHaveProperty('provider_key');
    expect(received?.body).not.toHaveProperty('max_completion_tokens');
    expect(received?.body).not.toHaveProperty('stream_options');
  });

  it('maps deepseek-chat to V4 Flash with thinking off', async () => {
    const { key } = await createAccountWithKey();
    const tag = uniqueTag();
    await chat(key, { model: 'deepseek-chat', messages: hello, standin: { tag } });
    const [received] = await upstreamRequests(tag);
    expect(received?.body).toMatchObject({ model: 'deepseek-v4-flash', thinking: { type: 'disabled' } });
  });

  it('clamps parameters a provider would reject (zhipu temperature 0, top_p 1)', async () => {
    const { key } = await createAccountWithKey();
    const tag = uniqueTag();
    const response = await chat(key, { model: 'glm-4-plus', messages: hello, temperature: 0, top_p: 1, standin: { tag } });
    expect(response.status).toBe(200);
    const [received] = await upstreamRequests(tag);
    expect(received?.body).toMatchObject({ temperature: 0.01, top_p: 0.99 });
  });

  it('clamps a MiniMax temperature of 0 that MiniMax would refuse', async () => {
    const { key } = await createAccountWithKey();
    const response = await chat(key, { model: 'minimax-m2.5', messages: hello, temperature: 0 });
    expect(response.status).toBe(200);
  });

  it('returns a tool call', async () => {
    const { key } = await createAccountWithKey();
    const response = await chat(key, {
      model: 'deepseek-chat',
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
      tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { location: { type: 'string' } } } } }],
      tool_choice: 'auto',
      standin: { scenario: 'tool_call' },
    });
    expect(response.status).toBe(200);
    const body = await response.json<{ choices: Array<{ message: { tool_calls: unknown[] }; finish_reason: string }> }>();
    expect(body.choices[0]?.finish_reason).toBe('tool_calls');
    expect(body.choices[0]?.message.tool_calls).toEqual([
      { id: expect.stringMatching(/^call_/), type: 'function', function: { name: 'get_weather', arguments: '{"location":"Paris"}' } },
    ]);
  });

  it('passes a tool result conversation through', async () => {
    const { key } = await createAccountWithKey();
    const tag = uniqueTag();
    const messages = [
      { role: 'user', content: 'Weather in Paris?' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"location":"Paris"}' } }] },
      { role: 'tool', tool_call_id: 'call_1', content: '{"temp":21}' },
    ];
    const response = await chat(key, { model: 'kimi-k2', messages, standin: { tag } });
    expect(response.status).toBe(200);
    const [received] = await upstreamRequests(tag);
    expect(received?.body.messages).toEqual(messages);
  });

  it("moves StepFun's `reasoning` into reasoning_content", async () => {
    const { key } = await createAccountWithKey();
    const response = await chat(key, { model: 'step-3.5-flash', messages: hello, standin: { reasoning: 'Think first.' } });
    const body = await response.json<{ choices: Array<{ message: Record<string, unknown> }> }>();
    expect(body.choices[0]?.message).toEqual({ role: 'assistant', content: 'Hello from the stepfun stand-in.', reasoning_content: 'Think first.' });
  });

  it('counts reasoning tokens the provider reports', async () => {
    const { key } = await createAccountWithKey();
    const response = await chat(key, { model: 'deepseek-reasoner', messages: hello, standin: { reasoning: 'Think first.' } });
    const body = await response.json<{ choices: Array<{ message: Record<string, unknown> }>; usage: Record<string, unknown> }>();
    expect(body.choices[0]?.message).toMatchObject({ content: 'Hello from the deepseek stand-in.', reasoning_content: 'Think first.' });
    expect(body.usage).toEqual({
      prompt_tokens: 2,
      completion_tokens: 12,
      total_tokens: 14,
      prompt_tokens_details: { cached_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 3 },
    });
  });

  it('reads a DeepSeek answer preceded by keep-alive blank lines', async () => {
    const { key } = await createAccountWithKey();
    const response = await chat(key, { model: 'deepseek-chat', messages: hello, standin: { scenario: 'keepalive' } });
    expect(response.status).toBe(200);
    expect((await response.json<{ choices: Array<{ message: { content: string } }> }>()).choices[0]?.message.content).toBe('Hello from the deepseek stand-in.');
  });
});

describe('client disconnects (non-streaming)', () => {
  it('aborts the upstream call when the client goes away', async () => {
    const { key } = await createAccountWithKey();
    const tag = uniqueTag();
    const controller = new AbortController();
    const pending = SELF.fetch(`${BASE}/v1/chat/completions`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ model: 'deepseek-chat', messages: hello, standin: { tag, scenario: 'hang' } }),
      signal: controller.signal,
    }).catch((error: unknown) => error);
    for (let i = 0; i < 50 && (await upstreamRequests(tag)).length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    controller.abort();
    await pending;
    // Well inside the 1.5 s upstream timeout, so only the client's abort can have closed it.
    let outcome: string | undefined;
    for (let i = 0; i < 15 && outcome !== 'closed_early'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      outcome = ((await upstreamRequests(tag))[0] as { outcome?: string } | undefined)?.outcome;
    }
    expect(outcome).toBe('closed_early');
  });
});
