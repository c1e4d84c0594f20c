/**
 * A request in the shape Claude Code sends (test/fixtures/claude-code-request.json: system blocks with
 * cache_control, 16 tools with JSON schemas, a history of tool_use / tool_result turns with thinking,
 * metadata, max_tokens 32000, the anthropic-beta header, ?beta=true) passes through the worker.
 */
import { SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import recorded from '../../fixtures/claude-code-request.json';
import { uniqueTag } from '../chat/provider-models';
import { BASE, createAccountWithKey, upstreamRequests } from '../helpers';

/** The recorded request with the stand-in's tag in a system block of its own, as Claude Code sends it (Bearer). */
async function send(key: string, tag: string, changes: Record<string, unknown> = {}) {
  const system = [...recorded.body.system, { type: 'text', text: `<standin>${JSON.stringify({ tag, reasoning: 'Run the tests.' })}</standin>` }];
  return SELF.fetch(`${BASE}${recorded.path}`, {
    method: 'POST',
    headers: { ...recorded.headers, authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ ...recorded.body, system, thinking: { type: 'enabled', budget_tokens: 10_000 }, ...changes }),
  });
}

describe('a Claude Code request', () => {
  it('streams an answer that ends in message_delta and message_stop', async () => {
    const { key } = await createAccountWithKey();
    const response = await send(key, uniqueTag());
    expect(response.status).toBe(200);
    const events = [...(await response.text()).matchAll(/^event: (\w+)$/gm)].map((match) => match[1]);
    expect(events.slice(-2)).toEqual(['message_delta', 'message_stop']);
    expect(events).toContain('content_block_start');
  });

  it('reaches the provider as a chat request: its system, every tool, the history with reasoning, max_tokens', async () => {
    const { key } = await createAccountWithKey();
    const tag = uniqueTag();
    await (await send(key, tag)).text();
    const [sent] = await upstreamRequests(tag);
    const body = sent!.body as { messages: Array<Record<string, unknown>>; tools: unknown[]; max_tokens: number; metadata?: unknown; thinking?: unknown };
    expect(body.messages.map((message) => message.role)).toEqual(['system', 'user', 'assistant', 'tool', 'assistant', 'tool', 'assistant', 'tool', 'tool', 'user']);
    expect(body.messages.filter((message) => message.role === 'assistant').map((message) => message.reasoning_content)).toEqual([
      'I should look at the file and the test first.',
      'The bug is the minus sign; run the tests to confirm.',
      'Confirmed. Edit the operator.',
    ]);
    expect(body.messages[5]).toEqual({ role: 'tool', tool_call_id: 'toolu_01B7x5s2Lm3wQ9kP4rT8uV1', content: 'Error: FAIL test/sum.test.ts\n  expected 3, received -1' });
    expect([body.tools.length, body.max_tokens, body.metadata]).toEqual([16, 32_000, undefined]);
    // The catalog's thinking mode, not the client's budget.
    expect(body.thinking).toEqual({ type: 'enabled' });
  });

  it('is refused with a 404 naming the model variables when it asks for a Claude model', async () => {
    const { key } = await createAccountWithKey();
    const response = await send(key, uniqueTag(), { model: 'claude-sonnet-4-5-20250929' });
    const body = await response.json<{ type: string; error: { type: string; message: string } }>();
    expect([response.status, body.type, body.error.type]).toEqual([404, 'error', 'not_found_error']);
    expect(body.error.message).toContain('ANTHROPIC_DEFAULT_HAIKU_MODEL');
  });
});
