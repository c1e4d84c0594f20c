/**
 * GET /openapi.json: the public API as OpenAPI 3.1, built from the zod schemas the routes validate with.
 * Built once per isolate (it depends on nothing but the server URL).
 */
import { API_ENDPOINTS } from './api-paths';
import { HEADERS, SCHEMAS, SECURITY_SCHEMES } from './components';
import type { Endpoint } from './operation';
import { USER_ENDPOINTS } from './user-paths';

/** Every endpoint the document lists, in the order /docs shows them. */
export const ENDPOINTS: readonly Endpoint[] = [...API_ENDPOINTS, ...USER_ENDPOINTS];

function paths(): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const { method, path, summary, operation } of ENDPOINTS) out[path] = { ...out[path], [method]: { summary, ...operation } };
  return out;
}

/** The last document built: one server URL per deployment (PUBLIC_URL), so one slot is enough. */
let built: { serverUrl: string; document: object } | undefined;

/** `serverUrl`: where the API is (PUBLIC_URL, or the request's origin on a development server). */
export function openApiDocument(serverUrl: string): object {
  if (built?.serverUrl === serverUrl) return built.document;
  const document = {
    openapi: '3.1.0',
    info: {
      title: 'find-token API',
      version: '1',
      description: 'An OpenAI-compatible gateway to DeepSeek, GLM, MiniMax, Qwen, Kimi and StepFun. Errors are OpenAI’s error object; the guide is at /docs.',
    },
    servers: [{ url: serverUrl }],
    security: [{ bearer: [] }],
    paths: paths(),
    components: { securitySchemes: SECURITY_SCHEMES, headers: HEADERS, schemas: SCHEMAS },
  };
  built = { serverUrl, document };
  return document;
}
