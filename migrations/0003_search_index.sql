-- Full-text search over articles (SQLite FTS5; see src/search/). The rowid is the article id.
-- Porter stemming over unicode61 with diacritics removed: "attacks" finds "attack", "cafe" finds "café".
-- Prefix indexes make search-as-you-type and title suggestions fast.
-- Rows are written by the articles service in the same transaction as the article; a database
-- migrated from before this table is indexed at start-up (src/search/index.ts).
CREATE VIRTUAL TABLE `articles_search` USING fts5(
	title, excerpt, body, labels,
	tokenize = 'porter unicode61 remove_diacritics 2',
	prefix = '2 3 4'
);
