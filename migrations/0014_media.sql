CREATE TABLE `article_media` (
	`article_id` integer NOT NULL,
	`media_id` integer NOT NULL,
	`use` text NOT NULL,
	PRIMARY KEY(`article_id`, `media_id`, `use`),
	FOREIGN KEY (`article_id`) REFERENCES `articles`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`media_id`) REFERENCES `media`(`id`) ON UPDATE no action ON DELETE restrict,
	CONSTRAINT "article_media_use_check" CHECK("article_media"."use" in ('featured', 'inline'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `article_media_featured_idx` ON `article_media` (`article_id`) WHERE "article_media"."use" = 'featured';--> statement-breakpoint
CREATE INDEX `article_media_media_idx` ON `article_media` (`media_id`,`article_id`);--> statement-breakpoint
CREATE TABLE `media` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`key` text NOT NULL,
	`source` text NOT NULL,
	`owner_author_id` integer,
	`file_name` text NOT NULL,
	`format` text,
	`width` integer,
	`height` integer,
	`bytes` integer,
	`animated` integer NOT NULL,
	`alt` text NOT NULL,
	`caption` text NOT NULL,
	`credit` text NOT NULL,
	`focal_x` real NOT NULL,
	`focal_y` real NOT NULL,
	`dominant_color` text,
	`placeholder` text,
	`variants` text NOT NULL,
	`external_url` text,
	`version` integer NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`owner_author_id`) REFERENCES `authors`(`id`) ON UPDATE no action ON DELETE set null,
	CONSTRAINT "media_source_check" CHECK("media"."source" in ('upload', 'external'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `media_key_unique` ON `media` (`key`);--> statement-breakpoint
CREATE INDEX `media_created_at_idx` ON `media` (`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `media_owner_idx` ON `media` (`owner_author_id`,`id`);