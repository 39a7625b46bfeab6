import { asc, count, gt } from 'drizzle-orm'
import type { Db } from '../../db/client.js'
import { articles, authors, comments, days, labels, media } from '../../db/schema.js'
import type { ExportQueries } from './queries.js'

// better-sqlite3 cannot interleave other statements with an open iterator on its one
// connection: hence pages, not one iterated query.

export function sqliteExportQueries (db: Db): ExportQueries {
  return {
    async tableCounts () {
      const total = (table: typeof authors | typeof labels | typeof media | typeof articles | typeof days | typeof comments): number =>
        db.select({ total: count() }).from(table).get()?.total ?? 0
      return { authors: total(authors), labels: total(labels), media: total(media), articles: total(articles), days: total(days), comments: total(comments) }
    },

    async authorsAfter (afterId, limit) {
      return db.select().from(authors).where(gt(authors.id, afterId)).orderBy(asc(authors.id)).limit(limit).all()
    },

    async labelsAfter (afterId, limit) {
      return db.select().from(labels).where(gt(labels.id, afterId)).orderBy(asc(labels.id)).limit(limit).all()
    },

    async mediaAfter (afterId, limit) {
      return db.select().from(media).where(gt(media.id, afterId)).orderBy(asc(media.id)).limit(limit).all()
    },

    async articlesAfter (afterId, limit) {
      return db.select().from(articles).where(gt(articles.id, afterId)).orderBy(asc(articles.id)).limit(limit).all()
    },

    async daysAfter (afterDay, limit) {
      return db.select().from(days).where(gt(days.day, afterDay)).orderBy(asc(days.day)).limit(limit).all()
    },

    async commentsAfter (afterId, limit) {
      return db.select().from(comments).where(gt(comments.id, afterId)).orderBy(asc(comments.id)).limit(limit).all()
    }
  }
}
