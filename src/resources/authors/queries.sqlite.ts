import { and, asc, count, desc, eq, ne, sql, type SQL } from 'drizzle-orm'
import { columnsAs, inIdList, insertOnce, jsonIds, preparedOnce, statementOnce, type Db } from '../../db/client.js'
import { articleAuthors, articles, authors } from '../../db/schema.js'
import { bylineHas, publishedBy } from '../articles/visibility.js'
import { isIdInPath } from '../../lib/slug.js'
import { keysetAfter, type CursorValue, type KeysetColumn, type SortKey } from '../../lib/list.js'
import type { AuthorQueries, AuthorRow, AuthorSortField } from './queries.js'

function idOrSlugCondition (idOrSlug: string): SQL {
  return isIdInPath(idOrSlug) ? eq(authors.id, Number(idOrSlug)) : eq(authors.slug, idOrSlug)
}

const insertAuthor = insertOnce(authors)
const byId = preparedOnce((db) => db.select().from(authors).where(eq(authors.id, sql.placeholder('id'))).prepare())

// Every page of articles with their authors reads them: a plain statement (db/client.ts, `statementOnce`).
const rowsOfAuthors = statementOnce<AuthorRow>(`select ${columnsAs(authors)} from authors where id in (select value from json_each(?))`)

/** Published articles by author: the public `articleCount`. */
function publishedCount (now: string): SQL<number> {
  return sql<number>`(select count(*) from ${articles} where ${bylineHas(articles, authors.id)} and ${publishedBy(articles, now)})`
}

const publishedCounts = preparedOnce((db) => db.select({ authorId: articles.authorId, count: count() })
  .from(articles)
  .where(and(
    inIdList(articles.authorId),
    publishedBy(articles, sql.placeholder('now'))
  ))
  .groupBy(articles.authorId)
  .prepare())

// The same for the articles they co-author (never the same articles: a primary is not a co-author).
const coAuthoredCounts = preparedOnce((db) => db.select({ authorId: articleAuthors.authorId, count: count() })
  .from(articleAuthors)
  .innerJoin(articles, eq(articles.id, articleAuthors.articleId))
  .where(and(
    inIdList(articleAuthors.authorId),
    publishedBy(articles, sql.placeholder('now'))
  ))
  .groupBy(articleAuthors.authorId)
  .prepare())

function sortColumns (sort: SortKey<AuthorSortField>[], now: string): KeysetColumn[] {
  const columns: KeysetColumn[] = sort.map((key) => ({
    column: key.field === 'articleCount' ? publishedCount(now) : authors[key.field],
    descending: key.descending
  }))
  columns.push({ column: authors.id, descending: sort[0]?.descending ?? false })
  return columns
}

export function sqliteAuthorQueries (db: Db): AuthorQueries {
  return {
    async authorBySlugOrId (idOrSlug) {
      return db.select().from(authors).where(idOrSlugCondition(idOrSlug)).get()
    },

    async authorBySlugOrIdForUpdate (idOrSlug) {
      return db.select().from(authors).where(idOrSlugCondition(idOrSlug)).get()
    },

    async authorById (id) {
      return byId(db).get({ id })
    },

    async authorByIdForUpdate (id) {
      return byId(db).get({ id })
    },

    async authorsByIds (ids) {
      if (ids.length === 0) return []
      return rowsOfAuthors(db).all(JSON.stringify(ids))
    },

    async authorSlugTaken (slug, exceptId) {
      const condition = exceptId === undefined ? eq(authors.slug, slug) : and(eq(authors.slug, slug), ne(authors.id, exceptId))
      return db.select({ id: authors.id }).from(authors).where(condition).get() !== undefined
    },

    async insertAuthor (row) {
      return insertAuthor(db, row)
    },

    async updateAuthor (id, values) {
      // Read back rather than `returning`, which SQLite runs as a trigger with a statement
      // journal (see insertOnce in db/client.ts).
      db.update(authors)
        .set({ ...values, version: sql`${authors.version} + 1` })
        .where(eq(authors.id, id))
        .run()
      return byId(db).get({ id })!
    },

    async deleteAuthor (id) {
      db.delete(authors).where(eq(authors.id, id)).run()
    },

    async publishedCountsByAuthor (ids, now) {
      if (ids.length === 0) return new Map()
      const rows = [...publishedCounts(db).all({ ...jsonIds(ids), now }), ...coAuthoredCounts(db).all({ ...jsonIds(ids), now })]
      const byAuthor = new Map<number, number>()
      for (const row of rows) byAuthor.set(row.authorId, (byAuthor.get(row.authorId) ?? 0) + row.count)
      return new Map(ids.map((id) => [id, byAuthor.get(id) ?? 0]))
    },

    async pageOfAuthors ({ sort, now, after, limit, offset }) {
      const columns = sortColumns(sort, now)
      const sortValues = columns.map((key, i) => sql`${key.column}`.as(`sort_${i}`))
      const selection = Object.fromEntries(sortValues.map((value, i) => [`sort_${i}`, value]))
      const rows = db.select({ row: authors, ...selection })
        .from(authors)
        .where(after === null ? undefined : keysetAfter(columns, after))
        .orderBy(...columns.map((key) => key.descending ? desc(key.column) : asc(key.column)))
        .limit(limit)
        .offset(offset)
        .all() as Array<{ row: AuthorRow } & Record<string, CursorValue>>
      return rows.map((result) => ({ row: result.row, sortValues: columns.map((_, i) => result[`sort_${i}`] ?? null) }))
    },

    async countAuthors (now, sort, after) {
      const where = sort !== undefined && after !== undefined ? keysetAfter(sortColumns(sort, now), after) : undefined
      return db.select({ total: count() }).from(authors).where(where).get()?.total ?? 0
    }
  }
}
