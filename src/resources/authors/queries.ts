import type { authors } from '../../db/schema.js'
import { queriesFor } from '../../db/store.js'
import type { CursorValue, SortKey } from '../../lib/list.js'
import { postgresAuthorQueries } from './queries.postgres.js'
import { sqliteAuthorQueries } from './queries.sqlite.js'
import type { authorSortFields } from './schemas.js'

export type AuthorRow = typeof authors.$inferSelect
export type NewAuthorRow = typeof authors.$inferInsert
export type AuthorSortField = (typeof authorSortFields)[number]

/** A page request over authors: the sort (the id is added last by the query module) and a position. */
export interface AuthorPageQuery {
  sort: SortKey<AuthorSortField>[]
  /** Published by then counts for `articleCount`. */
  now: string
  after: CursorValue[] | null
  limit: number
  offset: number
}

export interface AuthorQueries {
  /** An author by id (a path segment that is one) or by slug. */
  authorBySlugOrId: (idOrSlug: string) => Promise<AuthorRow | undefined>
  /**
   * The same, locked until the unit of work ends, for a unit that checks the row (If-Match,
   * ownership) before it writes: on PostgreSQL a concurrent unit waits, then reads the
   * version this one wrote. A SQLite unit holds the write lock already.
   */
  authorBySlugOrIdForUpdate: (idOrSlug: string) => Promise<AuthorRow | undefined>
  authorById: (id: number) => Promise<AuthorRow | undefined>
  /** By id, locked as `authorBySlugOrIdForUpdate` locks it (an import updating what it wrote before). */
  authorByIdForUpdate: (id: number) => Promise<AuthorRow | undefined>
  authorsByIds: (ids: number[]) => Promise<AuthorRow[]>
  authorSlugTaken: (slug: string, exceptId?: number) => Promise<boolean>
  insertAuthor: (row: NewAuthorRow) => Promise<AuthorRow>
  /** Changes an author and moves its version on. */
  updateAuthor: (id: number, values: Partial<NewAuthorRow>) => Promise<AuthorRow>
  deleteAuthor: (id: number) => Promise<void>
  /** Published articles by each author (the public `articleCount`); authors without any count 0. */
  publishedCountsByAuthor: (ids: number[], now: string) => Promise<Map<number, number>>
  /** A page of authors, each with the values of its sort columns (for the next cursor). */
  pageOfAuthors: (query: AuthorPageQuery) => Promise<Array<{ row: AuthorRow, sortValues: CursorValue[] }>>
  /** Every author; with `after`, only those after that position in `sort`. */
  countAuthors: (now: string, sort?: SortKey<AuthorSortField>[], after?: CursorValue[]) => Promise<number>
}

export const authorQueries = queriesFor<AuthorQueries>({ sqlite: sqliteAuthorQueries, postgres: postgresAuthorQueries })
