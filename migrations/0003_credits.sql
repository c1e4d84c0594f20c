CREATE TABLE `credit_notices` (
	`account_id` text NOT NULL,
	`kind` text NOT NULL,
	`activity_at` integer NOT NULL,
	`sent_at` integer NOT NULL,
	PRIMARY KEY(`account_id`, `kind`, `activity_at`)
);
--> statement-breakpoint
CREATE TABLE `email_outbox` (
	`id` text PRIMARY KEY NOT NULL,
	`to` text NOT NULL,
	`subject` text NOT NULL,
	`text` text NOT NULL,
	`html` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `recharges` (
	`id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`amount` integer NOT NULL,
	`status` text NOT NULL,
	`stripe_session_id` text,
	`stripe_payment_intent` text,
	`created_at` integer NOT NULL,
	`paid_at` integer,
	`refunded_amount` integer DEFAULT 0 NOT NULL,
	`success_url` text NOT NULL,
	`cancel_url` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `recharges_stripe_session_id_unique` ON `recharges` (`stripe_session_id`);--> statement-breakpoint
CREATE INDEX `recharges_account_created_idx` ON `recharges` (`account_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `recharges_payment_intent_idx` ON `recharges` (`stripe_payment_intent`);--> statement-breakpoint
ALTER TABLE `accounts` ADD `last_active_at` integer;