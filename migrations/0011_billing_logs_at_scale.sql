CREATE TABLE `billing_log_archives` (
	`account_id` text NOT NULL,
	`day` text NOT NULL,
	`object_key` text NOT NULL,
	`rows` integer NOT NULL,
	`bytes` integer NOT NULL,
	`sha256` text NOT NULL,
	`archived_at` integer NOT NULL,
	`pruned_at` integer,
	PRIMARY KEY(`account_id`, `day`)
);
--> statement-breakpoint
CREATE TABLE `billing_log_batches` (
	`id` text PRIMARY KEY NOT NULL,
	`rows` integer NOT NULL,
	`object_key` text NOT NULL,
	`created_at` integer NOT NULL,
	`archived_at` integer
);
--> statement-breakpoint
CREATE INDEX `billing_log_batches_unarchived_idx` ON `billing_log_batches` (`archived_at`,`created_at`);--> statement-breakpoint
CREATE TABLE `billing_log_exports` (
	`id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`from_ms` integer NOT NULL,
	`to_ms` integer NOT NULL,
	`format` text NOT NULL,
	`status` text NOT NULL,
	`progress` text,
	`object_key` text,
	`rows` integer,
	`bytes` integer,
	`error` text,
	`created_at` integer NOT NULL,
	`finished_at` integer,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `billing_log_exports_account_idx` ON `billing_log_exports` (`account_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `billing_log_exports_status_idx` ON `billing_log_exports` (`status`,`created_at`);--> statement-breakpoint
CREATE TABLE `billing_rollups` (
	`account_id` text NOT NULL,
	`day` text NOT NULL,
	`model` text NOT NULL,
	`requests` integer NOT NULL,
	`failed` integer NOT NULL,
	`prompt_tokens` integer NOT NULL,
	`cached_tokens` integer NOT NULL,
	`completion_tokens` integer NOT NULL,
	`reasoning_tokens` integer NOT NULL,
	`cost` integer NOT NULL,
	`uncollected` integer NOT NULL,
	`provider_cost` integer NOT NULL,
	PRIMARY KEY(`account_id`, `day`, `model`)
);
--> statement-breakpoint
ALTER TABLE `billing_logs` ADD `batch_id` text;--> statement-breakpoint
ALTER TABLE `billing_logs` ADD `ingested_at` integer;--> statement-breakpoint
CREATE INDEX `billing_logs_batch_idx` ON `billing_logs` (`batch_id`);--> statement-breakpoint
CREATE INDEX `billing_logs_time_idx` ON `billing_logs` (`created_at`);--> statement-breakpoint
-- The rows already in D1 get their rollups once, here; from now on the billing-log consumer adds each new row's.
INSERT INTO `billing_rollups` (`account_id`, `day`, `model`, `requests`, `failed`, `prompt_tokens`, `cached_tokens`, `completion_tokens`, `reasoning_tokens`, `cost`, `uncollected`, `provider_cost`)
SELECT `account_id`, strftime('%Y-%m-%d', `created_at` / 1000, 'unixepoch'), `model`, count(*), sum(`status` != 'succeeded'), sum(`prompt_tokens`), sum(`cached_tokens`), sum(`completion_tokens`), sum(`reasoning_tokens`), sum(`cost`), sum(`uncollected`), sum(`provider_cost`)
FROM `billing_logs` GROUP BY 1, 2, 3;
