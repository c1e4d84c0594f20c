/** What the account object's tests share: a fresh account's object, and a request's context. */
import { env } from 'cloudflare:test';
import type { RequestContext } from '../../../src/billing/billing-log';

/** A new account id and its object (ids are names: the object knows its account from it). */
export function freshAccount() {
  const accountId = `acct_${crypto.randomUUID().replaceAll('-', '')}`;
  return { accountId, stub: env.ACCOUNTS.get(env.ACCOUNTS.idFromName(accountId)) };
}

export const requestContext = (startedAt: number, overrides: Partial<RequestContext> = {}): RequestContext => ({
  keyId: 'key_1',
  keyName: 'laptop',
  keyPrefix: 'sk-ft_abcd',
  model: 'deepseek-chat',
  provider: 'deepseek',
  mode: 'standard',
  routing: 'auto',
  stream: false,
  startedAt,
  ...overrides,
});
