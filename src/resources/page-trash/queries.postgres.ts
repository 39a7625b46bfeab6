import { and, asc, count, desc, eq, getTableColumns, gt, lte, type SQL } from 'drizzle-orm'
import type { PostgresHandle } from '../../db/postgres-store.js'
import { pageRevisions, pages, trashedPages } from '../../db/schema.postgres.js'
import { isIdInPath } from '../../lib/slug.js'
import type { PageTrashQueries } from './queries.js'

// The PostgreSQL twin of queries.sqlite.ts.

const stillKept = (now: string): SQL => gt(trashedPages.purgeAt, now)

function idOrSlugCondition (idOrSlug: string): SQL {
  return isIdInPath(idOrSlug) ? eq(trashedPages.id, Number(idOrSlug)) : eq(trashedPages.slug, idOrSlug)
}

const { content: _content, ...summaryColumns } = getTableColumns(trashedPages)
const purgedColumns = { id: trashedPages.id, slug: trashedPages.slug }

export function postgresPageTrashQueries (db: PostgresHandle): PageTrashQueries {
  const trashedInTime = (idOrSlug: string, now: string) => db.select().from(trashedPages).where(and(idOrSlugCondition(idOrSlug), stillKept(now)))
  return {
    async revisionsOfPage (pageId) {
      return await db.select().from(pageRevisions).where(eq(pageRevisions.pageId, pageId)).orderBy(asc(pageRevisions.number))
    },

    async insertTrashed (row) {
      // SQLite's table would number a row without one; the trash always keeps the page's.
      if (row.id === undefined) throw new Error('a trashed page keeps its own id')
      await db.insert(trashedPages).values({ ...row, id: row.id })
    },

    async trashedByIdOrSlug (idOrSlug, now) {
      return (await trashedInTime(idOrSlug, now))[0]
    },

    async trashedByIdOrSlugForUpdate (idOrSlug, now) {
      return (await trashedInTime(idOrSlug, now).for('update'))[0]
    },

    async pageOfTrashed (now, limit, offset) {
      return await db.select(summaryColumns).from(trashedPages)
        .where(stillKept(now))
        .orderBy(desc(trashedPages.trashedAt), desc(trashedPages.id))
        .limit(limit)
        .offset(offset)
    },

    async countTrashed (now) {
      return (await db.select({ total: count() }).from(trashedPages).where(stillKept(now)))[0]?.total ?? 0
    },

    async deleteTrashed (id) {
      await db.delete(trashedPages).where(eq(trashedPages.id, id))
    },

    async deleteAllTrashed (now) {
      return await db.delete(trashedPages).where(stillKept(now)).returning(purgedColumns)
    },

    async purgeExpired (now) {
      return await db.delete(trashedPages).where(lte(trashedPages.purgeAt, now)).returning(purgedColumns)
    },

    async reinsertPage (row) {
      await db.insert(pages).values(row)
    },

    async reinsertRevisions (rows) {
      if (rows.length > 0) await db.insert(pageRevisions).values(rows)
    },

    async slugInTrash (slug, now) {
      const rows = await db.select({ id: trashedPages.id }).from(trashedPages).where(and(eq(trashedPages.slug, slug), stillKept(now)))
      return rows.length > 0
    },

    async isTrashed (id, now) {
      const rows = await db.select({ id: trashedPages.id }).from(trashedPages).where(and(eq(trashedPages.id, id), stillKept(now)))
      return rows.length > 0
    }
  }
}
