/**
 * Accounts and keys made through the gateway's operator API, like any other:
 * the one account the scenarios share, and the many of the 1,000-accounts burst.
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

/** One funded account with a key; returns the key. */
export async function provisionAccount(url: string, terms: AccountTerms = { email: 'bench@example.com', credits: 10_000, rateLimitPerMinute: 1_000_000 }): Promise<string> {
  const account = await adminCall(url, 'POST', '/accounts', { email: terms.email });
  await adminCall(url, 'POST', `/accounts/${account.id}/credits`, { amount: terms.credits, reason: 'benchmark' });
  // The scenarios' shared account sends far more than a user's default limit allows.
  if (terms.rateLimitPerMinute !== undefined) await adminCall(url, 'PATCH', `/accounts/${account.id}`, { rate_limit_per_minute: terms.rateLimitPerMinute });
  const key = (await adminCall(url, 'POST', `/accounts/${account.id}/keys`, { name: 'bench' })).key;
  if (!key) throw new Error(`no key was returned for ${terms.email}`);
  return key;
}

/**
 * `count` accounts with $10 and a key each, at the default rate limit (one request each stays far under it),
 * made `concurrency` at a time: quick, without turning provisioning into a load test of its own.
 */
export async function provisionAccounts(url: string, count: number, concurrency = 8, prefix = 'burst'): Promise<string[]> {
  const keys: string[] = new Array(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < count; i = next++) {
        keys[i] = await provisionAccount(url, { email: `${prefix}-${i}@example.com`, credits: 10 });
      }
    }),
  );
  return keys;
}
