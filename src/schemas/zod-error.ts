import type { z } from 'zod';
import { invalidValue, missingParameter, type ApiError } from '../errors';

/** "messages[0].role" from a zod path. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out;
}

/**
 * The first problem becomes a 400 naming the field; the rest would only repeat it.
 * Parse with `{ reportInput: true }` so a missing field can be told from an invalid one.
 */
export function zodToApiError(error: z.ZodError): ApiError {
  const issue = error.issues[0];
  if (!issue) return invalidValue('Invalid request body.');
  const param = formatPath(issue.path);
  if (issue.code === 'unrecognized_keys') {
    const where = param ? ` in '${param}'` : '';
    return invalidValue(`Unrecognized field(s)${where}: ${issue.keys.join(', ')}.`, param || issue.keys[0] || null);
  }
  if (!param) return invalidValue(`Invalid request body: ${issue.message}.`);
  // Needs the schema parsed with { reportInput: true }: a field is missing when its input was undefined.
  const missing = (issue.code === 'invalid_type' || issue.code === 'invalid_union') && 'input' in issue && issue.input === undefined;
  return missing ? missingParameter(param) : invalidValue(`Invalid value for '${param}': ${issue.message}.`, param);
}
