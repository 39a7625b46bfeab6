CREATE TABLE `changes` (
	`position` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`at` text NOT NULL,
	`resource` text NOT NULL,
	`resource_id` text NOT NULL,
	`slug` text,
	`kind` text NOT NULL,
	`fields` text NOT NULL,
	`article_id` integer,
	`author_id` integer,
	`public_before` integer NOT NULL,
	`public_after` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `changes_at_idx` ON `changes` (`at`);