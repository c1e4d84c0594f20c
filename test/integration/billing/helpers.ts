import { env, runDurableObjectAlarm } from 'cloudflare:test';
import { apiRequest } from '../helpers';

export const accountObject = (accountId: string) => env.ACCOUNTS.get(env.ACCOUNTS.idFromName(accountId));

/** Runs the account object's alarm: billing logs reach D1. */
export async function drainOutbox(accountId: string): Promise<void> {
  await runDurableObjectAlarm(accountObject(accountId));
}

export async function balanceOf(key: string): Promise<{ balance: number; reserved: number; currency: string; byok: unknown }> {
  return (await apiRequest(key, 'GET', '/v1/user/balance')).json();
}

export interface PublicLog {
  id: string;
  request_id: string;
  model: string;
  provider: string;
  mode: string;
  routing: string;
  prompt_tokens: number;
  cached_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  cost: number;
  provider_cost: number;
  estimated: boolean;
  status: string;
  stream: boolean;
  latency_ms: number;
  fallback_reason: string | null;
  key: { id: string; name: string; prefix: string } | null;
}

export async function billingLog(key: string, requestId: string): Promise<PublicLog> {
  return (await apiRequest(key, 'GET', `/v1/user/billing-logs/${requestId}`)).json();
}

export async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean, attempts = 100): Promise<T> {
  let value = await read();
  for (let i = 0; i < attempts && !done(value); i++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    value = await read();
  }
  return value;
}
