import type { articleRevisions } from '../../db/schema.js'
import { queriesFor } from '../../db/store.js'
import { postgresRevisionQueries } from './queries.postgres.js'
import { sqliteRevisionQueries } from './queries.sqlite.js'

export type RevisionRow = typeof articleRevisions.$inferSelect
export type NewRevisionRow = Omit<typeof articleRevisions.$inferInsert, 'number'>

export interface RevisionQueries {
  /** Keeps a version as the article's next revision; the oldest beyond `kept` are pruned. */
  insertRevision: (row: NewRevisionRow, kept: number) => Promise<void>
  countRevisions: (articleId: number) => Promise<number>
  /** Newest first. */
  pageOfRevisions: (articleId: number, limit: number, offset: number) => Promise<RevisionRow[]>
  revision: (articleId: number, number: number) => Promise<RevisionRow | undefined>
}

export const revisionQueries = queriesFor<RevisionQueries>({ sqlite: sqliteRevisionQueries, postgres: postgresRevisionQueries })
