import { and, asc, count, desc, eq, inArray, max, sql } from 'drizzle-orm'
import { insertOnce, type Db } from '../../db/client.js'
import { articleCorrections, articles } from '../../db/schema.js'
import { groupedBy } from '../../lib/group.js'
import { keysetAfter, type CursorValue, type KeysetColumn } from '../../lib/list.js'
import { visibleTo, type Visibility } from '../articles/visibility.js'
import type { CorrectionQueries, CorrectionRow } from './queries.js'

const newestFirst: KeysetColumn[] = [
  { column: articleCorrections.correctedAt, descending: true, notNull: true },
  { column: articleCorrections.id, descending: true, notNull: true }
]

const insertCorrection = insertOnce(articleCorrections)

function logCondition (visibility: Visibility, after: CursorValue[] | null | undefined) {
  return and(after == null ? undefined : keysetAfter(newestFirst, after), visibleTo(articles, visibility))
}

export function sqliteCorrectionQueries (db: Db): CorrectionQueries {
  const byId = (id: number): CorrectionRow => db.select().from(articleCorrections).where(eq(articleCorrections.id, id)).get()!
  return {
    async correctionOfArticle (articleId, id) {
      return db.select().from(articleCorrections).where(and(eq(articleCorrections.id, id), eq(articleCorrections.articleId, articleId))).get()
    },

    async correctionsByArticle (articleIds) {
      const rows = articleIds.length === 0
        ? []
        : db.select().from(articleCorrections).where(inArray(articleCorrections.articleId, articleIds))
          .orderBy(asc(articleCorrections.articleId), asc(articleCorrections.correctedAt), asc(articleCorrections.id)).all()
      return groupedBy(rows, (row) => row.articleId, (row) => row)
    },

    async correctedAtByArticle (articleIds) {
      const rows = articleIds.length === 0
        ? []
        : db.select({ articleId: articleCorrections.articleId, at: max(articleCorrections.correctedAt) }).from(articleCorrections)
          .where(inArray(articleCorrections.articleId, articleIds)).groupBy(articleCorrections.articleId).all()
      return new Map(rows.map((row) => [row.articleId, row.at!]))
    },

    async countOfArticle (articleId) {
      return db.select({ total: count() }).from(articleCorrections).where(eq(articleCorrections.articleId, articleId)).get()?.total ?? 0
    },

    async idTaken (id) {
      return db.select({ id: articleCorrections.id }).from(articleCorrections).where(eq(articleCorrections.id, id)).get() !== undefined
    },

    async insertCorrection (row) {
      return insertCorrection(db, row)
    },

    async updateCorrection (id, values) {
      // Read back rather than `returning` (see insertOnce in db/client.ts).
      db.update(articleCorrections).set({ ...values, version: sql`${articleCorrections.version} + 1` }).where(eq(articleCorrections.id, id)).run()
      return byId(id)
    },

    async deleteCorrection (id) {
      db.delete(articleCorrections).where(eq(articleCorrections.id, id)).run()
    },

    async deleteOfArticle (articleId) {
      db.delete(articleCorrections).where(eq(articleCorrections.articleId, articleId)).run()
    },

    async countInLog (visibility, after) {
      return db.select({ total: count() }).from(articleCorrections)
        .innerJoin(articles, eq(articles.id, articleCorrections.articleId))
        .where(logCondition(visibility, after)).get()?.total ?? 0
    },

    async pageOfLog ({ visibility, after, limit, offset }) {
      const rows = db.select({ correction: articleCorrections, article: { id: articles.id, slug: articles.slug, title: articles.title } })
        .from(articleCorrections)
        .innerJoin(articles, eq(articles.id, articleCorrections.articleId))
        .where(logCondition(visibility, after))
        .orderBy(desc(articleCorrections.correctedAt), desc(articleCorrections.id))
        .limit(limit)
        .offset(offset)
        .all()
      return rows.map((row) => ({ ...row.correction, article: row.article }))
    }
  }
}
