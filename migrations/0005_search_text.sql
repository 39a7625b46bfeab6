-- The searchable text of each article is kept once, in `articles_text`, and both full-text
-- indexes read it from there (FTS5 external content) instead of each storing a copy: the
-- text was stored twice before, making the file about eight times the size of the text.
-- Only the unstemmed index needs prefix indexes (for the word being typed).
-- The indexes are filled at start-up (src/search/index.ts, search_index_version 3).
DROP TABLE `articles_search`;
--> statement-breakpoint
DROP TABLE `articles_words`;
--> statement-breakpoint
CREATE TABLE `articles_text` (
	`id` integer PRIMARY KEY NOT NULL,
	`title` text NOT NULL,
	`excerpt` text NOT NULL,
	`body` text NOT NULL,
	`labels` text NOT NULL
);
--> statement-breakpoint
CREATE VIRTUAL TABLE `articles_search` USING fts5(
	title, excerpt, body, labels,
	content = 'articles_text', content_rowid = 'id',
	tokenize = 'porter unicode61 remove_diacritics 2'
);
--> statement-breakpoint
CREATE VIRTUAL TABLE `articles_words` USING fts5(
	title, excerpt, body, labels,
	content = 'articles_text', content_rowid = 'id',
	tokenize = 'unicode61 remove_diacritics 2',
	prefix = '2 3 4'
);
