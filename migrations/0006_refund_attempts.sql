CREATE TABLE `refund_attempts` (
	`id` text PRIMARY KEY NOT NULL,
	`recharge_id` text NOT NULL,
	`account_id` text NOT NULL,
	`amount` integer NOT NULL,
	`status` text NOT NULL,
	`stripe_refund_id` text,
	`created_at` integer NOT NULL,
	`settled_at` integer
);
--> statement-breakpoint
CREATE INDEX `refund_attempts_status_created_idx` ON `refund_attempts` (`status`,`created_at`);--> statement-breakpoint
CREATE INDEX `refund_attempts_recharge_idx` ON `refund_attempts` (`recharge_id`);