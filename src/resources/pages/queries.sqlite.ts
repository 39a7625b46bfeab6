import { and, asc, count, eq, gt, isNull, ne, sql, type SQL } from 'drizzle-orm'
import { isAnyId, levelsBelow, type Db } from '../../db/client.js'
import { pages, seoFields } from '../../db/schema.js'
import { keysetAfter, type KeysetColumn } from '../../lib/list.js'
import { isIdInPath } from '../../lib/slug.js'
import { markedNoindex } from '../seo/conditions.js'
import type { PageFilters, PageQueries, PageRecord } from './queries.js'

// Tree order: the top level (no parent, as 0) first, then each parent's pages by position.
const treeOrder: KeysetColumn[] = [
  { column: sql`coalesce(${pages.parentId}, 0)`, descending: false, notNull: true },
  { column: pages.position, descending: false, notNull: true },
  { column: pages.title, descending: false, notNull: true },
  { column: pages.id, descending: false, notNull: true }
]

function filterCondition (filters: PageFilters): SQL | undefined {
  return and(
    filters.publishedOnly ? eq(pages.status, 'published') : undefined,
    filters.noindex === undefined ? undefined : markedNoindex(seoFields, 'page', pages.id, filters.noindex),
    filters.parentId === undefined ? undefined : filters.parentId === null ? isNull(pages.parentId) : eq(pages.parentId, filters.parentId)
  )
}

function idOrSlugCondition (idOrSlug: string): SQL {
  return isIdInPath(idOrSlug) ? eq(pages.id, Number(idOrSlug)) : eq(pages.slug, idOrSlug)
}

const linkColumns = { id: pages.id, slug: pages.slug, title: pages.title, status: pages.status, position: pages.position }

export function sqlitePageQueries (db: Db): PageQueries {
  const bySlugOrId = (idOrSlug: string): PageRecord | undefined => db.select().from(pages).where(idOrSlugCondition(idOrSlug)).get()
  return {
    async listPages ({ filters, after, limit, offset }) {
      const rows = db.select().from(pages)
        .where(and(filterCondition(filters), after === null ? undefined : keysetAfter(treeOrder, after)))
        .orderBy(...treeOrder.map((key) => asc(key.column)))
        .limit(limit).offset(offset).all()
      return rows.map((row) => ({ ...row, sortValues: [row.parentId ?? 0, row.position, row.title, row.id] }))
    },

    async countPages (filters, after) {
      const keyset = after === undefined ? undefined : keysetAfter(treeOrder, after)
      return db.select({ total: count() }).from(pages).where(and(filterCondition(filters), keyset)).get()?.total ?? 0
    },

    async pageBySlugOrId (idOrSlug) {
      return bySlugOrId(idOrSlug)
    },

    async pageBySlugOrIdForUpdate (idOrSlug) {
      return bySlugOrId(idOrSlug)
    },

    async pageSlugTaken (slug, exceptId) {
      return db.select({ id: pages.id }).from(pages).where(and(eq(pages.slug, slug), exceptId === undefined ? undefined : ne(pages.id, exceptId))).get() !== undefined
    },

    async parentOf (id) {
      return db.select({ parentId: pages.parentId }).from(pages).where(eq(pages.id, id)).get()
    },

    async levelsBelow (id, atMost) {
      return db.get<{ levels: number | null }>(levelsBelow(pages, id, atMost))?.levels ?? 0
    },

    async childrenOf (id, publishedOnly, limit) {
      return db.select(linkColumns).from(pages)
        .where(and(eq(pages.parentId, id), publishedOnly ? eq(pages.status, 'published') : undefined))
        .orderBy(asc(pages.position), asc(pages.title), asc(pages.id)).limit(limit).all()
    },

    async childCount (id) {
      return db.select({ children: count() }).from(pages).where(eq(pages.parentId, id)).get()?.children ?? 0
    },

    async moveChildren (id, parentId, now) {
      const children = db.select(linkColumns).from(pages).where(eq(pages.parentId, id)).orderBy(pages.id).all()
      if (children.length > 0) db.update(pages).set({ parentId, updatedAt: now, version: sql`${pages.version} + 1` }).where(eq(pages.parentId, id)).run()
      return children
    },

    async touchPages (ids, now) {
      if (ids.length === 0) return []
      return db.update(pages).set({ updatedAt: now, version: sql`${pages.version} + 1` }).where(isAnyId(pages.id, ids)).returning(linkColumns).all()
        .sort((a, b) => a.id - b.id)
    },

    async insertPage (values) {
      return Number(db.insert(pages).values(values).run().lastInsertRowid)
    },

    async updatePage (id, values) {
      db.update(pages).set({ ...values, version: sql`${pages.version} + 1` }).where(eq(pages.id, id)).run()
    },

    async deletePage (id) {
      db.delete(pages).where(eq(pages.id, id)).run()
    },

    async pagesAfter (afterId, limit) {
      return db.select().from(pages).where(gt(pages.id, afterId)).orderBy(asc(pages.id)).limit(limit).all()
    }
  }
}
