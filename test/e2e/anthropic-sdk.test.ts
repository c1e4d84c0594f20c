/**
 * The README's Claude Code section, checked for real: the official Anthropic SDK against `npm run dev`
 * (baseURL the host, no /v1), with the key as Claude Code sends it (ANTHROPIC_AUTH_TOKEN: Bearer).
 */
import Anthropic from '@anthropic-ai/sdk';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { ADMIN, waitForDevServer } from './dev-server-process.ts';

const baseUrl = inject('devServerUrl');
let client: Anthropic;

beforeAll(async () => {
  await waitForDevServer(baseUrl, inject('devServerLog'));
  const account = (await (await fetch(`${baseUrl}/admin/v1/accounts`, { method: 'POST', headers: ADMIN, body: JSON.stringify({ email: 'claude-code@example.com' }) })).json()) as { id: string };
  await fetch(`${baseUrl}/admin/v1/accounts/${account.id}/credits`, { method: 'POST', headers: ADMIN, body: JSON.stringify({ amount: 10, reason: 'local development' }) });
  const key = (await (await fetch(`${baseUrl}/admin/v1/accounts/${account.id}/keys`, { method: 'POST', headers: ADMIN, body: JSON.stringify({ name: 'claude code' }) })).json()) as { key: string };
  client = new Anthropic({ authToken: key.key, apiKey: null, baseURL: baseUrl, maxRetries: 0 });
});

describe('the Anthropic SDK against npm run dev', () => {
  it('answers messages.create', async () => {
    const message = await client.messages.create({ model: 'deepseek-chat', max_tokens: 256, messages: [{ role: 'user', content: 'Hello!' }] });
    expect([message.type, message.model, message.stop_reason, message.content]).toEqual(['message', 'deepseek-chat', 'end_turn', [{ type: 'text', text: 'Hello from the deepseek stand-in.' }]]);
  });

  it('streams with messages.stream, Claude Code’s max_tokens clamped, the usage in the final message', async () => {
    const message = await client.messages.stream({ model: 'glm-4-flash', max_tokens: 32_000, messages: [{ role: 'user', content: 'Hello!' }] }).finalMessage();
    expect(message.content[0]?.type).toBe('text');
    expect(message.usage.output_tokens).toBeGreaterThan(0);
  });

  it('counts tokens', async () => {
    const counted = await client.messages.countTokens({ model: 'deepseek-chat', messages: [{ role: 'user', content: 'Hello!' }] });
    expect(counted.input_tokens).toBeGreaterThan(0);
  });

  it('refuses a Claude model with NotFoundError, naming the variables to set', async () => {
    const error = await client.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 16, messages: [{ role: 'user', content: 'Hello!' }] }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Anthropic.NotFoundError);
    expect((error as InstanceType<typeof Anthropic.NotFoundError>).message).toContain('ANTHROPIC_MODEL');
  });
});
