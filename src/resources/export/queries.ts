import type { articles, authors, comments, days, labels, media } from '../../db/schema.js'
import { queriesFor } from '../../db/store.js'
import { postgresExportQueries } from './queries.postgres.js'
import { sqliteExportQueries } from './queries.sqlite.js'

export type ExportedTable = 'authors' | 'labels' | 'media' | 'articles' | 'days' | 'comments'

// Pages in key order: an export reads the database a page at a time so other requests run
// in between, instead of holding one cursor (or one transaction) open for the whole file.
export interface ExportQueries {
  tableCounts: () => Promise<Record<ExportedTable, number>>
  authorsAfter: (afterId: number, limit: number) => Promise<Array<typeof authors.$inferSelect>>
  labelsAfter: (afterId: number, limit: number) => Promise<Array<typeof labels.$inferSelect>>
  mediaAfter: (afterId: number, limit: number) => Promise<Array<typeof media.$inferSelect>>
  articlesAfter: (afterId: number, limit: number) => Promise<Array<typeof articles.$inferSelect>>
  daysAfter: (afterDay: string, limit: number) => Promise<Array<typeof days.$inferSelect>>
  commentsAfter: (afterId: number, limit: number) => Promise<Array<typeof comments.$inferSelect>>
}

export const exportQueries = queriesFor<ExportQueries>({ sqlite: sqliteExportQueries, postgres: postgresExportQueries })
