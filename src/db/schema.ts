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

/**
 * One row per API call, written from the account object's outbox (never on the
 * request path). The object is the authority; this is the query store.
 * Money columns are integer units (1e-8 USD).
 */
export const billingLogs = sqliteTable(
  'billing_logs',
  {
    id: text('id').primaryKey(),
    requestId: text('request_id').notNull().unique(),
    accountId: text('account_id').notNull(),
    keyId: text('key_id'),
    keyName: text('key_name'),
    keyPrefix: text('key_prefix'),
    createdAt: integer('created_at').notNull(),
    model: text('model').notNull(),
    provider: text('provider').notNull(),
    mode: text('mode', { enum: ['standard', 'byok'] }).notNull(),
    routing: text('routing').notNull(),
    promptTokens: integer('prompt_tokens').notNull(),
    cachedTokens: integer('cached_tokens').notNull(),
    completionTokens: integer('completion_tokens').notNull(),
    reasoningTokens: integer('reasoning_tokens').notNull(),
    cost: integer('cost').notNull(),
    providerCost: integer('provider_cost').notNull(),
    estimated: integer('estimated', { mode: 'boolean' }).notNull(),
    status: text('status', { enum: ['succeeded', 'failed', 'interrupted', 'abandoned'] }).notNull(),
    latencyMs: integer('latency_ms').notNull(),
    stream: integer('stream', { mode: 'boolean' }).notNull(),
  },
  (table) => [
    index('billing_logs_account_time_idx').on(table.accountId, table.createdAt, table.requestId),
    index('billing_logs_account_model_time_idx').on(table.accountId, table.model, table.createdAt),
  ],
);

export type BillingLogRow = typeof billingLogs.$inferSelect;

/**
 * The last health probe of each provider (the cron job writes it; isolates read it
 * every HEALTH_REFRESH_MS, never per request). Latency in ms; the error is the
 * failure's kind and status, never the provider's own words.
 */
export const providerHealth = sqliteTable('provider_health', {
  provider: text('provider').primaryKey(),
  status: text('status', { enum: ['up', 'down'] }).notNull(),
  checkedAt: integer('checked_at').notNull(),
  latencyMs: integer('latency_ms'),
  error: text('error'),
  /** Probes failed in a row (0 when the last one succeeded). */
  consecutiveFailures: integer('consecutive_failures').notNull().default(0),
});

export type ProviderHealthRow = typeof providerHealth.$inferSelect;
