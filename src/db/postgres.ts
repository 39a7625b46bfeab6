import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres'
import { migrate } from 'drizzle-orm/node-postgres/migrator'
import { DatabaseUnusable } from './client.js'

export type PostgresDb = NodePgDatabase & { $client: pg.Pool }

export interface Postgres {
  pool: pg.Pool
  db: PostgresDb
}

export interface PostgresOptions {
  /** Connections kept open at most (default 10). */
  poolSize?: number
  /** How long one statement may run before PostgreSQL cancels it (default 10 000 ms). */
  statementTimeoutMs?: number
  /** How long opening a connection may take (default 5000 ms). */
  connectTimeoutMs?: number
  /**
   * Told of an error on an idle pooled connection (the server restarted, the network went):
   * the pool has dropped that connection and opens another for the next query. Default: ignored.
   */
  onIdleError?: (error: Error) => void
  /**
   * Open a database migrated by a newer Dateline too (default: refuse it). Only for replacing
   * everything in it: `dateline restore`.
   */
  anySchema?: boolean
  /**
   * How long node-postgres waits for a query's answer before failing it on its side (default:
   * for ever). The server's statement timeout cannot help when the network between them is
   * gone: the query would wait for TCP to give up, many minutes later.
   */
  queryTimeoutMs?: number
  /** The setting that named the database, said in messages about it (`DATABASE_REPLICA_URL`); default none. */
  setting?: string
}

// Resolved from this file so it works from src/ (tests) and dist/ (production) alike.
export const postgresMigrationsFolder = fileURLToPath(new URL('../../migrations/postgres', import.meta.url))

/** Where drizzle's migrator records applied migrations: beside Dateline's tables, not in a schema of its own. */
const migrationsSchema = 'public'
const migrationsTable = '__drizzle_migrations'

/** The advisory lock taken while migrating, so instances starting together migrate one at a time ("date" in ASCII). */
const migrationLock = 0x64617465

const minimumServerVersion = 150000

// Whether DATABASE_URL names a PostgreSQL database: config.ts decides, for every reader of the setting.
export { isPostgresUrl } from '../config.js'

interface Target {
  /** "the PostgreSQL database test at 127.0.0.1:5432": what a message may say (no user, no password). */
  description: string
  password: string
}

function targetOf (url: string): Target {
  try {
    return targetOfUrl(new URL(url))
  } catch {
    // Not the parser's message: it may quote the URL, password and all.
    throw new DatabaseUnusable('cannot use DATABASE_URL: it is not a valid PostgreSQL URL (postgres://user@host:port/database)')
  }
}

function targetOfUrl (parsed: URL): Target {
  // A Unix socket folder goes in ?host=, as libpq takes it.
  const host = parsed.searchParams.get('host') ?? (parsed.hostname === '' ? 'localhost' : parsed.hostname)
  const port = parsed.port === '' ? '5432' : parsed.port
  // Without a database in the URL, PostgreSQL takes the user's name.
  const database = decodeURIComponent(parsed.pathname.slice(1)) || decodeURIComponent(parsed.username) || 'postgres'
  return { description: `the PostgreSQL database ${database} at ${host}:${port}`, password: decodeURIComponent(parsed.password) }
}

/** The error's code: a net error's, the first of an AggregateError's (several addresses tried), or PostgreSQL's SQLSTATE. */
function codeOf (error: unknown): string | undefined {
  const { code, errors } = error as { code?: string, errors?: Array<{ code?: string }> }
  return code ?? errors?.[0]?.code
}

function firstLine (error: unknown): string {
  const message = error instanceof Error ? error.message : String(error)
  return message.split('\n')[0]!
}

function reasonOf (error: unknown, connectTimeoutMs: number): string {
  const code = codeOf(error)
  switch (code) {
    case 'ECONNREFUSED': return 'the connection was refused (ECONNREFUSED): is PostgreSQL running and listening there?'
    case 'ENOTFOUND':
    case 'EAI_AGAIN': return `the host name is not known (${code})`
    case 'ETIMEDOUT': return 'the connection timed out (ETIMEDOUT)'
    case '3D000': return 'the database does not exist (3D000); create it first (createdb)'
    case '28P01': return 'password authentication failed (28P01)'
    case '57P03': return 'the server is starting up or shutting down (57P03)'
  }
  if (/timeout/i.test(firstLine(error))) return `no connection within ${connectTimeoutMs} ms`
  return `${firstLine(error)}${code === undefined ? '' : ` (${code})`}`
}

/** A message about `target`, with its password taken out wherever a driver may have echoed it. */
function unusable (target: Target, reason: string): DatabaseUnusable {
  let message = `cannot use ${target.description}: ${reason}`
  if (target.password !== '') message = message.replaceAll(target.password, '***').replaceAll(encodeURIComponent(target.password), '***')
  return new DatabaseUnusable(message)
}

const targets = new WeakMap<pg.Pool, Target>()

/**
 * Opens a pool on the PostgreSQL database at `url` and checks, with one connection, that
 * Dateline can use it: reachable, PostgreSQL 15 or later, not migrated by a newer Dateline.
 *
 * Every connection starts with `TimeZone=UTC` and `DateStyle=ISO`: the timestamp and day
 * columns are read as text (schema.postgres.ts) and must come back in one form whatever the
 * server's defaults. `statement_timeout` is a connection setting so that no query, from any
 * code path, holds a connection forever.
 */
export async function openPostgres (url: string, options: PostgresOptions = {}): Promise<Postgres> {
  const pool = postgresPool(url, options)
  const target = targets.get(pool)!
  try {
    await checkPostgres(pool, options)
  } catch (error) {
    await pool.end().catch(() => {})
    throw error instanceof DatabaseUnusable ? error : unusable(target, reasonOf(error, options.connectTimeoutMs ?? 5000))
  }
  // No schema: the relational API (`db.query`) is not used, as on SQLite (client.ts).
  return { pool, db: drizzle(pool) as PostgresDb }
}

/** The pool `openPostgres` opens, before anything is checked: no connection is made yet. */
export function postgresPool (url: string, options: PostgresOptions = {}): pg.Pool {
  const target = targetOf(url)
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    statement_timeout: options.statementTimeoutMs ?? 10_000,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
    ...(options.queryTimeoutMs === undefined ? {} : { query_timeout: options.queryTimeoutMs }),
    options: '-c TimeZone=UTC -c DateStyle=ISO',
    application_name: 'dateline'
  })
  // Without a listener, an idle connection's error (a server restart) would end the process.
  pool.on('error', options.onIdleError ?? (() => {}))
  // The pool listens only while a connection is idle: one checked out (a unit of work) when
  // the server goes away emits its error with no listener. The query under way fails on its
  // own, and the pool drops the connection when it is released.
  pool.on('connect', (client) => { client.on('error', () => {}) })
  targets.set(pool, options.setting === undefined ? target : { ...target, description: `${options.setting} (${target.description})` })
  return pool
}

/**
 * The checks of `openPostgres`: PostgreSQL 15 or later, not migrated by a newer Dateline. A
 * database Dateline cannot use is a DatabaseUnusable; the driver's own errors (unreachable,
 * refused) are thrown as they are.
 */
export async function checkPostgres (pool: pg.Pool, options: Pick<PostgresOptions, 'anySchema'> = {}): Promise<void> {
  const { rows } = await pool.query<{ version: string }>("select current_setting('server_version_num') as version")
  const version = Number(rows[0]!.version)
  if (version < minimumServerVersion) throw refusePostgres(pool, `it runs PostgreSQL ${Math.floor(version / 10000)}; Dateline needs ${minimumServerVersion / 10000} or later`)
  if (options.anySchema !== true) await assertKnownPostgresSchema(pool)
}

/** Why Dateline will not use the database of `pool`, as one line that names it (and no password). */
export function refusePostgres (pool: pg.Pool, reason: string): DatabaseUnusable {
  return unusable(targetOfConnection(pool), reason)
}

/** "the PostgreSQL database blog at db.example.org:5432", for messages about the database at `url`. */
export function describePostgres (url: string): string {
  return targetOf(url).description
}

interface JournalEntry { tag: string, when: number }
let knownMigrations: JournalEntry[] | undefined

/** The PostgreSQL migrations this version of Dateline knows, from the journal drizzle-kit writes. */
export function postgresJournalEntries (): JournalEntry[] {
  knownMigrations ??= (JSON.parse(readFileSync(`${postgresMigrationsFolder}/meta/_journal.json`, 'utf8')) as { entries: JournalEntry[] }).entries
  return knownMigrations
}

type Queryable = pg.Pool | pg.PoolClient

/**
 * Refuses a database migrated by a newer Dateline (a migration our journal does not list):
 * drizzle would skip every migration and the code would run against a schema it does not
 * know. The PostgreSQL twin of `assertKnownSchema` (client.ts).
 */
export async function assertKnownPostgresSchema (connection: Queryable, target = targetOfConnection(connection)): Promise<void> {
  const table = await connection.query<{ found: string | null }>('select to_regclass($1) as found', [`${migrationsSchema}.${migrationsTable}`])
  if (table.rows[0]?.found == null) return
  const known = new Set(postgresJournalEntries().map((entry) => entry.when))
  const applied = await connection.query<{ createdAt: string }>(`select created_at as "createdAt" from ${migrationsSchema}.${migrationsTable}`)
  const unknown = applied.rows.filter((row) => !known.has(Number(row.createdAt)))
  if (unknown.length === 0) return
  throw unusable(target, `it was migrated by a newer version of Dateline (${unknown.length} migration${unknown.length === 1 ? '' : 's'} this version does not know); upgrade Dateline or restore a backup made by this version`)
}

function targetOfConnection (connection: Queryable): Target {
  return (connection instanceof pg.Pool ? targets.get(connection) : undefined) ?? { description: 'the PostgreSQL database', password: '' }
}

/**
 * Moves each identity past the largest id in its table, never back. Call it after inserting
 * rows with their own ids (an import keeps them): unlike SQLite's AUTOINCREMENT, which
 * follows the largest id inserted, an identity knows only the ids it gave, and would later
 * give one of those rows' ids again.
 */
export async function advanceIdentities (db: PostgresDb): Promise<void> {
  const { rows } = await db.$client.query<{ table: string, column: string }>(`select table_name as table, column_name as column
    from information_schema.columns where table_schema = $1 and is_identity = 'YES'`, [migrationsSchema])
  for (const { table, column } of rows) {
    // Only when the table is ahead: setval also takes a sequence back, which would reuse ids.
    // (pg_sequences.last_value is null until the sequence first gives an id.)
    await db.$client.query(`select setval(identity.name, ids.largest)
      from (select pg_get_serial_sequence($1, $2) as name) identity, (select max("${column}") as largest from ${migrationsSchema}."${table}") ids
      where ids.largest > coalesce((select last_value from pg_sequences where format('%I.%I', schemaname, sequencename) = identity.name), 0)`,
    [`${migrationsSchema}."${table}"`, column])
  }
}

/**
 * Applies pending migrations, one instance at a time: instances starting together take turns
 * on an advisory lock, and the later ones find nothing left to do. The statement timeout is
 * lifted meanwhile: waiting for the lock, or building an index on a large table, may take
 * longer than any request should.
 */
export async function runPostgresMigrations (db: PostgresDb): Promise<void> {
  const target = targetOfConnection(db.$client)
  const client = await db.$client.connect()
  let failure: Error | undefined
  try {
    await client.query('set statement_timeout = 0')
    await client.query('select pg_advisory_lock($1)', [migrationLock])
    await assertKnownPostgresSchema(client, target)
    await migrate(drizzle(client), { migrationsFolder: postgresMigrationsFolder, migrationsSchema, migrationsTable })
    await client.query('select pg_advisory_unlock($1)', [migrationLock])
    await client.query('reset statement_timeout')
  } catch (error) {
    failure = error as Error
    throw error
  } finally {
    // After a failure the connection is closed rather than reused: that also frees the lock.
    client.release(failure)
  }
}
