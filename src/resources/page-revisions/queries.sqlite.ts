import { and, count, desc, eq, getTableColumns, lte, max, sql } from 'drizzle-orm'
import { preparedOnce, type Db } from '../../db/client.js'
import { pageRevisions } from '../../db/schema.js'
import type { PageRevisionQueries } from './queries.js'

// As the articles' revisions (revisions/queries.sqlite.ts): every page edit runs these two.
const lastNumber = preparedOnce((db) => db.select({ number: max(pageRevisions.number) }).from(pageRevisions)
  .where(eq(pageRevisions.pageId, sql.placeholder('pageId'))).prepare())
const pruneBefore = preparedOnce((db) => db.delete(pageRevisions)
  .where(and(eq(pageRevisions.pageId, sql.placeholder('pageId')), lte(pageRevisions.number, sql.placeholder('oldestKept'))))
  .prepare())

const { snapshot: _snapshot, ...summaryColumns } = getTableColumns(pageRevisions)

export function sqlitePageRevisionQueries (db: Db): PageRevisionQueries {
  return {
    async insertRevision (row, kept) {
      const number = (lastNumber(db).get({ pageId: row.pageId })?.number ?? 0) + 1
      db.insert(pageRevisions).values({ ...row, number }).run()
      pruneBefore(db).run({ pageId: row.pageId, oldestKept: number - kept })
    },

    async countRevisions (pageId) {
      return db.select({ total: count() }).from(pageRevisions).where(eq(pageRevisions.pageId, pageId)).get()?.total ?? 0
    },

    async pageOfRevisions (pageId, limit, offset) {
      return db.select(summaryColumns).from(pageRevisions)
        .where(eq(pageRevisions.pageId, pageId))
        .orderBy(desc(pageRevisions.number))
        .limit(limit)
        .offset(offset)
        .all()
    },

    async revision (pageId, number) {
      return db.select().from(pageRevisions)
        .where(and(eq(pageRevisions.pageId, pageId), eq(pageRevisions.number, number)))
        .get()
    }
  }
}
