// The relevance report of bench/search.mjs (issue 19): the top results of five test searches
// ranked the old way (every match scored by bm25) and as the app ranks them now (only the newest
// `rankedMatchLimit` matches of a search with more), side by side, with each one's time in this
// process, so a reader can judge what the bound costs in relevance and what it saves.
// SQLite only; a PostgreSQL run (`--database postgres`) would give its own `oldTop`.

import Database from 'better-sqlite3'
import { sql } from 'drizzle-orm'
import { drizzle } from 'drizzle-orm/better-sqlite3'

/** The searches the report shows: one and two common words, a typed prefix, a phrase, an exclusion. */
export const relevanceQueries = ['government', 'government election', 'gov', '"prime minister"', 'government -election']

const round = (value, digits = 2) => Number(value.toFixed(digits))

function median (values) {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]
}

/**
 * Runs the compiled service (dist/) on `file` in this process: for each query its top `top`
 * the old way and the new, and the median time of `repeats` runs of each (the new one through
 * `list`, which also counts, cuts snippets and reads the rows; the old one the ranking statement
 * alone, so the ratio flatters the old way).
 */
export async function relevanceReport (root, file, { top = 5, repeats = 5 } = {}) {
  const { SqliteStore } = await import(`${root}/dist/db/sqlite-store.js`)
  const service = await import(`${root}/dist/resources/articles/service.js`)
  const { searchHits, searchScore } = await import(`${root}/dist/search/queries.sqlite.js`)
  const { articleShares } = await import(`${root}/dist/search/index.js`)
  const { commonWordFewestArticles, rankedMatchLimit, stemsToWeigh, toFtsQuery } = await import(`${root}/dist/search/query.js`)
  const raw = new Database(file, { readonly: true })
  const db = drizzle(raw)
  const store = new SqliteStore(db)
  const now = new Date().toISOString()
  const rowOf = raw.prepare('select id, title, published_at as publishedAt from articles where id = ?')
  const reports = []
  for (const q of relevanceQueries) {
    const shares = await articleShares(store, null, stemsToWeigh(q), commonWordFewestArticles)
    const search = toFtsQuery(q, 'q', () => shares)
    // The ranking before issue 19: every match scored, then the best `top` of the visible ones.
    const oldStatement = sql`select hits.id as id from ${searchHits(search, true)} cross join articles on articles.id = hits.id
      where articles.status = 'published' and articles.published_at <= ${now}
      order by ${searchScore}, hits.id limit ${top}`
    const oldTimes = []
    let oldIds = []
    for (let i = 0; i < repeats; i++) {
      const started = performance.now()
      oldIds = db.all(oldStatement).map((row) => row.id)
      oldTimes.push(performance.now() - started)
    }
    const newTimes = []
    let page = null
    for (let i = 0; i < repeats; i++) {
      const started = performance.now()
      // stamp null: nothing kept between runs (counts and word shares are computed each time).
      page = await service.list(store, { q, limit: top }, null, { now, stamp: null })
      newTimes.push(performance.now() - started)
    }
    reports.push({
      q,
      matches: page.total,
      rankedMatchLimit,
      before: oldIds.map((id) => rowOf.get(id)),
      after: page.items.map((item) => rowOf.get(item.id)),
      oldRankingMs: round(median(oldTimes)),
      newListUncachedMs: round(median(newTimes))
    })
  }
  raw.close()
  return reports
}

export function printRelevanceReport (reports) {
  console.log('\nRelevance: the top results of five searches, ranked the old way (every match scored by bm25) and now')
  console.log('(only the newest rankedMatchLimit matches are ranked; the rest follow newest first). Times in this process,')
  console.log('median of 5: the old ranking statement alone vs the whole new list (count, ranking, rows, snippets; nothing cached).\n')
  for (const report of reports) {
    console.log(`q=${report.q} — ${report.matches} matches; before ${report.oldRankingMs} ms, now ${report.newListUncachedMs} ms (${round(report.oldRankingMs / report.newListUncachedMs, 1)}× faster)`)
    const width = 58
    const cell = (row) => row === undefined ? '' : `${String(row.id).padStart(6)} ${row.publishedAt.slice(0, 10)} ${row.title.slice(0, width - 19)}`.padEnd(width)
    console.log(`  ${'before (all matches ranked)'.padEnd(width)}  now`)
    for (let i = 0; i < Math.max(report.before.length, report.after.length); i++) {
      console.log(`  ${cell(report.before[i])}  ${cell(report.after[i]).trimEnd()}`)
    }
  }
}
