CREATE TABLE `seo_fields` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`article_id` integer,
	`page_id` integer,
	`title` text,
	`description` text,
	`canonical_url` text,
	`noindex` integer DEFAULT false NOT NULL,
	`social_title` text,
	`social_description` text,
	`social_image_id` integer,
	FOREIGN KEY (`article_id`) REFERENCES `articles`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`page_id`) REFERENCES `pages`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`social_image_id`) REFERENCES `media`(`id`) ON UPDATE no action ON DELETE restrict,
	CONSTRAINT "seo_fields_owner_check" CHECK(("seo_fields"."article_id" is null) <> ("seo_fields"."page_id" is null))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `seo_fields_article_idx` ON `seo_fields` (`article_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `seo_fields_page_idx` ON `seo_fields` (`page_id`);--> statement-breakpoint
CREATE INDEX `seo_fields_social_image_idx` ON `seo_fields` (`social_image_id`);--> statement-breakpoint
ALTER TABLE `article_revisions` ADD `author_ids` text;--> statement-breakpoint
ALTER TABLE `article_revisions` ADD `unpublish_at` text;--> statement-breakpoint
ALTER TABLE `article_revisions` ADD `seo` text;