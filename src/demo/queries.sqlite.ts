import { and, count, eq, inArray } from 'drizzle-orm'
import type { Db } from '../db/client.js'
import { articleCorrections, articleMedia, articles, authors, comments, days, media } from '../db/schema.js'
import type { DemoQueries } from './queries.js'

export function sqliteDemoQueries (db: Db): DemoQueries {
  return {
    async isEmpty () {
      const authorCount = db.select({ n: count() }).from(authors).get()?.n ?? 0
      const articleCount = db.select({ n: count() }).from(articles).get()?.n ?? 0
      return authorCount === 0 && articleCount === 0
    },

    async setAuthorTimes (id, times) {
      db.update(authors).set(times).where(eq(authors.id, id)).run()
    },

    async setArticleTimes (id, times) {
      db.update(articles).set(times).where(eq(articles.id, id)).run()
    },

    async setFeaturedImageTimes (articleId, times) {
      const featured = db.select({ id: articleMedia.mediaId }).from(articleMedia).where(and(eq(articleMedia.articleId, articleId), eq(articleMedia.use, 'featured')))
      db.update(media).set(times).where(inArray(media.id, featured)).run()
    },

    async setCommentTimes (id, times) {
      db.update(comments).set(times).where(eq(comments.id, id)).run()
    },

    async setCorrectionTimes (id, times) {
      db.update(articleCorrections).set(times).where(eq(articleCorrections.id, id)).run()
    },

    async setDayTimes (day, times) {
      db.update(days).set(times).where(eq(days.day, day)).run()
    }
  }
}
