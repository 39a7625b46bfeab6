// bench/search.mjs on PostgreSQL (`--database postgres`): the generated SQLite database's
// articles copied into a fresh PostgreSQL database, so both databases hold the same articles
// (same seed and generator, the same query terms), and the statements behind a search
// explained there.
//
// Loading: the compiled app migrates the database; the rows go in with multi-row INSERTs (one
// array parameter per column, unnest'ed) in one transaction; the search rows are written by
// the app's own search module (dist/search/queries.postgres.js `rebuildIndex`, what start-up
// runs to index every article) from the text SQLite indexed (`articles_text`), so what is
// indexed and how is exactly what the app writes. `meta` comes from the SQLite file
// (`search_index_version`, `timezone`): the server's start-up does not index again. Then
// identities are moved past the copied ids and VACUUM ANALYZE gathers the statistics and
// the visibility map autovacuum would have.

import Database from 'better-sqlite3'
import pg from 'pg'
import { copyTable, urlFor, withClient } from '../http/generate-postgres.mjs'

const round = (value, digits = 2) => Number(value.toFixed(digits))

/** The database `url` names, and a URL of the same server's `postgres` database to create it from. */
export function databaseOf (url) {
  const name = decodeURIComponent(new URL(url).pathname.slice(1))
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`--postgres-url: "${name}" is not a plain database name`)
  return { name, serverUrl: urlFor(url, 'postgres') }
}

/** Drops and creates the database `url` names (it must be the benchmark's own). */
export async function createDatabase (url) {
  const { name, serverUrl } = databaseOf(url)
  await withClient(serverUrl, async (client) => {
    await client.query(`drop database if exists "${name}" with (force)`)
    await client.query(`create database "${name}"`)
  })
}

export async function dropDatabase (url) {
  const { name, serverUrl } = databaseOf(url)
  await withClient(serverUrl, async (client) => { await client.query(`drop database if exists "${name}" with (force)`) })
}

// Parents before children (foreign keys).
const tables = ['authors', 'labels', 'articles', 'article_labels']

/**
 * Fills the database `url` (created empty by `createDatabase`) with the articles of the
 * generated SQLite file; answers how long each step took.
 */
export async function loadPostgres (sqliteFile, url, log = () => {}) {
  const started = performance.now()
  const { openPostgres, runPostgresMigrations, advanceIdentities } = await import('../../dist/db/postgres.js')
  const { postgresSearchQueries } = await import('../../dist/search/queries.postgres.js')
  const { pool, db } = await openPostgres(url, { poolSize: 1, statementTimeoutMs: 0 })
  const sqlite = new Database(sqliteFile, { readonly: true })
  const times = {}
  try {
    await runPostgresMigrations(db)
    times.migrations = performance.now() - started
    let t0 = performance.now()
    const client = await pool.connect()
    try {
      await client.query('begin')
      const counts = {}
      for (const table of tables) counts[table] = await copyTable(sqlite, client, table)
      log(`  rows copied: ${JSON.stringify(counts)} (${((performance.now() - started) / 1000).toFixed(1)} s)`)
      times.rows = performance.now() - t0
      t0 = performance.now()
      // The app's own writer of search rows, on this transaction's connection.
      const { drizzle } = await import('drizzle-orm/node-postgres')
      const texts = sqlite.prepare('select id, title, excerpt, body, labels from articles_text order by id').all()
        .map(({ id, ...text }) => ({ id, text }))
      await postgresSearchQueries(drizzle(client)).rebuildIndex(texts)
      times.searchRows = performance.now() - t0
      for (const { key, value } of sqlite.prepare("select key, value from meta where key in ('search_index_version', 'timezone')").all()) {
        await client.query('insert into meta (key, value) values ($1, $2) on conflict (key) do update set value = excluded.value', [key, value])
      }
      await client.query('commit')
      log(`  search rows written by the app's search module (${((performance.now() - started) / 1000).toFixed(1)} s)`)
    } finally {
      client.release()
    }
    await advanceIdentities(db)
    t0 = performance.now()
    await pool.query('vacuum (analyze)')
    times.vacuumAnalyze = performance.now() - t0
  } finally {
    sqlite.close()
    await pool.end()
  }
  const size = await withClient(url, async (client) => Number((await client.query('select pg_database_size(current_database()) as n')).rows[0].n))
  return {
    seconds: round((performance.now() - started) / 1000, 1),
    breakdownSeconds: Object.fromEntries(Object.entries(times).map(([k, v]) => [k, round(v / 1000, 1)])),
    databaseMegabytes: Math.round(size / 1e6)
  }
}

/** The PostgreSQL server's version, for the report. */
/** The server's version, asked of its maintenance database: the bench's may not exist yet. */
export async function postgresVersion (url) {
  return await withClient(databaseOf(url).serverUrl, async (client) => (await client.query('show server_version')).rows[0].server_version)
}

// ---------------------------------------------------------------------------------------------
// The statements behind a search: the compiled service run in this process on its own store,
// every statement its connections send recorded (pg's Client.query wrapped), then each
// SELECT explained with EXPLAIN (ANALYZE, BUFFERS).

/** Records the statements sent through node-postgres while `work` runs. */
async function recording (work) {
  const proto = pg.Client.prototype
  const original = proto.query
  const statements = []
  proto.query = function (config, values, callback) {
    const text = typeof config === 'string' ? config : config?.text
    const params = typeof config === 'string' ? values : config?.values ?? values
    if (typeof text === 'string') statements.push({ sql: text, params: Array.isArray(params) ? params : [] })
    return original.call(this, config, values, callback)
  }
  try {
    await work()
  } finally {
    proto.query = original
  }
  return statements
}

/** A query kind's paths as what the service takes: the list's query string, or suggest's q. */
function requestOf (path) {
  const url = new URL(path, 'http://bench')
  const query = Object.fromEntries(url.searchParams)
  return url.pathname === '/v1/search/suggest' ? { suggest: query.q } : { list: query }
}

async function withStore (url, work) {
  const { openStore } = await import('../../dist/db/open.js')
  const store = await openStore(url, { timezone: 'UTC' })
  try {
    return await work(store)
  } finally {
    await store.close()
  }
}

/** The statements one request runs, on a fresh store (nothing cached: a first request). */
async function statementsOf (url, request) {
  const service = await import('../../dist/resources/articles/service.js')
  return await withStore(url, async (store) => await recording(async () => {
    if (request.suggest !== undefined) await service.suggest(store, request.suggest)
    else await service.list(store, request.list, null, await service.currentView(store))
  }))
}

const searchStatement = /to_tsquery\(/

export async function explainSearches (url, kinds) {
  const picked = ['one common word', 'two common words', 'phrase', 'prefix while typing (3 letters)', 'exclusion', 'suggest']
  const explained = []
  const client = new pg.Client({ connectionString: url, options: '-c TimeZone=UTC -c DateStyle=ISO' })
  await client.connect()
  try {
    for (const kind of kinds.filter((k) => picked.includes(k.kind))) {
      const path = kind.paths[0]
      const statements = (await statementsOf(url, requestOf(path))).filter((s) => searchStatement.test(s.sql))
      const explainedStatements = []
      for (const statement of statements) {
        const t0 = performance.now()
        const { rows } = await client.query(`explain (analyze, buffers) ${statement.sql}`, statement.params)
        explainedStatements.push({
          sql: statement.sql.replace(/\s+/g, ' ').trim(),
          params: statement.params,
          ms: round(performance.now() - t0, 2),
          plan: rows.map((row) => row['QUERY PLAN'])
        })
      }
      explained.push({ request: `GET ${decodeURIComponent(path)}`, timedOut: false, statements: explainedStatements })
    }
  } finally {
    await client.end()
  }
  return explained
}

// ---------------------------------------------------------------------------------------------
// Before and after, in one run: the search statements of the app before issue 19 (commit
// 38ab3b3: every match scored by ts_rank and sorted, the total counted through a join to
// articles) rebuilt here from the same parsed query, against the statements the compiled app
// runs now, each set timed on one connection, `repeats` times in a row (the median kept).

/** The old `searchHits` derived table (src/search/queries.postgres.ts at 38ab3b3). */
function oldHits (search, tsqueryText, scored, params) {
  const p = (value) => { params.push(value); return `$${params.length}` }
  const words = search.words === null ? null : `to_tsquery('dateline', ${p(tsqueryText(search.words))})`
  const typing = search.typing === null ? null : `to_tsquery('dateline_words', ${p(tsqueryText(search.typing))})`
  const typingWhole = search.typingWhole === null ? null : `to_tsquery('dateline', ${p(tsqueryText(search.typingWhole))})`
  const matches = [words === null ? null : `document @@ ${words}`, typing === null ? null : `(words @@ ${typing} or document @@ ${typingWhole})`]
    .filter((m) => m !== null).join(' and ')
  const rank = words !== null ? `ts_rank(document, ${words})` : `greatest(ts_rank(words, ${typing}), ts_rank(document, ${typingWhole}))`
  const score = !scored ? 'null' : search.ranked ? `-${rank}` : '-article_id'
  return `(select article_id as id, (${score})::float8 as score from search_documents where ${matches}) as hits`
}

/** The old count and first page (20) of an anonymous search. */
function oldStatements (search, tsqueryText, byDate, now) {
  const countParams = []
  const count = `select count(*)::int as total from ${oldHits(search, tsqueryText, false, countParams)} join articles on articles.id = hits.id
    where articles.status = 'published' and articles.published_at <= $${countParams.push(now)}`
  const pageParams = []
  const page = `select articles.id as id, ${byDate ? 'null::float8' : 'hits.score'} as relevance
    from ${oldHits(search, tsqueryText, !byDate, pageParams)} join articles on articles.id = hits.id
    where articles.status = 'published' and articles.published_at <= $${pageParams.push(now)}
    order by ${byDate ? 'articles.published_at desc, articles.id desc' : 'hits.score, articles.id'} limit 20 offset 0`
  return [{ sql: count, params: countParams }, { sql: page, params: pageParams }]
}

/** The old title suggestions (title words asked of `words` with weight A). */
function oldSuggestion (search, tsqueryText, now) {
  return [{
    sql: `select articles.id, articles.slug, articles.title from search_documents join articles on articles.id = search_documents.article_id
      where search_documents.words @@ to_tsquery('dateline_words', $1) and articles.status = 'published' and articles.published_at <= $2
      order by ts_rank(search_documents.words, to_tsquery('dateline_words', $1)) desc, char_length(articles.title), articles.published_at desc limit 10`,
    params: [tsqueryText(search.all, 'A'), now]
  }]
}

async function timeStatements (client, statements) {
  const t0 = performance.now()
  for (const statement of statements) await client.query(statement.sql, statement.params)
  return performance.now() - t0
}

function medianOf (values) {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor((sorted.length - 1) / 2)]
}

/**
 * For each kind: the median over its first `queries` queries of the search statements' time
 * for a first request (count and page; suggest: its one statement), before and after, each the
 * median of `repeats` runs.
 */
export async function beforeAndAfter (url, kinds, { repeats = 3, queries = 3 } = {}) {
  const { toFtsQuery, stemsToWeigh, commonWordFewestArticles } = await import('../../dist/search/query.js')
  const { articleShares } = await import('../../dist/search/index.js')
  const { tsqueryText } = await import('../../dist/search/queries.postgres.js')
  const client = new pg.Client({ connectionString: url, options: '-c TimeZone=UTC -c DateStyle=ISO' })
  await client.connect()
  const results = []
  try {
    for (const kind of kinds) {
      if (kind.baseline === true) continue
      const before = []
      const after = []
      for (const path of kind.paths.slice(0, queries)) {
        const request = requestOf(path)
        const { list } = request
        const now = new Date().toISOString()
        const old = list === undefined
          ? oldSuggestion(toFtsQuery(request.suggest), tsqueryText, now)
          : oldStatements(await withStore(url, async (store) => {
            const shares = await articleShares(store, null, stemsToWeigh(list.q), commonWordFewestArticles)
            return toFtsQuery(list.q, 'q', () => shares)
          }), tsqueryText, list.sort === '-publishedAt', now)
        const current = (await statementsOf(url, request)).filter((s) => searchStatement.test(s.sql))
        const times = { before: [], after: [] }
        // Each set repeated on its own: the old statements read every vector, which would push
        // the new ones' pages out of a small buffer cache between runs.
        for (let i = 0; i < repeats; i++) times.after.push(await timeStatements(client, current))
        for (let i = 0; i < repeats; i++) times.before.push(await timeStatements(client, old))
        before.push(medianOf(times.before))
        after.push(medianOf(times.after))
      }
      const row = { kind: kind.kind, beforeMs: round(medianOf(before), 2), afterMs: round(medianOf(after), 2) }
      row.ratio = round(row.afterMs / row.beforeMs, 3)
      results.push(row)
      process.stderr.write(`  before/after ${row.kind}: ${row.beforeMs} → ${row.afterMs} ms\n`)
    }
  } finally {
    await client.end()
  }
  return results
}
