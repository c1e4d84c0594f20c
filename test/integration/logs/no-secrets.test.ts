/**
 * The logs of a representative run — sign-up with its emailed link, keys, chat (JSON and stream, a registered
 * and an inline provider key), a failing upstream, Anthropic's Messages, a Stripe webhook, admin calls, a
 * cron run — are JSON lines with a kind, and none carries a secret or an address used on the way.
 */
import { createExecutionContext, createScheduledController, env, SELF, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it, vi } from 'vitest';
import worker from '../../../src/index';
import { CRON_HEALTH_CHECKS } from '../../../src/jobs/scheduled';
import { adminRequest, apiRequest, BASE, chat, createAccountWithKey, hello, readSse } from '../helpers';
import { paidAccount } from '../payments/helpers';
import { signedIn } from '../web/browser';

describe('the logs', () => {
  it('are JSON lines with a kind, and name no key, token, secret or address', async () => {
    const lines: string[] = [];
    const spies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((level) =>
      vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
        lines.push(args.map(String).join(' '));
      }),
    );
    const secrets: string[] = [env.ADMIN_TOKEN!, env.STRIPE_WEBHOOK_SECRET!, Reflect.get(env, 'STRIPE_SECRET_KEY') as string, 'platform-key-deepseek'];
    try {
      // Sign-up and sign-in through the emailed link.
      const web = await signedIn(`logs-${crypto.randomUUID()}@example.com`);
      const { data: outbox } = await (await adminRequest('GET', '/outbox')).json<{ data: Array<{ to: string; text: string }> }>();
      const link = /https:\/\/\S+\/auth\/activate\?token=([0-9a-f]{64})/.exec(outbox.find((m) => m.to === web.email)!.text)!;
      secrets.push(web.email, link[0], link[1]!);

      // Keys: one made by the operator, one by the API.
      const account = await createAccountWithKey();
      const made = await (await apiRequest(account.key, 'POST', '/v1/user/keys', { name: 'second' })).json<{ key: string }>();
      secrets.push(account.key, made.key);

      // Chat with a registered provider key (JSON) and an inline one (a stream), and an inline key the provider refuses.
      const registered = 'sk-registered-logscan-0001';
      const inline = 'sk-inline-logscan-0002';
      const refusedKey = 'sk-refused-logscan-0003';
      secrets.push(registered, inline, refusedKey);
      expect((await apiRequest(account.key, 'POST', '/v1/user/byok/register', { provider: 'deepseek', api_key: registered })).status).toBe(201);
      expect((await chat(made.key, { model: 'deepseek-chat', messages: hello })).headers.get('X-FindToken-Mode')).toBe('byok');
      const stream = await chat(made.key, { model: 'qwen-max', messages: hello, stream: true, provider_key: { provider: 'qwen', api_key: inline } });
      expect(stream.status).toBe(200);
      await readSse(stream);
      const refused = await chat(made.key, { model: 'kimi-k2', messages: hello, provider_key: { provider: 'kimi', api_key: refusedKey }, standin: { scenario: 'error', error: 'auth' } });
      expect(refused.status).toBeGreaterThanOrEqual(400);
      await refused.text();

      // A failing upstream on the platform's key (its error page quotes a secret): retried, then failed over.
      const failing = await chat(account.key, {
        model: 'qwen-max',
        messages: hello,
        routing: 'fallback',
        standin: { providers: { qwen: { status: 502, body: `<html><body>Bad Gateway ${env.ADMIN_TOKEN}</body></html>` } } },
      });
      expect([failing.status, failing.headers.get('X-FindToken-Model')]).toEqual([200, expect.not.stringMatching(/^qwen/)]);
      await failing.text();

      // Anthropic's Messages API, keyed by x-api-key.
      const messages = await SELF.fetch(`${BASE}/v1/messages`, {
        method: 'POST',
        headers: { 'x-api-key': account.key, 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
        body: JSON.stringify({ model: 'deepseek-chat', max_tokens: 64, messages: hello }),
      });
      expect(messages.status).toBe(200);
      await messages.text();

      // A recharge Stripe reports paid, through the signed webhook.
      const paid = await paidAccount(20);
      secrets.push(paid.key);

      // A cron run.
      const ctx = createExecutionContext();
      await worker.scheduled(createScheduledController({ cron: CRON_HEALTH_CHECKS, scheduledTime: Date.now() }), env, ctx);
      await waitOnExecutionContext(ctx);
    } finally {
      for (const spy of spies) spy.mockRestore();
    }

    const parsed = lines.map((line) => JSON.parse(line) as { kind?: unknown });
    for (const line of parsed) expect(line.kind).toEqual(expect.any(String));
    const kinds = new Set(parsed.map((line) => line.kind));
    for (const kind of ['request', 'mail.outbox', 'job']) expect(kinds).toContain(kind);
    for (const secret of secrets) expect(lines.filter((line) => line.includes(secret))).toEqual([]);
  });
});
