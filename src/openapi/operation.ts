/** One endpoint of the document, and the helpers its entries share. */
import type { SchemaObject } from './json-schema';

export interface Endpoint {
  method: 'get' | 'post' | 'delete';
  /** OpenAPI's form: `/v1/models/{id}`. */
  path: string;
  /** One line, shown in /docs's endpoints table. */
  summary: string;
  operation: SchemaObject;
}

/** Every keyed endpoint: the bearer key (the Messages API also takes it as x-api-key). */
export const BEARER = [{ bearer: [] }];

export const pathParameter = (name: string, description: string) => ({ name, in: 'path', required: true, description, schema: { type: 'string' } });

export const queryParameter = (name: string, description: string, schema: SchemaObject) => ({ name, in: 'query', required: false, description, schema });

export const jsonBody = (schema: SchemaObject) => ({ required: true, content: { 'application/json': { schema } } });

/** The scope a key needs, as a line of the operation's description. */
export const needsScope = (scope: 'inference' | 'manage') => `Needs a key with the \`${scope}\` scope.`;
