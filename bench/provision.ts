/**
 * Accounts and keys made through the gateway's operator API, like any other:
 * the one account the scenarios share, the many of the 1,000-accounts burst and of bench:scale.
 */
export const ADMIN_TOKEN = 'bench-admin-token';

interface AccountTerms {
  email: string;
  /** Credits in dollars. */
  credits: number;
  /** An override of the per-minute rate limit; absent: the gateway's default. */
  rateLimitPerMinute?: number;
}

async function adminCall(url: string, method: 'POST' | 'PATCH', path: string, body: unknown): Promise<Record<string, string>> {
  const response = await fetch(`${url}/admin/v1${path}`, {
    method,
    headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return response.json() as Promise<Record<string, string>>;
}

/** An account made for the benchmark and its one key. */
export interface ProvisionedAccount {
  accountId: string;
  key: string;
}

/** One funded account with a key. */
export async function provisionAccountWithId(url: string, terms: AccountTerms): Promise<ProvisionedAccount> {
  const account = await adminCall(url, 'POST', '/accounts', { email: terms.email });
  await adminCall(url, 'POST', `/accounts/${account.id}/credits`, { amount: terms.credits, reason: 'benchmark' });
  // The scenarios' shared account sends far more than a user's default limit allows.
  if (terms.rateLimitPerMinute !== undefined) await adminCall(url, 'PATCH', `/accounts/${account.id}`, { rate_limit_per_minute: terms.rateLimitPerMinute });
  const key = (await adminCall(url, 'POST', `/accounts/${account.id}/keys`, { name: 'bench' })).key;
  if (!key || !account.id) throw new Error(`no key was returned for ${terms.email}`);
  return { accountId: account.id, key };
}

/** One funded account with a key; returns the key. */
export async function provisionAccount(url: string, terms: AccountTerms = { email: 'bench@example.com', credits: 10_000, rateLimitPerMinute: 1_000_000 }): Promise<string> {
  return (await provisionAccountWithId(url, terms)).key;
}

/**
 * `count` accounts with `credits` dollars and a key each, at the default rate limit, made `concurrency` at a time:
 * quick, without turning provisioning into a load test of its own.
 */
export async function provisionManyAccounts(url: string, count: number, options: { concurrency?: number; prefix?: string; credits?: number } = {}): Promise<ProvisionedAccount[]> {
  const { concurrency = 8, prefix = 'burst', credits = 10 } = options;
  const accounts: ProvisionedAccount[] = new Array(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < count; i = next++) {
        accounts[i] = await provisionAccountWithId(url, { email: `${prefix}-${i}@example.com`, credits });
      }
    }),
  );
  return accounts;
}

/** `count` accounts with $10 and a key each (one request each stays far under the default rate limit); returns the keys. */
export async function provisionAccounts(url: string, count: number, concurrency = 8, prefix = 'burst'): Promise<string[]> {
  return (await provisionManyAccounts(url, count, { concurrency, prefix })).map((account) => account.key);
}

/** The operator's view of an account (`GET /admin/v1/accounts/{id}`): balance, limits, the object's storage size. */
export async function readAccount(url: string, accountId: string): Promise<Record<string, unknown>> {
  const response = await fetch(`${url}/admin/v1/accounts/${accountId}`, { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } });
  if (!response.ok) throw new Error(`GET /accounts/${accountId}: ${response.status} ${await response.text()}`);
  return response.json() as Promise<Record<string, unknown>>;
}
