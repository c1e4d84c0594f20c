/**
 * D1 schema: the source of the SQL migrations in migrations/ (drizzle-kit generate).
 * Times are Unix milliseconds.
 */
import { sqliteTable, text, integer, index } from 'drizzle-orm/sqlite-core';

export const accounts = sqliteTable('accounts', {
  id: text('id').primaryKey(),
  email: text('email').notNull().unique(),
  status: text('status', { enum: ['active', 'suspended'] }).notNull().default('active'),
  createdAt: integer('created_at').notNull(),
});

export const apiKeys = sqliteTable(
  'api_keys',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id),
    name: text('name').notNull(),
    /** SHA-256 of the whole key, lowercase hex; the key itself is never stored. */
    keyHash: text('key_hash').notNull().unique(),
    /** What the owner sees to recognise a key: "sk-ft_" + the first 4 hex and the last 4. */
    prefix: text('prefix').notNull(),
    last4: text('last4').notNull(),
    createdAt: integer('created_at').notNull(),
    lastUsedAt: integer('last_used_at'),
    /** Set once, never cleared: a revoked key stays revoked. */
    revokedAt: integer('revoked_at'),
  },
  (table) => [index('api_keys_account_idx').on(table.accountId)],
);

export type AccountRow = typeof accounts.$inferSelect;
export type ApiKeyRow = typeof apiKeys.$inferSelect;
