import type { SynchronousLevel } from '../config.js'
import { alignDaysToTimezone } from '../resources/articles/service.js'
import { giveLabelsSlugs } from '../resources/labels/backfill.js'
import { purgeExpired as purgeExpiredTrash } from '../resources/trash/service.js'
import { ensureSearchIndex } from '../search/index.js'
import { openDatabase, runMigrations } from './client.js'
import { PostgresStore } from './postgres-store.js'
import { isPostgresUrl, openPostgres, runPostgresMigrations, type PostgresDb } from './postgres.js'
import { ReplicatedStore, type ReplicaEvents } from './replicated-store.js'
import { SqliteStore } from './sqlite-store.js'
import type { Store } from './store.js'

export interface StoreOptions {
  /** SQLite's `synchronous` level: `normal` survives a process crash, `full` a power cut too. */
  synchronous?: SynchronousLevel
  /** How long a write waits for another connection's lock before it fails (a 503). */
  busyTimeoutMs?: number
  /** The site's time zone: the days stored with articles are computed in it. */
  timezone: string
  /**
   * A streaming replica of the PostgreSQL database's server that may serve reads
   * (`DATABASE_REPLICA_URL`), and who is told when it stops and starts serving them.
   */
  replica?: { url: string, events: ReplicaEvents }
}

async function openMigrated (location: string, options: StoreOptions): Promise<Store> {
  if (isPostgresUrl(location)) {
    const { db } = await openPostgres(location)
    try {
      await runPostgresMigrations(db)
      return await withReplica(db, options)
    } catch (error) {
      await db.$client.end()
      throw error
    }
  }
  const db = openDatabase(location, {
    ...(options.synchronous === undefined ? {} : { synchronous: options.synchronous }),
    ...(options.busyTimeoutMs === undefined ? {} : { busyTimeoutMs: options.busyTimeoutMs })
  })
  try {
    runMigrations(db)
  } catch (error) {
    db.$client.close()
    throw error
  }
  return new SqliteStore(db)
}

/** The migrated primary, with its replica when one is set: that one is read-only, so it is only checked. */
async function withReplica (db: PostgresDb, options: StoreOptions): Promise<Store> {
  if (options.replica === undefined) return new PostgresStore(db)
  return await ReplicatedStore.open(db, options.replica.url, options.replica.events)
}

/**
 * The database at `location` (a `postgres://` URL, an SQLite file path or `:memory:`),
 * migrated and made consistent with the settings, as the server and every CLI command start
 * with it: the one place those start-up steps are written.
 */
export async function openStore (location: string, options: StoreOptions): Promise<Store> {
  const store = await openMigrated(location, options)
  try {
    // Data the migrations could not write (labels/backfill.ts).
    await giveLabelsSlugs(store)
    await alignDaysToTimezone(store, options.timezone)
    await ensureSearchIndex(store)
    await purgeExpiredTrash(store)
    return store
  } catch (error) {
    // Nothing will close it otherwise, and a closed connection leaves no -wal file behind.
    await store.close()
    throw error
  }
}

/** Runs `work` on the database at `location`, closed afterwards whatever happens. */
export async function withStore<T> (location: string, options: StoreOptions, work: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore(location, options)
  try {
    return await work(store)
  } finally {
    await store.close()
  }
}
