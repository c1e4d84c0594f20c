/** The home page and /docs show each routing and billing control with an example. */
import { SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { BASE } from '../helpers';

describe('routing controls on the web', () => {
  it.each(['/', '/docs'])('%s shows routing none, models, max_price and billing_mode, each with an example body', async (path) => {
    const html = await (await SELF.fetch(`${BASE}${path}`)).text();
    for (const example of [
      '{&quot;model&quot;: &quot;deepseek-chat&quot;, &quot;routing&quot;: &quot;none&quot;}',
      '{&quot;model&quot;: &quot;deepseek-chat&quot;, &quot;models&quot;: [&quot;kimi-k2&quot;, &quot;glm-4-plus&quot;]}',
      '{&quot;model&quot;: &quot;deepseek-chat&quot;, &quot;max_price&quot;: {&quot;prompt&quot;: 1, &quot;completion&quot;: 2}}',
      '{&quot;model&quot;: &quot;deepseek-chat&quot;, &quot;billing_mode&quot;: &quot;standard&quot;}',
    ]) {
      expect(html).toContain(`<code>${example}</code>`);
    }
    expect(html).toContain('X-FindToken-Mode');
  });

  it('the home page quick start reads the key from FINDTOKEN_API_KEY, as the guide says', async () => {
    const html = await (await SELF.fetch(`${BASE}/`)).text();
    expect(html).toContain('-H &quot;Authorization: Bearer $FINDTOKEN_API_KEY&quot;');
    expect(html).toContain('apiKey: process.env.FINDTOKEN_API_KEY');
    expect(html).not.toContain('FT_KEY&quot;');
  });
});
