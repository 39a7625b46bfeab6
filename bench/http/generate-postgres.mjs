// The HTTP benchmark's data on PostgreSQL: the rows of the cached SQLite database (generate.mjs,
// same seed and size, so the scenarios' fixtures are the same ids, slugs and days) copied into a
// PostgreSQL database migrated by the compiled app, with multi-row INSERTs (one array parameter
// per column, unnest'ed). The search rows are then written by the app itself: its start-up
// (dist/db/open.js openStore) finds no search_index_version in `meta` and indexes every article
// as src/search/queries.postgres.ts does, and writes the version, so the server's own start-up
// does not index again. Identities are moved past the copied ids (advanceIdentities), as an
// import leaves them, then VACUUM ANALYZE: the statistics autovacuum would have gathered.
//
// The result is cached as a database named by the SQLite cache key and a digest of the
// PostgreSQL migrations (`dlbench_…`); each run works on a copy (CREATE DATABASE … TEMPLATE …),
// since the write scenarios change it.

import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import pg from 'pg'
import { root, round } from './common.mjs'
import { cacheDir } from './generate.mjs'

export const defaultPostgresUrl = 'postgres://postgres@127.0.0.1:5432/postgres'

// Bump when what is copied changes, so cached databases are made again.
const generatorVersion = '1'
/** Every database this benchmark makes starts with it, on a server others may share. */
const prefix = 'dlbench_'
/** Rows per INSERT: a few MB of parameters at most (bodies are ~3 KB). */
const batchRows = 2000
/** Run copies older than this were left behind by a run that died. */
const orphanAgeMs = 6 * 3600_000

/** `url` naming another database. */
export function urlFor (url, database) {
  const target = new URL(url)
  target.pathname = `/${database}`
  return target.toString()
}

/** Runs `work` on one connection to `url`. Also bench/search/postgres.mjs's. */
export async function withClient (url, work) {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return await work(client)
  } finally {
    await client.end()
  }
}

function migrationsDigest () {
  const hash = createHash('sha256')
  const folder = join(root, 'migrations', 'postgres')
  for (const name of readdirSync(folder, { recursive: true }).map(String).filter((n) => n.endsWith('.sql') || n.endsWith('_journal.json')).sort()) {
    hash.update(name).update(readFileSync(join(folder, name)))
  }
  return hash.digest('hex')
}

/** The cached database's name for the SQLite database `sqliteKey` (PostgreSQL names: 63 bytes at most). */
function cachedName (sqliteKey) {
  const digest = createHash('sha256').update(JSON.stringify({ generatorVersion, sqliteKey, migrations: migrationsDigest() })).digest('hex').slice(0, 16)
  return `${prefix}${digest}`
}

async function databaseExists (client, name) {
  return (await client.query('select 1 from pg_database where datname = $1', [name])).rowCount > 0
}

/** Types of PostgreSQL columns, as array parameters are cast (`$1::bigint[]`). */
function arrayType (dataType) {
  switch (dataType) {
    case 'bigint': return 'bigint[]'
    case 'integer': return 'integer[]'
    case 'text': return 'text[]'
    case 'date': return 'date[]'
    case 'jsonb': return 'jsonb[]'
    case 'timestamp with time zone': return 'timestamptz[]'
    default: throw new Error(`bench/http/generate-postgres.mjs: no array type for a ${dataType} column`)
  }
}

/**
 * Copies `table`'s rows from SQLite: the columns both databases have, `batchRows` per INSERT.
 * Also bench/search/postgres.mjs's.
 */
export async function copyTable (sqlite, client, table) {
  const pgColumns = (await client.query(`select column_name as name, data_type as type from information_schema.columns
    where table_schema = 'public' and table_name = $1 order by ordinal_position`, [table])).rows
  const sqliteColumns = new Set(sqlite.prepare(`pragma table_info(${table})`).all().map((c) => c.name))
  const columns = pgColumns.filter((c) => sqliteColumns.has(c.name))
  const names = columns.map((c) => `"${c.name}"`).join(', ')
  const insert = `insert into ${table} (${names}) select * from unnest(${columns.map((c, i) => `$${i + 1}::${arrayType(c.type)}`).join(', ')})`
  let batch = columns.map(() => [])
  let rows = 0
  const flush = async () => {
    if (batch[0].length === 0) return
    await client.query(insert, batch)
    batch = columns.map(() => [])
  }
  for (const row of sqlite.prepare(`select ${names} from ${table} order by rowid`).raw().iterate()) {
    row.forEach((value, i) => batch[i].push(value))
    rows++
    if (batch[0].length >= batchRows) await flush()
  }
  await flush()
  return rows
}

// Parents before children (foreign keys).
const tables = ['authors', 'labels', 'articles', 'article_labels', 'comments', 'days']

/** Fills the migrated, empty database at `url` from the SQLite file; returns timings. */
async function fill (sqliteFile, url, log) {
  const started = performance.now()
  const { openPostgres, runPostgresMigrations, advanceIdentities } = await import('../../dist/db/postgres.js')
  const { openStore } = await import('../../dist/db/open.js')
  const { pool, db } = await openPostgres(url, { poolSize: 1, statementTimeoutMs: 0 })
  const times = {}
  try {
    await runPostgresMigrations(db)
    times.migrations = performance.now() - started
    const sqlite = new Database(sqliteFile, { readonly: true })
    const client = await pool.connect()
    try {
      let t0 = performance.now()
      await client.query('begin')
      const counts = {}
      for (const table of tables) counts[table] = await copyTable(sqlite, client, table)
      // The site's time zone, as the SQLite generator writes it: start-up keeps the stored days.
      await client.query(`insert into meta (key, value) values ('timezone', 'UTC') on conflict (key) do update set value = excluded.value`)
      await client.query('commit')
      times.rows = performance.now() - t0
      log(`  rows copied: ${JSON.stringify(counts)} (${((performance.now() - started) / 1000).toFixed(1)} s)`)
    } finally {
      client.release()
      sqlite.close()
    }
    const t0 = performance.now()
    await advanceIdentities(db)
    times.identities = performance.now() - t0
  } finally {
    await pool.end()
  }
  // The app's own start-up: with no search_index_version it indexes every article, as it would.
  let t0 = performance.now()
  const store = await openStore(url, { timezone: 'UTC' })
  await store.close()
  times.searchIndex = performance.now() - t0
  log(`  search_documents written by the app's start-up (${((performance.now() - started) / 1000).toFixed(1)} s)`)
  t0 = performance.now()
  await withClient(url, async (client) => { await client.query('vacuum (analyze)') })
  times.vacuumAnalyze = performance.now() - t0
  const size = await withClient(url, async (client) => Number((await client.query('select pg_database_size(current_database()) as n')).rows[0].n))
  return {
    seconds: round((performance.now() - started) / 1000, 1),
    breakdownSeconds: Object.fromEntries(Object.entries(times).map(([k, v]) => [k, round(v / 1000, 1)])),
    databaseMegabytes: Math.round(size / 1e6)
  }
}

/** Drops this benchmark's run copies left by runs that died (their names carry their creation time). */
async function dropOrphans (client) {
  const { rows } = await client.query('select datname as name from pg_database where datname like $1', [`${prefix}run_%`])
  for (const { name } of rows) {
    const created = /_([0-9a-z]+)$/.exec(name)?.[1]
    if (created !== undefined && Date.now() - parseInt(created, 36) > orphanAgeMs) await client.query(`drop database if exists "${name}" with (force)`)
  }
}

/**
 * The cached PostgreSQL copy of `sqliteDatabase` (ensureDatabase's answer) on the server at
 * `serverUrl` (its database is where CREATE DATABASE is sent from), made when missing or with
 * `fresh`. Returns its name and how it was made.
 */
export async function ensurePostgresDatabase (sqliteDatabase, serverUrl, { fresh = false, log = () => {} } = {}) {
  const name = cachedName(sqliteDatabase.key)
  const sidecar = join(cacheDir, `${sqliteDatabase.key}.postgres.json`)
  return await withClient(serverUrl, async (client) => {
    await dropOrphans(client)
    if (fresh) {
      await client.query(`drop database if exists "${name}" with (force)`)
      rmSync(sidecar, { force: true })
    }
    if (await databaseExists(client, name) && existsSync(sidecar)) {
      const info = JSON.parse(readFileSync(sidecar, 'utf8'))
      if (info.name === name) return { name, cached: true, ...info }
    }
    // Made under another name and renamed once complete: a run that dies leaves no half database.
    const partial = `${name}_partial`
    await client.query(`drop database if exists "${partial}" with (force)`)
    await client.query(`drop database if exists "${name}" with (force)`)
    await client.query(`create database "${partial}"`)
    log(`  PostgreSQL database ${name}: copying ${sqliteDatabase.file} …`)
    const generation = await fill(sqliteDatabase.file, urlFor(serverUrl, partial), log)
    await client.query(`alter database "${partial}" rename to "${name}"`)
    const info = { name, generation }
    writeFileSync(sidecar, JSON.stringify(info, null, 2) + '\n')
    return { cached: false, ...info }
  })
}

/** A copy of the cached database for one run (the writes change it); returns its URL and a function that drops it. */
export async function copyForRun (serverUrl, cached) {
  const name = `${prefix}run_${process.pid}_${Date.now().toString(36)}`
  await withClient(serverUrl, async (client) => { await client.query(`create database "${name}" template "${cached}"`) })
  return {
    name,
    url: urlFor(serverUrl, name),
    drop: async () => { await withClient(serverUrl, async (client) => { await client.query(`drop database if exists "${name}" with (force)`) }) }
  }
}

/** Each write scenario's articles and their current versions (for If-Match), read from the run's database. */
export async function versionsOf (url, ids) {
  return await withClient(url, async (client) => {
    const { rows } = await client.query('select id::float8 as id, version::float8 as version from articles where id = any($1::bigint[])', [ids])
    return new Map(rows.map((row) => [row.id, row.version]))
  })
}

/**
 * CPU time of the PostgreSQL backends serving database `name` to clients calling themselves
 * `applicationName` (so neither the other server on the same database nor autovacuum counts),
 * from /proc (the server runs on this machine): `sample()` answers a Map of backend pid → CPU ms so far; `used(before, after)`
 * the ms between two samples (a backend started meanwhile counts from zero). The sampling
 * connection is to the server's own database, so it does not count itself.
 */
export async function backendCpu (serverUrl, name, applicationName) {
  const client = new pg.Client({ connectionString: serverUrl })
  await client.connect()
  const { cpuMsOf } = await import('./common.mjs')
  return {
    async sample () {
      const { rows } = await client.query('select pid from pg_stat_activity where datname = $1 and application_name = $2', [name, applicationName])
      return new Map(rows.map(({ pid }) => [pid, cpuMsOf(pid)]).filter(([, ms]) => ms !== null))
    },
    used (before, after) {
      let ms = 0
      for (const [pid, now] of after) ms += now - (before.get(pid) ?? 0)
      return ms
    },
    close: async () => { await client.end() }
  }
}
