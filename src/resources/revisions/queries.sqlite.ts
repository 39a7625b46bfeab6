import { and, count, desc, eq, lte, max, sql } from 'drizzle-orm'
import { preparedOnce, type Db } from '../../db/client.js'
import { articleRevisions } from '../../db/schema.js'
import type { RevisionQueries } from './queries.js'

// Every edit runs these: prepared once (the insert is a plain drizzle insert, its columns vary).
const lastNumber = preparedOnce((db) => db.select({ number: max(articleRevisions.number) }).from(articleRevisions)
  .where(eq(articleRevisions.articleId, sql.placeholder('articleId'))).prepare())
const pruneBefore = preparedOnce((db) => db.delete(articleRevisions)
  .where(and(eq(articleRevisions.articleId, sql.placeholder('articleId')), lte(articleRevisions.number, sql.placeholder('oldestKept'))))
  .prepare())

export function sqliteRevisionQueries (db: Db): RevisionQueries {
  return {
    async insertRevision (row, kept) {
      const number = (lastNumber(db).get({ articleId: row.articleId })?.number ?? 0) + 1
      db.insert(articleRevisions).values({ ...row, number }).run()
      pruneBefore(db).run({ articleId: row.articleId, oldestKept: number - kept })
    },

    async countRevisions (articleId) {
      return db.select({ total: count() }).from(articleRevisions).where(eq(articleRevisions.articleId, articleId)).get()?.total ?? 0
    },

    async pageOfRevisions (articleId, limit, offset) {
      return db.select().from(articleRevisions)
        .where(eq(articleRevisions.articleId, articleId))
        .orderBy(desc(articleRevisions.number))
        .limit(limit)
        .offset(offset)
        .all()
    },

    async revision (articleId, number) {
      return db.select().from(articleRevisions)
        .where(and(eq(articleRevisions.articleId, articleId), eq(articleRevisions.number, number)))
        .get()
    }
  }
}
