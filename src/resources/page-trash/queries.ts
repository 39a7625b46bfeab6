import type { trashedPages } from '../../db/schema.js'
import { queriesFor } from '../../db/store.js'
import type { PageRevisionRow } from '../page-revisions/queries.js'
import type { PageRecord } from '../pages/queries.js'
import type { PageSnapshot } from '../pages/schemas.js'
import { postgresPageTrashQueries } from './queries.postgres.js'
import { sqlitePageTrashQueries } from './queries.sqlite.js'

export type TrashedPageRow = typeof trashedPages.$inferSelect
export type NewTrashedPageRow = typeof trashedPages.$inferInsert
/** A trashed page as the list shows it: without its content, which holds the body. */
export type TrashedPageSummaryRow = Omit<TrashedPageRow, 'content'>

/** Everything that leaves the live tables with a page, to come back on restore. */
export interface TrashedPageContent {
  page: PageSnapshot
  createdAt: string
  revisions: PageRevisionRow[]
}

/** What the change log says of a page purged from the trash. */
export type PurgedPage = Pick<TrashedPageRow, 'id' | 'slug'>

export interface PageTrashQueries {
  revisionsOfPage: (pageId: number) => Promise<PageRevisionRow[]>
  insertTrashed: (row: NewTrashedPageRow) => Promise<void>
  /** A trashed page by id, or by slug when `idOrSlug` is not digits, while its time lasts. */
  trashedByIdOrSlug: (idOrSlug: string, now: string) => Promise<TrashedPageRow | undefined>
  /** The same, locked until the unit of work ends, for a unit that restores or purges it (PostgreSQL). */
  trashedByIdOrSlugForUpdate: (idOrSlug: string, now: string) => Promise<TrashedPageRow | undefined>
  /** Most recently trashed first. */
  pageOfTrashed: (now: string, limit: number, offset: number) => Promise<TrashedPageSummaryRow[]>
  countTrashed: (now: string) => Promise<number>
  deleteTrashed: (id: number) => Promise<void>
  /** Purges every page in the trash (emptying it); returns what was purged. */
  deleteAllTrashed: (now: string) => Promise<PurgedPage[]>
  /** Purges what has been in the trash for its full time; returns what was purged. */
  purgeExpired: (now: string) => Promise<PurgedPage[]>
  /** Puts the page row back under its own id. */
  reinsertPage: (row: PageRecord) => Promise<void>
  reinsertRevisions: (rows: PageRevisionRow[]) => Promise<void>
  /** A trashed page keeps its slug until it is purged, so a restore never finds it taken. */
  slugInTrash: (slug: string, now: string) => Promise<boolean>
  isTrashed: (id: number, now: string) => Promise<boolean>
}

export const pageTrashQueries = queriesFor<PageTrashQueries>({ sqlite: sqlitePageTrashQueries, postgres: postgresPageTrashQueries })
