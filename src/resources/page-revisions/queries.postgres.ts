import { and, count, desc, eq, getTableColumns, lte, max } from 'drizzle-orm'
import type { PostgresHandle } from '../../db/postgres-store.js'
import { pageRevisions } from '../../db/schema.postgres.js'
import type { PageRevisionQueries } from './queries.js'

// The PostgreSQL twin of queries.sqlite.ts. Two edits of one page cannot race for the next
// number: the edit holds the page's row locked (`pageBySlugOrIdForUpdate`).

const { snapshot: _snapshot, ...summaryColumns } = getTableColumns(pageRevisions)

export function postgresPageRevisionQueries (db: PostgresHandle): PageRevisionQueries {
  return {
    async insertRevision (row, kept) {
      const [last] = await db.select({ number: max(pageRevisions.number) }).from(pageRevisions)
        .where(eq(pageRevisions.pageId, row.pageId))
      const number = (last?.number ?? 0) + 1
      await db.insert(pageRevisions).values({ ...row, number })
      await db.delete(pageRevisions)
        .where(and(eq(pageRevisions.pageId, row.pageId), lte(pageRevisions.number, number - kept)))
    },

    async countRevisions (pageId) {
      const [row] = await db.select({ total: count() }).from(pageRevisions).where(eq(pageRevisions.pageId, pageId))
      return row?.total ?? 0
    },

    async pageOfRevisions (pageId, limit, offset) {
      return await db.select(summaryColumns).from(pageRevisions)
        .where(eq(pageRevisions.pageId, pageId))
        .orderBy(desc(pageRevisions.number))
        .limit(limit)
        .offset(offset)
    },

    async revision (pageId, number) {
      const [row] = await db.select().from(pageRevisions)
        .where(and(eq(pageRevisions.pageId, pageId), eq(pageRevisions.number, number)))
      return row
    }
  }
}
