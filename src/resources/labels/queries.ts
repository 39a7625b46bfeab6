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
  /** Only the labels right under this one (`null`: at the top level); absent: all. */
  parentId?: number | null
}

/** A label's own fields, as stored. */
export interface LabelFields {
  name: string
  slug: string
  description: string
  parentId: number | null
}

/** One label, as its own resource reads it. */
export interface LabelRecord extends LabelFields {
  id: number
  /** Published articles carrying it. */
  articleCount: number
}

export interface LabelRow extends LabelRecord {
  /** The row's values of the sort keys and its id, for a cursor. */
  sortValues: CursorValue[]
}

/** A label named beside another (its parent, its children). */
export interface LabelLink {
  id: number
  slug: string
  name: string
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
  /** A label by id, or by slug when `idOrSlug` is not digits, with its articles published by `now` counted. */
  labelBySlugOrId: (idOrSlug: string, now: string) => Promise<LabelRecord | undefined>
  /**
   * The same, locked until the unit of work ends, for a unit that changes or deletes it: on
   * PostgreSQL an article's edit giving an article this label waits for it, and the other way
   * round (see the articles queries' `labelIdFor`). A SQLite unit holds the write lock already.
   */
  labelBySlugOrIdForUpdate: (idOrSlug: string, now: string) => Promise<LabelRecord | undefined>
  /** Articles carrying the label, whatever their state (those a rename or delete changes). */
  carrierCount: (id: number) => Promise<number>
  /** The label whose case-folded name is `key`, if any. */
  labelIdWithKey: (key: string) => Promise<number | undefined>
  /**
   * The same, for an article's write about to link it: on PostgreSQL locked as the link's
   * foreign key will lock it, so an edit deleting the label unused waits for this one.
   */
  labelIdWithKeyToLink: (key: string) => Promise<number | undefined>
  /** The case-folded name of the label with this slug, if any. */
  keyWithSlug: (slug: string) => Promise<string | undefined>
  /** Whether a label other than `exceptId` has this slug. */
  labelSlugTaken: (slug: string, exceptId?: number) => Promise<boolean>
  /** A label's parent (a walk up the tree takes one step at a time). */
  parentOf: (id: number) => Promise<{ parentId: number | null } | undefined>
  /** How many levels of labels hang under this one (0: none), counted up to `atMost`. */
  levelsBelow: (id: number, atMost: number) => Promise<number>
  /** The labels right under this one, by name, `limit` at most, with their published counts. */
  childrenOf: (id: number, now: string, limit: number) => Promise<LabelLink[]>
  /** How many labels are right under this one. */
  childCount: (id: number) => Promise<number>
  /** Moves the labels right under `id` to `parentId`; answers their ids. */
  moveChildren: (id: number, parentId: number | null) => Promise<number[]>
  /** Whether a label has this id. */
  labelIdTaken: (id: number) => Promise<boolean>
  /**
   * A new label, with its own id when given (an import keeps the file's); on PostgreSQL one
   * another unit stored meanwhile under the same key is answered instead (`created` false).
   */
  insertLabel: (values: LabelFields & { key: string, id?: number }) => Promise<{ id: number, created: boolean }>
  updateLabel: (id: number, values: Partial<LabelFields & { key: string }>) => Promise<void>
  /** Deletes the label, and with it its place on every article (a cascade). */
  deleteLabel: (id: number) => Promise<void>
  /** Labels made before slugs, which have none yet (migration 0016): `limit` of them, by id. */
  labelsWithoutSlug: (limit: number) => Promise<Array<{ id: number, name: string }>>
}

export const labelQueries = queriesFor<LabelQueries>({ sqlite: sqliteLabelQueries, postgres: postgresLabelQueries })
