import { describe, expect, it } from 'vitest';
import { KeyCache, type CachedKey } from '../../../src/accounts/key-cache';

const entry = (keyId: string): CachedKey => ({ keyId, accountId: 'acct_1', keyName: 'k', keyPrefix: 'sk-ft_abcd', lastUsedAt: null });

describe('KeyCache', () => {
  it('returns what was stored under a hash', () => {
    const cache = new KeyCache();
    cache.set('h1', entry('key_1'));
    expect(cache.get('h1')).toEqual(entry('key_1'));
    expect(cache.get('h2')).toBeUndefined();
  });

  it('forgets every entry of a key id (after a revocation)', () => {
    const cache = new KeyCache();
    cache.set('h1', entry('key_1'));
    cache.set('h2', entry('key_2'));
    cache.deleteKeyId('key_1');
    expect(cache.get('h1')).toBeUndefined();
    expect(cache.get('h2')).toEqual(entry('key_2'));
  });

  it('drops the oldest entry once it holds 10,000', () => {
    const cache = new KeyCache();
    for (let i = 0; i < 10_000; i++) cache.set(`h${i}`, entry(`key_${i}`));
    cache.set('h-new', entry('key_new'));
    expect(cache.get('h0')).toBeUndefined();
    expect(cache.get('h1')).toEqual(entry('key_1'));
    expect(cache.get('h-new')).toEqual(entry('key_new'));
  });
});
