import { closeSync, copyFileSync, existsSync, mkdirSync, openSync, readSync, realpathSync, renameSync, rmSync, statSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import Database from 'better-sqlite3'
import { assertKnownSchema, journalEntries, openDatabase } from '../db/client.js'
import { isPostgresUrl, postgresJournalEntries } from '../db/postgres.js'

// `dateline backup` and `dateline restore` (README, "Durability and backups").

/** A backup or restore that was refused or failed; one line for the operator, nothing changed. */
export class BackupError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'BackupError'
  }
}

export interface BackupReport {
  file: string
  pages: number
  bytes: number
}

// Pages per backup step: small enough that each read snapshot is short.
const pagesPerStep = 100
// A write by another connection restarts SQLite's backup from the first page. After this many
// restarts the rest is copied in one step, in one read snapshot (writers still go on: WAL).
const restartsBeforeOneStep = 3

const sqliteHeader = Buffer.from('SQLite format 3\0', 'latin1')
const sidecars = ['-wal', '-shm', '-journal']

function samePath (a: string, b: string): boolean {
  const real = (path: string) => existsSync(path) ? realpathSync(path) : resolve(path)
  return real(a) === real(b)
}

function removeSidecars (path: string): void {
  for (const suffix of sidecars) rmSync(`${path}${suffix}`, { force: true })
}

/** Whether the file at `path` begins with `magic` (what a kind of file always begins with). */
export function fileStartsWith (path: string, magic: Buffer): boolean {
  const fd = openSync(path, 'r')
  try {
    const header = Buffer.alloc(magic.length)
    return readSync(fd, header, 0, header.length, 0) === header.length && header.equals(magic)
  } finally {
    closeSync(fd)
  }
}

/** `PRAGMA integrity_check`'s first complaint, or null when the database is sound. */
function integrityProblem (sqlite: Database.Database): string | null {
  const rows = sqlite.pragma('integrity_check') as Array<{ integrity_check: string }>
  const first = rows[0]?.integrity_check
  return first === 'ok' ? null : `${first ?? 'no answer'}${rows.length > 1 ? ` (and ${rows.length - 1} more)` : ''}`
}

/**
 * Copies the live database at `source` to `target` with SQLite's online backup API: page by
 * page, each step in its own read snapshot, so the server keeps reading and writing meanwhile
 * and the copy is one consistent state. The copy is written beside the target and renamed
 * into place once checked, so a backup that fails half-way never sits at the target's name;
 * it is a single self-contained file (rollback journal mode, no -wal).
 */
export async function backupDatabase (source: string, target: string, options: { force: boolean }): Promise<BackupReport> {
  if (source === ':memory:') throw new BackupError('cannot back up :memory:: DATABASE_URL must name a database file')
  if (!existsSync(source)) throw new BackupError(`cannot back up ${source}: there is no such database`)
  const file = resolve(target)
  if (samePath(source, file)) throw new BackupError(`cannot back up ${source} onto itself`)
  if (existsSync(file) && !options.force) throw new BackupError(`cannot back up to ${file}: the file exists; give --force to replace it`)
  mkdirSync(dirname(file), { recursive: true })

  const partial = `${file}.partial-${process.pid}`
  removeSidecars(partial)
  rmSync(partial, { force: true })
  const db = openDatabase(source)
  try {
    let restarts = 0
    let lastRemaining = Number.POSITIVE_INFINITY
    const progress = await db.$client.backup(partial, {
      progress: ({ remainingPages }) => {
        if (remainingPages > lastRemaining) restarts++
        lastRemaining = remainingPages
        return restarts >= restartsBeforeOneStep ? 0x7fffffff : pagesPerStep
      }
    })
    const copy = new Database(partial)
    try {
      copy.pragma('journal_mode = DELETE')
      const problem = integrityProblem(copy)
      if (problem !== null) throw new BackupError(`the backup of ${source} failed its integrity check: ${problem}`)
    } finally {
      copy.close()
    }
    removeSidecars(file)
    renameSync(partial, file)
    return { file, pages: progress.totalPages, bytes: statSync(file).size }
  } finally {
    db.$client.close()
    rmSync(partial, { force: true })
    removeSidecars(partial)
  }
}

export interface RestoreReport {
  target: string
  migrations: number
}

/** Checks the copy of a backup about to be restored; throws a BackupError naming `backup`. */
function checkRestorable (copy: string, backup: string): number {
  let sqlite: Database.Database
  try {
    sqlite = new Database(copy, { fileMustExist: true })
  } catch (error) {
    throw new BackupError(`cannot restore ${backup}: ${(error as Error).message}`)
  }
  try {
    let problem: string | null
    try {
      problem = integrityProblem(sqlite)
    } catch (error) {
      throw new BackupError(`cannot restore ${backup}: it is damaged or not an SQLite database (${(error as { code?: string }).code ?? (error as Error).message})`)
    }
    if (problem !== null) throw new BackupError(`cannot restore ${backup}: it failed its integrity check: ${problem}`)
    const tables = new Set((sqlite.prepare("select name from sqlite_master where type = 'table'").all() as Array<{ name: string }>).map((row) => row.name))
    if (!['__drizzle_migrations', 'authors', 'articles'].every((table) => tables.has(table))) {
      throw new BackupError(`cannot restore ${backup}: it is an SQLite database, but not a Dateline one`)
    }
    assertKnownSchema(sqlite, `cannot restore ${backup}`)
    const broken = sqlite.pragma('foreign_key_check') as unknown[]
    if (broken.length > 0) throw new BackupError(`cannot restore ${backup}: ${broken.length} rows point at missing rows (foreign_key_check)`)
    const { applied } = sqlite.prepare('select count(*) as applied from __drizzle_migrations').get() as { applied: number }
    // Back to a single file before it is moved into place (a backup made by other tools may be in WAL mode).
    sqlite.pragma('journal_mode = DELETE')
    return applied
  } finally {
    sqlite.close()
  }
}

/**
 * Whether another process has the database open. In WAL mode every open connection keeps a
 * shared lock on the database file, so an exclusive lock that cannot be had at once means a
 * server (or a CLI command) is using it. A file SQLite cannot read is not in use by Dateline.
 */
function inUse (path: string): boolean {
  let sqlite: Database.Database
  try {
    sqlite = new Database(path, { fileMustExist: true, timeout: 0 })
  } catch {
    return false
  }
  try {
    sqlite.pragma('locking_mode = EXCLUSIVE')
    sqlite.exec('BEGIN EXCLUSIVE')
    sqlite.exec('ROLLBACK')
    return false
  } catch (error) {
    const code = String((error as { code?: string }).code)
    return code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')
  } finally {
    sqlite.close()
  }
}

/**
 * Replaces the database at `target` with the backup at `backup`, once the backup has passed
 * `PRAGMA integrity_check`, is a Dateline database and is not from a newer version (an older
 * one is migrated at the next start). Refuses an existing target without `force`, and a
 * target in use by another process (a running server) even with it. The backup file itself
 * is never changed: a copy is checked, then renamed into place.
 */
export function restoreDatabase (backup: string, target: string, options: { force: boolean }): RestoreReport {
  if (target === ':memory:') throw new BackupError('cannot restore into :memory:: DATABASE_URL must name a database file')
  const source = resolve(backup)
  if (!existsSync(source) || !statSync(source).isFile()) throw new BackupError(`cannot restore ${source}: there is no such file`)
  if (samePath(source, target)) throw new BackupError(`cannot restore ${source} onto itself`)
  if (!fileStartsWith(source, sqliteHeader)) throw new BackupError(`cannot restore ${source}: it is not an SQLite database`)
  const exists = existsSync(target)
  if (exists && !options.force) throw new BackupError(`cannot restore into ${target}: a database is there; give --force to replace it (stop the server first)`)

  mkdirSync(dirname(target), { recursive: true })
  const copy = `${target}.restore-${process.pid}`
  try {
    copyFileSync(source, copy)
    const migrations = checkRestorable(copy, source)
    if (exists && inUse(target)) throw new BackupError(`cannot restore into ${target}: another process has it open (a running server?); stop it first`)
    // A -wal left beside the target belongs to the old database: SQLite would replay it into
    // the restored one. It goes before the new file takes the name.
    removeSidecars(target)
    renameSync(copy, target)
    return { target, migrations }
  } finally {
    rmSync(copy, { force: true })
    removeSidecars(copy)
  }
}

/** How many migrations this version knows for the database at `location`, to describe a restored one's schema. */
export function knownMigrationCount (location: string): number {
  return (isPostgresUrl(location) ? postgresJournalEntries() : journalEntries()).length
}
