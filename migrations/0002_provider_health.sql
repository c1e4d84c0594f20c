CREATE TABLE `provider_health` (
	`provider` text PRIMARY KEY NOT NULL,
	`status` text NOT NULL,
	`checked_at` integer NOT NULL,
	`latency_ms` integer,
	`error` text,
	`consecutive_failures` integer DEFAULT 0 NOT NULL
);
