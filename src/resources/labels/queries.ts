import type { CursorValue, SortKey } from '../../lib/list.js'
import { queriesFor } from '../../db/store.js'
import { postgresLabelQueries } from './queries.postgres.js'
import { sqliteLabelQueries } from './queries.sqlite.js'
import type { labelSortFields } from './schemas.js'

export type LabelSortField = (typeof labelSortFields)[number]

export interface LabelFilters {
  now: string
  /** Hide labels no published article carries (what anonymous readers get). */
  inUseOnly: boolean
}

export interface LabelRow {
  id: number
  name: string
  articleCount: number
  /** The row's values of the sort keys and its id, for a cursor. */
  sortValues: CursorValue[]
}

/** A page request over labels: the sort (with the id last, added by the query module) and a position. */
export interface LabelPage {
  filters: LabelFilters
  sort: SortKey<LabelSortField>[]
  after: CursorValue[] | null
  limit: number
  offset: number
}

export interface LabelQueries {
  pageOfLabels: (page: LabelPage) => Promise<LabelRow[]>
  /** Labels matching the filters; with `after`, only those after that position in `sort`. */
  countLabels: (filters: LabelFilters, sort?: SortKey<LabelSortField>[], after?: CursorValue[]) => Promise<number>
}

export const labelQueries = queriesFor<LabelQueries>({ sqlite: sqliteLabelQueries, postgres: postgresLabelQueries })
