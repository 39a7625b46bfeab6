-- Written by hand (drizzle-kit generate --custom): what drizzle's schema cannot say.
--
-- Full-text search (src/search/) indexes and queries through two text search configurations,
-- so the same folding applies to what is indexed and what is asked:
--   dateline        accents folded (unaccent), then stemmed: "Café résumés" finds "cafe resume".
--   dateline_words  accents folded, not stemmed: for the word a reader is still typing.
-- The stemmer is Porter's, as SQLite's FTS5 tokenizer ('porter unicode61 remove_diacritics 2'),
-- and without a stop word list, as there: "the who" is searchable on both databases.
--
-- unaccent is a trusted extension (PostgreSQL 13+): a database owner may create it.
CREATE EXTENSION IF NOT EXISTS unaccent;
--> statement-breakpoint
CREATE TEXT SEARCH DICTIONARY dateline_stem (TEMPLATE = pg_catalog.snowball, LANGUAGE = porter);
--> statement-breakpoint
CREATE TEXT SEARCH CONFIGURATION dateline (COPY = pg_catalog.simple);
--> statement-breakpoint
ALTER TEXT SEARCH CONFIGURATION dateline
	ALTER MAPPING FOR asciiword, asciihword, hword_asciipart, word, hword, hword_part
	WITH unaccent, dateline_stem;
--> statement-breakpoint
CREATE TEXT SEARCH CONFIGURATION dateline_words (COPY = pg_catalog.simple);
--> statement-breakpoint
ALTER TEXT SEARCH CONFIGURATION dateline_words
	ALTER MAPPING FOR asciiword, asciihword, hword_asciipart, word, hword, hword_part
	WITH unaccent, simple;
--> statement-breakpoint
-- unaccent(text) is only STABLE (it finds its dictionary through search_path), so it cannot
-- go into an index expression. This wrapper names the dictionary once, when it is created (a
-- SQL-standard body is bound then), which makes it IMMUTABLE: for accent-blind comparisons
-- outside full-text search, such as title suggestions.
CREATE FUNCTION dateline_unaccent(text) RETURNS text
	LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
	RETURN unaccent('unaccent'::regdictionary, $1);
--> statement-breakpoint
-- The write stamp's one row (schema.postgres.ts, writeStamp).
INSERT INTO write_stamp (id, stamp) VALUES (1, 0);
