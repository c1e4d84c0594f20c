/** GET /openapi.json: public, no key, cacheable; any origin may read it (API tools fetch it from their own pages). */
import { Hono } from 'hono';
import type { AppEnv } from '../env';
import { openApiDocument } from '../openapi/document';

export const openApi = new Hono<AppEnv>().get('/', (c) => {
  const serverUrl = c.get('config').publicUrl ?? new URL(c.req.url).origin;
  return c.json(openApiDocument(serverUrl), 200, { 'Cache-Control': 'public, max-age=3600', 'Access-Control-Allow-Origin': '*' });
});
