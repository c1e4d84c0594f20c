/** Random identifiers and hex helpers shared by accounts and keys (CSPRNG only). */
export function randomHex(bytes: number): string {
  const buffer = crypto.getRandomValues(new Uint8Array(bytes));
  return toHex(buffer);
}

const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

export function toHex(bytes: ArrayBuffer | Uint8Array): string {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  let out = '';
  for (const byte of view) out += HEX[byte];
  return out;
}

export async function sha256Hex(text: string): Promise<string> {
  return toHex(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
}

/** `acct_…`, `key_…`: 16 random bytes, unguessable and collision-free in practice. */
export const newId = (prefix: string): string => `${prefix}_${randomHex(16)}`;

/** A request's id: `req_` + 12 random bytes. It is also the key of its billing-log row. */
export const newRequestId = (): string => `req_${randomHex(12)}`;

/** The billing-log row id of a request: the request id's random part under `bl_`. */
export const billingLogId = (requestId: string): string => `bl_${requestId.replace(/^req_/, '')}`;
