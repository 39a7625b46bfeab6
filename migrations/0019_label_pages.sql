ALTER TABLE `labels` ADD `slug` text;--> statement-breakpoint
ALTER TABLE `labels` ADD `description` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `labels` ADD `parent_id` integer REFERENCES labels(id) ON DELETE set null;--> statement-breakpoint
CREATE UNIQUE INDEX `labels_slug_unique` ON `labels` (`slug`);--> statement-breakpoint
CREATE INDEX `labels_parent_idx` ON `labels` (`parent_id`);