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

/** One label, as its own resource reads it. */
export interface LabelRecord {
  id: number
  name: string
  /** Published articles carrying it. */
  articleCount: number
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
  /** A label, with its articles published by `now` counted. */
  labelById: (id: number, now: string) => Promise<LabelRecord | undefined>
  /**
   * The same, locked until the unit of work ends, for a unit that renames or deletes it: on
   * PostgreSQL an article's edit giving an article this label waits for it, and the other way
   * round (see the articles queries' `labelIdFor`). A SQLite unit holds the write lock already.
   */
  labelByIdForUpdate: (id: number, now: string) => Promise<LabelRecord | undefined>
  /** Articles carrying the label, whatever their state (those a rename or delete changes). */
  carrierCount: (id: number) => Promise<number>
  /** The label whose case-folded name is `key`, if any. */
  labelIdWithKey: (key: string) => Promise<number | undefined>
  insertLabel: (name: string, key: string) => Promise<LabelRecord>
  renameLabel: (id: number, name: string, key: string) => Promise<void>
  /** Deletes the label, and with it its place on every article (a cascade). */
  deleteLabel: (id: number) => Promise<void>
}

export const labelQueries = queriesFor<LabelQueries>({ sqlite: sqliteLabelQueries, postgres: postgresLabelQueries })
