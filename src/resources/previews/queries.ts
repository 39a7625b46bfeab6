import { queriesFor } from '../../db/store.js'
import type { articlePreviews } from '../../db/schema.js'
import { postgresPreviewQueries } from './queries.postgres.js'
import { sqlitePreviewQueries } from './queries.sqlite.js'

export type PreviewRow = typeof articlePreviews.$inferSelect
export type NewPreviewRow = typeof articlePreviews.$inferInsert

export interface PreviewQueries {
  insertPreview: (row: NewPreviewRow) => Promise<PreviewRow>
  /** The preview with this secret hash, expired or not (expiry is the service's to judge). */
  previewBySecretHash: (secretHash: string) => Promise<PreviewRow | undefined>
  /** The article's previews that have not expired by `now`, oldest first. */
  livePreviewsOf: (articleId: number, now: string) => Promise<PreviewRow[]>
  /** One of the article's previews, unless it has expired by `now`. */
  livePreviewOf: (articleId: number, id: number, now: string) => Promise<PreviewRow | undefined>
  /** Ends one of the article's previews; false when it has no such preview. */
  deletePreview: (articleId: number, id: number) => Promise<boolean>
  /** Deletes every preview expired by `now`; answers how many. */
  deleteExpiredPreviews: (now: string) => Promise<number>
}

export const previewQueries = queriesFor<PreviewQueries>({ sqlite: sqlitePreviewQueries, postgres: postgresPreviewQueries })
