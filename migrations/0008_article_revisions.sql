CREATE TABLE `article_revisions` (
	`article_id` integer NOT NULL,
	`number` integer NOT NULL,
	`version` integer NOT NULL,
	`status` text NOT NULL,
	`published_at` text,
	`author_id` integer NOT NULL,
	`written_at` text NOT NULL,
	`replaced_at` text NOT NULL,
	`replaced_by` text NOT NULL,
	`title` text NOT NULL,
	`custom_excerpt` text,
	`labels` text NOT NULL,
	`body` text NOT NULL,
	PRIMARY KEY(`article_id`, `number`),
	FOREIGN KEY (`article_id`) REFERENCES `articles`(`id`) ON UPDATE no action ON DELETE cascade
);
