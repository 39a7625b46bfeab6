import { and, asc, count, desc, eq, getTableName, isNull, ne, sql, type SQL } from 'drizzle-orm'
import { assertCursorFits } from '../../db/postgres-cursor.js'
import { levelsBelow } from '../../db/postgres-sql.js'
import type { PostgresHandle } from '../../db/postgres-store.js'
import { articleLabels, articles, labels } from '../../db/schema.postgres.js'
import { publishedBy } from '../articles/visibility.js'
import { keysetAfter, type CursorValue, type KeysetColumn, type SortKey } from '../../lib/list.js'
import { isIdInPath } from '../../lib/slug.js'
import type { LabelFilters, LabelQueries, LabelRecord, LabelRow, LabelSortField } from './queries.js'

// The PostgreSQL twin of queries.sqlite.ts. Counts are cast to int: PostgreSQL's count is a
// bigint, which node-postgres hands over as a string.

function publishedCount (now: string): SQL<number> {
  return sql<number>`(select count(*)::int from ${articleLabels}
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

/** The labels after a client's cursor, once its values are known to fit their columns (counts are int4). */
function afterCursor (columns: KeysetColumn[], sort: SortKey<LabelSortField>[], after: CursorValue[]): SQL | undefined {
  assertCursorFits(after, [...sort.map((key) => key.field === 'articleCount' ? 'int4' as const : 'text' as const), 'integer'])
  return keysetAfter(columns, after)
}

function filterCondition (filters: LabelFilters): SQL | undefined {
  return and(
    filters.inUseOnly ? sql`${publishedCount(filters.now)} > 0` : undefined,
    filters.parentId === undefined ? undefined : filters.parentId === null ? isNull(labels.parentId) : eq(labels.parentId, filters.parentId)
  )
}

/** A sort key's value as the cursor carries it: the id column comes back a number through its own mapping. */
function sortValue (column: KeysetColumn['column'], alias: string): SQL.Aliased<CursorValue> {
  const value = column === labels.id ? sql<CursorValue>`${column}`.mapWith(labels.id) : sql<CursorValue>`${column}`
  return value.as(alias)
}

function idOrSlugCondition (idOrSlug: string): SQL {
  return isIdInPath(idOrSlug) ? eq(labels.id, Number(idOrSlug)) : eq(labels.slug, idOrSlug)
}

// The slug is null only between migration 0008 and the start-up back-fill (backfill.ts).
const recordColumns = { id: labels.id, name: labels.name, slug: sql<string>`coalesce(${labels.slug}, '')`, description: labels.description, parentId: labels.parentId }

export function postgresLabelQueries (db: PostgresHandle): LabelQueries {
  const bySlugOrId = (idOrSlug: string, now: string) =>
    db.select({ ...recordColumns, articleCount: sql<number>`${publishedCount(now)}` }).from(labels).where(idOrSlugCondition(idOrSlug))
  return {
    async pageOfLabels ({ filters, sort, after, limit, offset }): Promise<LabelRow[]> {
      const columns = sortColumns(sort, filters.now)
      const sortValues = Object.fromEntries(columns.map((key, i) => [`sort_${i}`, sortValue(key.column, `sort_${i}`)]))
      const articleCount = sql<number>`${publishedCount(filters.now)}`.as('article_count')
      const rows = await db.select({ ...recordColumns, articleCount, ...sortValues })
        .from(labels)
        .where(and(filterCondition(filters), after === null ? undefined : afterCursor(columns, sort, after)))
        .orderBy(...columns.map((key) => key.descending ? desc(key.column) : asc(key.column)))
        .limit(limit)
        .offset(offset) as Array<LabelRecord & Record<string, CursorValue>>
      return rows.map(({ id, name, slug, description, parentId, articleCount, ...row }) => ({
        id, name, slug, description, parentId, articleCount, sortValues: columns.map((_, i) => row[`sort_${i}`] ?? null)
      }))
    },

    async countLabels (filters, sort, after) {
      const keyset = sort !== undefined && after !== undefined ? afterCursor(sortColumns(sort, filters.now), sort, after) : undefined
      const [row] = await db.select({ total: count() }).from(labels).where(and(filterCondition(filters), keyset))
      return row?.total ?? 0
    },

    async labelBySlugOrId (idOrSlug, now) {
      return (await bySlugOrId(idOrSlug, now))[0]
    },

    async labelBySlugOrIdForUpdate (idOrSlug, now) {
      return (await bySlugOrId(idOrSlug, now).for('update', { of: labels }))[0]
    },

    async carrierCount (id) {
      const [row] = await db.select({ carriers: count() }).from(articleLabels).where(eq(articleLabels.labelId, id))
      return row?.carriers ?? 0
    },

    async labelIdWithKey (key) {
      return (await db.select({ id: labels.id }).from(labels).where(eq(labels.key, key)))[0]?.id
    },

    async labelIdWithKeyToLink (key) {
      return (await db.select({ id: labels.id }).from(labels).where(eq(labels.key, key)).for('key share'))[0]?.id
    },

    async keyWithSlug (slug) {
      return (await db.select({ key: labels.key }).from(labels).where(eq(labels.slug, slug)))[0]?.key
    },

    async labelSlugTaken (slug, exceptId) {
      const [row] = await db.select({ id: labels.id }).from(labels).where(and(eq(labels.slug, slug), exceptId === undefined ? undefined : ne(labels.id, exceptId)))
      return row !== undefined
    },

    async parentOf (id) {
      return (await db.select({ parentId: labels.parentId }).from(labels).where(eq(labels.id, id)))[0]
    },

    async levelsBelow (id, atMost) {
      return (await db.execute<{ levels: number | null }>(levelsBelow(labels, id, atMost))).rows[0]?.levels ?? 0
    },

    async childrenOf (id, now, limit) {
      return await db.select({ id: labels.id, slug: recordColumns.slug, name: labels.name, articleCount: sql<number>`${publishedCount(now)}` })
        .from(labels).where(eq(labels.parentId, id)).orderBy(asc(labels.key), asc(labels.id)).limit(limit)
    },

    async childCount (id) {
      const [row] = await db.select({ children: count() }).from(labels).where(eq(labels.parentId, id))
      return row?.children ?? 0
    },

    async moveChildren (id, parentId) {
      const moved = await db.update(labels).set({ parentId }).where(eq(labels.parentId, id)).returning({ id: labels.id })
      return moved.map((child) => child.id).sort((a, b) => a - b)
    },

    async labelIdTaken (id) {
      return (await db.select({ id: labels.id }).from(labels).where(eq(labels.id, id))).length > 0
    },

    async insertLabel (values) {
      // Another unit may store the same name meanwhile (an article's edit): its label is this one.
      const [label] = await db.insert(labels).values(values)
        .onConflictDoUpdate({ target: labels.key, set: { key: sql`excluded.key` } })
        .returning({ id: labels.id, created: sql<boolean>`xmax = 0` })
      // An identity knows only the ids it gave (SQLite's AUTOINCREMENT follows the largest by itself).
      if (values.id !== undefined) {
        await db.execute(sql`select setval(identity.name, ${values.id})
          from (select pg_get_serial_sequence(${getTableName(labels)}, 'id')::regclass as name) identity
          where ${values.id} > coalesce(pg_sequence_last_value(identity.name), 0)`)
      }
      return label!
    },

    async updateLabel (id, values) {
      await db.update(labels).set(values).where(eq(labels.id, id))
    },

    async deleteLabel (id) {
      await db.delete(labels).where(eq(labels.id, id))
    },

    async labelsWithoutSlug (limit) {
      return await db.select({ id: labels.id, name: labels.name }).from(labels).where(isNull(labels.slug)).orderBy(labels.id).limit(limit)
    }
  }
}
