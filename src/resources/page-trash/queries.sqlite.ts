import { and, asc, count, desc, eq, getTableColumns, gt, lte, type SQL } from 'drizzle-orm'
import type { Db } from '../../db/client.js'
import { pageRevisions, pages, trashedPages } from '../../db/schema.js'
import { isIdInPath } from '../../lib/slug.js'
import type { PageTrashQueries, PurgedPage, TrashedPageRow } from './queries.js'

// As the articles' trash (trash/queries.sqlite.ts), for pages.

// Past its purge time a row is gone in all but storage: the next purge removes it.
const stillKept = (now: string): SQL => gt(trashedPages.purgeAt, now)

function trashedInTime (db: Db, idOrSlug: string, now: string): TrashedPageRow | undefined {
  const match = isIdInPath(idOrSlug) ? eq(trashedPages.id, Number(idOrSlug)) : eq(trashedPages.slug, idOrSlug)
  return db.select().from(trashedPages).where(and(match, stillKept(now))).get()
}

// Read, then deleted: not `returning`, which SQLite runs as a trigger with a statement journal.
function purgeWhere (db: Db, condition: SQL): PurgedPage[] {
  const purged = db.select({ id: trashedPages.id, slug: trashedPages.slug }).from(trashedPages).where(condition).all()
  if (purged.length > 0) db.delete(trashedPages).where(condition).run()
  return purged
}

const { content: _content, ...summaryColumns } = getTableColumns(trashedPages)

export function sqlitePageTrashQueries (db: Db): PageTrashQueries {
  return {
    async revisionsOfPage (pageId) {
      return db.select().from(pageRevisions).where(eq(pageRevisions.pageId, pageId)).orderBy(asc(pageRevisions.number)).all()
    },

    async insertTrashed (row) {
      db.insert(trashedPages).values(row).run()
    },

    async trashedByIdOrSlug (idOrSlug, now) {
      return trashedInTime(db, idOrSlug, now)
    },

    async trashedByIdOrSlugForUpdate (idOrSlug, now) {
      return trashedInTime(db, idOrSlug, now)
    },

    async pageOfTrashed (now, limit, offset) {
      return db.select(summaryColumns).from(trashedPages)
        .where(stillKept(now))
        .orderBy(desc(trashedPages.trashedAt), desc(trashedPages.id))
        .limit(limit)
        .offset(offset)
        .all()
    },

    async countTrashed (now) {
      return db.select({ total: count() }).from(trashedPages).where(stillKept(now)).get()?.total ?? 0
    },

    async deleteTrashed (id) {
      db.delete(trashedPages).where(eq(trashedPages.id, id)).run()
    },

    async deleteAllTrashed (now) {
      return purgeWhere(db, stillKept(now))
    },

    async purgeExpired (now) {
      return purgeWhere(db, lte(trashedPages.purgeAt, now))
    },

    async reinsertPage (row) {
      db.insert(pages).values(row).run()
    },

    async reinsertRevisions (rows) {
      for (const row of rows) db.insert(pageRevisions).values(row).run()
    },

    async slugInTrash (slug, now) {
      return db.select({ id: trashedPages.id }).from(trashedPages).where(and(eq(trashedPages.slug, slug), stillKept(now))).get() !== undefined
    },

    async isTrashed (id, now) {
      return db.select({ id: trashedPages.id }).from(trashedPages).where(and(eq(trashedPages.id, id), stillKept(now))).get() !== undefined
    }
  }
}
