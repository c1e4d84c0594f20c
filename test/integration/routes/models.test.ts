import { describe, expect, it } from 'vitest';
import { CATALOG } from '../../../src/base/catalog';
import { apiRequest, createAccountWithKey } from '../helpers';

describe('GET /v1/models', () => {
  it('lists every catalog model in OpenAI list format with provider, context and prices', async () => {
    const { key } = await createAccountWithKey();
    const response = await apiRequest(key, 'GET', '/v1/models');
    expect(response.status).toBe(200);
    const body = await response.json<{ object: string; data: Array<Record<string, unknown>> }>();
    expect(body.object).toBe('list');
    expect(body.data.map((m) => m.id)).toEqual(CATALOG.map((m) => m.id));
    expect(body.data.find((m) => m.id === 'deepseek-chat')).toEqual({
      id: 'deepseek-chat',
      object: 'model',
      created: 1_777_000_000,
      owned_by: 'deepseek',
      provider: 'deepseek',
      context_length: 1_000_000,
      max_output_tokens: 384_000,
      pricing: { currency: 'USD', unit: '1M tokens', input: '0.14', output: '0.28', cached_input: '0.0028' },
      capabilities: { tools: true, reasoning: false },
      group: 'general-chat',
      // UPSTREAM_TIMEOUT_MS is 1500 in the tests.
      timeout_ms: 1500,
    });
  });

  it('gives reasoning models four times the non-streaming limit of chat models', async () => {
    const { key } = await createAccountWithKey();
    const { data } = await (await apiRequest(key, 'GET', '/v1/models')).json<{ data: Array<{ id: string; timeout_ms: number }> }>();
    expect(Object.fromEntries(data.map((m) => [m.id, m.timeout_ms]))).toEqual({
      'deepseek-chat': 1500,
      'deepseek-coder': 1500,
      'deepseek-reasoner': 6000,
      'qwen-max': 1500,
      'qwen-turbo': 1500,
      'glm-4-plus': 1500,
      'glm-4-flash': 1500,
      'kimi-k2': 6000,
      'minimax-m2.5': 6000,
      'step-3.5-flash': 6000,
    });
  });

  it('shows a model without a cached price as null', async () => {
    const { key } = await createAccountWithKey();
    const model = await (await apiRequest(key, 'GET', '/v1/models/glm-4-plus')).json<{ pricing: unknown }>();
    expect(model.pricing).toEqual({ currency: 'USD', unit: '1M tokens', input: '0.5', output: '0.5', cached_input: null });
  });

  it('answers 404 model_not_found for an unknown model', async () => {
    const { key } = await createAccountWithKey();
    const response = await apiRequest(key, 'GET', '/v1/models/gpt-5');
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      error: {
        message: "The model 'gpt-5' does not exist. GET /v1/models lists the available models.",
        type: 'invalid_request_error',
        param: 'model',
        code: 'model_not_found',
      },
    });
  });
});
