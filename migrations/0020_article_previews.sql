CREATE TABLE `article_previews` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`article_id` integer NOT NULL,
	`secret_hash` text NOT NULL,
	`created_by` text NOT NULL,
	`created_at` text NOT NULL,
	`expires_at` text NOT NULL,
	FOREIGN KEY (`article_id`) REFERENCES `articles`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `article_previews_secret_hash_unique` ON `article_previews` (`secret_hash`);--> statement-breakpoint
CREATE INDEX `article_previews_article_idx` ON `article_previews` (`article_id`);--> statement-breakpoint
CREATE INDEX `article_previews_expires_idx` ON `article_previews` (`expires_at`);