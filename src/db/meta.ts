import { queriesFor } from './store.js'
import { postgresMetaQueries } from './meta.postgres.js'
import { sqliteMetaQueries } from './meta.sqlite.js'

/** Facts about the database itself (the time zone its days were computed in, a storage probe). */
export interface MetaQueries {
  read: (key: string) => Promise<string | undefined>
  write: (key: string, value: string) => Promise<void>
  remove: (key: string) => Promise<void>
}

export const metaQueries = queriesFor<MetaQueries>({ sqlite: sqliteMetaQueries, postgres: postgresMetaQueries })
