import type { Test } from 'tap'
import { sqliteHandle } from '../src/db/sqlite-store.js'
import { openStore } from '../src/db/open.js'
import { openPostgres, type PostgresDb } from '../src/db/postgres.js'
import { PostgresStore } from '../src/db/postgres-store.js'
import * as sqliteSchema from '../src/db/schema.js'
import { postgresTables } from '../src/db/schema.postgres.js'
import type { Store } from '../src/db/store.js'
import type { TapLike } from './helper.js'
import { freshPostgresDatabase } from './postgres.js'

// The same calls on SQLite and on PostgreSQL, for tests that the two dialects' query modules
// answer alike: every answer PostgreSQL gives must be SQLite's, value for value and type for
// type (a count that came back as a string fails, where `t.same` would let it pass).

export interface BothStores {
  sqlite: Store
  postgres: Store
}

export interface StoreOptions {
  /** The PostgreSQL pool's size: 1 shows that nothing waits for a second connection. */
  poolSize?: number
}

/** A fresh, migrated, empty database of each kind, closed at the test's end. */
export async function bothStores (t: TapLike, options: StoreOptions = {}): Promise<BothStores> {
  const sqlite = await openStore(':memory:', { timezone: 'UTC' })
  t.teardown(() => sqlite.close())
  const { url } = await freshPostgresDatabase(t)
  const { db } = await openPostgres(url, options.poolSize === undefined ? {} : { poolSize: options.poolSize })
  const postgres = new PostgresStore(db)
  t.teardown(() => postgres.close())
  return { sqlite, postgres }
}

/** `work` run on each store in turn (SQLite first): the two answers, to compare. */
export async function onBoth<T> (stores: BothStores, work: (store: Store) => Promise<T>): Promise<{ sqlite: T, postgres: T }> {
  return { sqlite: await work(stores.sqlite), postgres: await work(stores.postgres) }
}

/** Runs `call` on SQLite, then on PostgreSQL, asserts the answers are the same, and returns SQLite's. */
export async function sameOnBoth<T> (t: Test, stores: BothStores, what: string, call: (store: Store) => Promise<T>): Promise<T> {
  const expected = await call(stores.sqlite)
  const actual = await call(stores.postgres)
  t.strictSame(actual, expected, what)
  return expected
}

type TableName = keyof typeof postgresTables & keyof typeof sqliteSchema

/**
 * Inserts the same rows into both databases, past the services (for fixtures whose services
 * need another resource's query module on PostgreSQL), in the same order, so ids the
 * databases give match. Returns the rows SQLite stored.
 */
export async function insertOnBoth<N extends TableName> (stores: BothStores, table: N, rows: Array<(typeof sqliteSchema)[N] extends { $inferInsert: infer R } ? R : never>): Promise<Array<Record<string, unknown>>> {
  if (rows.length === 0) return []
  const sqliteTable = sqliteSchema[table] as unknown as typeof sqliteSchema.meta
  const postgresTable = postgresTables[table] as unknown as typeof postgresTables.meta
  const stored = sqliteHandle(stores.sqlite).insert(sqliteTable).values(rows as never).returning().all()
  await (stores.postgres.handle as PostgresDb).insert(postgresTable).values(rows as never)
  return stored
}

const realNow = Date.now.bind(Date)

/**
 * Runs `work` with the clock stopped at `time`: the services stamp rows with `nowIso()`, and a
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

type Outcome<T> = { value: T } | { error: Record<string, unknown> }

/** What `work` came to: its value, or the error it failed with (class, message, status, code). */
async function outcome<T> (work: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return { value: await work() }
  } catch (error) {
    const { name, message, statusCode, code } = error as Error & { statusCode?: number, code?: string }
    return { error: { name, message, statusCode, code } }
  }
}

/**
 * Like `sameOnBoth`, for calls through the services, which may refuse (a 409, a 412) and
 * stamp what they write with the time: both run at the same stopped `time`, and must give
 * the same answer or fail alike. Returns SQLite's answer (undefined when it failed).
 */
export async function sameOutcomeOnBoth<T> (t: Test, stores: BothStores, what: string, call: (store: Store) => Promise<T>, time = '2026-06-25T12:00:00.000Z'): Promise<T> {
  const onSqlite = await at(time, async () => await outcome(async () => await call(stores.sqlite)))
  const onPostgres = await at(time, async () => await outcome(async () => await call(stores.postgres)))
  t.strictSame(onPostgres, onSqlite, what)
  return 'value' in onSqlite ? onSqlite.value : undefined as T
}
