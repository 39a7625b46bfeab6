import { and, asc, count, desc, eq, gt, lte, type SQL } from 'drizzle-orm'
import type { PostgresHandle } from '../../db/postgres-store.js'
import { isAnyId } from '../../db/postgres-sql.js'
import { articleRevisions, articles, comments, trashedArticles } from '../../db/schema.postgres.js'
import { isIdInPath } from '../../lib/slug.js'
import type { CommentRow } from '../comments/queries.js'
import type { Renumbered, TrashQueries, TrashScope } from './queries.js'

function scopeCondition (scope: TrashScope): SQL | undefined {
  // Past its purge time a row is gone in all but storage: the next purge removes it.
  return and(gt(trashedArticles.purgeAt, scope.now), scope.authorId === null ? undefined : eq(trashedArticles.authorId, scope.authorId))
}

function idOrSlugCondition (idOrSlug: string): SQL {
  return isIdInPath(idOrSlug) ? eq(trashedArticles.id, Number(idOrSlug)) : eq(trashedArticles.slug, idOrSlug)
}

/** Comments put back with their own ids keep them; an identity gives ids only when asked. */
async function reinsertComments (db: PostgresHandle, rows: CommentRow[]): Promise<Renumbered[]> {
  if (rows.length === 0) return []
  const taken = new Set((await db.select({ id: comments.id }).from(comments).where(isAnyId(comments.id, rows.map((row) => row.id)))).map((row) => row.id))
  const free = rows.filter((row) => !taken.has(row.id))
  if (free.length > 0) await db.insert(comments).values(free.map((row) => ({ ...row, parentId: null })))
  const newIds = new Map<number, number>()
  // One at a time, in the order given: each takes the next id, as on SQLite.
  for (const { id, ...row } of rows.filter((row) => taken.has(row.id))) {
    newIds.set(id, (await db.insert(comments).values({ ...row, parentId: null }).returning({ id: comments.id }))[0]!.id)
  }
  for (const row of rows) {
    if (row.parentId === null) continue
    await db.update(comments).set({ parentId: newIds.get(row.parentId) ?? row.parentId }).where(eq(comments.id, newIds.get(row.id) ?? row.id))
  }
  return [...newIds].map(([from, to]) => ({ from, to }))
}

const purgedColumns = { id: trashedArticles.id, slug: trashedArticles.slug, authorId: trashedArticles.authorId }

export function postgresTrashQueries (db: PostgresHandle): TrashQueries {
  const trashedInScope = (idOrSlug: string, scope: TrashScope) => db.select().from(trashedArticles).where(and(idOrSlugCondition(idOrSlug), scopeCondition(scope)))
  return {
    async commentsOfArticle (articleId) {
      return await db.select().from(comments).where(eq(comments.articleId, articleId)).orderBy(asc(comments.id))
    },

    async revisionsOfArticle (articleId) {
      return await db.select().from(articleRevisions).where(eq(articleRevisions.articleId, articleId)).orderBy(asc(articleRevisions.number))
    },

    async insertTrashed (row) {
      // SQLite's table would number a row without one; the trash always keeps the article's.
      if (row.id === undefined) throw new Error('a trashed article keeps its own id')
      return (await db.insert(trashedArticles).values({ ...row, id: row.id }).returning())[0]!
    },

    async trashedByIdOrSlug (idOrSlug, scope) {
      return (await trashedInScope(idOrSlug, scope))[0]
    },

    async trashedByIdOrSlugForUpdate (idOrSlug, scope) {
      return (await trashedInScope(idOrSlug, scope).for('update'))[0]
    },

    async pageOfTrashed (scope, limit, offset) {
      return await db.select().from(trashedArticles)
        .where(scopeCondition(scope))
        .orderBy(desc(trashedArticles.trashedAt), desc(trashedArticles.id))
        .limit(limit)
        .offset(offset)
    },

    async countTrashed (scope) {
      return (await db.select({ total: count() }).from(trashedArticles).where(scopeCondition(scope)))[0]?.total ?? 0
    },

    async deleteTrashed (id) {
      await db.delete(trashedArticles).where(eq(trashedArticles.id, id))
    },

    async deleteAllTrashed (scope) {
      return await db.delete(trashedArticles).where(scopeCondition(scope)).returning(purgedColumns)
    },

    async purgeExpired (now) {
      return await db.delete(trashedArticles).where(lte(trashedArticles.purgeAt, now)).returning(purgedColumns)
    },

    async reinsertArticle (row) {
      return (await db.insert(articles).values(row).returning())[0]!
    },

    async reinsertComments (rows) {
      return await reinsertComments(db, rows)
    },

    async reinsertRevisions (rows) {
      if (rows.length > 0) await db.insert(articleRevisions).values(rows)
    },

    async trashedCountByAuthor (authorId) {
      return (await db.select({ total: count() }).from(trashedArticles).where(eq(trashedArticles.authorId, authorId)))[0]?.total ?? 0
    },

    async reassignTrashed (fromAuthorId, toAuthorId) {
      await db.update(trashedArticles).set({ authorId: toAuthorId }).where(eq(trashedArticles.authorId, fromAuthorId))
    },

    async slugInTrash (slug, now) {
      const rows = await db.select({ id: trashedArticles.id }).from(trashedArticles)
        .where(and(eq(trashedArticles.slug, slug), gt(trashedArticles.purgeAt, now)))
      return rows.length > 0
    },

    async isTrashed (id, now) {
      const rows = await db.select({ id: trashedArticles.id }).from(trashedArticles)
        .where(and(eq(trashedArticles.id, id), gt(trashedArticles.purgeAt, now)))
      return rows.length > 0
    }
  }
}
