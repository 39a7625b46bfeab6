import { and, asc, eq, gt, lte, sql } from 'drizzle-orm'
import { insertOnce, preparedOnce, type Db } from '../../db/client.js'
import { articlePreviews } from '../../db/schema.js'
import type { PreviewQueries } from './queries.js'

// Every request with a preview secret asks this, a guesser's included: built once, it is only run.
const insertPreview = insertOnce(articlePreviews)
const bySecretHash = preparedOnce((db) => db.select().from(articlePreviews)
  .where(eq(articlePreviews.secretHash, sql.placeholder('secretHash')))
  .prepare())

export function sqlitePreviewQueries (db: Db): PreviewQueries {
  return {
    async insertPreview (row) {
      return insertPreview(db, row)
    },

    async previewBySecretHash (secretHash) {
      return bySecretHash(db).get({ secretHash })
    },

    async livePreviewsOf (articleId, now) {
      return db.select().from(articlePreviews)
        .where(and(eq(articlePreviews.articleId, articleId), gt(articlePreviews.expiresAt, now)))
        .orderBy(asc(articlePreviews.id))
        .all()
    },

    async livePreviewOf (articleId, id, now) {
      return db.select().from(articlePreviews)
        .where(and(eq(articlePreviews.id, id), eq(articlePreviews.articleId, articleId), gt(articlePreviews.expiresAt, now)))
        .get()
    },

    async deletePreview (articleId, id) {
      return db.delete(articlePreviews).where(and(eq(articlePreviews.id, id), eq(articlePreviews.articleId, articleId))).run().changes > 0
    },

    async deleteExpiredPreviews (now) {
      return db.delete(articlePreviews).where(lte(articlePreviews.expiresAt, now)).run().changes
    }
  }
}
