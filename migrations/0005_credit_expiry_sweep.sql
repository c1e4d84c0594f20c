CREATE TABLE `job_cursors` (
	`job` text PRIMARY KEY NOT NULL,
	`sweep` text NOT NULL,
	`cursor` text NOT NULL,
	`finished_at` integer,
	`lease_id` text,
	`lease_until` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
-- drizzle-kit 0.31 quotes an expression's parts as columns; the snapshot has it right, this line is written by hand.
CREATE INDEX `accounts_activity_idx` ON `accounts` (`status`,coalesce(`last_active_at`, `created_at`),`id`);