/**
 * The BILLING_LOGS queue's message: one account's billing logs, each line the
 * BillingLogRecord JSON exactly as the account object stores it (the shared
 * line format of batch objects, archives and exports), so neither the object
 * nor the consumer re-serialises a record. Messages are packed by bytes well
 * under Queues' limits (128 KB a message, 100 messages and 256 KB a sendBatch).
 */

export interface BillingLogMessage {
  accountId: string;
  lines: string[];
}

/** At most this many rows, and this many bytes of lines, in one message. */
export const MESSAGE_MAX_ROWS = 100;
export const MESSAGE_MAX_BYTES = 96_000;
/** At most this many bytes of lines in one sendBatch (Queues: 256 KB with each message's overhead). */
export const SEND_MAX_BYTES = 200_000;

/** UTF-8 length of `text` without encoding it. */
export function utf8Length(text: string): number {
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff) {
      // A surrogate pair: 4 bytes for 2 units.
      bytes += 2;
      i++;
    } else if (code > 0x7ff) bytes += 2;
    else if (code > 0x7f) bytes += 1;
  }
  return bytes;
}

/**
 * Groups `items` in order into runs of at most `maxCount` items whose sizes (each plus one byte, its
 * separator) stay within `maxBytes`; an item larger than that alone travels alone.
 */
export function packBySize<T>(items: readonly T[], size: (item: T) => number, maxBytes: number, maxCount = Infinity): T[][] {
  const groups: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const itemBytes = size(item) + 1;
    if (current.length > 0 && (current.length >= maxCount || bytes + itemBytes > maxBytes)) {
      groups.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += itemBytes;
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

/**
 * Packs `lines` (oldest first) into messages of at most MESSAGE_MAX_ROWS rows and
 * MESSAGE_MAX_BYTES bytes, keeping their order. A line larger than a message alone
 * travels alone (the records the object writes are a few hundred bytes).
 */
export const packMessages = (accountId: string, lines: readonly string[]): BillingLogMessage[] =>
  packBySize(lines, utf8Length, MESSAGE_MAX_BYTES, MESSAGE_MAX_ROWS).map((group) => ({ accountId, lines: group }));

/** Whether a queue body is a billing-log message (anything else is acknowledged and logged, never retried). */
export function isBillingLogMessage(body: unknown): body is BillingLogMessage {
  if (typeof body !== 'object' || body === null) return false;
  const { accountId, lines } = body as Partial<BillingLogMessage>;
  return typeof accountId === 'string' && accountId.length > 0 && Array.isArray(lines) && lines.every((line) => typeof line === 'string');
}

/**
 * A line's record id when the line is a BillingLogRecord of `accountId` that D1 can hold (every
 * NOT NULL column present with its type), else undefined: such a line would fail the whole
 * batch's transaction, so it is dropped and logged instead.
 */
export function recordIdOf(line: string, accountId: string): string | undefined {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (typeof record !== 'object' || record === null || record.accountId !== accountId) return undefined;
  const ok =
    TEXT_FIELDS.every((field) => typeof record[field] === 'string') &&
    NUMBER_FIELDS.every((field) => Number.isSafeInteger(record[field])) &&
    FLAG_FIELDS.every((field) => typeof record[field] === 'boolean');
  return ok ? (record.id as string) : undefined;
}

const TEXT_FIELDS = ['id', 'requestId', 'model', 'provider', 'mode', 'routing', 'status'];
const NUMBER_FIELDS = ['createdAt', 'promptTokens', 'cachedTokens', 'completionTokens', 'reasoningTokens', 'cost', 'providerCost', 'latencyMs'];
const FLAG_FIELDS = ['estimated', 'stream'];
