import { and, eq, gt, inArray, isNull, lte, not, or, sql, type Column, type SQL, type SQLWrapper } from 'drizzle-orm'
import { articleStatuses } from '../../db/schema.js'
import type { ArticleRow } from './queries.js'

/**
 * What a reader may see of the articles, as of a moment: published ones whose time has come.
 * Every query module of both dialects and every service asks here, so the rule is written
 * once. (The view a request reads at, and the publishing of what is due, are in view.ts.)
 */

/** Which articles a reader may see: published ones whose time has come, plus, for an author, those on their byline (co-authored too). */
export interface Visibility {
  /** false for editors and admins, who see every article. */
  publishedOnly: boolean
  alsoAuthorId: number | null
  now: string
}

/** The columns the rule reads, in either dialect's `articles` table (schema.ts, schema.postgres.ts). */
export interface VisibilityColumns {
  id: Column
  status: Column
  publishedAt: Column
  authorId: Column
}

/**
 * Published and due by `now` (a value, or a placeholder of a prepared query). A fragment too:
 * raw `sql` subqueries embed it as `${publishedBy(articles, now)}`.
 */
export function publishedBy (articles: Pick<VisibilityColumns, 'status' | 'publishedAt'>, now: string | SQLWrapper): SQL {
  return and(eq(articles.status, 'published'), lte(articles.publishedAt, now))!
}

/**
 * Articles `authorId` has a byline on: as the primary author (articles_author_idx) or as a
 * co-author (article_authors_author_idx finds theirs). The side table's name is the same in
 * both dialects' schemas.
 */
export function bylineHas (articles: Pick<VisibilityColumns, 'id' | 'authorId'>, authorId: number | SQLWrapper): SQL {
  return sql`(${articles.authorId} = ${authorId} or ${articles.id} in (select article_id from article_authors where author_id = ${authorId}))`
}

/** The articles `visibility` lets through; undefined when it lets every one through. */
export function visibleTo (articles: VisibilityColumns, visibility: Visibility): SQL | undefined {
  if (!visibility.publishedOnly) return undefined
  const published = publishedBy(articles, visibility.now)
  return visibility.alsoAuthorId === null ? published : or(published, bylineHas(articles, visibility.alsoAuthorId))
}

/**
 * The articles `visibility` keeps from a reader: the complement of `visibleTo`, written so an
 * index on (status, publishedAt) finds them (usually a few drafts and scheduled articles).
 * Undefined when it keeps none back.
 */
export function hiddenFrom (articles: VisibilityColumns, visibility: Visibility): SQL | undefined {
  if (!visibility.publishedOnly) return undefined
  // Three branches, each a range of that index (one `or` inside a branch made it read every published row).
  const unpublished = or(
    inArray(articles.status, articleStatuses.filter((status) => status !== 'published')),
    and(eq(articles.status, 'published'), gt(articles.publishedAt, visibility.now)),
    and(eq(articles.status, 'published'), isNull(articles.publishedAt))
  )!
  return visibility.alsoAuthorId === null ? unpublished : and(unpublished, not(bylineHas(articles, visibility.alsoAuthorId)))
}

/** Whether one row read already is published and due by `now`: `publishedBy` for a row in hand. */
export function isPublishedBy (row: Pick<ArticleRow, 'status' | 'publishedAt'>, now: string): boolean {
  return row.status === 'published' && row.publishedAt !== null && row.publishedAt <= now
}

/**
 * Whether `visibility` lets one row read already through: `visibleTo` for a row in hand.
 * `coAuthorIds`: the row's co-authors after the primary, when the reader may be one of them.
 */
export function isVisible (row: Pick<ArticleRow, 'status' | 'publishedAt' | 'authorId'>, visibility: Visibility, coAuthorIds: readonly number[] = []): boolean {
  if (!visibility.publishedOnly || row.authorId === visibility.alsoAuthorId) return true
  if (visibility.alsoAuthorId !== null && coAuthorIds.includes(visibility.alsoAuthorId)) return true
  return isPublishedBy(row, visibility.now)
}
