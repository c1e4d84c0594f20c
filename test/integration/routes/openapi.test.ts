/** GET /openapi.json through the worker: public, cacheable, and listing every public /v1 route the app registers. */
import { SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../../src/app';
import { BASE } from '../helpers';

/** Documented ahead of their route, which another branch adds. */

const fetchDocument = () => SELF.fetch(`${BASE}/openapi.json`, { headers: { Origin: 'https://tools.example' } });

describe('GET /openapi.json', () => {
  it('answers without a key, cacheable and readable from any origin', async () => {
    const response = await fetchDocument();
    expect(response.status).toBe(200);
    expect(response.headers.get('Content-Type')).toBe('application/json');
    expect(response.headers.get('Cache-Control')).toBe('public, max-age=3600');
    expect(response.headers.get('Access-Control-Allow-Origin')).toBe('*');
  });

  it('names PUBLIC_URL as its server, whatever Host the request carried', async () => {
    const document = await (await fetchDocument()).json<{ openapi: string; servers: Array<{ url: string }> }>();
    expect(document.openapi).toBe('3.1.0');
    expect(document.servers).toEqual([{ url: 'https://find-token.test' }]);
  });

  it('lists every public /v1 route the app registers, and no other', async () => {
    const document = await (await fetchDocument()).json<{ paths: Record<string, Record<string, unknown>> }>();
    const documented = Object.entries(document.paths).flatMap(([path, operations]) =>
      Object.keys(operations).map((method) => `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`),
    );
    const registered = createApp()
      .routes.filter((route) => route.method !== 'ALL' && route.path.startsWith('/v1/'))
      .map((route) => `${route.method} ${route.path}`);
    // The app names a billing log's id :requestId; the document, request_id (the field it is).
    const normalized = [...new Set(registered)].map((route) => route.replace(':requestId', ':request_id'));
    expect(documented.sort()).toEqual(normalized.sort());
  });
});
