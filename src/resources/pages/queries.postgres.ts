import { and, asc, count, eq, gt, isNull, ne, sql, type SQL } from 'drizzle-orm'
import { assertCursorFits } from '../../db/postgres-cursor.js'
import { isAnyId, levelsBelow } from '../../db/postgres-sql.js'
import { markedNoindex } from '../seo/conditions.js'
import type { PostgresHandle } from '../../db/postgres-store.js'
import { pages, seoFields } from '../../db/schema.postgres.js'
import { keysetAfter, type CursorValue, type KeysetColumn } from '../../lib/list.js'
import { isIdInPath } from '../../lib/slug.js'
import type { PageFilters, PageQueries, PageRecord } from './queries.js'

// The PostgreSQL twin of queries.sqlite.ts.

// Tree order: the top level (no parent, as 0) first, then each parent's pages by position.
const treeOrder: KeysetColumn[] = [
  { column: sql`coalesce(${pages.parentId}, 0)`, descending: false, notNull: true },
  { column: pages.position, descending: false, notNull: true },
  { column: pages.title, descending: false, notNull: true },
  { column: pages.id, descending: false, notNull: true }
]

/** The pages after a client's cursor, once its values are known to fit their columns. */
function afterCursor (after: CursorValue[]): SQL | undefined {
  assertCursorFits(after, ['integer', 'int4', 'text', 'integer'])
  return keysetAfter(treeOrder, after)
}

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

export function postgresPageQueries (db: PostgresHandle): PageQueries {
  const bySlugOrId = (idOrSlug: string) => db.select().from(pages).where(idOrSlugCondition(idOrSlug))
  return {
    async listPages ({ filters, after, limit, offset }) {
      const rows = await db.select().from(pages)
        .where(and(filterCondition(filters), after === null ? undefined : afterCursor(after)))
        .orderBy(...treeOrder.map((key) => asc(key.column)))
        .limit(limit).offset(offset)
      return rows.map((row) => ({ ...row, sortValues: [row.parentId ?? 0, row.position, row.title, row.id] }))
    },

    async countPages (filters, after) {
      const keyset = after === undefined ? undefined : afterCursor(after)
      const [row] = await db.select({ total: count() }).from(pages).where(and(filterCondition(filters), keyset))
      return row?.total ?? 0
    },

    async pageBySlugOrId (idOrSlug): Promise<PageRecord | undefined> {
      return (await bySlugOrId(idOrSlug))[0]
    },

    async pageBySlugOrIdForUpdate (idOrSlug): Promise<PageRecord | undefined> {
      return (await bySlugOrId(idOrSlug).for('update'))[0]
    },

    async pageSlugTaken (slug, exceptId) {
      const [row] = await db.select({ id: pages.id }).from(pages).where(and(eq(pages.slug, slug), exceptId === undefined ? undefined : ne(pages.id, exceptId)))
      return row !== undefined
    },

    async parentOf (id) {
      return (await db.select({ parentId: pages.parentId }).from(pages).where(eq(pages.id, id)))[0]
    },

    async levelsBelow (id, atMost) {
      return (await db.execute<{ levels: number | null }>(levelsBelow(pages, id, atMost))).rows[0]?.levels ?? 0
    },

    async childrenOf (id, publishedOnly, limit) {
      return await db.select(linkColumns).from(pages)
        .where(and(eq(pages.parentId, id), publishedOnly ? eq(pages.status, 'published') : undefined))
        .orderBy(asc(pages.position), asc(pages.title), asc(pages.id)).limit(limit)
    },

    async childCount (id) {
      const [row] = await db.select({ children: count() }).from(pages).where(eq(pages.parentId, id))
      return row?.children ?? 0
    },

    async moveChildren (id, parentId, now) {
      const children = await db.select(linkColumns).from(pages).where(eq(pages.parentId, id)).orderBy(pages.id).for('update')
      if (children.length > 0) await db.update(pages).set({ parentId, updatedAt: now, version: sql`${pages.version} + 1` }).where(eq(pages.parentId, id))
      return children
    },

    async touchPages (ids, now) {
      if (ids.length === 0) return []
      return (await db.update(pages).set({ updatedAt: now, version: sql`${pages.version} + 1` }).where(isAnyId(pages.id, ids)).returning(linkColumns))
        .sort((a, b) => a.id - b.id)
    },

    async insertPage (values) {
      const [row] = await db.insert(pages).values(values).returning({ id: pages.id })
      return row!.id
    },

    async updatePage (id, values) {
      await db.update(pages).set({ ...values, version: sql`${pages.version} + 1` }).where(eq(pages.id, id))
    },

    async deletePage (id) {
      await db.delete(pages).where(eq(pages.id, id))
    },

    async pagesAfter (afterId, limit) {
      return await db.select().from(pages).where(gt(pages.id, afterId)).orderBy(asc(pages.id)).limit(limit)
    }
  }
}
