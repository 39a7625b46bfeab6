import { openDatabase, runMigrations } from '../src/db/client.js'
import { openPostgres } from '../src/db/postgres.js'
import { PostgresStore } from '../src/db/postgres-store.js'
import { SqliteStore } from '../src/db/sqlite-store.js'
import type { Store } from '../src/db/store.js'
import type { TapLike } from './helper.js'
import { freshPostgresDatabase } from './postgres.js'

// Parity tests run the same calls on both databases and compare the answers: a fresh,
// migrated SQLite store in memory and a PostgreSQL store on a database of the test's own.

export interface BothStores {
  sqlite: Store
  postgres: Store
}

export async function bothStores (t: TapLike): Promise<BothStores> {
  const db = openDatabase(':memory:')
  runMigrations(db)
  const sqlite = new SqliteStore(db)
  const { url } = await freshPostgresDatabase(t)
  const postgres = new PostgresStore((await openPostgres(url)).db)
  // Whichever of this and the database's drop runs first, the drop ends the pool's connections (`with (force)`).
  t.teardown(async () => {
    await sqlite.close()
    await postgres.close()
  })
  return { sqlite, postgres }
}

/** `work` run on each store in turn (SQLite first): the two answers, to compare. */
export async function onBoth<T> (stores: BothStores, work: (store: Store) => Promise<T>): Promise<{ sqlite: T, postgres: T }> {
  return { sqlite: await work(stores.sqlite), postgres: await work(stores.postgres) }
}
