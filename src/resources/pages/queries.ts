import type { CursorValue } from '../../lib/list.js'
import { queriesFor } from '../../db/store.js'
import type { pageStatuses } from '../../db/schema.js'
import { postgresPageQueries } from './queries.postgres.js'
import { sqlitePageQueries } from './queries.sqlite.js'

export type PageStatus = (typeof pageStatuses)[number]

export interface PageFilters {
  /** Drafts are left out (what readers without an editor's token get). */
  publishedOnly: boolean
  /** Only the pages right under this one (`null`: the top level); absent: all. */
  parentId?: number | null
  /** Only pages kept out of search engines (`seo.noindex`), or only the others. */
  noindex?: boolean
}

/** A page's own fields, as stored. */
export interface PageFields {
  slug: string
  title: string
  status: PageStatus
  parentId: number | null
  position: number
  customExcerpt: string | null
  excerpt: string
  body: string
}

export interface PageRecord extends PageFields {
  id: number
  createdAt: string
  updatedAt: string
  version: number
}

/** A page named beside another (its parent, its children). */
export interface PageLink {
  id: number
  slug: string
  title: string
  status: PageStatus
  position: number
}

/**
 * A request for one page of the list, always in tree order: parent (top level first), then
 * position, title and id; `after` is a cursor's values of those four.
 */
export interface PageListRequest {
  filters: PageFilters
  after: CursorValue[] | null
  limit: number
  offset: number
}

export interface PageQueries {
  listPages: (request: PageListRequest) => Promise<Array<PageRecord & { sortValues: CursorValue[] }>>
  countPages: (filters: PageFilters, after?: CursorValue[]) => Promise<number>
  /** A page by id, or by slug when `idOrSlug` is not digits. */
  pageBySlugOrId: (idOrSlug: string) => Promise<PageRecord | undefined>
  /** The same, locked until the unit of work ends, for a unit that changes or deletes it (PostgreSQL). */
  pageBySlugOrIdForUpdate: (idOrSlug: string) => Promise<PageRecord | undefined>
  /** Whether a page other than `exceptId` has this slug. */
  pageSlugTaken: (slug: string, exceptId?: number) => Promise<boolean>
  /** A page's parent (a walk up the tree takes one step at a time). */
  parentOf: (id: number) => Promise<{ parentId: number | null } | undefined>
  /** How many levels of pages hang under this one (0: none), counted up to `atMost`. */
  levelsBelow: (id: number, atMost: number) => Promise<number>
  /** The pages right under this one, in order, `limit` at most. */
  childrenOf: (id: number, publishedOnly: boolean, limit: number) => Promise<PageLink[]>
  childCount: (id: number) => Promise<number>
  /** Moves the pages right under `id` to `parentId`; answers them as they were. */
  moveChildren: (id: number, parentId: number | null, now: string) => Promise<PageLink[]>
  /** Moves on the versions of these pages, for a change to what they hold beside their row; answers them. */
  touchPages: (ids: number[], now: string) => Promise<PageLink[]>
  insertPage: (values: PageFields & { createdAt: string, updatedAt: string }) => Promise<number>
  /** Changes the page and moves its version on. */
  updatePage: (id: number, values: Partial<PageFields> & { updatedAt: string }) => Promise<void>
  deletePage: (id: number) => Promise<void>
  /** Pages by id after `afterId`, for the export. */
  pagesAfter: (afterId: number, limit: number) => Promise<PageRecord[]>
}

export const pageQueries = queriesFor<PageQueries>({ sqlite: sqlitePageQueries, postgres: postgresPageQueries })
