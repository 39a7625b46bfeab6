import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3'
import { migrate } from 'drizzle-orm/better-sqlite3/migrator'
import * as schema from './schema.js'

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database }
/** A transaction handle: services accept either, so one can pass its transaction to another. */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0]
export type DbOrTx = Db | Tx

// Resolved from this file so it works from src/ (tests) and dist/ (production) alike.
export const migrationsFolder = fileURLToPath(new URL('../../migrations', import.meta.url))

/** Opens the SQLite database with the pragmas Dateline relies on. */
export function openDatabase (path: string): Db {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true })
  const sqlite = new Database(path)
  // WAL lets readers go on while a write commits; NORMAL sync is durable against a
  // process crash in WAL mode (a power cut may lose the last commits, never corrupt).
  if (path !== ':memory:') sqlite.pragma('journal_mode = WAL')
  sqlite.pragma('synchronous = NORMAL')
  sqlite.pragma('foreign_keys = ON')
  sqlite.pragma('busy_timeout = 5000')
  return drizzle(sqlite, { schema }) as Db
}

export function runMigrations (db: Db): void {
  migrate(db, { migrationsFolder })
}
