import { queriesFor } from './store.js'
import { postgresMetaQueries } from './meta.postgres.js'
import { sqliteMetaQueries } from './meta.sqlite.js'

/** Facts about the database itself (the time zone its days were computed in, a storage probe). */
export interface MetaQueries {
  read: (key: string) => Promise<string | undefined>
  write: (key: string, value: string) => Promise<void>
  remove: (key: string) => Promise<void>
  /**
   * The scope within which write stamps compare, so that an ETag made from one (a list's)
   * is never taken for another state of the database: `candidate` unless the database keeps
   * one already. PostgreSQL's stamp is one counter in the database, so its scope is kept
   * there and every instance's tags agree; SQLite's counts this connection's
   * own writes, so its scope is the connection's and `candidate` is used as it is.
   */
  stampScope: (candidate: string) => Promise<string>
}

export const metaQueries = queriesFor<MetaQueries>({ sqlite: sqliteMetaQueries, postgres: postgresMetaQueries })
