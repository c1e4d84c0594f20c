CREATE TABLE `billing_logs` (
	`id` text PRIMARY KEY NOT NULL,
	`request_id` text NOT NULL,
	`account_id` text NOT NULL,
	`key_id` text,
	`key_name` text,
	`key_prefix` text,
	`created_at` integer NOT NULL,
	`model` text NOT NULL,
	`provider` text NOT NULL,
	`mode` text NOT NULL,
	`routing` text NOT NULL,
	`prompt_tokens` integer NOT NULL,
	`cached_tokens` integer NOT NULL,
	`completion_tokens` integer NOT NULL,
	`reasoning_tokens` integer NOT NULL,
	`cost` integer NOT NULL,
	`provider_cost` integer NOT NULL,
	`estimated` integer NOT NULL,
	`status` text NOT NULL,
	`latency_ms` integer NOT NULL,
	`stream` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `billing_logs_request_id_unique` ON `billing_logs` (`request_id`);--> statement-breakpoint
CREATE INDEX `billing_logs_account_time_idx` ON `billing_logs` (`account_id`,`created_at`,`request_id`);--> statement-breakpoint
CREATE INDEX `billing_logs_account_model_time_idx` ON `billing_logs` (`account_id`,`model`,`created_at`);