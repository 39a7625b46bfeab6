import { and, asc, Column, count, desc, eq, is, ne, sql, type SQL } from 'drizzle-orm'
import { assertCursorFits, type CursorKind } from '../../db/postgres-cursor.js'
import type { PostgresHandle } from '../../db/postgres-store.js'
import { isAnyId } from '../../db/postgres-sql.js'
import { articleAuthors, articles, authors } from '../../db/schema.postgres.js'
import { bylineHas, publishedBy } from '../articles/visibility.js'
import { isIdInPath } from '../../lib/slug.js'
import { keysetAfter, type CursorValue, type KeysetColumn, type SortKey } from '../../lib/list.js'
import type { AuthorQueries, AuthorRow, AuthorSortField } from './queries.js'

function idOrSlugCondition (idOrSlug: string): SQL {
  return isIdInPath(idOrSlug) ? eq(authors.id, Number(idOrSlug)) : eq(authors.slug, idOrSlug)
}

// In a select list drizzle names a one-table query's columns without their table, and
// `"id"` inside the subquery would then be the article's: the author's is named in full.
const outerAuthorId = sql`${authors}.${sql.identifier(authors.id.name)}`

/** Published articles by author: the public `articleCount`. */
function publishedCount (now: string): SQL<number> {
  return sql<number>`(select count(*)::int from ${articles} where ${bylineHas(articles, outerAuthorId)} and ${publishedBy(articles, now)})`.mapWith(Number)
}

function sortColumns (sort: SortKey<AuthorSortField>[], now: string): KeysetColumn[] {
  const columns: KeysetColumn[] = sort.map((key) => ({
    column: key.field === 'articleCount' ? publishedCount(now) : authors[key.field],
    descending: key.descending
  }))
  columns.push({ column: authors.id, descending: sort[0]?.descending ?? false })
  return columns
}

/**
 * A sort column as a selected value, read back as its column reads it: a timestamp as
 * Dateline's string (not PostgreSQL's text), so cursors are the same on both databases.
 */
function sortValue ({ column }: KeysetColumn, i: number): SQL.Aliased {
  return (is(column, Column) ? sql`${column}`.mapWith(column) : column).as(`sort_${i}`)
}

const cursorKinds: Record<AuthorSortField, CursorKind> = { name: 'text', createdAt: 'timestamp', articleCount: 'int4' }

/** The authors after a client's cursor, once its values are known to fit their columns. */
function afterCursor (sort: SortKey<AuthorSortField>[], now: string, after: CursorValue[]): SQL | undefined {
  assertCursorFits(after, [...sort.map((key) => cursorKinds[key.field]), 'integer'])
  return keysetAfter(sortColumns(sort, now), after)
}

export function postgresAuthorQueries (db: PostgresHandle): AuthorQueries {
  const oneBySlugOrId = (idOrSlug: string) => db.select().from(authors).where(idOrSlugCondition(idOrSlug))
  return {
    async authorBySlugOrId (idOrSlug) {
      return (await oneBySlugOrId(idOrSlug))[0]
    },

    async authorBySlugOrIdForUpdate (idOrSlug) {
      return (await oneBySlugOrId(idOrSlug).for('update'))[0]
    },

    async authorById (id) {
      return (await db.select().from(authors).where(eq(authors.id, id)))[0]
    },

    async authorByIdForUpdate (id) {
      return (await db.select().from(authors).where(eq(authors.id, id)).for('update'))[0]
    },

    async authorsByIds (ids) {
      if (ids.length === 0) return []
      // By id, as SQLite reads them: PostgreSQL's table order moves a row to the end when it is updated.
      return await db.select().from(authors).where(isAnyId(authors.id, ids)).orderBy(asc(authors.id))
    },

    async authorSlugTaken (slug, exceptId) {
      const condition = exceptId === undefined ? eq(authors.slug, slug) : and(eq(authors.slug, slug), ne(authors.id, exceptId))
      return (await db.select({ id: authors.id }).from(authors).where(condition).limit(1)).length > 0
    },

    async insertAuthor (row) {
      return (await db.insert(authors).values(row).returning())[0]!
    },

    async updateAuthor (id, values) {
      const rows = await db.update(authors)
        .set({ ...values, version: sql`${authors.version} + 1` })
        .where(eq(authors.id, id))
        .returning()
      return rows[0]!
    },

    async deleteAuthor (id) {
      await db.delete(authors).where(eq(authors.id, id))
    },

    async publishedCountsByAuthor (ids, now) {
      if (ids.length === 0) return new Map()
      const rows = await db.select({ authorId: articles.authorId, count: count() })
        .from(articles)
        .where(and(isAnyId(articles.authorId, ids), publishedBy(articles, now)))
        .groupBy(articles.authorId)
      // The articles they co-author too (never the same ones: a primary is not a co-author).
      const coAuthored = await db.select({ authorId: articleAuthors.authorId, count: count() })
        .from(articleAuthors)
        .innerJoin(articles, eq(articles.id, articleAuthors.articleId))
        .where(and(isAnyId(articleAuthors.authorId, ids), publishedBy(articles, now)))
        .groupBy(articleAuthors.authorId)
      const byAuthor = new Map<number, number>()
      for (const row of [...rows, ...coAuthored]) byAuthor.set(row.authorId, (byAuthor.get(row.authorId) ?? 0) + row.count)
      return new Map(ids.map((id) => [id, byAuthor.get(id) ?? 0]))
    },

    async pageOfAuthors ({ sort, now, after, limit, offset }) {
      const columns = sortColumns(sort, now)
      const selection = Object.fromEntries(columns.map((key, i) => [`sort_${i}`, sortValue(key, i)]))
      const rows = await db.select({ row: authors, ...selection })
        .from(authors)
        .where(after === null ? undefined : afterCursor(sort, now, after))
        .orderBy(...columns.map((key) => key.descending ? desc(key.column) : asc(key.column)))
        .limit(limit)
        .offset(offset) as Array<{ row: AuthorRow } & Record<string, CursorValue>>
      return rows.map((result) => ({ row: result.row, sortValues: columns.map((_, i) => result[`sort_${i}`] ?? null) }))
    },

    async countAuthors (now, sort, after) {
      const where = sort !== undefined && after !== undefined ? afterCursor(sort, now, after) : undefined
      return (await db.select({ total: count() }).from(authors).where(where))[0]?.total ?? 0
    }
  }
}
