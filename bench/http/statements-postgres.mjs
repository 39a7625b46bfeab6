#!/usr/bin/env node
// How many statements (round trips to PostgreSQL) Dateline sends per request: the compiled app
// (dist/app.js buildApp) on the database at URL, each request made twice with app.inject and
// counted the second time (warm caches, as under load), with node-postgres's query method
// wrapped. Prints one JSON line: per request, the statements and their first 120 characters.
// Each is a round trip on one pooled connection; on a machine where PostgreSQL shares the cores,
// each also costs a wake-up of a backend.
//
//   node bench/http/statements-postgres.mjs URL ADMIN_TOKEN JSON_ARRAY_OF_REQUESTS

import pg from 'pg'
import { buildApp } from '../../dist/app.js'

const [url, adminToken, requestsJson] = process.argv.slice(2)
const requests = JSON.parse(requestsJson)

let recording = null
// Every statement, the pool's included, ends in a client's query.
const query = pg.Client.prototype.query
pg.Client.prototype.query = function (config, ...rest) {
  if (recording !== null) recording.push(typeof config === 'string' ? config : config.text)
  return query.call(this, config, ...rest)
}

const app = await buildApp({ databaseUrl: url, timezone: 'UTC', locale: 'en-US', demo: false, adminToken, searchRateLimit: 1_000_000, logger: false })
const results = []
try {
  for (const { name, method = 'GET', path, headers = {}, body } of requests) {
    const send = async () => await app.inject({ method, url: path, headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, ...(body === undefined ? {} : { payload: JSON.stringify(body) }) })
    // A write gets the article's current version (ETag) for If-Match from a read first.
    const ifMatch = method === 'PATCH' ? (await app.inject({ method: 'GET', url: path, headers: { authorization: `Bearer ${adminToken}` } })).headers.etag : undefined
    if (ifMatch !== undefined) headers['if-match'] = ifMatch
    if (method === 'GET') await send()
    recording = []
    const response = await send()
    results.push({ name, status: response.statusCode, statements: recording.length, sql: recording.map((text) => text.replace(/\s+/g, ' ').slice(0, 120)) })
    recording = null
  }
} finally {
  await app.close()
}
console.log(JSON.stringify(results))
