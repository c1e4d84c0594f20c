/**
 * Newest-first lists (billing logs, recharges) page the same way: the query
 * fetches one row more than the page, and the opaque cursor is the last row's
 * time and id, base64. A cursor whose id does not have the list's prefix is not
 * one this API gave out.
 */
export interface PageCursor {
  createdAt: number;
  id: string;
}

export interface Page<T> {
  rows: T[];
  nextCursor: string | null;
}

export const encodePageCursor = ({ createdAt, id }: PageCursor): string => btoa(`${createdAt}:${id}`).replace(/=+$/, '');

export function decodePageCursor(cursor: string, idPrefix: string): PageCursor | undefined {
  try {
    const match = /^(\d+):([a-z]+_[0-9a-f]+)$/.exec(atob(cursor));
    return match && match[2]!.startsWith(`${idPrefix}_`) ? { createdAt: Number(match[1]), id: match[2]! } : undefined;
  } catch {
    return undefined;
  }
}

/** The page out of `limit + 1` fetched rows, and the cursor after it when more remain. */
export function pageOf<T>(fetched: T[], limit: number, cursorOf: (row: T) => PageCursor): Page<T> {
  const rows = fetched.slice(0, limit);
  const last = rows.at(-1);
  return { rows, nextCursor: fetched.length > limit && last ? encodePageCursor(cursorOf(last)) : null };
}
