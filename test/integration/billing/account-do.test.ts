import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';

describe('account Durable Object', () => {
  it('binds itself to the first account it serves and keeps it', async () => {
    const stub = env.ACCOUNTS.get(env.ACCOUNTS.idFromName('acct_one'));
    expect(await stub.ensureAccount('acct_one')).toBe('acct_one');
    expect(await stub.ensureAccount('acct_other')).toBe('acct_one');
  });

  it('keeps one object per account', async () => {
    const a = env.ACCOUNTS.get(env.ACCOUNTS.idFromName('acct_a'));
    const b = env.ACCOUNTS.get(env.ACCOUNTS.idFromName('acct_b'));
    expect([await a.ensureAccount('acct_a'), await b.ensureAccount('acct_b')]).toEqual(['acct_a', 'acct_b']);
  });
});
