import { and, asc, count, desc, eq, isNull, ne, sql, type SQL } from 'drizzle-orm'
import { levelsBelow, type Db } from '../../db/client.js'
import { articleLabels, articles, labels } from '../../db/schema.js'
import { publishedBy } from '../articles/visibility.js'
import { keysetAfter, type CursorValue, type KeysetColumn, type SortKey } from '../../lib/list.js'
import { isIdInPath } from '../../lib/slug.js'
import type { LabelFilters, LabelQueries, LabelRecord, LabelRow, LabelSortField } from './queries.js'

function publishedCount (now: string): SQL<number> {
  return sql<number>`(select count(*) from ${articleLabels}
    join ${articles} on ${articles.id} = ${articleLabels.articleId}
    where ${articleLabels.labelId} = ${labels.id} and ${publishedBy(articles, now)})`
}

function sortColumns (sort: SortKey<LabelSortField>[], now: string): KeysetColumn[] {
  const columns: KeysetColumn[] = sort.map((key) => ({
    column: key.field === 'articleCount' ? publishedCount(now) : key.field === 'slug' ? labels.slug : labels.key,
    descending: key.descending
  }))
  columns.push({ column: labels.id, descending: sort[0]?.descending ?? false })
  return columns
}

function filterCondition (filters: LabelFilters): SQL | undefined {
  return and(
    filters.inUseOnly ? sql`${publishedCount(filters.now)} > 0` : undefined,
    filters.parentId === undefined ? undefined : filters.parentId === null ? isNull(labels.parentId) : eq(labels.parentId, filters.parentId)
  )
}

function idOrSlugCondition (idOrSlug: string): SQL {
  return isIdInPath(idOrSlug) ? eq(labels.id, Number(idOrSlug)) : eq(labels.slug, idOrSlug)
}

// The slug is null only between migration 0016 and the start-up back-fill (backfill.ts).
const recordColumns = { id: labels.id, name: labels.name, slug: sql<string>`coalesce(${labels.slug}, '')`, description: labels.description, parentId: labels.parentId }

export function sqliteLabelQueries (db: Db): LabelQueries {
  const bySlugOrId = (idOrSlug: string, now: string): LabelRecord | undefined =>
    db.select({ ...recordColumns, articleCount: sql<number>`${publishedCount(now)}` }).from(labels).where(idOrSlugCondition(idOrSlug)).get()
  return {
    async pageOfLabels ({ filters, sort, after, limit, offset }): Promise<LabelRow[]> {
      const columns = sortColumns(sort, filters.now)
      const sortValues = Object.fromEntries(columns.map((key, i) => [`sort_${i}`, sql`${key.column}`.as(`sort_${i}`)]))
      // Wrapped in sql``: selected bare from one table, drizzle would drop the table names inside.
      const articleCount = sql<number>`${publishedCount(filters.now)}`.as('article_count')
      const rows = db.select({ ...recordColumns, articleCount, ...sortValues })
        .from(labels)
        .where(and(filterCondition(filters), after === null ? undefined : keysetAfter(columns, after)))
        .orderBy(...columns.map((key) => key.descending ? desc(key.column) : asc(key.column)))
        .limit(limit)
        .offset(offset)
        .all() as Array<LabelRecord & Record<string, CursorValue>>
      return rows.map(({ id, name, slug, description, parentId, articleCount, ...row }) => ({
        id, name, slug, description, parentId, articleCount, sortValues: columns.map((_, i) => row[`sort_${i}`] ?? null)
      }))
    },

    async countLabels (filters, sort, after) {
      const keyset = sort !== undefined && after !== undefined ? keysetAfter(sortColumns(sort, filters.now), after) : undefined
      return db.select({ total: count() }).from(labels).where(and(filterCondition(filters), keyset)).get()?.total ?? 0
    },

    async labelBySlugOrId (idOrSlug, now) {
      return bySlugOrId(idOrSlug, now)
    },

    async labelBySlugOrIdForUpdate (idOrSlug, now) {
      return bySlugOrId(idOrSlug, now)
    },

    async carrierCount (id) {
      return db.select({ carriers: count() }).from(articleLabels).where(eq(articleLabels.labelId, id)).get()?.carriers ?? 0
    },

    async labelIdWithKey (key) {
      return db.select({ id: labels.id }).from(labels).where(eq(labels.key, key)).get()?.id
    },

    async labelIdWithKeyToLink (key) {
      return db.select({ id: labels.id }).from(labels).where(eq(labels.key, key)).get()?.id
    },

    async keyWithSlug (slug) {
      return db.select({ key: labels.key }).from(labels).where(eq(labels.slug, slug)).get()?.key
    },

    async labelSlugTaken (slug, exceptId) {
      return db.select({ id: labels.id }).from(labels).where(and(eq(labels.slug, slug), exceptId === undefined ? undefined : ne(labels.id, exceptId))).get() !== undefined
    },

    async parentOf (id) {
      return db.select({ parentId: labels.parentId }).from(labels).where(eq(labels.id, id)).get()
    },

    async levelsBelow (id, atMost) {
      return db.get<{ levels: number | null }>(levelsBelow(labels, id, atMost))?.levels ?? 0
    },

    async childrenOf (id, now, limit) {
      return db.select({ id: labels.id, slug: recordColumns.slug, name: labels.name, articleCount: sql<number>`${publishedCount(now)}` })
        .from(labels).where(eq(labels.parentId, id)).orderBy(asc(labels.key), asc(labels.id)).limit(limit).all()
    },

    async childCount (id) {
      return db.select({ children: count() }).from(labels).where(eq(labels.parentId, id)).get()?.children ?? 0
    },

    async moveChildren (id, parentId) {
      const children = db.select({ id: labels.id }).from(labels).where(eq(labels.parentId, id)).orderBy(labels.id).all()
      if (children.length > 0) db.update(labels).set({ parentId }).where(eq(labels.parentId, id)).run()
      return children.map((child) => child.id)
    },

    async labelIdTaken (id) {
      return db.select({ id: labels.id }).from(labels).where(eq(labels.id, id)).get() !== undefined
    },

    async insertLabel (values) {
      return { id: Number(db.insert(labels).values(values).run().lastInsertRowid), created: true }
    },

    async updateLabel (id, values) {
      db.update(labels).set(values).where(eq(labels.id, id)).run()
    },

    async deleteLabel (id) {
      db.delete(labels).where(eq(labels.id, id)).run()
    },

    async labelsWithoutSlug (limit) {
      return db.select({ id: labels.id, name: labels.name }).from(labels).where(isNull(labels.slug)).orderBy(labels.id).limit(limit).all()
    }
  }
}
