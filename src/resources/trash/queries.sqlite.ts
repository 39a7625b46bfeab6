import { and, asc, count, desc, eq, gt, lte, type SQL } from 'drizzle-orm'
import type { DbOrTx } from '../../db/client.js'
import { articleRevisions, articles, comments, trashedArticles } from '../../db/schema.js'
import { isIdInPath } from '../../lib/slug.js'
import type { ArticleRow } from '../articles/queries.js'
import type { CommentRow } from '../comments/queries.js'
import type { RevisionRow } from '../revisions/queries.js'

export type TrashedRow = typeof trashedArticles.$inferSelect
export type NewTrashedRow = typeof trashedArticles.$inferInsert

/** Everything that leaves the live tables with an article, to come back on restore. */
export interface TrashedContent {
  article: ArticleRow
  labels: string[]
  comments: CommentRow[]
  revisions: RevisionRow[]
}

/** Who sees which trashed articles: editors every one, an author token its own. */
export interface TrashScope {
  authorId: number | null
  now: string
}

function scopeCondition (scope: TrashScope): SQL | undefined {
  // Past its purge time a row is gone in all but storage: the next purge removes it.
  return and(gt(trashedArticles.purgeAt, scope.now), scope.authorId === null ? undefined : eq(trashedArticles.authorId, scope.authorId))
}

export function commentsOfArticle (db: DbOrTx, articleId: number): CommentRow[] {
  return db.select().from(comments).where(eq(comments.articleId, articleId)).orderBy(asc(comments.id)).all()
}

export function revisionsOfArticle (db: DbOrTx, articleId: number): RevisionRow[] {
  return db.select().from(articleRevisions).where(eq(articleRevisions.articleId, articleId)).orderBy(asc(articleRevisions.number)).all()
}

export function insertTrashed (db: DbOrTx, row: NewTrashedRow): TrashedRow {
  return db.insert(trashedArticles).values(row).returning().get()
}

export function trashedByIdOrSlug (db: DbOrTx, idOrSlug: string, scope: TrashScope): TrashedRow | undefined {
  const match = isIdInPath(idOrSlug) ? eq(trashedArticles.id, Number(idOrSlug)) : eq(trashedArticles.slug, idOrSlug)
  return db.select().from(trashedArticles).where(and(match, scopeCondition(scope))).get()
}

/** Most recently trashed first. */
export function pageOfTrashed (db: DbOrTx, scope: TrashScope, limit: number, offset: number): TrashedRow[] {
  return db.select().from(trashedArticles)
    .where(scopeCondition(scope))
    .orderBy(desc(trashedArticles.trashedAt), desc(trashedArticles.id))
    .limit(limit)
    .offset(offset)
    .all()
}

export function countTrashed (db: DbOrTx, scope: TrashScope): number {
  return db.select({ total: count() }).from(trashedArticles).where(scopeCondition(scope)).get()?.total ?? 0
}

export function deleteTrashed (db: DbOrTx, id: number): void {
  db.delete(trashedArticles).where(eq(trashedArticles.id, id)).run()
}

/** Purges every row in `scope` (emptying the trash); returns how many. */
export function deleteAllTrashed (db: DbOrTx, scope: TrashScope): number {
  return db.delete(trashedArticles).where(scopeCondition(scope)).run().changes
}

/** Purges what has been in the trash for its full time; returns how many. */
export function purgeExpired (db: DbOrTx, now: string): number {
  return db.delete(trashedArticles).where(lte(trashedArticles.purgeAt, now)).run().changes
}

/** Puts the article row back under its own id. */
export function reinsertArticle (db: DbOrTx, row: ArticleRow): ArticleRow {
  return db.insert(articles).values(row).returning().get()
}

/** A restored comment whose id an import took while it was in the trash. */
export interface Renumbered { from: number, to: number }

/**
 * Puts comments back under their own ids where those are still free; an import may have
 * taken one meanwhile, and that comment gets a new id (after the others are in, so it takes
 * none of theirs). Parents are linked in a second pass, through the new ids: a reply may
 * have been moved under a comment written after it, so no insertion order fits every thread.
 */
export function reinsertComments (db: DbOrTx, rows: CommentRow[]): Renumbered[] {
  const taken = (id: number) => db.select({ id: comments.id }).from(comments).where(eq(comments.id, id)).get() !== undefined
  const clashing = rows.filter((row) => taken(row.id))
  const newIds = new Map<number, number>()
  for (const row of rows) {
    if (!clashing.includes(row)) db.insert(comments).values({ ...row, parentId: null }).run()
  }
  for (const { id, ...row } of clashing) {
    newIds.set(id, db.insert(comments).values({ ...row, parentId: null }).returning({ id: comments.id }).get().id)
  }
  for (const row of rows) {
    if (row.parentId === null) continue
    db.update(comments).set({ parentId: newIds.get(row.parentId) ?? row.parentId }).where(eq(comments.id, newIds.get(row.id) ?? row.id)).run()
  }
  return clashing.map((row) => ({ from: row.id, to: newIds.get(row.id)! }))
}

export function reinsertRevisions (db: DbOrTx, rows: RevisionRow[]): void {
  for (const row of rows) db.insert(articleRevisions).values(row).run()
}

/** Trashed articles count as an author's: they may come back, so the author must stay. */
export function trashedCountByAuthor (db: DbOrTx, authorId: number): number {
  return db.select({ total: count() }).from(trashedArticles).where(eq(trashedArticles.authorId, authorId)).get()?.total ?? 0
}

export function reassignTrashed (db: DbOrTx, fromAuthorId: number, toAuthorId: number): void {
  db.update(trashedArticles).set({ authorId: toAuthorId }).where(eq(trashedArticles.authorId, fromAuthorId)).run()
}

export function parseContent (row: TrashedRow): TrashedContent {
  return JSON.parse(row.content) as TrashedContent
}

/** A trashed article keeps its slug until it is purged, so a restore never finds it taken. */
export function slugInTrash (db: DbOrTx, slug: string, now: string): boolean {
  return db.select({ id: trashedArticles.id }).from(trashedArticles)
    .where(and(eq(trashedArticles.slug, slug), gt(trashedArticles.purgeAt, now)))
    .get() !== undefined
}

export function anyTrashed (db: DbOrTx, now: string): boolean {
  return db.select({ id: trashedArticles.id }).from(trashedArticles).where(gt(trashedArticles.purgeAt, now)).limit(1).get() !== undefined
}

export function isTrashed (db: DbOrTx, id: number, now: string): boolean {
  return db.select({ id: trashedArticles.id }).from(trashedArticles)
    .where(and(eq(trashedArticles.id, id), gt(trashedArticles.purgeAt, now)))
    .get() !== undefined
}
