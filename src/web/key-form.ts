/**
 * The dashboard's "Create key" form as the API's request body, so one schema
 * (schemas/key-requests.ts) validates both: a checkbox per scope, an optional
 * limit amount with its period, models comma-separated, an expiry date (UTC).
 */
import type { z } from 'zod';
import { KEY_SCOPES } from '../base/key-rules';
import { formatPath } from '../schemas/zod-error';

type FormBody = Record<string, string | File>;

const text = (body: FormBody, name: string): string => (typeof body[name] === 'string' ? (body[name] as string).trim() : '');

export function keyFormRequest(body: FormBody): Record<string, unknown> {
  const request: Record<string, unknown> = { name: text(body, 'name'), scopes: KEY_SCOPES.filter((scope) => text(body, `scope_${scope}`) !== '') };
  if (text(body, 'limit_amount') !== '') request.limit = { amount: text(body, 'limit_amount'), period: text(body, 'limit_period') || 'month' };
  const models = text(body, 'models').split(',').map((model) => model.trim()).filter((model) => model !== '');
  if (models.length > 0) request.models = models;
  // A date alone is the start of that day, UTC.
  if (text(body, 'expires_at') !== '') request.expires_at = /^\d{4}-\d{2}-\d{2}$/.test(text(body, 'expires_at')) ? `${text(body, 'expires_at')}T00:00:00Z` : text(body, 'expires_at');
  return request;
}

const LABELS: Record<string, string> = {
  name: 'Key name',
  scopes: 'Scopes',
  'limit.amount': 'Spend limit',
  'limit.period': 'Spend limit period',
  models: 'Models',
  expires_at: 'Expiry',
};

/** The form's first problem in the words of its labels: "Key name must not be empty." */
export function keyFormError(error: z.ZodError): string {
  const issue = error.issues[0];
  const path = formatPath(issue?.path ?? []);
  const label = LABELS[path] ?? LABELS[path.replace(/\[\d+\]$/, '')] ?? 'This form';
  return `${label} ${issue?.message ?? 'is not valid'}.`;
}
