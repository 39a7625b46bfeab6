import { accessSync, closeSync, constants, existsSync, mkdirSync, openSync, readFileSync, readSync, statSync } from 'node:fs'
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import { sql, type SQL } from 'drizzle-orm'
import { getTableColumns, getTableName } from 'drizzle-orm'
import type { SQLiteColumn, SQLiteTable } from 'drizzle-orm/sqlite-core'
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3'
import { migrate } from 'drizzle-orm/better-sqlite3/migrator'
import type { SynchronousLevel } from '../config.js'

/**
 * A drizzle handle on one better-sqlite3 connection: what SQLite's query modules run on.
 * Transactions are the store's (src/db/sqlite-store.ts): inside one, the same handle runs
 * every statement in it.
 */
export type Db = BetterSQLite3Database & { $client: Database.Database }

// Resolved from this file so it works from src/ (tests) and dist/ (production) alike.
export const migrationsFolder = fileURLToPath(new URL('../../migrations', import.meta.url))

/**
 * A database Dateline cannot (or must not) use: a missing folder that cannot be created, a
 * read-only file, a file that is not SQLite, a schema from a newer version. The message is one
 * line naming the file, for the operator; nothing was written to the file.
 */
export class DatabaseUnusable extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'DatabaseUnusable'
  }
}

export interface OpenOptions {
  /** SQLite's `synchronous` pragma (default `normal`; see below for what each promises). */
  synchronous?: SynchronousLevel
  /** How long a write waits for another connection's lock before SQLITE_BUSY (default 5000). */
  busyTimeoutMs?: number
}

const sqliteHeader = Buffer.from('SQLite format 3\0', 'latin1')

function reasonOf (error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code
  switch (code) {
    case 'EACCES':
    case 'EPERM': return `permission denied (${code})`
    case 'EROFS': return 'the file system is read-only (EROFS)'
    case 'ENOTDIR':
    case 'EEXIST': return `a part of the path is a file, not a folder (${code})`
    case 'ENOENT': return 'a part of the path does not exist (ENOENT)'
    default: return error instanceof Error ? error.message.split('\n')[0]! : String(error)
  }
}

/**
 * Creates `folder` and its missing parents, one level at a time. Not `mkdirSync(…, { recursive:
 * true })`: where mkdir answers ENOENT under a folder that exists (procfs: `/proc/self/x`), Node's
 * recursive mkdir creates the parent (EEXIST), retries the child, and loops forever.
 */
function makeFolder (folder: string): void {
  if (existsSync(folder)) return
  const parent = dirname(folder)
  if (parent !== folder) makeFolder(parent)
  mkdirSync(folder)
}

/**
 * Checks, before SQLite touches anything, that `path` can be a Dateline database: its folder
 * exists (or is created) and takes new files (SQLite keeps `-wal` and `-shm` beside the
 * database), and an existing file is writable and starts with SQLite's header.
 */
function checkDatabaseFile (path: string): void {
  const folder = dirname(path)
  try {
    makeFolder(folder)
  } catch (error) {
    throw new DatabaseUnusable(`cannot use the database ${path} (DATABASE_URL): its folder ${folder} cannot be created: ${reasonOf(error)}`)
  }
  if (existsSync(path)) checkExistingFile(path)
  try {
    accessSync(folder, constants.W_OK)
  } catch (error) {
    throw new DatabaseUnusable(`cannot use the database ${path}: its folder ${folder} is not writable (SQLite keeps the -wal and -shm files there): ${reasonOf(error)}`)
  }
}

function checkExistingFile (path: string): void {
  if (statSync(path).isDirectory()) throw new DatabaseUnusable(`cannot use the database ${path}: it is a folder, not a file`)
  let fd: number
  try {
    // Opened for writing but never written: the plainest test of "may Dateline write here"
    // that also holds for root, whom file modes do not stop (read-only mounts, immutable files do).
    fd = openSync(path, 'r+')
  } catch (error) {
    throw new DatabaseUnusable(`cannot use the database ${path}: the file is read-only: ${reasonOf(error)}`)
  }
  try {
    const header = Buffer.alloc(sqliteHeader.length)
    const read = readSync(fd, header, 0, header.length, 0)
    // An empty file is an empty database, as SQLite sees it; anything else must be SQLite's.
    if (read > 0 && !header.subarray(0, read).equals(sqliteHeader.subarray(0, read))) throw new DatabaseUnusable(`cannot use the database ${path}: the file is not an SQLite database`)
    if (read > 0 && read < sqliteHeader.length) throw new DatabaseUnusable(`cannot use the database ${path}: the file is too short to be an SQLite database`)
  } finally {
    closeSync(fd)
  }
}

interface JournalEntry { tag: string, when: number }
let knownMigrations: JournalEntry[] | undefined

/** The migrations this version of Dateline knows, from the journal drizzle-kit writes. */
export function journalEntries (): JournalEntry[] {
  knownMigrations ??= (JSON.parse(readFileSync(`${migrationsFolder}/meta/_journal.json`, 'utf8')) as { entries: JournalEntry[] }).entries
  return knownMigrations
}

/**
 * Refuses a database migrated by a newer Dateline (a row in `__drizzle_migrations` that our
 * journal does not list): drizzle would skip every migration and the code would run against
 * a schema it does not know. `refusal` starts the message ("cannot use the database …").
 */
export function assertKnownSchema (sqlite: Database.Database, refusal: string): void {
  const table = sqlite.prepare("select 1 from sqlite_master where type = 'table' and name = '__drizzle_migrations'").get()
  if (table === undefined) return
  const known = new Set(journalEntries().map((entry) => entry.when))
  const applied = sqlite.prepare('select created_at as createdAt from __drizzle_migrations').all() as Array<{ createdAt: number | string }>
  const unknown = applied.filter((row) => !known.has(Number(row.createdAt)))
  if (unknown.length === 0) return
  throw new DatabaseUnusable(`${refusal}: it was migrated by a newer version of Dateline (${unknown.length} migration${unknown.length === 1 ? '' : 's'} this version does not know); upgrade Dateline or restore a backup made by this version`)
}

function sqliteReason (error: unknown): string {
  const { code, message } = error as { code?: string, message?: string }
  if (code === 'SQLITE_NOTADB') return 'the file is not an SQLite database'
  if (code?.startsWith('SQLITE_CORRUPT') === true) return `the database is damaged (${code}); restore a backup`
  if (code?.startsWith('SQLITE_READONLY') === true) return `the database is read-only (${code})`
  return `${(message ?? String(error)).split('\n')[0]}${code === undefined ? '' : ` (${code})`}`
}

/**
 * Changes whenever anything is written to the database: by this connection (its count of
 * changed rows) or by another one, such as the CLI importing while the server runs (SQLite's
 * data version). Results cached against it are never stale.
 */
export function writeStamp (db: Db, bookkeepingChanges = 0): string {
  const { changes, version } = writeStampQuery(db).get()!
  return `${changes - bookkeepingChanges}.${version}`
}

/** Rows written on this connection since it opened. */
export function totalChanges (db: Db): number {
  return writeStampQuery(db).get()!.changes
}

// Every read asks for it: a plain statement (see `statementOnce`).
const writeStampQuery = statementOnce<{ changes: number, version: number }>(
  'select total_changes() as changes, (select data_version from pragma_data_version) as version')

/**
 * `column in (ids)` for a prepared query: the ids go in as one JSON array parameter named
 * `ids` (SQLite's json_each), so one prepared statement serves a list of any length. Pass
 * them with `jsonIds`. A PostgreSQL port makes this `= any($ids)`.
 */
export function inIdList (column: SQLiteColumn): SQL {
  return sql`${column} in (select value from json_each(${sql.placeholder('ids')}))`
}

/**
 * `column in (ids)` for a list of any length (a forced delete's uses, say): the ids go in as one
 * JSON array parameter, as SQLite caps a statement's parameters. postgres-sql.ts has the same.
 */
export function isAnyId (column: SQLiteColumn, ids: readonly number[]): SQL {
  return sql`${column} in (select value from json_each(${JSON.stringify(ids)}))`
}

/**
 * How many levels of rows hang under row `id` of a table whose rows name their `parent_id`
 * (labels, pages), counted up to `atMost`: bounded by depth, so even rows in a cycle (which
 * the services never write) end. Selects `levels`, null for a row with none under it.
 */
export function levelsBelow (table: SQLiteTable, id: number, atMost: number): SQL {
  return sql`with recursive below(id, level) as (
      select ${id}, 0
      union all
      select child.id, below.level + 1 from ${table} child join below on child.parent_id = below.id where below.level < ${atMost}
    ) select max(level) as levels from below`
}

export function jsonIds (ids: readonly number[]): { ids: string } {
  return { ids: JSON.stringify(ids) }
}

/**
 * A query built by drizzle once per SQLite connection and then only run, with
 * `sql.placeholder` values: for the queries every request makes, where building the query
 * each time cost more than SQLite took to answer it (~0.1 ms for a whole article row). A
 * statement runs in whatever transaction is open on its connection, so one serves them all.
 */
export function preparedOnce<Q> (build: (db: Db) => Q): (db: Db) => Q {
  const byConnection = new WeakMap<Db, Q>()
  return (db) => {
    let query = byConnection.get(db)
    if (query === undefined) {
      query = build(db)
      byConnection.set(db, query)
    }
    return query
  }
}

/**
 * `"published_at" as "publishedAt", …`: every column of `table` under its drizzle key, for
 * `statementOnce`, whose rows are then the table's `$inferSelect` objects as drizzle would map
 * them — for tables of text and integer columns, which drizzle maps as SQLite gives them.
 */
export function columnsAs (table: SQLiteTable, alias?: string): string {
  const prefix = alias === undefined ? '' : `${alias}.`
  return Object.entries(getTableColumns(table)).map(([key, column]) => `${prefix}"${column.name}" as "${key}"`).join(', ')
}

/**
 * A statement prepared once per connection on better-sqlite3 itself, answering rows as the
 * objects its SQL names (`columnsAs`): for the reads every request makes (an article, a page's
 * rows, their labels and authors), where drizzle's mapping of each row in JavaScript cost more
 * than SQLite took to read it (issue 19). Object mode only: the connection shares statements
 * by text (`reuseStatements`), and drizzle puts a statement in array mode when it wants one.
 */
export function statementOnce<Row> (source: string): (db: Db) => {
  get: (...params: unknown[]) => Row | undefined
  all: (...params: unknown[]) => Row[]
  iterate: (...params: unknown[]) => IterableIterator<Row>
  run: (...params: unknown[]) => void
} {
  return preparedOnce((db) => {
    const statement = db.$client.prepare(source)
    return {
      get: (...params) => statement.raw(false).get(...params) as Row | undefined,
      all: (...params) => statement.raw(false).all(...params) as Row[],
      iterate: (...params) => statement.raw(false).iterate(...params) as IterableIterator<Row>,
      run: (...params) => { statement.run(...params) }
    }
  })
}

/**
 * An insert of one row of `table` answering the row stored, as drizzle's
 * \`insert(table).values(row).returning().get()\` does, prepared once per connection: for the
 * inserts an import makes by the thousand, where drizzle building the statement anew and
 * mapping its answer cost more than SQLite took to store a 3 KB article (issue 19,
 * bench/import.mjs). For tables of text and integer columns (see `columnsAs`) whose defaults
 * are plain values; a column left out gets its default, as with drizzle.
 *
 * The row is read back by its rowid rather than with `returning`: SQLite runs a `returning`
 * clause as a trigger, and a statement with a trigger keeps a statement journal, a copy of
 * every page it touches written to a temporary file. For a 3 KB article under six indexes
 * that made the insert five times dearer than the insert and the read together.
 */
export function insertOnce<T extends SQLiteTable> (table: T): (db: Db, row: T['$inferInsert']) => T['$inferSelect'] {
  const columns = Object.entries(getTableColumns(table))
  const values = columns.map(([key, column]) => {
    if (!column.hasDefault || column.primary) return '?'
    const fallback = column.default
    if (typeof fallback !== 'number' && typeof fallback !== 'string') throw new Error(`insertOnce: ${key} has no plain default`)
    return `coalesce(?, ${typeof fallback === 'number' ? fallback : `'${fallback.replaceAll("'", "''")}'`})`
  })
  const name = getTableName(table)
  const statements = preparedOnce((db) => ({
    insert: db.$client.prepare(`insert into "${name}" (${columns.map(([, column]) => `"${column.name}"`).join(', ')})
      values (${values.join(', ')})`),
    stored: db.$client.prepare(`select ${columnsAs(table)} from "${name}" where rowid = ?`)
  }))
  return (db, row) => {
    const { insert, stored } = statements(db)
    const { lastInsertRowid } = insert.run(...columns.map(([key]) => (row as Record<string, unknown>)[key] ?? null))
    return stored.raw(false).get(lastInsertRowid) as T['$inferSelect']
  }
}

/**
 * drizzle prepares every query it runs, and better-sqlite3 compiles SQL on each `prepare`:
 * keeping the compiled statements of the most recent texts saves that on every repeated
 * query (a third of an import's time before). A statement left in array mode by one query
 * is put back in object mode for the next: drizzle asks for arrays when it wants them.
 */
function reuseStatements (sqlite: Database.Database, capacity = 500): void {
  const compile = sqlite.prepare.bind(sqlite)
  const recent = new Map<string, Database.Statement>()
  sqlite.prepare = ((source: string) => {
    let statement = recent.get(source)
    if (statement === undefined) {
      statement = compile(source)
      if (recent.size >= capacity) recent.delete(recent.keys().next().value!)
    } else {
      recent.delete(source)
    }
    recent.set(source, statement)
    return statement.reader ? statement.raw(false) : statement
  }) as Database.Database['prepare']
}

/**
 * Opens the SQLite database with the pragmas Dateline relies on, after checking it can be used
 * (see DatabaseUnusable); every check runs before anything is written to the file.
 *
 * Durability (README, "Durability and backups"): WAL lets readers go on while a write commits.
 * With `synchronous = NORMAL` in WAL mode a commit is written to the WAL before it is
 * acknowledged, but fsync'd only at checkpoints: every acknowledged write survives the process
 * being killed (kill -9, a crash), since the operating system still holds it; a power cut or
 * kernel panic may lose the last commits before it, never corrupt the file. `FULL` fsyncs the
 * WAL at every commit, so acknowledged writes survive a power cut too, at the cost of one
 * fsync per write (DATELINE_SYNCHRONOUS=full).
 */
export function openDatabase (path: string, options: OpenOptions = {}): Db {
  if (path !== ':memory:') checkDatabaseFile(path)
  let sqlite: Database.Database
  try {
    sqlite = new Database(path)
  } catch (error) {
    throw new DatabaseUnusable(`cannot open the database ${path}: ${sqliteReason(error)}`)
  }
  try {
    // Reads only, before the pragmas below may write the header (journal_mode).
    sqlite.prepare('select count(*) from sqlite_master').get()
    assertKnownSchema(sqlite, `cannot use the database ${path}`)
    if (path !== ':memory:') sqlite.pragma('journal_mode = WAL')
    sqlite.pragma(`synchronous = ${options.synchronous === 'full' ? 'FULL' : 'NORMAL'}`)
    sqlite.pragma('foreign_keys = ON')
    sqlite.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000))}`)
  } catch (error) {
    sqlite.close()
    if (error instanceof DatabaseUnusable) throw error
    throw new DatabaseUnusable(`cannot open the database ${path}: ${sqliteReason(error)}`)
  }
  reuseStatements(sqlite)
  // No schema: the relational API (`db.query`) is not used, and with a schema every
  // transaction builds a query builder per table before it starts (~0.1 ms each).
  const db = drizzle(sqlite) as Db
  return db
}

function appliedMigrations (sqlite: Database.Database): number {
  const table = sqlite.prepare("select 1 from sqlite_master where type = 'table' and name = '__drizzle_migrations'").get()
  return table === undefined ? 0 : (sqlite.prepare('select count(*) as applied from __drizzle_migrations').get() as { applied: number }).applied
}

/**
 * Applies pending migrations. Foreign keys are off meanwhile, as SQLite requires for a
 * migration that rebuilds a table (0007), and checked before they are on again.
 */
export function runMigrations (db: Db): void {
  db.$client.pragma('foreign_keys = OFF')
  try {
    const before = appliedMigrations(db.$client)
    migrate(db, { migrationsFolder })
    // Checking every row takes seconds on a large database: only when a migration ran.
    if (appliedMigrations(db.$client) === before) return
    const broken = db.$client.pragma('foreign_key_check') as unknown[]
    if (broken.length > 0) throw new Error(`the migrations left ${broken.length} rows pointing at missing rows`)
  } finally {
    db.$client.pragma('foreign_keys = ON')
  }
}

/**
 * A read-only connection to the database file at `path`, for readers beside the server's one
 * writer (heavy reads in worker threads: src/read-workers/). The server opened, migrated and
 * put the file in WAL mode first, so this one checks nothing and writes nothing: in WAL mode
 * its reads see every transaction committed before they begin, and never wait for the writer.
 */
export function openReadOnlyDatabase (path: string, options: Pick<OpenOptions, 'busyTimeoutMs'> = {}): Db {
  const sqlite = new Database(path, { readonly: true, fileMustExist: true })
  sqlite.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000))}`)
  reuseStatements(sqlite)
  return drizzle(sqlite) as Db
}
