import type { articleCorrections } from '../../db/schema.js'
import { queriesFor } from '../../db/store.js'
import type { CursorValue } from '../../lib/list.js'
import type { Visibility } from '../articles/visibility.js'
import { postgresCorrectionQueries } from './queries.postgres.js'
import { sqliteCorrectionQueries } from './queries.sqlite.js'

export type CorrectionRow = typeof articleCorrections.$inferSelect
export type NewCorrectionRow = typeof articleCorrections.$inferInsert

/** A correction in the site-wide log, with the article it is of. */
export type LoggedCorrectionRow = CorrectionRow & { article: { id: number, slug: string, title: string } }

/** A page of the site-wide log, newest first: corrections of the articles `visibility` lets through. */
export interface CorrectionLogPage {
  visibility: Visibility
  /** `[correctedAt, id]` of the last correction of the page before. */
  after: CursorValue[] | null
  limit: number
  offset: number
}

export interface CorrectionQueries {
  /** One of the article's corrections. */
  correctionOfArticle: (articleId: number, id: number) => Promise<CorrectionRow | undefined>
  /** Each article's corrections, oldest first. */
  correctionsByArticle: (articleIds: number[]) => Promise<Map<number, CorrectionRow[]>>
  /** The time of each corrected article's latest correction. */
  correctedAtByArticle: (articleIds: number[]) => Promise<Map<number, string>>
  countOfArticle: (articleId: number) => Promise<number>
  /** Whether a correction has this id (a restore or an import keeps ids that are free). */
  idTaken: (id: number) => Promise<boolean>
  /** Inserts a row; one given its own id (a restore, an import) moves the id sequence past it, so new ids never collide. */
  insertCorrection: (row: NewCorrectionRow) => Promise<CorrectionRow>
  /** Writes `values` and moves the correction's version on. */
  updateCorrection: (id: number, values: Partial<NewCorrectionRow>) => Promise<CorrectionRow>
  deleteCorrection: (id: number) => Promise<void>
  /** Deletes every correction of the article (an import writing them anew). */
  deleteOfArticle: (articleId: number) => Promise<void>
  /** Corrections in the log; with `after`, only those after that position. */
  countInLog: (visibility: Visibility, after?: CursorValue[]) => Promise<number>
  pageOfLog: (page: CorrectionLogPage) => Promise<LoggedCorrectionRow[]>
}

export const correctionQueries = queriesFor<CorrectionQueries>({ sqlite: sqliteCorrectionQueries, postgres: postgresCorrectionQueries })
