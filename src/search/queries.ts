import { queriesFor } from '../db/store.js'
import type { FtsQuery } from './query.js'
import { postgresSearchQueries } from './queries.postgres.js'
import { sqliteSearchQueries } from './queries.sqlite.js'

/** An article as search sees it. */
export interface SearchDocument {
  id: number
  title: string
  excerpt: string
  /** Sanitised HTML; indexed as text. */
  body: string
  labels: string[]
}

/** The text an article is indexed by: its body as text, its labels as one string. */
export interface IndexedText { title: string, excerpt: string, body: string, labels: string }

export interface TitleSuggestion { id: number, slug: string, title: string }

/**
 * Full-text search over articles, whose dialect decides how it is done (SQLite: FTS5 and
 * bm25; PostgreSQL: tsvector and ts_rank). Listing articles by a search is the articles'
 * query module's, which joins its dialect's search to its rows.
 */
/** An article's id and the text indexed for it. */
export interface IndexedArticle { id: number, text: IndexedText }

export interface SearchQueries {
  /** Writes an article's text and makes it searchable; it must have no search rows. */
  indexArticle: (id: number, text: IndexedText) => Promise<void>
  /** Removes an article's search rows; answers the text they held, if any. */
  unindexArticle: (id: number) => Promise<IndexedText | undefined>
  /** Writes an article's text without making it searchable yet (`indexTexts` does, for many at once). */
  writeText: (id: number, text: IndexedText) => Promise<void>
  /** Drops the text of an article written by `writeText` and not indexed yet. */
  deleteText: (id: number) => Promise<void>
  /** Makes the texts written for `ids` searchable, in one pass. */
  indexTexts: (ids: number[]) => Promise<void>
  /** Up to `limit` articles with ids above `afterId`, by id, with their labels in order: what indexing them all reads, a page at a time. */
  documentsAfter: (afterId: number, limit: number) => Promise<SearchDocument[]>
  /** The whole index made again from these texts, one per article (taken as they come: a million articles are never in memory at once). */
  rebuildIndex: (texts: Iterable<IndexedArticle> | AsyncIterable<IndexedArticle>) => Promise<void>
  articleCount: () => Promise<number>
  /** How many articles hold each word, as the stemmed index spells it (`stemmed` in ./query.ts). */
  articlesWithWords: (stems: string[]) => Promise<Map<string, number>>
  /** The indexed text of the articles `ids` (for snippets). */
  indexedTexts: (ids: number[]) => Promise<Map<number, IndexedText>>
  /** Published articles whose title matches (as a prefix while typing), best first. */
  titleSuggestions: (search: FtsQuery, now: string, limit: number) => Promise<TitleSuggestion[]>
  /**
   * Published articles sharing words with `terms` (any of them), with their text similarity
   * as a positive score: higher is closer. Only among the `nearest` matches written before
   * `excludeId` and as many after it (query.ts, `similarCandidates`).
   */
  similarArticles: (terms: string[], excludeId: number, now: string, limit: number, nearest: number) => Promise<Map<number, number>>
}

export const searchQueries = queriesFor<SearchQueries>({ sqlite: sqliteSearchQueries, postgres: postgresSearchQueries })
