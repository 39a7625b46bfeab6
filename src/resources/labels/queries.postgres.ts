import { and, asc, count, desc, eq, sql, type SQL } from 'drizzle-orm'
import { assertCursorFits } from '../../db/postgres-cursor.js'
import type { PostgresHandle } from '../../db/postgres-store.js'
import { articleLabels, articles, labels } from '../../db/schema.postgres.js'
import { publishedBy } from '../articles/visibility.js'
import { keysetAfter, type CursorValue, type KeysetColumn, type SortKey } from '../../lib/list.js'
import type { LabelFilters, LabelQueries, LabelRow, LabelSortField } from './queries.js'

// The PostgreSQL twin of queries.sqlite.ts. Counts are cast to int: PostgreSQL's count is a
// bigint, which node-postgres hands over as a string.

function publishedCount (now: string): SQL<number> {
  return sql<number>`(select count(*)::int from ${articleLabels}
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

/** The labels after a client's cursor, once its values are known to fit their columns (counts are int4). */
function afterCursor (columns: KeysetColumn[], sort: SortKey<LabelSortField>[], after: CursorValue[]): SQL | undefined {
  assertCursorFits(after, [...sort.map((key) => key.field === 'articleCount' ? 'int4' as const : 'text' as const), 'integer'])
  return keysetAfter(columns, after)
}

function filterCondition (filters: LabelFilters): SQL | undefined {
  return filters.inUseOnly ? sql`${publishedCount(filters.now)} > 0` : undefined
}

/** A sort key's value as the cursor carries it: the id column comes back a number through its own mapping. */
function sortValue (column: KeysetColumn['column'], alias: string): SQL.Aliased<CursorValue> {
  const value = column === labels.id ? sql<CursorValue>`${column}`.mapWith(labels.id) : sql<CursorValue>`${column}`
  return value.as(alias)
}

export function postgresLabelQueries (db: PostgresHandle): LabelQueries {
  const byId = (id: number, now: string) =>
    db.select({ id: labels.id, name: labels.name, articleCount: sql<number>`${publishedCount(now)}` }).from(labels).where(eq(labels.id, id))
  return {
    async pageOfLabels ({ filters, sort, after, limit, offset }): Promise<LabelRow[]> {
      const columns = sortColumns(sort, filters.now)
      const sortValues = Object.fromEntries(columns.map((key, i) => [`sort_${i}`, sortValue(key.column, `sort_${i}`)]))
      const articleCount = sql<number>`${publishedCount(filters.now)}`.as('article_count')
      const rows = await db.select({ id: labels.id, name: labels.name, articleCount, ...sortValues })
        .from(labels)
        .where(and(filterCondition(filters), after === null ? undefined : afterCursor(columns, sort, after)))
        .orderBy(...columns.map((key) => key.descending ? desc(key.column) : asc(key.column)))
        .limit(limit)
        .offset(offset) as Array<{ id: number, name: string, articleCount: number } & Record<string, CursorValue>>
      return rows.map((row) => ({ id: row.id, name: row.name, articleCount: row.articleCount, sortValues: columns.map((_, i) => row[`sort_${i}`] ?? null) }))
    },

    async countLabels (filters, sort, after) {
      const keyset = sort !== undefined && after !== undefined ? afterCursor(sortColumns(sort, filters.now), sort, after) : undefined
      const [row] = await db.select({ total: count() }).from(labels).where(and(filterCondition(filters), keyset))
      return row?.total ?? 0
    },

    async labelById (id, now) {
      return (await byId(id, now))[0]
    },

    async labelByIdForUpdate (id, now) {
      return (await byId(id, now).for('update', { of: labels }))[0]
    },

    async carrierCount (id) {
      const [row] = await db.select({ carriers: count() }).from(articleLabels).where(eq(articleLabels.labelId, id))
      return row?.carriers ?? 0
    },

    async labelIdWithKey (key) {
      return (await db.select({ id: labels.id }).from(labels).where(eq(labels.key, key)))[0]?.id
    },

    async insertLabel (name, key) {
      const [label] = await db.insert(labels).values({ name, key }).returning({ id: labels.id, name: labels.name })
      return { ...label!, articleCount: 0 }
    },

    async renameLabel (id, name, key) {
      await db.update(labels).set({ name, key }).where(eq(labels.id, id))
    },

    async deleteLabel (id) {
      await db.delete(labels).where(eq(labels.id, id))
    }
  }
}
