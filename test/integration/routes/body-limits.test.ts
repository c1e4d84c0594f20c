/** Every body is bounded before it is read: 413 request_too_large, counted as it streams when no length is declared. */
import { SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { BASE, createAccountWithKey, fetchWithEnv } from '../helpers';

const tooLarge = (limit: number) => ({ error: { message: `The request body is larger than ${limit} bytes.`, type: 'invalid_request_error', param: null, code: 'request_too_large' } });

/** A body of `total` bytes with no Content-Length, made as it is pulled; `pulled()` says how much was read. */
function lazyBody(total: number, chunk = 64 * 1024) {
  let sent = 0;
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (sent >= total) return controller.close();
        const size = Math.min(chunk, total - sent);
        sent += size;
        controller.enqueue(new Uint8Array(size).fill(0x20));
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, pulled: () => sent };
}

describe('body limits', () => {
  it('refuses a Stripe webhook over 256 KiB before verifying it', async () => {
    const response = await SELF.fetch(`${BASE}/webhooks/stripe`, { method: 'POST', headers: { 'Stripe-Signature': 't=1,v1=00' }, body: 'x'.repeat(256 * 1024 + 1) });
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual(tooLarge(256 * 1024));
  });

  it('refuses a 60 MB webhook without Content-Length without buffering it', async () => {
    const body = lazyBody(60 * 1024 * 1024);
    const response = await SELF.fetch(`${BASE}/webhooks/stripe`, { method: 'POST', headers: { 'Stripe-Signature': 't=1,v1=00' }, body: body.stream });
    expect(response.status).toBe(413);
    expect(body.pulled()).toBeLessThan(8 * 1024 * 1024);
  });

  it('refuses a web form over 64 KiB with a page that says so', async () => {
    const response = await SELF.fetch(`${BASE}/auth/signup`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: `email=a%40example.com&pad=${'x'.repeat(64 * 1024)}`,
    });
    expect(response.status).toBe(413);
    expect(response.headers.get('Content-Type')).toMatch(/^text\/html/);
    expect(await response.text()).toContain('The request body is larger than 65536 bytes.');
  });

  it('bounds the other /v1 routes at 64 KiB, whatever chat allows, streamed or declared', async () => {
    const { key } = await createAccountWithKey();
    const roomyChat = { MAX_BODY_BYTES: String(4 * 1024 * 1024) };
    const headers = { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' };
    const declared = await fetchWithEnv('/v1/user/keys', { method: 'POST', headers, body: JSON.stringify({ name: 'x'.repeat(70_000) }) }, roomyChat);
    expect(declared.status).toBe(413);
    expect(await declared.json()).toEqual(tooLarge(64 * 1024));
    const streamed = await fetchWithEnv('/v1/user/byok/register', { method: 'POST', headers, body: lazyBody(1024 * 1024).stream }, roomyChat);
    expect(streamed.status).toBe(413);
  });

  it('refuses an oversized body on the operator API', async () => {
    const response = await fetchWithEnv(
      '/admin/v1/accounts',
      { method: 'POST', headers: { Authorization: 'Bearer test-admin-token', 'Content-Type': 'application/json' }, body: JSON.stringify({ email: `${'x'.repeat(70_000)}@example.com` }) },
      { MAX_BODY_BYTES: String(4 * 1024 * 1024) },
    );
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual(tooLarge(64 * 1024));
  });

  it('answers a method the webhook does not take with a JSON 404, not the web\'s HTML 413, whatever its body', async () => {
    const response = await SELF.fetch(`${BASE}/webhooks/stripe`, { method: 'OPTIONS', body: 'x'.repeat(70 * 1024) });
    expect(response.status).toBe(404);
    expect((await response.json<{ error: { code: string } }>()).error.code).toBe('unknown_url');
  });

  it('reads the chat body only once the key is known: an unknown key gets 401, not 413', async () => {
    const unknown = `sk-ft_${'0'.repeat(64)}`;
    const body = lazyBody(1024 * 1024);
    const response = await SELF.fetch(`${BASE}/v1/chat/completions`, { method: 'POST', headers: { Authorization: `Bearer ${unknown}` }, body: body.stream });
    expect(response.status).toBe(401);
    expect(body.pulled()).toBeLessThan(1024 * 1024);
  });
});
