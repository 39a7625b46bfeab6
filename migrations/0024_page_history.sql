CREATE TABLE `page_revisions` (
	`page_id` integer NOT NULL,
	`number` integer NOT NULL,
	`version` integer NOT NULL,
	`title` text NOT NULL,
	`slug` text NOT NULL,
	`status` text NOT NULL,
	`written_at` text NOT NULL,
	`replaced_at` text NOT NULL,
	`replaced_by` text NOT NULL,
	`snapshot` text NOT NULL,
	PRIMARY KEY(`page_id`, `number`),
	FOREIGN KEY (`page_id`) REFERENCES `pages`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `trashed_pages` (
	`id` integer PRIMARY KEY NOT NULL,
	`slug` text NOT NULL,
	`title` text NOT NULL,
	`status` text NOT NULL,
	`parent_id` integer,
	`version` integer NOT NULL,
	`trashed_at` text NOT NULL,
	`trashed_by` text NOT NULL,
	`purge_at` text NOT NULL,
	`content` text NOT NULL,
	CONSTRAINT "trashed_pages_status_check" CHECK("trashed_pages"."status" in ('draft', 'published'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `trashed_pages_slug_unique` ON `trashed_pages` (`slug`);--> statement-breakpoint
CREATE INDEX `trashed_pages_trashed_at_idx` ON `trashed_pages` (`trashed_at`,`id`);--> statement-breakpoint
CREATE INDEX `trashed_pages_purge_at_idx` ON `trashed_pages` (`purge_at`);