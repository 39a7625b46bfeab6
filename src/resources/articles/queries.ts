import type { articles } from '../../db/schema.js'
import { queriesFor } from '../../db/store.js'
import type { CursorValue, SortKey } from '../../lib/list.js'
import type { FtsQuery } from '../../search/query.js'
import { postgresArticleQueries } from './queries.postgres.js'
import { sqliteArticleQueries } from './queries.sqlite.js'
import type { articleSortFields } from './schemas.js'
import type { Visibility } from './visibility.js'

export type ArticleRow = typeof articles.$inferSelect
export type NewArticleRow = typeof articles.$inferInsert
export type ArticleSortField = (typeof articleSortFields)[number]

export interface ArticleFilters {
  visibility: Visibility
  /** A reader's search (src/search/query.ts). */
  search?: FtsQuery
  status?: ArticleRow['status']
  authorId?: number
  labelKeys?: string[]
  /** Only articles with public corrections (true), or only those without (false). */
  corrected?: boolean
  day?: string
  /** Only articles with an `unpublishAt`: what will come down. */
  unpublishing?: boolean
  /** Only articles kept out of search engines (`seo.noindex`), or only the others. */
  noindex?: boolean
  fromTimestamp?: string
  toTimestamp?: string
  fromDay?: string
  toDay?: string
}

/**
 * A page request over articles: the sort (the id is added last as a tie-breaker by the query
 * module) and a position. `relevance` is the search's score: the service allows it only with a search.
 */
export interface ArticlePageQuery {
  filters: ArticleFilters
  sort: SortKey<ArticleSortField>[]
  after: CursorValue[] | null
  limit: number
  offset: number
}

/** An article with its label names, in the article's order: what a read of one article answers. */
export type LabelledArticleRow = ArticleRow & { labels: string[] }

/** A label as article writes create and delete them. */
export interface LabelName {
  id: number
  name: string
  /** Null only in a label made before slugs, until the start-up back-fill (labels/backfill.ts). */
  slug: string | null
}

/** The label rows an article's write brought into being (a new name) and those it left unused (and deleted). */
export interface LabelTurnover {
  created: LabelName[]
  deleted: LabelName[]
}

/** An article a write to many articles moved on: what its change-log entry needs. */
export interface TouchedArticle {
  id: number
  slug: string
  /** Its author after the write. */
  authorId: number
  /** Whether a reader without a token sees it (the write changes no status). */
  isPublic: boolean
}

export type ListedArticleRow = ArticleRow & {
  /** The search score, for a cursor over relevance; null without a search. */
  relevance: number | null
}

export interface ArticleQueries {
  articleBySlugOrId: (idOrSlug: string) => Promise<ArticleRow | undefined>
  /** The same with its labels, read together (one statement where there were two, per read by id). */
  labelledArticleBySlugOrId: (idOrSlug: string) => Promise<LabelledArticleRow | undefined>
  /**
   * The same, for a unit of work that reads the article to change it: on PostgreSQL the row
   * stays locked until the unit ends, so a concurrent editor waits and then reads this
   * unit's version (a lost update otherwise); a SQLite unit holds the write lock already.
   */
  articleBySlugOrIdForUpdate: (idOrSlug: string) => Promise<ArticleRow | undefined>
  articleById: (id: number) => Promise<ArticleRow | undefined>
  /** By id, locked as `articleBySlugOrIdForUpdate` locks it (an import updating what it wrote before). */
  articleByIdForUpdate: (id: number) => Promise<ArticleRow | undefined>
  articleSlugTaken: (slug: string, exceptId?: number) => Promise<boolean>
  insertArticle: (row: NewArticleRow) => Promise<ArticleRow>
  /** Writes `values` and moves the article's version on. */
  updateArticle: (id: number, values: Partial<NewArticleRow>) => Promise<ArticleRow>
  /** Deletes the article, and the labels no other article carries; answers those labels. */
  deleteArticle: (id: number) => Promise<LabelName[]>
  articleCountByAuthor: (authorId: number) => Promise<number>
  /** Gives an author's articles to another (off their co-author list, if there), moving their versions on; answers them. */
  reassignArticles: (fromAuthorId: number, toAuthorId: number, at: string) => Promise<TouchedArticle[]>
  /** Each article's co-authors after its primary author, in byline order; articles without any are absent. */
  coAuthorsByArticle: (articleIds: number[]) => Promise<Map<number, number[]>>
  /** Sets the co-authors after the primary (positions 1 on), in place of those it had. */
  replaceCoAuthors: (articleId: number, authorIds: number[]) => Promise<void>
  /** Takes the author off every byline they co-author (not those they lead), moving those articles' versions on; answers them. */
  dropCoAuthor: (authorId: number, at: string) => Promise<TouchedArticle[]>
  /** Moves on the version of every article carrying the label (renamed or deleted); answers them. */
  touchArticlesLabelled: (labelId: number, at: string) => Promise<TouchedArticle[]>
  /** Moves on the versions of these articles, for a change to what they hold beside their row; answers them. */
  touchArticlesById: (ids: number[], at: string) => Promise<TouchedArticle[]>
  /** Scheduled articles whose time has come become published; returns them. */
  publishDue: (now: string) => Promise<Array<Pick<ArticleRow, 'id' | 'slug' | 'authorId'>>>
  /** Takes down the published and scheduled articles whose `unpublishAt` has come: drafts again. */
  takeDownDue: (now: string) => Promise<Array<Pick<ArticleRow, 'id' | 'slug' | 'authorId'>>>
  /** When the next scheduled article goes up or the next article comes down; null when none will. */
  nextScheduledAt: () => Promise<string | null>
  /** Label names per article, in each article's order. */
  labelsByArticle: (articleIds: number[]) => Promise<Map<number, string[]>>
  /**
   * Sets an article's labels, which exist already (labels/links.ts `ensureLabels`; one per
   * `labelKey`), and deletes those no article carries any more, unless a description or labels
   * under one keep it; answers those deleted. Names are already de-duplicated.
   */
  replaceLabels: (articleId: number, names: string[]) => Promise<LabelName[]>
  /**
   * A page of articles. The page's ids are found first (from an index, without reading
   * whole rows past `offset`), then only those rows are read.
   */
  pageOfArticles: (query: ArticlePageQuery) => Promise<ListedArticleRow[]>
  /** Articles matching the filters; with `after`, only those after that position in `sort`. */
  countArticles: (filters: ArticleFilters, sort?: SortKey<ArticleSortField>[], after?: CursorValue[]) => Promise<number>
  /** The `perAuthor` latest published articles of each author (co-authored ones too), newest first. */
  latestSummariesByAuthor: (authorIds: number[], perAuthor: number, now: string) => Promise<ArticleRow[]>
  publishedTimes: () => Promise<Array<{ id: number, publishedAt: string }>>
  setPublishedDay: (id: number, day: string) => Promise<void>
  /** Published articles sharing labels with `articleId`, and how many they share. */
  sharedLabelCounts: (articleId: number, now: string, limit: number) => Promise<Map<number, number>>
  /** The rows of `ids` that exist, in the order of `ids`. */
  articlesByIds: (ids: number[]) => Promise<ArticleRow[]>
  /** The article that answered to `slug` before a rename, if one did. */
  articleIdByOldSlug: (slug: string) => Promise<number | undefined>
  /** The slugs each article answered to before, in the order it left them. */
  oldSlugsByArticle: (articleIds: number[]) => Promise<Map<number, string[]>>
  /** Keeps `slug` as one the article had until `at` (an old slug of another article becomes this one's). */
  rememberOldSlug: (articleId: number, slug: string, at: string) => Promise<void>
  /** `slug` is an article's now: it is no longer an old slug of any. */
  forgetOldSlug: (slug: string) => Promise<void>
}

export const articleQueries = queriesFor<ArticleQueries>({ sqlite: sqliteArticleQueries, postgres: postgresArticleQueries })
