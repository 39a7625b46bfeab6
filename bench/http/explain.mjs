#!/usr/bin/env node
// The SQL behind the list, cursor and date pages, captured from the compiled services (dist/)
// with better-sqlite3's statements wrapped, each with its time and its EXPLAIN QUERY PLAN.
// Run as a child process by bench/http.mjs; prints one JSON document.
//
//   node bench/http/explain.mjs DATABASE CURSOR DAY

import { openDatabase } from '../../dist/db/client.js'
import { SqliteStore } from '../../dist/db/sqlite-store.js'
import * as articles from '../../dist/resources/articles/service.js'
import * as dates from '../../dist/resources/dates/service.js'

const [file, cursor, day] = process.argv.slice(2)
const db = openDatabase(file)
const store = new SqliteStore(db)
const sqlite = db.$client

let captured = null
const proto = Object.getPrototypeOf(sqlite.prepare('select 1'))
for (const method of ['all', 'get', 'run', 'iterate']) {
  const original = proto[method]
  proto[method] = function (...params) {
    if (captured === null) return original.apply(this, params)
    const t0 = performance.now()
    const result = original.apply(this, params)
    captured.push({ sql: this.source, params, ms: performance.now() - t0 })
    return result
  }
}

async function capture (name, run) {
  captured = []
  const t0 = performance.now()
  await run()
  const totalMs = performance.now() - t0
  const statements = captured
  captured = null
  // Warm timings: each statement again, 5 times, the median.
  for (const statement of statements) {
    const prepared = sqlite.prepare(statement.sql)
    const times = []
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now()
      if (prepared.reader) prepared.all(...statement.params)
      times.push(performance.now() - t0)
    }
    statement.firstMs = statement.ms
    statement.warmMs = times.sort((a, b) => a - b)[2]
    delete statement.ms
    statement.plan = sqlite.prepare(`explain query plan ${statement.sql}`).all(...statement.params).map((row) => row.detail)
    // A full pass over a table or an index (not a lookup): what grows with the table.
    // Not CTEs, subquery results or table-valued functions (json_each, pragma_…, FTS5 lookups).
    statement.scans = statement.plan.filter((line) => /^SCAN /.test(line) && !/^SCAN CONSTANT ROW/.test(line) &&
      !/VIRTUAL TABLE/.test(line) && !/^SCAN (hits|known|published|page|thread)\b/.test(line))
    statement.params = statement.params.map((p) => typeof p === 'string' && p.length > 60 ? p.slice(0, 57) + '…' : p)
  }
  return { name, firstCallMs: totalMs, statements }
}

const results = [
  await capture('list: /v1/articles?limit=20&include=author', async () => await articles.list(store, { limit: 20, include: 'author' }, null, await articles.currentView(store))),
  await capture('cursor: /v1/articles?limit=20&include=author&cursor=<last page>', async () => await articles.list(store, { limit: 20, include: 'author', cursor }, null, await articles.currentView(store))),
  await capture(`date: /v1/dates/${day}`, () => dates.findOne(store, { locale: 'en-US' }, day, null))
]
sqlite.close()
process.stdout.write(JSON.stringify(results) + '\n')
