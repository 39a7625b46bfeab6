-- The same text as articles_search, but not stemmed: what a reader is still typing is a prefix
-- of the word as written ("happin" of "happiness"), not of its stem ("happi"). Filled at start-up.
CREATE VIRTUAL TABLE `articles_words` USING fts5(
	title, excerpt, body, labels,
	tokenize = 'unicode61 remove_diacritics 2',
	prefix = '2 3 4'
);
