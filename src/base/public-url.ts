/**
 * The origin every emailed link and every absolute URL we generate starts with:
 * PUBLIC_URL, never the request's Host header (which the client chooses). A
 * development server without PUBLIC_URL falls back to the request's origin;
 * production without it refuses to make links.
 */
import type { Config } from '../env';
import { linksUnavailable } from '../errors';

export function publicOrigin(config: Config, requestUrl: string): string {
  if (config.publicUrl) return config.publicUrl;
  if (config.production) throw linksUnavailable();
  return new URL(requestUrl).origin;
}
