-- Articles get `unpublish_at`, among the short columns: an added column would go after the
-- body, and every read of it (each due check, each article read) would walk the body's
-- overflow pages (migration 0007 says why the long text is last). So the table is rebuilt, as
-- 0007 did; foreign keys are off while migrations run (src/db/client.ts).
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
	`unpublish_at` text,
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
CREATE INDEX `articles_day_idx` ON `articles` (`published_day`,`status`,`published_at`,`id`);
--> statement-breakpoint
CREATE INDEX `articles_updated_at_idx` ON `articles` (`updated_at`,`id`);
--> statement-breakpoint
CREATE INDEX `articles_title_idx` ON `articles` (`title`,`id`);
--> statement-breakpoint
CREATE INDEX `articles_unpublish_at_idx` ON `articles` (`unpublish_at`);
