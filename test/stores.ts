import type { Test } from 'tap'
import { openDatabase, runMigrations } from '../src/db/client.js'
import { openPostgres } from '../src/db/postgres.js'
import { PostgresStore } from '../src/db/postgres-store.js'
import { SqliteStore } from '../src/db/sqlite-store.js'
import type { Store } from '../src/db/store.js'
import { freshPostgresDatabase } from './postgres.js'

// Parity tests: the same calls on a fresh SQLite store and a fresh PostgreSQL store, whose
// answers must be the same (rows, order, counts, nulls, types, timestamp strings).

export interface BothStores {
  sqlite: Store
  postgres: Store
}

export interface StoreOptions {
  /** The PostgreSQL pool's size (openPostgres's default otherwise). */
  poolSize?: number
}

/** An empty, migrated store of each dialect, closed at the test's teardown. */
export async function bothStores (t: Test, options: StoreOptions = {}): Promise<BothStores> {
  const db = openDatabase(':memory:')
  runMigrations(db)
  const sqlite = new SqliteStore(db)
  t.teardown(() => sqlite.close())
  const { url } = await freshPostgresDatabase(t)
  const postgres = new PostgresStore((await openPostgres(url, options.poolSize === undefined ? {} : { poolSize: options.poolSize })).db)
  t.teardown(() => postgres.close())
  return { sqlite, postgres }
}

const realNow = Date.now.bind(Date)

/**
 * Runs `work` with the clock stopped at `at`: the services stamp rows with `nowIso()`, and a
 * row written a millisecond later on the second database would differ for that alone.
 */
export async function at<T> (time: string, work: () => Promise<T>): Promise<T> {
  const fixed = Date.parse(time)
  Date.now = () => fixed
  try {
    return await work()
  } finally {
    Date.now = realNow
  }
}

/** The outcome of `work`: its value, or the error it failed with (class, message, status). */
async function outcome<T> (work: () => Promise<T>): Promise<{ value: T } | { error: Record<string, unknown> }> {
  try {
    return { value: await work() }
  } catch (error) {
    const { name, message, statusCode, code } = error as Error & { statusCode?: number, code?: string }
    return { error: { name, message, statusCode, code } }
  }
}

/**
 * Runs `work` on SQLite, then on PostgreSQL (in that order, so both number new rows alike),
 * at the same stopped time, and asserts both gave the same answer or failed alike; returns
 * SQLite's answer (undefined when it failed).
 */
export async function sameOnBoth<T> (t: Test, stores: BothStores, what: string, work: (store: Store) => Promise<T>, time = '2026-06-25T12:00:00.000Z'): Promise<T> {
  const onSqlite = await at(time, async () => await outcome(async () => await work(stores.sqlite)))
  const onPostgres = await at(time, async () => await outcome(async () => await work(stores.postgres)))
  t.strictSame(onPostgres, onSqlite, what)
  return 'value' in onSqlite ? onSqlite.value : undefined as T
}
