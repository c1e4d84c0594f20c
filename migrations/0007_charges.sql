CREATE TABLE `lost_charges` (
	`request_id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`cost` integer NOT NULL,
	`charge` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE `billing_logs` ADD `uncollected` integer DEFAULT 0 NOT NULL;