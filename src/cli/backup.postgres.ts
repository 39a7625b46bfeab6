import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { describePostgres, openPostgres, postgresJournalEntries } from '../db/postgres.js'
import { stampScopeKey } from '../db/meta.postgres.js'
import { BackupError, fileStartsWith, type RestoreReport } from './backup.js'

// `dateline backup` and `dateline restore` on PostgreSQL (README, "Running on PostgreSQL").
// PostgreSQL has no in-process counterpart of SQLite's online backup API: its own client tools
// make and load the copy. pg_dump reads one consistent snapshot while the server goes on
// writing; the custom format is compressed and is what pg_restore reads.

export interface PostgresBackupReport {
  file: string
  bytes: number
}

/** What `pg_dump --format=custom` writes first. */
const archiveMagic = Buffer.from('PGDMP', 'latin1')

/** The tables any Dateline database has, whatever its version. */
const datelineTables = ['__drizzle_migrations', 'authors', 'articles']

interface Connection {
  /** The URL as libpq takes it: no password, none of node-postgres' own parameters. */
  url: string
  env: NodeJS.ProcessEnv
}

/**
 * How the client tools reach the database at `url`. The password goes in PGPASSWORD, never on
 * a command line, where any user of the machine may read it (`ps`).
 */
function connectionOf (url: string): Connection {
  const parsed = new URL(url)
  const password = decodeURIComponent(parsed.password) || parsed.searchParams.get('password') || undefined
  parsed.password = ''
  parsed.searchParams.delete('password')
  // node-postgres' `ssl=true`; libpq refuses parameters it does not know.
  const ssl = parsed.searchParams.get('ssl')
  if (ssl !== null) {
    parsed.searchParams.delete('ssl')
    if (!parsed.searchParams.has('sslmode')) parsed.searchParams.set('sslmode', ['true', '1'].includes(ssl) ? 'require' : 'disable')
  }
  return {
    url: parsed.toString(),
    env: { ...process.env, PGCONNECT_TIMEOUT: process.env.PGCONNECT_TIMEOUT ?? '5', ...(password === undefined ? {} : { PGPASSWORD: password }) }
  }
}

interface ToolRun {
  code: number
  stdout: string
  stderr: string
}

/** The line of a client tool's complaints that says what went wrong, without its "pg_dump: error: " prefix. */
function complaintOf (stderr: string): string {
  const lines = stderr.split('\n').map((line) => line.trim()).filter((line) => line !== '')
  const line = lines.find((candidate) => /\b(error|fatal)\b/i.test(candidate)) ?? lines[0] ?? 'it failed without saying why'
  return line.replace(/^(?:pg_dump|pg_restore|psql)(?::[^:]*:\d+)?: (?:error: )?/, '')
}

/** Runs a PostgreSQL client tool to its end. */
async function runTool (command: string, args: string[], env: NodeJS.ProcessEnv): Promise<ToolRun> {
  return await new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk })
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk })
    child.once('error', (error: NodeJS.ErrnoException) => {
      reject(error.code === 'ENOENT'
        ? new BackupError(`${command} is not installed: backups of a PostgreSQL database need the PostgreSQL client tools (e.g. apt-get install postgresql-client)`)
        : error)
    })
    child.once('close', (code) => resolve({ code: code ?? 1, stdout, stderr }))
  })
}

/**
 * Writes a `pg_dump --format=custom` archive of the database at `url` to `target`, while the
 * server keeps running. The archive is written beside the target and renamed into place once
 * pg_restore can read its table of contents: a backup that fails half-way never sits at the
 * target's name.
 */
export async function backupPostgres (url: string, target: string, options: { force: boolean }): Promise<PostgresBackupReport> {
  const file = resolve(target)
  if (existsSync(file) && !options.force) throw new BackupError(`cannot back up to ${file}: the file exists; give --force to replace it`)
  mkdirSync(dirname(file), { recursive: true })
  const partial = `${file}.partial-${process.pid}`
  const connection = connectionOf(url)
  try {
    const dump = await runTool('pg_dump', ['--format=custom', `--file=${partial}`, `--dbname=${connection.url}`], connection.env)
    if (dump.code !== 0) throw new BackupError(`cannot back up ${describePostgres(url)}: ${complaintOf(dump.stderr)}`)
    const check = await runTool('pg_restore', ['--list', partial], connection.env)
    if (check.code !== 0) throw new BackupError(`the backup of ${describePostgres(url)} cannot be read back: ${complaintOf(check.stderr)}`)
    renameSync(partial, file)
    return { file, bytes: statSync(file).size }
  } finally {
    rmSync(partial, { force: true })
  }
}

/** The `created_at` of each migration recorded in the archive, from its COPY data. */
function recordedMigrations (copyScript: string): number[] {
  const lines = copyScript.split('\n')
  const start = lines.findIndex((line) => line.startsWith('COPY public.__drizzle_migrations '))
  if (start === -1) return []
  const columns = /\(([^)]*)\)/.exec(lines[start]!)?.[1]?.split(',').map((column) => column.trim()) ?? []
  const createdAt = columns.indexOf('created_at')
  const rows: number[] = []
  for (const line of lines.slice(start + 1)) {
    if (line === '\\.') break
    rows.push(Number(line.split('\t')[createdAt]))
  }
  return rows
}

/**
 * Reads what a restore needs to know of the archive at `backup`, without touching any
 * database: that pg_restore reads it, that it holds Dateline's tables, and how many
 * migrations it has. Throws a BackupError when it is not a Dateline backup this version can use.
 */
async function checkArchive (backup: string, env: NodeJS.ProcessEnv): Promise<number> {
  const list = await runTool('pg_restore', ['--list', backup], env)
  if (list.code !== 0) throw new BackupError(`cannot restore ${backup}: pg_restore cannot read it: ${complaintOf(list.stderr)}`)
  const tables = new Set([...list.stdout.matchAll(/^\d+; \d+ \d+ TABLE public (\S+) /gm)].map((match) => match[1]))
  if (!datelineTables.every((table) => tables.has(table))) throw new BackupError(`cannot restore ${backup}: it is a PostgreSQL backup, but not of a Dateline database`)
  const data = await runTool('pg_restore', ['--data-only', '--table=__drizzle_migrations', '--file=-', backup], env)
  if (data.code !== 0) throw new BackupError(`cannot restore ${backup}: pg_restore cannot read its migration history: ${complaintOf(data.stderr)}`)
  const known = new Set(postgresJournalEntries().map((entry) => entry.when))
  const recorded = recordedMigrations(data.stdout)
  const unknown = recorded.filter((when) => !known.has(when)).length
  if (unknown > 0) throw new BackupError(`cannot restore ${backup}: it was made by a newer version of Dateline (${unknown} migration${unknown === 1 ? '' : 's'} this version does not know); restore it with that version`)
  return recorded.length
}

/** What is in the target now: other clients' sessions on it (not autovacuum's), and whether it has tables. */
async function inspectTarget (url: string): Promise<{ sessions: number, tables: number }> {
  const { pool } = await openPostgres(url, { poolSize: 1, anySchema: true })
  try {
    const { rows } = await pool.query<{ sessions: number, tables: number }>(`select
      (select count(*)::int from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() and backend_type = 'client backend') as sessions,
      (select count(*)::int from pg_tables where schemaname = 'public') as tables`)
    return rows[0]!
  } finally {
    await pool.end()
  }
}

/**
 * Everything in the public schema goes before the archive is loaded, in the same transaction:
 * tables a newer version added, which the archive does not name, would otherwise stay and
 * break the next start's migrations. The schema comes back as PostgreSQL 15 makes it.
 */
const emptyPublicSchema = `drop schema public cascade;
create schema public authorization pg_database_owner;
grant usage on schema public to public;
comment on schema public is 'standard public schema';`

/**
 * Replaces everything in the database at `url` with the archive at `backup`, once the archive
 * has been checked (a Dateline database, not from a newer version: an older one is migrated at
 * the next start). One transaction: a restore that fails leaves the database as it was.
 * Refuses a database with tables without `force`, and one another session is using (a running
 * server) even with it. The database itself must exist: Dateline does not create databases.
 */
export async function restorePostgres (backup: string, url: string, options: { force: boolean }): Promise<RestoreReport> {
  const source = resolve(backup)
  const target = describePostgres(url)
  if (!existsSync(source) || !statSync(source).isFile()) throw new BackupError(`cannot restore ${source}: there is no such file`)
  if (!fileStartsWith(source, archiveMagic)) throw new BackupError(`cannot restore ${source}: it is not a PostgreSQL backup (pg_dump --format=custom), as dateline backup makes on PostgreSQL`)
  const connection = connectionOf(url)
  const migrations = await checkArchive(source, connection.env)
  const { sessions, tables } = await inspectTarget(url)
  if (sessions > 0) throw new BackupError(`cannot restore into ${target}: ${sessions} other session${sessions === 1 ? ' is' : 's are'} connected to it (a running server?); stop ${sessions === 1 ? 'it' : 'them'} first`)
  if (tables > 0 && !options.force) throw new BackupError(`cannot restore into ${target}: it has tables; give --force to replace everything in it (stop the server first)`)

  // The script goes to a file first: piped straight into psql, a pg_restore that stopped
  // half-way would end psql's input early, and psql would commit the part it had.
  const folder = mkdtempSync(join(tmpdir(), 'dateline-restore-'))
  try {
    const script = join(folder, 'restore.sql')
    const written = await runTool('pg_restore', ['--no-owner', '--no-privileges', `--file=${script}`, source], connection.env)
    if (written.code !== 0) throw new BackupError(`cannot restore ${source}: pg_restore cannot read it: ${complaintOf(written.stderr)}; ${target} is unchanged`)
    // The restored write stamp may repeat values the database had since the backup: a new
    // scope (made at the next start) keeps list ETags handed out meanwhile from matching. The
    // archive's script leaves search_path empty, hence the schema.
    const forgetScope = `delete from public.meta where key = '${stampScopeKey}';`
    const load = await runTool('psql', ['--no-psqlrc', '--quiet', '--single-transaction', '--set=ON_ERROR_STOP=1', `--command=${emptyPublicSchema}`, `--file=${script}`, `--command=${forgetScope}`, `--dbname=${connection.url}`], connection.env)
    if (load.code !== 0) throw new BackupError(`cannot restore ${source} into ${target}: ${complaintOf(load.stderr)}; it is unchanged`)
  } finally {
    rmSync(folder, { recursive: true, force: true })
  }
  return { target, migrations }
}
