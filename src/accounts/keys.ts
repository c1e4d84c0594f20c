/**
 * find-token API keys: `sk-ft_` + 64 lowercase hex from a CSPRNG (70 characters;
 * PRODUCT.md's "68" miscounts the 6-character prefix).
 * Only the SHA-256 of a key is stored, with a display prefix and last 4 for the owner.
 */
import { randomHex, sha256Hex } from '../base/ids';

export const API_KEY_PREFIX = 'sk-ft_';
const API_KEY_PATTERN = /^sk-ft_[0-9a-f]{64}$/;

export interface NewApiKey {
  key: string;
  hash: string;
  prefix: string;
  last4: string;
}

export async function generateApiKey(): Promise<NewApiKey> {
  const key = API_KEY_PREFIX + randomHex(32);
  return { key, hash: await sha256Hex(key), ...displayParts(key) };
}

export const isWellFormedApiKey = (candidate: string): boolean => API_KEY_PATTERN.test(candidate);

export const hashApiKey = (key: string): Promise<string> => sha256Hex(key);

export function displayParts(key: string): { prefix: string; last4: string } {
  return { prefix: key.slice(0, API_KEY_PREFIX.length + 4), last4: key.slice(-4) };
}

/** What the owner sees in a list: "sk-ft_a1b2…9f3e". */
export const maskApiKey = (prefix: string, last4: string): string => `${prefix}…${last4}`;
