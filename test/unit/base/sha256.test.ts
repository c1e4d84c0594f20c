import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sha256HexSync } from '../../../src/base/sha256';

describe('sha256HexSync', () => {
  it('gives the standard digests of the FIPS 180-2 examples', () => {
    expect(sha256HexSync('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256HexSync('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256HexSync('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')).toBe('248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1');
  });

  it("agrees with node's digest at every length around the 64-byte block boundaries, and on UTF-8", () => {
    for (const text of [...Array.from({ length: 140 }, (_, n) => 'x'.repeat(n)), 'acct_0123456789abcdef0123456789abcdef', 'crème brûlée 🍮']) {
      expect(sha256HexSync(text)).toBe(createHash('sha256').update(text).digest('hex'));
    }
  });
});
