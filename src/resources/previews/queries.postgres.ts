import { and, asc, eq, gt, lte } from 'drizzle-orm'
import type { PostgresHandle } from '../../db/postgres-store.js'
import { articlePreviews } from '../../db/schema.postgres.js'
import type { PreviewQueries } from './queries.js'

export function postgresPreviewQueries (db: PostgresHandle): PreviewQueries {
  return {
    async insertPreview (row) {
      const [inserted] = await db.insert(articlePreviews).values(row).returning()
      return inserted!
    },

    async previewBySecretHash (secretHash) {
      const [row] = await db.select().from(articlePreviews).where(eq(articlePreviews.secretHash, secretHash))
      return row
    },

    async livePreviewsOf (articleId, now) {
      return await db.select().from(articlePreviews)
        .where(and(eq(articlePreviews.articleId, articleId), gt(articlePreviews.expiresAt, now)))
        .orderBy(asc(articlePreviews.id))
    },

    async livePreviewOf (articleId, id, now) {
      const [row] = await db.select().from(articlePreviews)
        .where(and(eq(articlePreviews.id, id), eq(articlePreviews.articleId, articleId), gt(articlePreviews.expiresAt, now)))
      return row
    },

    async deletePreview (articleId, id) {
      const deleted = await db.delete(articlePreviews)
        .where(and(eq(articlePreviews.id, id), eq(articlePreviews.articleId, articleId)))
        .returning({ id: articlePreviews.id })
      return deleted.length > 0
    },

    async deleteExpiredPreviews (now) {
      const deleted = await db.delete(articlePreviews).where(lte(articlePreviews.expiresAt, now)).returning({ id: articlePreviews.id })
      return deleted.length
    }
  }
}
