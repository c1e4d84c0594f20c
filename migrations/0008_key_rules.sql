ALTER TABLE `api_keys` ADD `scopes` text DEFAULT 'inference,manage' NOT NULL;--> statement-breakpoint
ALTER TABLE `api_keys` ADD `models` text;--> statement-breakpoint
ALTER TABLE `api_keys` ADD `limit_amount` integer;--> statement-breakpoint
ALTER TABLE `api_keys` ADD `limit_period` text;--> statement-breakpoint
ALTER TABLE `api_keys` ADD `expires_at` integer;--> statement-breakpoint
ALTER TABLE `api_keys` ADD `parent_id` text;