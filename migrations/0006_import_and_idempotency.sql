CREATE TABLE `idempotency_keys` (
	`scope` text NOT NULL,
	`key` text NOT NULL,
	`request_digest` text NOT NULL,
	`status` integer NOT NULL,
	`headers` text NOT NULL,
	`body` text NOT NULL,
	`created_at` text NOT NULL,
	PRIMARY KEY(`scope`, `key`)
);
--> statement-breakpoint
CREATE INDEX `idempotency_keys_created_at_idx` ON `idempotency_keys` (`created_at`);--> statement-breakpoint
CREATE TABLE `imported_rows` (
	`resource` text NOT NULL,
	`format` text NOT NULL,
	`site` text NOT NULL,
	`source_id` text NOT NULL,
	`target_id` integer NOT NULL,
	`digest` text NOT NULL,
	`imported_at` text NOT NULL,
	PRIMARY KEY(`resource`, `format`, `site`, `source_id`)
);
--> statement-breakpoint
CREATE INDEX `imported_rows_target_idx` ON `imported_rows` (`resource`,`target_id`);