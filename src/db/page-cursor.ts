/**
 * The opaque cursor of newest-first lists (billing logs, recharges): the last
 * row's time and id, base64. A cursor whose id does not have the list's prefix
 * is not one this API gave out.
 */
export const encodePageCursor = (createdAt: number, id: string): string => btoa(`${createdAt}:${id}`).replace(/=+$/, '');

export function decodePageCursor(cursor: string, idPrefix: string): { createdAt: number; id: string } | undefined {
  try {
    const match = /^(\d+):([a-z]+_[0-9a-f]+)$/.exec(atob(cursor));
    return match && match[2]!.startsWith(`${idPrefix}_`) ? { createdAt: Number(match[1]), id: match[2]! } : undefined;
  } catch {
    return undefined;
  }
}
