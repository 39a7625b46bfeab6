-- The same articles table with the long text columns last. SQLite stores a row's columns in
-- order, and a 3 KB body spills into overflow pages: with status, published_at and author_id
-- after the body, every filtered list and search read the body's pages just to check them
-- (3× slower on search at 10 k articles, bench/search.mjs). Foreign keys are off while
-- migrations run (src/db/client.ts), so dropping the old table leaves its comments and labels.
CREATE TABLE `__new_articles` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`slug` text NOT NULL,
	`status` text NOT NULL,
	`published_at` text,
	`published_day` text,
	`author_id` integer NOT NULL,
	`comment_count` integer DEFAULT 0 NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`title` text NOT NULL,
	`custom_excerpt` text,
	`excerpt` text NOT NULL,
	`body` text NOT NULL,
	FOREIGN KEY (`author_id`) REFERENCES `authors`(`id`) ON UPDATE no action ON DELETE restrict,
	CONSTRAINT "articles_status_check" CHECK("status" in ('draft', 'scheduled', 'published'))
);
--> statement-breakpoint
INSERT INTO `__new_articles` (`id`, `slug`, `status`, `published_at`, `published_day`, `author_id`, `comment_count`, `version`, `created_at`, `updated_at`, `title`, `custom_excerpt`, `excerpt`, `body`)
	SELECT `id`, `slug`, `status`, `published_at`, `published_day`, `author_id`, `comment_count`, `version`, `created_at`, `updated_at`, `title`, `custom_excerpt`, `excerpt`, `body` FROM `articles`;
--> statement-breakpoint
-- AUTOINCREMENT never gives a deleted article's id again: carry its counter over.
DELETE FROM sqlite_sequence WHERE name = '__new_articles';
--> statement-breakpoint
INSERT INTO sqlite_sequence (name, seq) SELECT '__new_articles', seq FROM sqlite_sequence WHERE name = 'articles';
--> statement-breakpoint
DROP TABLE `articles`;
--> statement-breakpoint
ALTER TABLE `__new_articles` RENAME TO `articles`;
--> statement-breakpoint
CREATE UNIQUE INDEX `articles_slug_unique` ON `articles` (`slug`);
--> statement-breakpoint
CREATE INDEX `articles_status_published_idx` ON `articles` (`status`,`published_at`,`id`);
--> statement-breakpoint
CREATE INDEX `articles_author_idx` ON `articles` (`author_id`,`status`,`published_at`);
--> statement-breakpoint
CREATE INDEX `articles_day_idx` ON `articles` (`published_day`,`status`);
--> statement-breakpoint
CREATE INDEX `articles_updated_at_idx` ON `articles` (`updated_at`,`id`);
--> statement-breakpoint
CREATE INDEX `articles_title_idx` ON `articles` (`title`,`id`);
