import { and, count, desc, eq, lte, max } from 'drizzle-orm'
import type { PostgresHandle } from '../../db/postgres-store.js'
import { articleRevisions } from '../../db/schema.postgres.js'
import type { RevisionQueries } from './queries.js'

// The PostgreSQL twin of queries.sqlite.ts. The next number is read and then written: two
// edits of one article cannot race here, as the edit holds the article's row locked
// (`articleBySlugOrIdForUpdate`); were one to slip through, the primary key refuses it and
// the unit is run again (src/db/postgres-store.ts).

export function postgresRevisionQueries (db: PostgresHandle): RevisionQueries {
  return {
    async insertRevision (row, kept) {
      const [last] = await db.select({ number: max(articleRevisions.number) }).from(articleRevisions)
        .where(eq(articleRevisions.articleId, row.articleId))
      const number = (last?.number ?? 0) + 1
      await db.insert(articleRevisions).values({ ...row, number })
      await db.delete(articleRevisions)
        .where(and(eq(articleRevisions.articleId, row.articleId), lte(articleRevisions.number, number - kept)))
    },

    async countRevisions (articleId) {
      const [row] = await db.select({ total: count() }).from(articleRevisions).where(eq(articleRevisions.articleId, articleId))
      return row?.total ?? 0
    },

    async pageOfRevisions (articleId, limit, offset) {
      return await db.select().from(articleRevisions)
        .where(eq(articleRevisions.articleId, articleId))
        .orderBy(desc(articleRevisions.number))
        .limit(limit)
        .offset(offset)
    },

    async revision (articleId, number) {
      const [row] = await db.select().from(articleRevisions)
        .where(and(eq(articleRevisions.articleId, articleId), eq(articleRevisions.number, number)))
      return row
    }
  }
}
