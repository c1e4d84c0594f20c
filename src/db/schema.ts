/**
 * D1 schema: the source of the SQL migrations in migrations/ (drizzle-kit generate).
 * Times are Unix milliseconds.
 */
import { sql } from 'drizzle-orm';
import { sqliteTable, text, integer, index, primaryKey } from 'drizzle-orm/sqlite-core';

export const accounts = sqliteTable(
  'accounts',
  {
    id: text('id').primaryKey(),
    email: text('email').notNull().unique(),
    status: text('status', { enum: ['active', 'suspended', 'deactivated'] }).notNull().default('active'),
    createdAt: integer('created_at').notNull(),
    /** The last API call, recharge or sign-in (written at most hourly); credits expire 365 days after it. */
    lastActiveAt: integer('last_active_at'),
  },
  // The expiry sweep reads active accounts by last activity, oldest first, a page at a time (jobs/credit-expiry.ts).
  (table) => [index('accounts_activity_idx').on(table.status, sql`coalesce(${table.lastActiveAt}, ${table.createdAt})`, table.id)],
);

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
    /**
     * The key's rules as it was made (base/key-rules.ts), for the owner's list; the account's
     * object holds and enforces them. `scopes` comma-separated; `models` a JSON array or null.
     */
    scopes: text('scopes').notNull().default('inference,manage'),
    models: text('models'),
    limitAmount: integer('limit_amount'),
    limitPeriod: text('limit_period', { enum: ['day', 'month', 'total'] }),
    expiresAt: integer('expires_at'),
    /** The key that made this one (null: the dashboard or the operator made it). */
    parentId: text('parent_id'),
  },
  (table) => [index('api_keys_account_idx').on(table.accountId)],
);

export type AccountRow = typeof accounts.$inferSelect;
export type ApiKeyRow = typeof apiKeys.$inferSelect;

/**
 * One row per API call, written by the BILLING_LOGS queue consumer from the account objects (never on the
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
    /** What the request cost beyond `cost` that its hold and the free balance could not cover. */
    uncollected: integer('uncollected').notNull().default(0),
    providerCost: integer('provider_cost').notNull(),
    estimated: integer('estimated', { mode: 'boolean' }).notNull(),
    status: text('status', { enum: ['succeeded', 'failed', 'interrupted', 'abandoned'] }).notNull(),
    latencyMs: integer('latency_ms').notNull(),
    stream: integer('stream', { mode: 'boolean' }).notNull(),
    /** Why a BYOK request was served standard from credits (its registered key refused, with fallback_to_credits). */
    fallbackReason: text('fallback_reason'),
    /** The queue consumer's batch that wrote the row (billing/ pipeline): its rollups and its R2 batch object. */
    batchId: text('batch_id'),
    /** When the consumer wrote the row to D1 (the queue lag is this less the charge: created_at + latency_ms). */
    ingestedAt: integer('ingested_at'),
  },
  (table) => [
    index('billing_logs_account_time_idx').on(table.accountId, table.createdAt, table.requestId),
    index('billing_logs_account_model_time_idx').on(table.accountId, table.model, table.createdAt),
    index('billing_logs_batch_idx').on(table.batchId),
    // The retention job reads a day's rows across accounts (created_at ranges), oldest first.
    index('billing_logs_time_idx').on(table.createdAt),
  ],
);

export type BillingLogRow = typeof billingLogs.$inferSelect;

/**
 * Charges that could be neither recorded by the account object nor queued
 * (account/charge-delivery.ts), or that the dead-letter queue gave up on: the
 * operator's count, and the charge's own input to replay it.
 */
export const lostCharges = sqliteTable('lost_charges', {
  requestId: text('request_id').primaryKey(),
  accountId: text('account_id').notNull(),
  cost: integer('cost').notNull(),
  /** The account object's ChargeInput, as JSON. */
  charge: text('charge').notNull(),
  createdAt: integer('created_at').notNull(),
});

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

/** A Stripe Checkout recharge; the account object's ledger holds the credit, this row its story. Amounts in units. */
export const recharges = sqliteTable(
  'recharges',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id').notNull(),
    amount: integer('amount').notNull(),
    status: text('status', { enum: ['pending', 'paid', 'failed', 'expired', 'refunded', 'partially_refunded'] }).notNull(),
    stripeSessionId: text('stripe_session_id').unique(),
    stripePaymentIntent: text('stripe_payment_intent'),
    createdAt: integer('created_at').notNull(),
    paidAt: integer('paid_at'),
    refundedAmount: integer('refunded_amount').notNull().default(0),
    successUrl: text('success_url').notNull(),
    cancelUrl: text('cancel_url').notNull(),
  },
  (table) => [index('recharges_account_created_idx').on(table.accountId, table.createdAt), index('recharges_payment_intent_idx').on(table.stripePaymentIntent)],
);

export type RechargeRow = typeof recharges.$inferSelect;

/** Expiry warnings sent, once per kind per period of inactivity (keyed by the activity time they were computed from). */
export const creditNotices = sqliteTable(
  'credit_notices',
  {
    accountId: text('account_id').notNull(),
    kind: text('kind', { enum: ['expiry_30d', 'expiry_7d', 'expired'] }).notNull(),
    activityAt: integer('activity_at').notNull(),
    sentAt: integer('sent_at').notNull(),
  },
  (table) => [primaryKey({ columns: [table.accountId, table.kind, table.activityAt] })],
);

/**
 * Where a paged job's sweep stands between invocations: the sweep it is in (the
 * UTC day it began), the last row it finished, whether it is done, and who holds
 * it now (a lease, so overlapping invocations never work the same page at once).
 */
export const jobCursors = sqliteTable('job_cursors', {
  job: text('job').primaryKey(),
  sweep: text('sweep').notNull(),
  cursor: text('cursor').notNull(),
  finishedAt: integer('finished_at'),
  leaseId: text('lease_id'),
  leaseUntil: integer('lease_until').notNull().default(0),
});

/**
 * The last runs of each cron job (jobs/job-runs.ts keeps JOB_RUNS_KEPT per job):
 * what GET /admin/v1/health shows the operator. Times in ms.
 */
export const jobRuns = sqliteTable(
  'job_runs',
  {
    id: text('id').primaryKey(),
    job: text('job').notNull(),
    startedAt: integer('started_at').notNull(),
    finishedAt: integer('finished_at').notNull(),
    outcome: text('outcome', { enum: ['ok', 'failed'] }).notNull(),
    detail: text('detail').notNull(),
  },
  (table) => [index('job_runs_job_started_idx').on(table.job, table.startedAt)],
);

/** The dev outbox: every email when no real sender is configured. */
export const emailOutbox = sqliteTable('email_outbox', {
  id: text('id').primaryKey(),
  to: text('to').notNull(),
  subject: text('subject').notNull(),
  text: text('text').notNull(),
  html: text('html').notNull(),
  createdAt: integer('created_at').notNull(),
});

/** A sign-in link: single use, 30 minutes, stored as the SHA-256 of its token. */
export const loginTokens = sqliteTable(
  'login_tokens',
  {
    tokenHash: text('token_hash').primaryKey(),
    email: text('email').notNull(),
    /** Who asked (for the per-address rate limit, with email). */
    ip: text('ip').notNull(),
    createdAt: integer('created_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
    usedAt: integer('used_at'),
  },
  (table) => [index('login_tokens_email_idx').on(table.email, table.createdAt), index('login_tokens_ip_idx').on(table.ip, table.createdAt)],
);

/** A dashboard session: the cookie holds a random id, this row its SHA-256, the CSRF token and the expiry. */
export const webSessions = sqliteTable(
  'web_sessions',
  {
    idHash: text('id_hash').primaryKey(),
    accountId: text('account_id').notNull(),
    csrfToken: text('csrf_token').notNull(),
    createdAt: integer('created_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
  },
  (table) => [index('web_sessions_account_idx').on(table.accountId)],
);

/**
 * Support refund attempts, written before the account object debits one, so the
 * daily reconciliation finds any attempt a worker left pending (it died, or
 * Stripe never answered). The object is the authority on each attempt's money;
 * this is its index and its story. Amounts in units.
 */
export const refundAttempts = sqliteTable(
  'refund_attempts',
  {
    id: text('id').primaryKey(),
    rechargeId: text('recharge_id').notNull(),
    accountId: text('account_id').notNull(),
    amount: integer('amount').notNull(),
    status: text('status', { enum: ['pending', 'refunded', 'reversed', 'abandoned'] }).notNull(),
    stripeRefundId: text('stripe_refund_id'),
    createdAt: integer('created_at').notNull(),
    settledAt: integer('settled_at'),
  },
  (table) => [index('refund_attempts_status_created_idx').on(table.status, table.createdAt), index('refund_attempts_recharge_idx').on(table.rechargeId)],
);

export type RefundAttemptRow = typeof refundAttempts.$inferSelect;

/**
 * Each batch the billing-log consumer wrote to D1: its rows are the ones whose batch_id is its id (those
 * new to D1; redelivered rows keep their first batch). `archived_at` is set once its immutable NDJSON
 * object is in R2; a batch without it (the consumer died between D1 and R2) is archived again from D1.
 */
export const billingLogBatches = sqliteTable(
  'billing_log_batches',
  {
    id: text('id').primaryKey(),
    rows: integer('rows').notNull(),
    objectKey: text('object_key').notNull(),
    createdAt: integer('created_at').notNull(),
    archivedAt: integer('archived_at'),
  },
  (table) => [index('billing_log_batches_unarchived_idx').on(table.archivedAt, table.createdAt)],
);

/**
 * Daily totals per account and model (the UTC day of a request's created_at), maintained by the
 * billing-log consumer in the same transaction as the rows it adds, so each row counts once. The
 * dashboard's chart and totals read these, never the raw rows. Money in units.
 */
export const billingRollups = sqliteTable(
  'billing_rollups',
  {
    accountId: text('account_id').notNull(),
    /** YYYY-MM-DD (UTC). */
    day: text('day').notNull(),
    model: text('model').notNull(),
    requests: integer('requests').notNull(),
    failed: integer('failed').notNull(),
    promptTokens: integer('prompt_tokens').notNull(),
    cachedTokens: integer('cached_tokens').notNull(),
    completionTokens: integer('completion_tokens').notNull(),
    reasoningTokens: integer('reasoning_tokens').notNull(),
    cost: integer('cost').notNull(),
    uncollected: integer('uncollected').notNull(),
    providerCost: integer('provider_cost').notNull(),
  },
  (table) => [primaryKey({ columns: [table.accountId, table.day, table.model] })],
);

export type BillingRollupRow = typeof billingRollups.$inferSelect;

/**
 * An account's day of billing logs archived to R2 (`accounts/<id>/<day>.ndjson`) by the retention job:
 * written, read back, counted and checksummed before its rows left D1. Exports read days older than
 * the retention from these objects.
 */
export const billingLogArchives = sqliteTable(
  'billing_log_archives',
  {
    accountId: text('account_id').notNull(),
    /** YYYY-MM-DD (UTC). */
    day: text('day').notNull(),
    objectKey: text('object_key').notNull(),
    rows: integer('rows').notNull(),
    bytes: integer('bytes').notNull(),
    /** Hex SHA-256 of the object's bytes. */
    sha256: text('sha256').notNull(),
    archivedAt: integer('archived_at').notNull(),
    /** Set once the day's rows are gone from D1 (the archive was verified first). */
    prunedAt: integer('pruned_at'),
  },
  (table) => [primaryKey({ columns: [table.accountId, table.day] })],
);

/** Exports too large for one response, built by a job into R2 and downloaded when ready. */
export const billingLogExports = sqliteTable(
  'billing_log_exports',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id').notNull(),
    fromMs: integer('from_ms').notNull(),
    toMs: integer('to_ms').notNull(),
    format: text('format', { enum: ['csv', 'ndjson'] }).notNull(),
    status: text('status', { enum: ['pending', 'building', 'ready', 'failed'] }).notNull(),
    /** The job's progress, so a build spans invocations (JSON: where it is, the multipart upload). */
    progress: text('progress'),
    objectKey: text('object_key'),
    rows: integer('rows'),
    bytes: integer('bytes'),
    error: text('error'),
    createdAt: integer('created_at').notNull(),
    finishedAt: integer('finished_at'),
    /** After this the object and the row are deleted. */
    expiresAt: integer('expires_at').notNull(),
  },
  (table) => [index('billing_log_exports_account_idx').on(table.accountId, table.createdAt), index('billing_log_exports_status_idx').on(table.status, table.createdAt)],
);

export type BillingLogExportRow = typeof billingLogExports.$inferSelect;
