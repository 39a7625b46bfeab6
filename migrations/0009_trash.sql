CREATE TABLE `trashed_articles` (
	`id` integer PRIMARY KEY NOT NULL,
	`slug` text NOT NULL,
	`title` text NOT NULL,
	`status` text NOT NULL,
	`published_at` text,
	`author_id` integer NOT NULL,
	`comment_count` integer NOT NULL,
	`version` integer NOT NULL,
	`trashed_at` text NOT NULL,
	`trashed_by` text NOT NULL,
	`purge_at` text NOT NULL,
	`content` text NOT NULL,
	FOREIGN KEY (`author_id`) REFERENCES `authors`(`id`) ON UPDATE no action ON DELETE restrict,
	CONSTRAINT "trashed_articles_status_check" CHECK("trashed_articles"."status" in ('draft', 'scheduled', 'published'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `trashed_articles_slug_unique` ON `trashed_articles` (`slug`);--> statement-breakpoint
CREATE INDEX `trashed_articles_trashed_at_idx` ON `trashed_articles` (`trashed_at`,`id`);--> statement-breakpoint
CREATE INDEX `trashed_articles_purge_at_idx` ON `trashed_articles` (`purge_at`);--> statement-breakpoint
CREATE INDEX `trashed_articles_author_idx` ON `trashed_articles` (`author_id`,`trashed_at`);