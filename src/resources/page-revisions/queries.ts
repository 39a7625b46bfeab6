import type { pageRevisions } from '../../db/schema.js'
import { queriesFor } from '../../db/store.js'
import { postgresPageRevisionQueries } from './queries.postgres.js'
import { sqlitePageRevisionQueries } from './queries.sqlite.js'

export type PageRevisionRow = typeof pageRevisions.$inferSelect
export type NewPageRevisionRow = Omit<typeof pageRevisions.$inferInsert, 'number'>
/** A revision as its list shows it: without the snapshot, which holds the body. */
export type PageRevisionSummaryRow = Omit<PageRevisionRow, 'snapshot'>

export interface PageRevisionQueries {
  /** Keeps a version as the page's next revision; the oldest beyond `kept` are pruned. */
  insertRevision: (row: NewPageRevisionRow, kept: number) => Promise<void>
  countRevisions: (pageId: number) => Promise<number>
  /** Newest first. */
  pageOfRevisions: (pageId: number, limit: number, offset: number) => Promise<PageRevisionSummaryRow[]>
  revision: (pageId: number, number: number) => Promise<PageRevisionRow | undefined>
}

export const pageRevisionQueries = queriesFor<PageRevisionQueries>({ sqlite: sqlitePageRevisionQueries, postgres: postgresPageRevisionQueries })
