import { asc, count, gt } from 'drizzle-orm'
import type { PostgresHandle } from '../../db/postgres-store.js'
import { articles, authors, comments, days, labels, media } from '../../db/schema.postgres.js'
import type { ExportQueries } from './queries.js'

export function postgresExportQueries (db: PostgresHandle): ExportQueries {
  const total = async (table: typeof authors | typeof labels | typeof media | typeof articles | typeof days | typeof comments): Promise<number> =>
    (await db.select({ total: count() }).from(table))[0]?.total ?? 0

  return {
    async tableCounts () {
      return { authors: await total(authors), labels: await total(labels), media: await total(media), articles: await total(articles), days: await total(days), comments: await total(comments) }
    },

    async authorsAfter (afterId, limit) {
      return await db.select().from(authors).where(gt(authors.id, afterId)).orderBy(asc(authors.id)).limit(limit)
    },

    async labelsAfter (afterId, limit) {
      return await db.select().from(labels).where(gt(labels.id, afterId)).orderBy(asc(labels.id)).limit(limit)
    },

    async mediaAfter (afterId, limit) {
      return await db.select().from(media).where(gt(media.id, afterId)).orderBy(asc(media.id)).limit(limit)
    },

    async articlesAfter (afterId, limit) {
      return await db.select().from(articles).where(gt(articles.id, afterId)).orderBy(asc(articles.id)).limit(limit)
    },

    // The first page is asked after '', which sorts before every day as text but is no date.
    async daysAfter (afterDay, limit) {
      return await db.select().from(days).where(afterDay === '' ? undefined : gt(days.day, afterDay)).orderBy(asc(days.day)).limit(limit)
    },

    async commentsAfter (afterId, limit) {
      return await db.select().from(comments).where(gt(comments.id, afterId)).orderBy(asc(comments.id)).limit(limit)
    }
  }
}
