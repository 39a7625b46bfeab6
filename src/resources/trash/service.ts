import type { Db, DbOrTx } from '../../db/client.js'
import { Forbidden, NotFound } from '../../errors.js'
import type { Page } from '../../lib/list.js'
import { dayInZone, nowIso } from '../../lib/time.js'
import { hasRole } from '../../plugins/auth.js'
import { assertIfMatch } from '../../plugins/http-cache.js'
import { indexArticle, unindexArticle } from '../../search/index.js'
import * as articleQueries from '../articles/queries.js'
import { changedBy } from '../revisions/service.js'
import type { Principal } from '../tokens/service.js'
import * as queries from './queries.js'
import type { TrashedArticleBody, TrashedArticleSummaryBody, TrashListQueryString } from './schemas.js'

const dayMs = 24 * 60 * 60 * 1000

/** The version a trashed article's ETag carries, for `If-Match` on restore and purge. */
export function trashedVersion (row: queries.TrashedRow): string {
  return `trashed-article-${row.id}-v${row.version}`
}

function scopeFor (viewer: Principal, now: string): queries.TrashScope {
  return { authorId: hasRole(viewer, 'editor') ? null : viewer.authorId, now }
}

/**
 * Takes an article out of the live tables into the trash, with its labels, comments and
 * revisions, in the caller's transaction. With `days` 0 there is no trash: it is deleted.
 */
export function trashArticle (tx: DbOrTx, article: articleQueries.ArticleRow, viewer: Principal, now: string, days: number): void {
  if (days > 0) {
    // Frees the slugs of rows whose time is up before this one takes its place.
    queries.purgeExpired(tx, now)
    const content: queries.TrashedContent = {
      article,
      labels: articleQueries.labelsByArticle(tx, [article.id]).get(article.id) ?? [],
      comments: queries.commentsOfArticle(tx, article.id),
      revisions: queries.revisionsOfArticle(tx, article.id)
    }
    queries.insertTrashed(tx, {
      id: article.id,
      slug: article.slug,
      title: article.title,
      status: article.status,
      publishedAt: article.publishedAt,
      authorId: article.authorId,
      commentCount: article.commentCount,
      version: article.version,
      trashedAt: now,
      trashedBy: changedBy(viewer),
      purgeAt: new Date(Date.parse(now) + days * dayMs).toISOString(),
      content: JSON.stringify(content)
    })
  }
  articleQueries.deleteArticle(tx, article.id)
  unindexArticle(tx, article.id)
}

function summaryOf (row: queries.TrashedRow, labels: string[]): TrashedArticleSummaryBody {
  return {
    id: row.id,
    slug: row.slug,
    title: row.title,
    status: row.status,
    publishedAt: row.publishedAt,
    authorId: row.authorId,
    labels,
    commentCount: row.commentCount,
    version: row.version,
    trashedAt: row.trashedAt,
    trashedBy: row.trashedBy,
    purgeAt: row.purgeAt
  }
}

export function list (db: Db, viewer: Principal, query: TrashListQueryString): Page<TrashedArticleSummaryBody> {
  const scope = scopeFor(viewer, nowIso())
  const limit = query.limit ?? 20
  const offset = query.offset ?? 0
  const items = queries.pageOfTrashed(db, scope, limit, offset).map((row) => summaryOf(row, queries.parseContent(row).labels))
  return { items, total: queries.countTrashed(db, scope), limit, offset, nextCursor: null }
}

/** A trashed article the viewer may see; a 404 otherwise, as for articles. */
function findTrashed (db: DbOrTx, idOrSlug: string, viewer: Principal): queries.TrashedRow {
  const row = queries.trashedByIdOrSlug(db, idOrSlug, scopeFor(viewer, nowIso()))
  if (row === undefined) throw new NotFound(`There is no article "${idOrSlug}" in the trash`)
  return row
}

export function findOne (db: Db, idOrSlug: string, viewer: Principal): { item: TrashedArticleBody, version: string } {
  const row = findTrashed(db, idOrSlug, viewer)
  const { article, labels } = queries.parseContent(row)
  return {
    item: { ...summaryOf(row, labels), excerpt: article.customExcerpt, body: article.body },
    version: trashedVersion(row)
  }
}

// The same rule as for deleting it: an author token acts only on its own drafts.
function assertMayAct (viewer: Principal, row: queries.TrashedRow): void {
  if (viewer.role !== 'author') return
  if (row.authorId !== viewer.authorId) throw new Forbidden('An author token may act only on its own articles')
  if (row.status !== 'draft') throw new Forbidden('This article was published or scheduled: only an editor can restore or purge it')
}

/**
 * Puts a trashed article back as it was, under its id and slug, with its labels, comments
 * and revisions; its version goes up, so ETags from before the trash no longer match.
 * Returns the article's id, and the comments that came back under new ids.
 */
export function restore (db: Db, timezone: string, idOrSlug: string, viewer: Principal, ifMatch: string | undefined): { id: number, renumberedComments: queries.Renumbered[] } {
  return db.transaction((tx) => {
    const row = findTrashed(tx, idOrSlug, viewer)
    assertMayAct(viewer, row)
    assertIfMatch(ifMatch, trashedVersion(row))
    const content = queries.parseContent(row)
    const now = nowIso()
    const article = queries.reinsertArticle(tx, {
      ...content.article,
      // What the trash may have changed meanwhile: an author reassigned, the time zone.
      authorId: row.authorId,
      publishedDay: content.article.publishedAt === null ? null : dayInZone(content.article.publishedAt, timezone),
      version: row.version + 1,
      updatedAt: now
    })
    articleQueries.replaceLabels(tx, article.id, content.labels)
    const renumberedComments = queries.reinsertComments(tx, content.comments)
    queries.reinsertRevisions(tx, content.revisions)
    queries.deleteTrashed(tx, row.id)
    indexArticle(tx, { ...article, labels: content.labels })
    return { id: article.id, renumberedComments }
  })
}

export function purge (db: Db, idOrSlug: string, viewer: Principal, ifMatch: string | undefined): void {
  db.transaction((tx) => {
    const row = findTrashed(tx, idOrSlug, viewer)
    assertMayAct(viewer, row)
    assertIfMatch(ifMatch, trashedVersion(row))
    queries.deleteTrashed(tx, row.id)
  })
}

/** Empties the trash (editors); returns how many articles were purged. */
export function purgeAll (db: Db, viewer: Principal): number {
  return db.transaction((tx) => queries.deleteAllTrashed(tx, scopeFor(viewer, nowIso())))
}

/** Purges what has been in the trash its full time; at start-up. */
export function purgeExpired (db: Db): number {
  return db.transaction((tx) => queries.purgeExpired(tx, nowIso()))
}
