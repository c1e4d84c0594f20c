import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { ENDPOINTS, openApiDocument } from '../../../src/openapi/document';

type Operation = {
  security?: unknown[];
  requestBody?: { content: Record<string, { schema: { properties?: Record<string, unknown>; required?: string[] } }> };
  responses: Record<string, { description: string; headers?: Record<string, unknown>; content?: Record<string, { schema: unknown }> }>;
};
type Document = { paths: Record<string, Record<string, Operation>>; components: { headers: Record<string, unknown> } };

const document = openApiDocument('https://find-token.test') as Document;
const operation = (path: string, method: string) => document.paths[path]![method]!;

describe('the OpenAPI document', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    const validator = new Validator();
    const result = await validator.validate(document);
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('describes the chat request from the schema the route validates with, transforms as their input', () => {
    const schema = operation('/v1/chat/completions', 'post').requestBody!.content['application/json']!.schema;
    expect(schema.required).toEqual(['model', 'messages']);
    expect(Object.keys(schema.properties!)).toEqual(expect.arrayContaining(['routing', 'models', 'max_price', 'billing_mode', 'provider_key', 'stream_options']));
    // max_price's prices are dollars as a number or a decimal string (the route turns them into units).
    expect(schema.properties!.max_price).toMatchObject({ properties: { prompt: { type: ['number', 'string'] } } });
  });

  it('lists the codes of each error status, in OpenAI’s error object', () => {
    const responses = operation('/v1/models/{id}', 'get').responses;
    expect(responses['404']!.description).toBe('`model_not_found`');
    expect(responses['429']!.headers).toEqual({ 'X-Request-Id': { $ref: '#/components/headers/X-Request-Id' }, 'Retry-After': { $ref: '#/components/headers/Retry-After' } });
    expect(responses['404']!.content!['application/json']!.schema).toEqual({
      allOf: [{ $ref: '#/components/schemas/Error' }, { properties: { error: { properties: { code: { enum: ['model_not_found'] } } } } }],
    });
  });

  it("names every X-FindToken response header on chat's answer", () => {
    const headers = Object.keys(operation('/v1/chat/completions', 'post').responses['200']!.headers!);
    expect(headers).toEqual([
      'X-Request-Id',
      'X-FindToken-Mode',
      'X-FindToken-Provider',
      'X-FindToken-Model',
      'X-FindToken-Attempts',
      'X-FindToken-Max-Tokens',
      'X-FindToken-Cost',
      'X-FindToken-Balance',
      'X-FindToken-Charge',
    ]);
  });

  it('answers chat as JSON or as an SSE stream', () => {
    expect(Object.keys(operation('/v1/chat/completions', 'post').responses['200']!.content!)).toEqual(['application/json', 'text/event-stream']);
  });

  it('keys the Messages API by x-api-key or bearer, and the status by nothing', () => {
    expect(operation('/v1/messages', 'post').security).toEqual([{ apiKeyHeader: [] }, { bearer: [] }]);
    expect(operation('/v1/status', 'get').security).toEqual([]);
    expect(operation('/v1/user/keys', 'post').security).toEqual([{ bearer: [] }]);
  });

  it('gives every endpoint a success and at least one error response', () => {
    for (const { method, path } of ENDPOINTS) {
      const statuses = Object.keys(operation(path, method).responses);
      expect(statuses.some((status) => status.startsWith('2')), `${method} ${path}`).toBe(true);
      expect(statuses.some((status) => Number(status) >= 400), `${method} ${path}`).toBe(true);
    }
  });
});
