/**
 * Provider keys at rest: AES-256-GCM (Web Crypto) under a master secret, a
 * fresh random 96-bit IV per encryption, and additional data binding each
 * ciphertext to its account and key id, so a ciphertext copied anywhere else
 * does not decrypt. Each record keeps the master key's version, so the master
 * can be rotated: BYOK_ENCRYPTION_KEY is the current key (version
 * BYOK_ENCRYPTION_KEY_VERSION), BYOK_PREVIOUS_ENCRYPTION_KEYS ("1:base64,…")
 * still decrypts older records until they are re-encrypted.
 */
import type { Env } from '../env';
import { usableSecret } from '../base/environment';
import type { EncryptedKey } from '../account/byok-key-store';

/** What a ciphertext is bound to: decrypting it anywhere else fails. */
export interface KeyBinding {
  accountId: string;
  keyId: string;
}

export interface MasterKeys {
  current: { version: number; key: CryptoKey };
  byVersion: Map<number, CryptoKey>;
}

export class ByokUnavailableError extends Error {}

const toBase64 = (bytes: Uint8Array): string => btoa(String.fromCharCode(...bytes));
const fromBase64 = (text: string): Uint8Array => Uint8Array.from(atob(text), (char) => char.charCodeAt(0));
const additionalData = (binding: KeyBinding) => new TextEncoder().encode(`find-token/byok/v1:${binding.accountId}:${binding.keyId}`);

async function importKey(base64: string, what: string): Promise<CryptoKey> {
  let raw: Uint8Array;
  try {
    raw = fromBase64(base64.trim());
  } catch {
    throw new ByokUnavailableError(`${what} is not base64`);
  }
  if (raw.length !== 32) throw new ByokUnavailableError(`${what} must be 32 bytes (base64), not ${raw.length}`);
  return crypto.subtle.importKey('raw', raw, 'AES-GCM', false, ['encrypt', 'decrypt']);
}

const cache = new WeakMap<object, Promise<MasterKeys>>();

/** The master keys from the env (cached per env); ByokUnavailableError when the secret is missing or malformed. */
export function masterKeys(env: Env): Promise<MasterKeys> {
  let keys = cache.get(env);
  if (!keys) {
    keys = loadMasterKeys(env);
    cache.set(env, keys);
    keys.catch(() => cache.delete(env));
  }
  return keys;
}

async function loadMasterKeys(env: Env): Promise<MasterKeys> {
  // Production refuses the public dev master key as if it were unset (base/environment.ts).
  const currentKey = usableSecret(env, 'BYOK_ENCRYPTION_KEY');
  if (!currentKey) throw new ByokUnavailableError('BYOK_ENCRYPTION_KEY is not set');
  const version = Number(env.BYOK_ENCRYPTION_KEY_VERSION ?? '1');
  if (!Number.isInteger(version) || version < 1) throw new ByokUnavailableError('BYOK_ENCRYPTION_KEY_VERSION must be a positive integer');
  const current = { version, key: await importKey(currentKey, 'BYOK_ENCRYPTION_KEY') };
  const byVersion = new Map([[version, current.key]]);
  for (const entry of (env.BYOK_PREVIOUS_ENCRYPTION_KEYS ?? '').split(',').filter((part) => part.trim())) {
    const match = /^\s*(\d+)\s*:\s*(\S+)\s*$/.exec(entry);
    if (!match) throw new ByokUnavailableError('BYOK_PREVIOUS_ENCRYPTION_KEYS must be "version:base64" pairs, comma-separated');
    const previous = Number(match[1]);
    if (previous !== version) byVersion.set(previous, await importKey(match[2]!, `BYOK_PREVIOUS_ENCRYPTION_KEYS version ${previous}`));
  }
  return { current, byVersion };
}

export async function encryptProviderKey(keys: MasterKeys, plaintext: string, binding: KeyBinding): Promise<EncryptedKey> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const sealed = await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: additionalData(binding) }, keys.current.key, new TextEncoder().encode(plaintext));
  return { ciphertext: toBase64(new Uint8Array(sealed)), iv: toBase64(iv), keyVersion: keys.current.version };
}

/** Throws when the record was not sealed for this binding, or its master key version is unknown. */
export async function decryptProviderKey(keys: MasterKeys, record: EncryptedKey, binding: KeyBinding): Promise<string> {
  const key = keys.byVersion.get(record.keyVersion);
  if (!key) throw new Error(`no master key of version ${record.keyVersion}`);
  const opened = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: fromBase64(record.iv), additionalData: additionalData(binding) }, key, fromBase64(record.ciphertext));
  return new TextDecoder().decode(opened);
}

/** The record under the current master key (unchanged if it already is). */
export async function reencryptProviderKey(keys: MasterKeys, record: EncryptedKey, binding: KeyBinding): Promise<EncryptedKey> {
  if (record.keyVersion === keys.current.version) return record;
  return encryptProviderKey(keys, await decryptProviderKey(keys, record, binding), binding);
}
