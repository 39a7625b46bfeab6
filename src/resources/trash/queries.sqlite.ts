import { and, asc, count, desc, eq, gt, lte, type SQL } from 'drizzle-orm'
import { insertOnce, statementOnce, type Db } from '../../db/client.js'
import { articleRevisions, articles, comments, trashedArticles } from '../../db/schema.js'
import { isIdInPath } from '../../lib/slug.js'
import type { CommentRow } from '../comments/queries.js'
import type { PurgedArticle, Renumbered, TrashedRow, TrashQueries, TrashScope } from './queries.js'

function scopeCondition (scope: TrashScope): SQL | undefined {
  // Past its purge time a row is gone in all but storage: the next purge removes it.
  return and(gt(trashedArticles.purgeAt, scope.now), scope.authorId === null ? undefined : eq(trashedArticles.authorId, scope.authorId))
}

function trashedInScope (db: Db, idOrSlug: string, scope: TrashScope): TrashedRow | undefined {
  const match = isIdInPath(idOrSlug) ? eq(trashedArticles.id, Number(idOrSlug)) : eq(trashedArticles.slug, idOrSlug)
  return db.select().from(trashedArticles).where(and(match, scopeCondition(scope))).get()
}

function reinsertComments (db: Db, rows: CommentRow[]): Renumbered[] {
  const taken = (id: number) => db.select({ id: comments.id }).from(comments).where(eq(comments.id, id)).get() !== undefined
  const clashing = rows.filter((row) => taken(row.id))
  const newIds = new Map<number, number>()
  for (const row of rows) {
    if (!clashing.includes(row)) db.insert(comments).values({ ...row, parentId: null }).run()
  }
  for (const { id, ...row } of clashing) {
    newIds.set(id, Number(db.insert(comments).values({ ...row, parentId: null }).run().lastInsertRowid))
  }
  for (const row of rows) {
    if (row.parentId === null) continue
    db.update(comments).set({ parentId: newIds.get(row.parentId) ?? row.parentId }).where(eq(comments.id, newIds.get(row.id) ?? row.id)).run()
  }
  return clashing.map((row) => ({ from: row.id, to: newIds.get(row.id)! }))
}

// Asked of every article an import writes (its slug, whether it was deleted): plain statements.
const insertTrashed = insertOnce(trashedArticles)
const reinsertArticle = insertOnce(articles)
const trashedWithSlug = statementOnce<{ id: number }>('select id from trashed_articles where slug = ? and purge_at > ?')
const trashedWithId = statementOnce<{ id: number }>('select id from trashed_articles where id = ? and purge_at > ?')

// Read, then deleted: not `returning`, which SQLite runs as a trigger with a statement journal.
function purgeWhere (db: Db, condition: SQL | undefined): PurgedArticle[] {
  const purged = db.select({ id: trashedArticles.id, slug: trashedArticles.slug, authorId: trashedArticles.authorId }).from(trashedArticles).where(condition).all()
  if (purged.length > 0) db.delete(trashedArticles).where(condition).run()
  return purged
}

export function sqliteTrashQueries (db: Db): TrashQueries {
  return {
    async commentsOfArticle (articleId) {
      return db.select().from(comments).where(eq(comments.articleId, articleId)).orderBy(asc(comments.id)).all()
    },

    async revisionsOfArticle (articleId) {
      return db.select().from(articleRevisions).where(eq(articleRevisions.articleId, articleId)).orderBy(asc(articleRevisions.number)).all()
    },

    async insertTrashed (row) {
      return insertTrashed(db, row)
    },

    async trashedByIdOrSlug (idOrSlug, scope) {
      return trashedInScope(db, idOrSlug, scope)
    },

    async trashedByIdOrSlugForUpdate (idOrSlug, scope) {
      return trashedInScope(db, idOrSlug, scope)
    },

    async pageOfTrashed (scope, limit, offset) {
      return db.select().from(trashedArticles)
        .where(scopeCondition(scope))
        .orderBy(desc(trashedArticles.trashedAt), desc(trashedArticles.id))
        .limit(limit)
        .offset(offset)
        .all()
    },

    async countTrashed (scope) {
      return db.select({ total: count() }).from(trashedArticles).where(scopeCondition(scope)).get()?.total ?? 0
    },

    async deleteTrashed (id) {
      db.delete(trashedArticles).where(eq(trashedArticles.id, id)).run()
    },

    async deleteAllTrashed (scope) {
      return purgeWhere(db, scopeCondition(scope))
    },

    async purgeExpired (now) {
      return purgeWhere(db, lte(trashedArticles.purgeAt, now))
    },

    async reinsertArticle (row) {
      return reinsertArticle(db, row)
    },

    async reinsertComments (rows) {
      return reinsertComments(db, rows)
    },

    async reinsertRevisions (rows) {
      for (const row of rows) db.insert(articleRevisions).values(row).run()
    },

    async trashedCountByAuthor (authorId) {
      return db.select({ total: count() }).from(trashedArticles).where(eq(trashedArticles.authorId, authorId)).get()?.total ?? 0
    },

    async reassignTrashed (fromAuthorId, toAuthorId) {
      db.update(trashedArticles).set({ authorId: toAuthorId }).where(eq(trashedArticles.authorId, fromAuthorId)).run()
    },

    async slugInTrash (slug, now) {
      return trashedWithSlug(db).get(slug, now) !== undefined
    },

    async isTrashed (id, now) {
      return trashedWithId(db).get(id, now) !== undefined
    }
  }
}
