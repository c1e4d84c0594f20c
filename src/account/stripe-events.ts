/**
 * The Stripe events this object has applied, by event id: the record that makes
 * a delivered event change money once. Written in the same storage transaction
 * as the change it made, and kept apart from the ledger, so it outlives any
 * compaction of the ledger.
 */
export const eventSeen = (sql: SqlStorage, eventId: string): boolean => sql.exec('SELECT 1 FROM stripe_events WHERE event_id = ?', eventId).toArray().length > 0;

/** Records the event; call inside the transaction that applies it. */
export function recordEvent(sql: SqlStorage, eventId: string, now: number): void {
  sql.exec('INSERT INTO stripe_events (event_id, received_at) VALUES (?, ?)', eventId, now);
}
