import { and, asc, count, desc, eq, getTableName, max, sql } from 'drizzle-orm'
import { assertCursorFits } from '../../db/postgres-cursor.js'
import type { PostgresHandle } from '../../db/postgres-store.js'
import { isAnyId } from '../../db/postgres-sql.js'
import { articleCorrections, articles } from '../../db/schema.postgres.js'
import { groupedBy } from '../../lib/group.js'
import { keysetAfter, type CursorValue, type KeysetColumn } from '../../lib/list.js'
import { visibleTo, type Visibility } from '../articles/visibility.js'
import type { CorrectionQueries } from './queries.js'

const newestFirst: KeysetColumn[] = [
  { column: articleCorrections.correctedAt, descending: true, notNull: true },
  { column: articleCorrections.id, descending: true, notNull: true }
]

function logCondition (visibility: Visibility, after: CursorValue[] | null | undefined) {
  if (after != null) assertCursorFits(after, ['timestamp', 'integer'])
  return and(after == null ? undefined : keysetAfter(newestFirst, after), visibleTo(articles, visibility))
}

export function postgresCorrectionQueries (db: PostgresHandle): CorrectionQueries {
  return {
    async correctionOfArticle (articleId, id) {
      return (await db.select().from(articleCorrections).where(and(eq(articleCorrections.id, id), eq(articleCorrections.articleId, articleId))))[0]
    },

    async correctionsByArticle (articleIds) {
      const rows = articleIds.length === 0
        ? []
        : await db.select().from(articleCorrections).where(isAnyId(articleCorrections.articleId, articleIds))
          .orderBy(asc(articleCorrections.articleId), asc(articleCorrections.correctedAt), asc(articleCorrections.id))
      return groupedBy(rows, (row) => row.articleId, (row) => row)
    },

    async correctedAtByArticle (articleIds) {
      const rows = articleIds.length === 0
        ? []
        : await db.select({ articleId: articleCorrections.articleId, at: max(articleCorrections.correctedAt) }).from(articleCorrections)
          .where(isAnyId(articleCorrections.articleId, articleIds)).groupBy(articleCorrections.articleId)
      return new Map(rows.map((row) => [row.articleId, row.at!]))
    },

    async countOfArticle (articleId) {
      return (await db.select({ total: count() }).from(articleCorrections).where(eq(articleCorrections.articleId, articleId)))[0]?.total ?? 0
    },

    async idTaken (id) {
      return (await db.select({ id: articleCorrections.id }).from(articleCorrections).where(eq(articleCorrections.id, id))).length > 0
    },

    async insertCorrection (row) {
      const inserted = (await db.insert(articleCorrections).values(row).returning())[0]!
      // An identity knows only the ids it gave (SQLite's AUTOINCREMENT follows the largest by itself).
      if (row.id !== undefined) {
        await db.execute(sql`select setval(identity.name, ${row.id})
          from (select pg_get_serial_sequence(${getTableName(articleCorrections)}, 'id')::regclass as name) identity
          where ${row.id} > coalesce(pg_sequence_last_value(identity.name), 0)`)
      }
      return inserted
    },

    async updateCorrection (id, values) {
      const rows = await db.update(articleCorrections).set({ ...values, version: sql`${articleCorrections.version} + 1` }).where(eq(articleCorrections.id, id)).returning()
      return rows[0]!
    },

    async deleteCorrection (id) {
      await db.delete(articleCorrections).where(eq(articleCorrections.id, id))
    },

    async deleteOfArticle (articleId) {
      await db.delete(articleCorrections).where(eq(articleCorrections.articleId, articleId))
    },

    async countInLog (visibility, after) {
      return (await db.select({ total: count() }).from(articleCorrections)
        .innerJoin(articles, eq(articles.id, articleCorrections.articleId))
        .where(logCondition(visibility, after)))[0]?.total ?? 0
    },

    async pageOfLog ({ visibility, after, limit, offset }) {
      const rows = await db.select({ correction: articleCorrections, article: { id: articles.id, slug: articles.slug, title: articles.title } })
        .from(articleCorrections)
        .innerJoin(articles, eq(articles.id, articleCorrections.articleId))
        .where(logCondition(visibility, after))
        .orderBy(desc(articleCorrections.correctedAt), desc(articleCorrections.id))
        .limit(limit)
        .offset(offset)
      return rows.map((row) => ({ ...row.correction, article: row.article }))
    }
  }
}
