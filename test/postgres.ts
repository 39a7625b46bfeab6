import { createHash } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import pg from 'pg'
import { openPostgres, postgresMigrationsFolder, runPostgresMigrations } from '../src/db/postgres.js'
import type { TapLike } from './helper.js'

// Each test file gets a PostgreSQL database of its own, copied from a template that was
// migrated once: `create database … template …` copies files, which takes a fraction of
// running the migrations again. Every name starts with `dl_pg_`, the prefix these tests own
// on a server others may share.

const defaultTestUrl = 'postgres://postgres@127.0.0.1:5432/test'
const databasePrefix = 'dl_pg_'

/** Serialises template builds across test processes ("tmpl" in ASCII). */
const templateLock = 0x746d706c

/** The PostgreSQL server the tests were pointed at (`DATELINE_TEST_DATABASE_URL`), if any. */
export function postgresTestUrl (): string | undefined {
  const url = process.env.DATELINE_TEST_DATABASE_URL
  return url === undefined || url === '' ? undefined : url
}

export interface FreshDatabase {
  /** Its URL: the test server's, naming the new database. */
  url: string
  name: string
}

/** `url` with another database name. */
function urlFor (url: string, database: string): string {
  const target = new URL(url)
  target.pathname = `/${database}`
  return target.toString()
}

/**
 * The template's name carries a digest of the migrations: a changed or added migration makes
 * a new template instead of copying a stale one.
 */
function templateName (): string {
  const digest = createHash('sha256')
  const files = readdirSync(postgresMigrationsFolder, { recursive: true }).map(String).filter((file) => file.endsWith('.sql') || file.endsWith('_journal.json')).sort()
  for (const file of files) digest.update(file).update(readFileSync(join(postgresMigrationsFolder, file)))
  return `${databasePrefix}template_${digest.digest('hex').slice(0, 16)}`
}

let uniqueCount = 0

/** `dl_pg_<pid>_<creation time, base 36>_<count>`: the time lets a later run find orphans. */
function uniqueName (): string {
  uniqueCount += 1
  return `${databasePrefix}${process.pid}_${Date.now().toString(36)}_${uniqueCount}`
}

/** Older than any test file may run (tap's timeout is minutes): its process died before teardown. */
const orphanAgeMs = 60 * 60 * 1000

async function dropOrphans (client: pg.Client): Promise<void> {
  const { rows } = await client.query<{ name: string }>('select datname as name from pg_database where datname like $1 and not datistemplate', [`${databasePrefix}%`])
  for (const { name } of rows) {
    const created = /^dl_pg_\d+_([0-9a-z]+)_\d+$/.exec(name)?.[1]
    if (created !== undefined && Date.now() - parseInt(created, 36) > orphanAgeMs) await client.query(`drop database if exists ${name} with (force)`)
  }
}

/** Runs `work` on one connection to the test server's own database. */
async function withServer<T> (serverUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl })
  await client.connect()
  try {
    return await work(client)
  } finally {
    await client.end()
  }
}

async function migrate (url: string): Promise<void> {
  const { pool, db } = await openPostgres(url, { poolSize: 1 })
  try {
    await runPostgresMigrations(db)
  } finally {
    await pool.end()
  }
}

/**
 * Makes the migrated template unless it exists. A template is marked `is_template` only when
 * its migrations have all run: one left unmarked (a process killed while building it) is
 * built again. The lock keeps two test files from building it at once.
 */
async function ensureTemplate (client: pg.Client, serverUrl: string, name: string): Promise<void> {
  await client.query('select pg_advisory_lock($1)', [templateLock])
  try {
    await dropOrphans(client)
    const existing = await client.query<{ ready: boolean }>('select datistemplate as ready from pg_database where datname = $1', [name])
    if (existing.rows[0]?.ready === true) return
    if (existing.rows.length > 0) await client.query(`drop database ${name} with (force)`)
    await client.query(`create database ${name}`)
    await migrate(urlFor(serverUrl, name))
    await client.query(`alter database ${name} is_template true`)
  } finally {
    await client.query('select pg_advisory_unlock($1)', [templateLock])
  }
}

/**
 * A new, empty, migrated PostgreSQL database for this test (file), dropped at its teardown;
 * close what uses it before then, or the drop ends those connections (`with (force)`).
 * `unmigrated`: without Dateline's tables and extensions, for tests of the migrations.
 */
export async function freshPostgresDatabase (t: TapLike, { unmigrated = false } = {}): Promise<FreshDatabase> {
  const serverUrl = postgresTestUrl() ?? defaultTestUrl
  const name = uniqueName()
  await withServer(serverUrl, async (client) => {
    if (unmigrated) return await client.query(`create database ${name}`)
    const template = templateName()
    await ensureTemplate(client, serverUrl, template)
    return await client.query(`create database ${name} template ${template}`)
  })
  t.teardown(() => withServer(serverUrl, async (client) => { await client.query(`drop database if exists ${name} with (force)`) }))
  return { url: urlFor(serverUrl, name), name }
}
