import type { redirects } from '../../db/schema.js'
import { queriesFor } from '../../db/store.js'
import { postgresRedirectQueries } from './queries.postgres.js'
import { sqliteRedirectQueries } from './queries.sqlite.js'

export type RedirectRow = typeof redirects.$inferSelect
export type NewRedirectRow = typeof redirects.$inferInsert

export interface RedirectQueries {
  insertRedirect: (row: NewRedirectRow) => Promise<RedirectRow>
  redirectById: (id: number) => Promise<RedirectRow | undefined>
  /** Locks the row until the unit of work ends (PostgreSQL), so concurrent changes queue. */
  redirectByIdForUpdate: (id: number) => Promise<RedirectRow | undefined>
  /** The redirect from a path in its one spelling (paths.ts): a probe of the unique index. */
  redirectFrom: (path: string) => Promise<RedirectRow | undefined>
  updateRedirect: (id: number, values: Partial<NewRedirectRow>) => Promise<RedirectRow>
  deleteRedirect: (id: number) => Promise<void>
  countRedirects: (afterId?: number) => Promise<number>
  /** Oldest first. */
  pageOfRedirects: (afterId: number | null, limit: number, offset: number) => Promise<RedirectRow[]>
}

export const redirectQueries = queriesFor<RedirectQueries>({ sqlite: sqliteRedirectQueries, postgres: postgresRedirectQueries })
