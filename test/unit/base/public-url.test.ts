/** PUBLIC_URL: validated as an absolute http(s) URL; the origin of every link we make. */
import { describe, expect, it } from 'vitest';
import { publicOrigin } from '../../../src/base/public-url';
import { parseConfig, type Env } from '../../../src/env';

const config = (vars: Record<string, string>) => parseConfig({ ...vars } as unknown as Env);

describe('PUBLIC_URL', () => {
  it('is an absolute http(s) URL, kept as its origin', () => {
    expect(config({ PUBLIC_URL: 'https://find-token.dev/' }).publicUrl).toBe('https://find-token.dev');
    expect(config({ PUBLIC_URL: 'http://localhost:8787' }).publicUrl).toBe('http://localhost:8787');
    for (const bad of ['find-token.dev', '/relative', 'javascript:alert(1)', 'ftp://find-token.dev']) {
      expect(() => config({ PUBLIC_URL: bad }), bad).toThrow(/PUBLIC_URL/);
    }
  });

  it('makes links, never from the request; without it, development uses the request origin and production refuses', () => {
    expect(publicOrigin(config({ PUBLIC_URL: 'https://find-token.dev' }), 'http://evil.example/auth/signup')).toBe('https://find-token.dev');
    expect(publicOrigin(config({}), 'http://localhost:8787/auth/signup')).toBe('http://localhost:8787');
    expect(() => publicOrigin(config({ ENVIRONMENT: 'production' }), 'http://evil.example/')).toThrow(/PUBLIC_URL/);
  });
});
