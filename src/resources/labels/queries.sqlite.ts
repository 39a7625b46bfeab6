import { and, asc, count, desc, eq, sql, type SQL } from 'drizzle-orm'
import type { Db } from '../../db/client.js'
import { articleLabels, articles, labels } from '../../db/schema.js'
import { publishedBy } from '../articles/visibility.js'
import { keysetAfter, type CursorValue, type KeysetColumn, type SortKey } from '../../lib/list.js'
import type { LabelFilters, LabelQueries, LabelRecord, LabelRow, LabelSortField } from './queries.js'

function publishedCount (now: string): SQL<number> {
  return sql<number>`(select count(*) from ${articleLabels}
    join ${articles} on ${articles.id} = ${articleLabels.articleId}
    where ${articleLabels.labelId} = ${labels.id} and ${publishedBy(articles, now)})`
}

function sortColumns (sort: SortKey<LabelSortField>[], now: string): KeysetColumn[] {
  const columns: KeysetColumn[] = sort.map((key) => ({
    column: key.field === 'articleCount' ? publishedCount(now) : labels.key,
    descending: key.descending
  }))
  columns.push({ column: labels.id, descending: sort[0]?.descending ?? false })
  return columns
}

function filterCondition (filters: LabelFilters): SQL | undefined {
  return filters.inUseOnly ? sql`${publishedCount(filters.now)} > 0` : undefined
}

export function sqliteLabelQueries (db: Db): LabelQueries {
  const byId = (id: number, now: string): LabelRecord | undefined =>
    db.select({ id: labels.id, name: labels.name, articleCount: sql<number>`${publishedCount(now)}` }).from(labels).where(eq(labels.id, id)).get()
  return {
    async pageOfLabels ({ filters, sort, after, limit, offset }): Promise<LabelRow[]> {
      const columns = sortColumns(sort, filters.now)
      const sortValues = Object.fromEntries(columns.map((key, i) => [`sort_${i}`, sql`${key.column}`.as(`sort_${i}`)]))
      // Wrapped in sql``: selected bare from one table, drizzle would drop the table names inside.
      const articleCount = sql<number>`${publishedCount(filters.now)}`.as('article_count')
      const rows = db.select({ id: labels.id, name: labels.name, articleCount, ...sortValues })
        .from(labels)
        .where(and(filterCondition(filters), after === null ? undefined : keysetAfter(columns, after)))
        .orderBy(...columns.map((key) => key.descending ? desc(key.column) : asc(key.column)))
        .limit(limit)
        .offset(offset)
        .all() as Array<{ id: number, name: string, articleCount: number } & Record<string, CursorValue>>
      return rows.map((row) => ({ id: row.id, name: row.name, articleCount: row.articleCount, sortValues: columns.map((_, i) => row[`sort_${i}`] ?? null) }))
    },

    async countLabels (filters, sort, after) {
      const keyset = sort !== undefined && after !== undefined ? keysetAfter(sortColumns(sort, filters.now), after) : undefined
      return db.select({ total: count() }).from(labels).where(and(filterCondition(filters), keyset)).get()?.total ?? 0
    },

    async labelById (id, now) {
      return byId(id, now)
    },

    async labelByIdForUpdate (id, now) {
      return byId(id, now)
    },

    async carrierCount (id) {
      return db.select({ carriers: count() }).from(articleLabels).where(eq(articleLabels.labelId, id)).get()?.carriers ?? 0
    },

    async labelIdWithKey (key) {
      return db.select({ id: labels.id }).from(labels).where(eq(labels.key, key)).get()?.id
    },

    async insertLabel (name, key) {
      const id = Number(db.insert(labels).values({ name, key }).run().lastInsertRowid)
      return { id, name, articleCount: 0 }
    },

    async renameLabel (id, name, key) {
      db.update(labels).set({ name, key }).where(eq(labels.id, id)).run()
    },

    async deleteLabel (id) {
      db.delete(labels).where(eq(labels.id, id)).run()
    }
  }
}
