import { describe, expect, it } from 'vitest';
import { toHex } from '../../../src/base/ids';
import { API_KEY_PREFIX, displayParts, generateApiKey, hashApiKey, isWellFormedApiKey, maskApiKey } from '../../../src/accounts/keys';

async function expectedSha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, '0')).join('');
}

const WELL_FORMED = `sk-ft_${'0123456789abcdef'.repeat(4)}`;

describe('generateApiKey', () => {
  // PRODUCT.md says "= 68 characters", but sk-ft_ (6) + 64 hex is 70: the format is what is tested.
  it('gives sk-ft_ followed by 64 lowercase hex, 70 characters', async () => {
    const { key } = await generateApiKey();
    expect(key).toMatch(/^sk-ft_[0-9a-f]{64}$/);
    expect(key).toHaveLength(70);
  });

  it('its hash is the SHA-256 hex of the key', async () => {
    const { key, hash } = await generateApiKey();
    expect(hash).toBe(await expectedSha256(key));
  });

  it('its prefix is the first 10 characters and last4 the last 4', async () => {
    const { key, prefix, last4 } = await generateApiKey();
    expect([prefix, last4]).toEqual([key.slice(0, 10), key.slice(-4)]);
  });

  it('two keys differ', async () => {
    const [a, b] = await Promise.all([generateApiKey(), generateApiKey()]);
    expect(a.key).not.toBe(b.key);
    expect(a.hash).not.toBe(b.hash);
  });

  it('a generated key is well formed', async () => {
    expect(isWellFormedApiKey((await generateApiKey()).key)).toBe(true);
  });
});

describe('isWellFormedApiKey', () => {
  it('accepts sk-ft_ and 64 lowercase hex', () => {
    expect(isWellFormedApiKey(WELL_FORMED)).toBe(true);
  });

  it.each([
    ['uppercase hex', WELL_FORMED.toUpperCase().replace('SK-FT_', 'sk-ft_')],
    ['63 hex', WELL_FORMED.slice(0, -1)],
    ['65 hex', `${WELL_FORMED}0`],
    ['a wrong prefix', WELL_FORMED.replace('sk-ft_', 'sk-fx_')],
    ['no prefix', WELL_FORMED.slice(API_KEY_PREFIX.length)],
    ['a provider key', 'sk-0123456789abcdef0123456789abcdef'],
    ['a non-hex character', `${WELL_FORMED.slice(0, -1)}g`],
    ['a trailing newline', `${WELL_FORMED}\n`],
    ['surrounding spaces', ` ${WELL_FORMED} `],
    ['an empty string', ''],
  ])('rejects %s', (_name, candidate) => {
    expect(isWellFormedApiKey(candidate)).toBe(false);
  });
});

describe('key display and hashing', () => {
  it('hashApiKey is the SHA-256 hex of the key', async () => {
    expect(await hashApiKey(WELL_FORMED)).toBe(await expectedSha256(WELL_FORMED));
  });

  it('hashApiKey of "abc" is the known SHA-256', async () => {
    expect(await hashApiKey('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('displayParts gives the first 10 and last 4 characters', () => {
    expect(displayParts(WELL_FORMED)).toEqual({ prefix: 'sk-ft_0123', last4: 'cdef' });
  });

  it('maskApiKey joins prefix and last4 with an ellipsis', () => {
    expect(maskApiKey('sk-ft_a1b2', '9f3e')).toBe('sk-ft_a1b2…9f3e');
  });

  it('toHex writes each byte as two lowercase hex digits', () => {
    expect(toHex(new Uint8Array([0, 1, 15, 16, 171, 255]))).toBe('00010f10abff');
  });
});
