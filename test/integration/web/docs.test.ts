/** /docs: the user guide, from the OpenAPI document, the error catalogue, the catalog and the config. */
import { SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { ENDPOINTS } from '../../../src/openapi/document';
import { ERROR_CODES } from '../../../src/openapi/error-catalog';
import { CORS_EXPOSED_HEADERS } from '../../../src/middleware/api-cors';
import { BASE, fetchWithEnv } from '../helpers';

const docs = async () => (await SELF.fetch(`${BASE}/docs`)).text();

describe('the docs page', () => {
  it('starts with the key in FINDTOKEN_API_KEY', async () => {
    const html = await docs();
    expect(html).toContain('export FINDTOKEN_API_KEY=sk-ft_…');
    expect(html).toContain('-H &quot;Authorization: Bearer $FINDTOKEN_API_KEY&quot;');
    expect(html).toContain('api_key=os.environ[&quot;FINDTOKEN_API_KEY&quot;]');
    expect(html).not.toContain('FT_KEY&quot;');
    expect(html).not.toContain('$FT_KEY');
  });

  it('recharges with return URLs that redirect to the dashboard and the pricing', async () => {
    expect(await docs()).toContain(
      '&quot;success_url&quot;:&quot;https://find-token.test/my/dashboard&quot;,&quot;cancel_url&quot;:&quot;https://find-token.test/my/pricing&quot;',
    );
  });

  it('lists every endpoint of the OpenAPI document, with who may call it, and links the document', async () => {
    const html = await docs();
    for (const { method, path } of ENDPOINTS) expect(html, `${method} ${path}`).toContain(`<td><code>${method.toUpperCase()} ${path}</code></td>`);
    expect(html).toContain('<td><code>GET /v1/status</code></td><td>none</td>');
    expect(html).toContain('<td><code>POST /v1/user/keys</code></td><td>key (manage)</td>');
    expect(html).toContain('<a href="/openapi.json">/openapi.json</a>');
  });

  it('names every request header and every response header the API sets', async () => {
    const html = await docs();
    for (const name of ['Authorization', 'X-FindToken-Mode', 'Idempotency-Key', ...CORS_EXPOSED_HEADERS]) expect(html, name).toContain(`<td><code>${name}</code></td>`);
  });

  it('explains streaming: keep-alives, the usage chunk with cost and balance, and errors after the first byte', async () => {
    const html = await docs();
    expect(html).toContain('<code>: keep-alive</code> comments cover any silence every 0.25 s');
    expect(html).toContain('&quot;cost&quot;:0.000031,&quot;balance&quot;:9.998412');
    expect(html).toContain('&quot;code&quot;:&quot;upstream_stream_interrupted&quot;');
  });

  it('gives the provider key formats it checks', async () => {
    const html = await docs();
    expect(html).toContain('<td><code>zhipu</code></td><td><code>&lt;id&gt;.&lt;secret&gt;</code></td>');
    expect(html).toContain('<td><code>deepseek</code></td><td><code>sk-…</code></td>');
    expect(html).toContain('<td><code>minimax</code></td><td>any (the provider judges it)</td>');
  });

  it('lists every error code with its status', async () => {
    const html = await docs();
    for (const { status, code } of ERROR_CODES) expect(html, code).toContain(`<td>${status}</td><td><code>${code}</code></td>`);
  });

  it('states the limits from the config', async () => {
    const html = await docs();
    expect(html).toContain('<td>Chat request body</td><td>64 KiB; over it, 413 request_too_large before the body is read.</td>');
    expect(html).toContain('at most 10 Checkout Sessions an hour per account');
    expect(html).toContain('<td>Requests</td><td>600 a minute per account');
  });

  it('tells where to ask for a refund: SUPPORT_EMAIL', async () => {
    const html = await docs();
    expect(html).toContain('Write to <a href="mailto:support@find-token.dev">support@find-token.dev</a> from your account’s address');
  });

  it('shows the SUPPORT_EMAIL a deployment sets', async () => {
    const html = await (await fetchWithEnv('/docs', {}, { SUPPORT_EMAIL: 'help@example.com' })).text();
    expect(html).toContain('<a href="mailto:help@example.com">help@example.com</a>');
    expect(html).not.toContain('support@find-token.dev');
  });

  it('shows how to point Claude Code and the Anthropic SDK at the gateway, and the FAQ links there', async () => {
    const html = await docs();
    expect(html).toContain('<a href="#claude-code-setup">Claude Code and the Anthropic SDKs</a> above');
    expect(html).toContain('export ANTHROPIC_BASE_URL=https://find-token.test\nexport ANTHROPIC_AUTH_TOKEN=$FINDTOKEN_API_KEY\nexport ANTHROPIC_API_KEY=&quot;&quot;');
    expect(html).toContain('export ANTHROPIC_DEFAULT_HAIKU_MODEL=glm-4-flash');
    expect(html).toContain('new Anthropic({ baseURL: &#39;https://find-token.test&#39;');
  });
});
