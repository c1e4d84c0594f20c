import { describe, expect, it } from 'vitest';
import type { Env } from '../../../src/env';
import { ByokUnavailableError, decryptProviderKey, encryptProviderKey, masterKeys, reencryptProviderKey } from '../../../src/byok/crypto';

const V1 = btoa(String.fromCharCode(...new Uint8Array(32).fill(1)));
const V2 = btoa(String.fromCharCode(...new Uint8Array(32).fill(2)));
const envWith = (vars: Record<string, string>) => vars as unknown as Env;
const HERE = { accountId: 'acct_a', keyId: 'pk_1' };
const SECRET = 'sk-user-provider-key-0001';

describe('provider keys at rest', () => {
  it('decrypts what it encrypted, with a fresh IV each time and the master key version beside it', async () => {
    const keys = await masterKeys(envWith({ BYOK_ENCRYPTION_KEY: V1 }));
    const first = await encryptProviderKey(keys, SECRET, HERE);
    const second = await encryptProviderKey(keys, SECRET, HERE);
    expect(first.keyVersion).toBe(1);
    expect(first.iv).not.toBe(second.iv);
    expect(first.ciphertext).not.toBe(second.ciphertext);
    expect(atob(first.iv)).toHaveLength(12);
    expect(first.ciphertext).not.toContain(SECRET);
    expect(await decryptProviderKey(keys, first, HERE)).toBe(SECRET);
  });

  it('refuses a ciphertext copied to another account or another key id', async () => {
    const keys = await masterKeys(envWith({ BYOK_ENCRYPTION_KEY: V1 }));
    const sealed = await encryptProviderKey(keys, SECRET, HERE);
    await expect(decryptProviderKey(keys, sealed, { accountId: 'acct_b', keyId: 'pk_1' })).rejects.toThrow();
    await expect(decryptProviderKey(keys, sealed, { accountId: 'acct_a', keyId: 'pk_2' })).rejects.toThrow();
  });

  it('refuses a ciphertext that was altered', async () => {
    const keys = await masterKeys(envWith({ BYOK_ENCRYPTION_KEY: V1 }));
    const sealed = await encryptProviderKey(keys, SECRET, HERE);
    const bytes = Uint8Array.from(atob(sealed.ciphertext), (c) => c.charCodeAt(0));
    bytes[0]! ^= 1;
    await expect(decryptProviderKey(keys, { ...sealed, ciphertext: btoa(String.fromCharCode(...bytes)) }, HERE)).rejects.toThrow();
  });

  it('rotates: the new master decrypts old records while the old one is listed, and re-encryption frees it', async () => {
    const before = await masterKeys(envWith({ BYOK_ENCRYPTION_KEY: V1 }));
    const old = await encryptProviderKey(before, SECRET, HERE);
    const during = await masterKeys(envWith({ BYOK_ENCRYPTION_KEY: V2, BYOK_ENCRYPTION_KEY_VERSION: '2', BYOK_PREVIOUS_ENCRYPTION_KEYS: `1:${V1}` }));
    expect(await decryptProviderKey(during, old, HERE)).toBe(SECRET);
    const resealed = await reencryptProviderKey(during, old, HERE);
    expect(resealed.keyVersion).toBe(2);
    const after = await masterKeys(envWith({ BYOK_ENCRYPTION_KEY: V2, BYOK_ENCRYPTION_KEY_VERSION: '2' }));
    expect(await decryptProviderKey(after, resealed, HERE)).toBe(SECRET);
    await expect(decryptProviderKey(after, old, HERE)).rejects.toThrow('no master key of version 1');
    expect(await reencryptProviderKey(after, resealed, HERE)).toBe(resealed);
  });

  it('refuses to work without a well-formed master key', async () => {
    await expect(masterKeys(envWith({}))).rejects.toThrow(ByokUnavailableError);
    await expect(masterKeys(envWith({ BYOK_ENCRYPTION_KEY: btoa('too short') }))).rejects.toThrow('must be 32 bytes');
    await expect(masterKeys(envWith({ BYOK_ENCRYPTION_KEY: V1, BYOK_PREVIOUS_ENCRYPTION_KEYS: 'nonsense' }))).rejects.toThrow(ByokUnavailableError);
  });
});
