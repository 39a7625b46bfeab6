import { and, eq, inArray, sql } from 'drizzle-orm'
import type { PostgresHandle } from '../db/postgres-store.js'
import { articleCorrections, articleMedia, articles, authors, comments, days, media } from '../db/schema.postgres.js'
import type { DemoQueries } from './queries.js'

export function postgresDemoQueries (db: PostgresHandle): DemoQueries {
  return {
    async isEmpty () {
      const { rows } = await db.execute<{ empty: boolean }>(sql`select not exists (select 1 from ${authors}) and not exists (select 1 from ${articles}) as empty`)
      return rows[0]!.empty
    },

    async setAuthorTimes (id, times) {
      await db.update(authors).set(times).where(eq(authors.id, id))
    },

    async setArticleTimes (id, times) {
      await db.update(articles).set(times).where(eq(articles.id, id))
    },

    async setFeaturedImageTimes (articleId, times) {
      const featured = db.select({ id: articleMedia.mediaId }).from(articleMedia).where(and(eq(articleMedia.articleId, articleId), eq(articleMedia.use, 'featured')))
      await db.update(media).set(times).where(inArray(media.id, featured))
    },

    async setCommentTimes (id, times) {
      await db.update(comments).set(times).where(eq(comments.id, id))
    },

    async setCorrectionTimes (id, times) {
      await db.update(articleCorrections).set(times).where(eq(articleCorrections.id, id))
    },

    async setDayTimes (day, times) {
      await db.update(days).set(times).where(eq(days.day, day))
    }
  }
}
