DROP INDEX `articles_day_idx`;--> statement-breakpoint
CREATE INDEX `articles_day_idx` ON `articles` (`published_day`,`status`,`published_at`,`id`);--> statement-breakpoint
DROP INDEX `comments_parent_idx`;--> statement-breakpoint
CREATE INDEX `comments_parent_idx` ON `comments` (`parent_id`,`status`);