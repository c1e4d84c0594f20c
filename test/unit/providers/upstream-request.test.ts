/** Where a provider's calls go (the override, else the adapter's public endpoint) and what they carry. */
import { describe, expect, it } from 'vitest';
import { parseConfig, type Env } from '../../../src/env';
import { PROVIDER_IDS } from '../../../src/base/provider-id';
import { getAdapter } from '../../../src/providers/registry';
import { buildUpstreamRequest, resolveBaseUrl, upstreamTarget } from '../../../src/providers/upstream-request';

/** A fresh env object (parseConfig caches per object) holding only `vars`. */
const configOf = (vars: Record<string, string>) => parseConfig({ ...vars } as unknown as Env);

describe('resolveBaseUrl', () => {
  it("is the adapter's public endpoint when no override is set", () => {
    const config = configOf({ QWEN_BASE_URL: '  ' });
    expect(Object.fromEntries(PROVIDER_IDS.map((id) => [id, resolveBaseUrl(config, id)]))).toEqual({
      deepseek: 'https://api.deepseek.com',
      zhipu: 'https://open.bigmodel.cn/api/paas/v4',
      minimax: 'https://api.minimax.io/v1',
      qwen: 'https://dashscope-intl.aliyuncs.com/compatible-mode/v1',
      kimi: 'https://api.moonshot.ai/v1',
      stepfun: 'https://api.stepfun.ai/v1',
    });
  });

  it('is the <ID>_BASE_URL override when set, trailing slashes trimmed', () => {
    const config = configOf({ KIMI_BASE_URL: 'http://127.0.0.1:9999/kimi//', DEEPSEEK_BASE_URL: 'https://api.deepseek.com/v1' });
    expect(resolveBaseUrl(config, 'kimi')).toBe('http://127.0.0.1:9999/kimi');
    expect(resolveBaseUrl(config, 'deepseek')).toBe('https://api.deepseek.com/v1');
    expect(resolveBaseUrl(config, 'zhipu')).toBe('https://open.bigmodel.cn/api/paas/v4');
  });

  it('rejects an override that is not a URL when the config is read', () => {
    expect(() => configOf({ ZHIPU_BASE_URL: 'not a url' })).toThrow();
  });
});

describe('upstreamTarget', () => {
  it("pairs the provider's adapter and effective base URL with the key given", () => {
    const config = configOf({ MINIMAX_BASE_URL: 'http://standin.test/minimax', MINIMAX_API_KEY: 'platform-key' });
    expect(upstreamTarget(config, 'minimax', 'user-key')).toEqual({ adapter: getAdapter('minimax'), baseUrl: 'http://standin.test/minimax', apiKey: 'user-key' });
  });
});

describe('buildUpstreamRequest', () => {
  it('builds the models probe: GET <base>/models, the auth header and JSON accepted', () => {
    const target = { adapter: getAdapter('stepfun'), baseUrl: 'https://api.stepfun.ai/v1', apiKey: 'key-1' };
    expect(buildUpstreamRequest(target, { kind: 'models' })).toEqual({
      url: 'https://api.stepfun.ai/v1/models',
      init: { method: 'GET', headers: { Authorization: 'Bearer key-1', Accept: 'application/json' } },
    });
  });
});
