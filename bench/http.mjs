#!/usr/bin/env node
// HTTP benchmark (issue 8): Dateline's production server under load, side by side with four
// baselines measured in the same run on the same data — a bare Fastify route answering a fixed
// article (the HTTP ceiling), bare Fastify + raw better-sqlite3 (the storage ceiling), the lean
// ceiling (issue 19: one statement per answer, labels as a JSON column) and json-server. With --database postgres (or both), Dateline on PostgreSQL next to bare Fastify
// + raw node-postgres (the PostgreSQL storage ceiling), on a copy of the same data. See bench/README.md.
//
//   npm run bench                       # = npm run build && node bench/http.mjs (10 k articles)
//   npm run bench -- --large            # and the 1 M-article database
//   node bench/http.mjs --quick         # ~1 minute smoke run (after `npm run build`)
//   node bench/http.mjs --database both --rounds 3 --duration 5 --soak 0 --only by-id,list,date,search,patch
//   node bench/http.mjs --help

import { spawnSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { isDeepStrictEqual, parseArgs } from 'node:util'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import { hasTaskset, intOption, median, request, root, round, runOnLoadCpu, spread, table } from './http/common.mjs'
import { ensureDatabase, ensureJsonServerData } from './http/generate.mjs'
import { backendCpu, copyForRun, defaultPostgresUrl, ensurePostgresDatabase, versionsOf } from './http/generate-postgres.mjs'
import { runLoad, runPaced } from './http/load.mjs'
import { summariseProfile } from './http/profile.mjs'
import { adminToken, dateline, datelinePostgres, fixedBaseline, jsonServer, jsonServerVersion, leanBaseline, postgresBaseline, sqliteBaseline } from './http/servers.mjs'

const here = dirname(fileURLToPath(import.meta.url))

const { values: opts } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    large: { type: 'boolean', default: false },
    'skip-large': { type: 'boolean', default: false },
    fresh: { type: 'boolean', default: false },
    rounds: { type: 'string' },
    duration: { type: 'string' },
    warmup: { type: 'string' },
    connections: { type: 'string', default: '32' },
    articles: { type: 'string', default: '10000' },
    'large-articles': { type: 'string', default: '1000000' },
    comments: { type: 'string', default: '50000' },
    seed: { type: 'string', default: '20260625' },
    soak: { type: 'string' },
    'cold-starts': { type: 'string' },
    'slow-ms': { type: 'string', default: '2000' },
    'cpu-prof': { type: 'boolean', default: false },
    'cpu-prof-scenario': { type: 'string', default: 'list' },
    'skip-json-server': { type: 'boolean', default: false },
    only: { type: 'string' },
    database: { type: 'string', default: 'sqlite' },
    before: { type: 'string' },
    postgres: { type: 'string', default: defaultPostgresUrl },
    out: { type: 'string', default: join(here, 'results', 'latest.json') },
    help: { type: 'boolean', short: 'h', default: false }
  }
})

if (opts.help) {
  console.log(`Usage: node bench/http.mjs [options]   (run \`npm run build\` first; \`npm run bench\` does both)

Loads Dateline (node dist/cli.js serve, LOG_LEVEL=warn, pinned to CPU 0) with autocannon (CPU 1),
32 connections, fixed duration after a warm-up, next to four baselines measured in the same run:
a bare Fastify route with a fixed article, bare Fastify + raw better-sqlite3 (the storage ceiling,
Dateline's reads without its checks), the lean ceiling (issue 19: one statement per answer, labels
as a JSON column; by id and list only) and json-server.

  --quick               smoke run, ~1 minute: 1 round of 2 s (+1 s warm-up), no soak
  --rounds R            rounds; the table shows medians with min–max (default 3)
  --duration S          measured seconds per scenario and round (default 10)
  --warmup S            unmeasured seconds before each (default 2)
  --connections C       autocannon connections (default 32)
  --articles N          articles in the main database (default 10000; 100 authors, 50,000 comments)
  --comments N          comments (default 50000; one article has a 200-comment thread)
  --large               also the large database (1 M articles: list, cursor, date and by-id pages, their
                        growth from the main database, plans and cold start). Off by default: generating
                        it takes ~15 minutes and ~12 GB in the cache (once; later runs reuse it)
  --skip-large          not the large database (overrides --large)
  --large-articles N    articles in the large database (default 1000000)
  --fresh               generate the databases again instead of using the cache (${join(os.tmpdir(), 'dateline-bench-http')})
  --soak S              then S seconds of the mixed scenario, sampling RSS each second (default 300; 0 = off; off with --quick)
  --cold-starts K       cold starts to /readyz (median; default 5, --quick 3)
  --slow-ms MS          a scenario whose single probe request takes longer is not load-tested (its time is
                        reported instead): one slow request blocks the whole server (default 2000)
  --cpu-prof            also profile Dateline (node --cpu-prof) on one scenario and print the top self-time functions
  --cpu-prof-scenario   which (default list)
  --skip-json-server    no json-server baseline
  --only a,b            only these scenarios (names as in the table, e.g. by-id,list); baselines for them still run
  --database D          sqlite (default), postgres, or both: which database Dateline runs on. postgres measures
                        by-id, list, date, search and patch next to the PostgreSQL storage ceiling
                        (bench/http/baseline-postgres.mjs), on a copy of the same data
  --before DIR          also an earlier Dateline: a checkout at DIR, built (\`npm run build\` there), on its own
                        copy of the data, measured in the same rounds as this one on the same scenarios
                        (SQLite); the table gives each one's ratio to the storage ceiling, and this one's
                        to it ("× before")
  --postgres URL        the PostgreSQL server (its database is where CREATE DATABASE is sent from; default
                        ${defaultPostgresUrl}); the data is cached there as a database dlbench_…
  --seed S              PRNG seed (default 20260625)
  --out FILE            results JSON (default bench/results/latest.json)`)
  process.exit(0)
}

const settings = {
  quick: opts.quick,
  rounds: intOption('rounds', opts.rounds ?? (opts.quick ? '1' : '3'), 1),
  duration: intOption('duration', opts.duration ?? (opts.quick ? '2' : '10'), 1),
  warmup: intOption('warmup', opts.warmup ?? (opts.quick ? '1' : '2'), 0),
  connections: intOption('connections', opts.connections, 1),
  articles: intOption('articles', opts.articles, 1000),
  largeArticles: intOption('large-articles', opts['large-articles'], 1000),
  comments: intOption('comments', opts.comments, 200),
  seed: intOption('seed', opts.seed, 0),
  soak: intOption('soak', opts.soak ?? (opts.quick ? '0' : '300'), 0),
  slowMs: intOption('slow-ms', opts['slow-ms'], 1),
  coldStarts: intOption('cold-starts', opts['cold-starts'] ?? (opts.quick ? '3' : '5'), 1),
  large: opts.large && !opts['skip-large'],
  jsonServer: !opts['skip-json-server'],
  only: opts.only === undefined ? null : new Set(opts.only.split(',').map((s) => s.trim())),
  databases: databasesOption(opts.database)
}

function databasesOption (raw) {
  const names = raw === 'both' ? ['sqlite', 'postgres'] : raw.split(',').map((name) => name.trim())
  if (names.length === 0 || names.some((name) => !['sqlite', 'postgres'].includes(name))) {
    console.error(`--database must be sqlite, postgres or both, not ${JSON.stringify(raw)}`)
    process.exit(2)
  }
  return new Set(names)
}

const log = (line) => process.stderr.write(line + '\n')

// ---------------------------------------------------------------------------------------------
// Scenarios. Each is a named request mix for one server; Dateline's name the baseline runs they
// are compared with.

const encode = encodeURIComponent

function cycling (paths, headers = {}) {
  return () => {
    let i = 0
    return [{ method: 'GET', headers, setupRequest: (req) => ({ ...req, path: paths[i++ % paths.length] }) }]
  }
}

const headerOf = (headers, name) => {
  for (const [key, value] of Object.entries(headers ?? {})) if (key.toLowerCase() === name) return Array.isArray(value) ? value[0] : value
  return undefined
}

/** Reads of `readPaths` with one PATCH (If-Match) of `{prefix}/{id}` after every `readsPerWrite` of them. */
function withWrites (readPaths, writeIds, versions, patchStatuses, readsPerWrite, prefix = '/v1/articles') {
  return () => {
    let r = 0
    let w = 0
    const patch = {
      method: 'PATCH',
      setupRequest: (req, context) => {
        const id = writeIds[w++ % writeIds.length]
        context.patchId = id
        return {
          ...req,
          path: `${prefix}/${id}`,
          headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken}`, 'if-match': `"article-${id}-v${versions.get(id) ?? 1}"` },
          body: JSON.stringify({ title: `Edited for the benchmark, edit ${w} of article ${id}` })
        }
      },
      onResponse: (status, body, context, headers) => {
        patchStatuses[status] = (patchStatuses[status] ?? 0) + 1
        // The current version: from the new ETag, or from a 412's detail ("it is now article-7-v3").
        const match = /article-\d+-v(\d+)/.exec(status === 200 ? headerOf(headers, 'etag') ?? '' : String(body))
        if (match !== null) versions.set(context.patchId, Number(match[1]))
      }
    }
    if (readsPerWrite === 0) return [patch]
    const read = { method: 'GET', setupRequest: (req) => ({ ...req, path: readPaths[r++ % readPaths.length] }) }
    return [...Array.from({ length: readsPerWrite }, () => read), patch]
  }
}

function buildScenarios (fixtures, state, { large }) {
  const ids = fixtures.reads.map((row) => row.id)
  const slugs = fixtures.reads.map((row) => row.slug)
  const lastPage = Math.ceil(fixtures.visibleArticles / 20)
  const s = []
  const add = (scenario) => s.push({ kind: 'read', ok: [200], ...scenario })
  // Baselines.
  add({ id: 'fixed:article', server: 'fixed', name: 'fixed', label: 'fixed article (HTTP ceiling)', requests: cycling(['/article']) })
  add({ id: 'sqlite:by-id', server: 'sqlite', name: 'by-id', label: 'raw SQLite: by id', requests: cycling(ids.map((id) => `/articles/${id}`)) })
  add({ id: 'sqlite:by-slug', server: 'sqlite', name: 'by-slug', label: 'raw SQLite: by slug', requests: cycling(slugs.map((slug) => `/articles/${slug}`)) })
  add({ id: 'sqlite:list', server: 'sqlite', name: 'list', label: 'raw SQLite: list 20 + author', requests: cycling(['/articles?limit=20&include=author']) })
  if (!large) add({ id: 'sqlite:patch', server: 'sqlite', name: 'patch', label: 'raw SQLite: PATCH If-Match (write ceiling)', kind: 'write', ok: [200], requests: withWrites([], fixtures.writes, state.versions, state.ceilingPatchStatuses, 0, '/articles') })
  add({ id: 'sqlite:cursor', server: 'sqlite', name: 'cursor', label: 'raw SQLite: last page by cursor', requests: cycling([`/articles?limit=20&include=author&cursor=${fixtures.lastPageCursor}`]) })
  add({ id: 'sqlite:date', server: 'sqlite', name: 'date', label: 'raw SQLite: day page', requests: cycling(fixtures.days.map((day) => `/days/${day}`)) })
  add({ id: 'lean:by-id', server: 'lean', name: 'by-id', label: 'lean ceiling: by id', requests: cycling(ids.map((id) => `/articles/${id}`)) })
  add({ id: 'lean:list', server: 'lean', name: 'list', label: 'lean ceiling: list 20 + author', requests: cycling(['/articles?limit=20&include=author']) })
  if (!large) {
    add({ id: 'json:by-id', server: 'json', name: 'by-id', label: 'json-server: /articles/{id}', requests: cycling(ids.map((id) => `/articles/${id}`)) })
    add({ id: 'json:by-slug', server: 'json', name: 'by-slug', label: 'json-server: ?slug= filter', requests: cycling(slugs.map((slug) => `/articles?slug=${encode(slug)}`)) })
    add({ id: 'json:list', server: 'json', name: 'list', label: 'json-server: _page + _expand=author', requests: cycling(['/articles?_sort=publishedAt&_order=desc&_page=1&_limit=20&_expand=author']) })
    add({ id: 'json:cursor', server: 'json', name: 'cursor', label: 'json-server: last _page (offset)', requests: cycling([`/articles?_sort=publishedAt&_order=desc&_page=${lastPage}&_limit=20&_expand=author`]) })
    add({ id: 'json:date', server: 'json', name: 'date', label: 'json-server: ?date= filter + author', requests: cycling(fixtures.days.map((day) => `/articles?date=${day}&_sort=publishedAt&_order=desc&_expand=author`)) })
    add({ id: 'json:thread', server: 'json', name: 'thread', label: 'json-server: comments (flat)', requests: cycling([`/comments?articleId=${fixtures.thread.articleId}&_sort=createdAt&_limit=200`]) })
    add({ id: 'json:conditional', server: 'json', name: 'conditional-304', label: 'json-server: If-None-Match → 304', ok: [304], requests: () => conditionalRequests(state.jsonEtags) })
  }
  // Dateline.
  const compare = (name, { sqlite = false, json = false, lean = false } = {}) => ({ sqlite: sqlite ? `sqlite:${name}` : null, json: json && !large ? `json:${name}` : null, lean: lean ? `lean:${name}` : null })
  add({ id: 'dateline:by-id', server: 'dateline', name: 'by-id', label: 'article by id', requests: cycling(ids.map((id) => `/v1/articles/${id}`)), compare: compare('by-id', { sqlite: true, json: true, lean: true }) })
  add({ id: 'dateline:by-slug', server: 'dateline', name: 'by-slug', label: 'article by slug', requests: cycling(slugs.map((slug) => `/v1/articles/${slug}`)), compare: compare('by-slug', { sqlite: true, json: true }) })
  add({ id: 'dateline:list', server: 'dateline', name: 'list', label: 'list 20, include=author', requests: cycling(['/v1/articles?limit=20&include=author']), compare: compare('list', { sqlite: true, json: true, lean: true }) })
  add({ id: 'dateline:cursor', server: 'dateline', name: 'cursor', label: 'last page by cursor (keyset)', requests: cycling([`/v1/articles?limit=20&include=author&cursor=${fixtures.lastPageCursor}`]), compare: compare('cursor', { sqlite: true, json: true }) })
  add({ id: 'dateline:date', server: 'dateline', name: 'date', label: 'GET /v1/dates/{date}', requests: cycling(fixtures.days.map((day) => `/v1/dates/${day}`)), compare: compare('date', { sqlite: true, json: true }) })
  if (!large) {
    add({ id: 'dateline:search', server: 'dateline', name: 'search', label: 'search q= two words', requests: cycling(fixtures.searchQueries.map((q) => `/v1/articles?q=${encode(q)}`)), compare: compare('search') })
    add({ id: 'dateline:thread', server: 'dateline', name: 'thread', label: 'comment thread (200)', requests: cycling([`/v1/articles/${fixtures.thread.articleId}/comments/thread?limit=100`]), compare: compare('thread', { json: true }) })
    add({ id: 'dateline:conditional', server: 'dateline', name: 'conditional-304', label: 'by id, If-None-Match → 304', ok: [304], requests: () => conditionalRequests(state.etags), compare: compare('conditional', { json: true }) })
    add({ id: 'dateline:list-304', server: 'dateline', name: 'list-304', label: 'list, If-None-Match → 304', ok: [304], requests: () => conditionalRequests(state.listEtags), beforeMeasure: state.refreshListEtag, compare: compare('list-304') })
    add({ id: 'dateline:mixed', server: 'dateline', name: 'mixed', label: '90 % by id / 10 % PATCH If-Match', kind: 'mixed', ok: [200], requests: withWrites(ids.map((id) => `/v1/articles/${id}`), fixtures.writes, state.versions, state.patchStatuses, 9), compare: compare('mixed') })
    add({ id: 'dateline:patch', server: 'dateline', name: 'patch', label: 'PATCH If-Match only', kind: 'write', ok: [200], requests: withWrites([], fixtures.writes, state.versions, state.patchStatuses, 0), compare: compare('patch', { sqlite: true }) })
  }
  return s
}

// The json-server conditional scenario is named 'conditional-304' like Dateline's; its compare key:
function compareKey (scenario, kind) {
  const key = scenario.compare?.[kind]
  return key === 'json:conditional' ? 'json:conditional' : key
}

function conditionalRequests (etags) {
  let i = 0
  return [{
    method: 'GET',
    setupRequest: (req) => {
      const [path, etag] = etags[i++ % etags.length]
      return { ...req, path, headers: { 'if-none-match': etag } }
    }
  }]
}

// ---------------------------------------------------------------------------------------------
// Probes: one request per scenario before measuring, so a broken scenario is seen, not timed.

async function probe (servers, scenario, fixtures) {
  const server = servers[scenario.server]
  const [first] = scenario.requests()
  let req = { method: first.method, path: first.path, headers: first.headers ?? {}, body: first.body }
  if (first.setupRequest !== undefined) req = { ...req, ...first.setupRequest({ ...req }, {}) }
  if (scenario.kind !== 'read') return { ok: true, note: 'writes (checked by their status counts)' }
  const response = await request(server.port, req.path, { headers: req.headers, timeoutMs: 120_000 })
  const ok = scenario.ok.includes(response.status)
  let note = `${response.status}, ${response.body.length} B, ${response.ms.toFixed(1)} ms`
  if (response.status === 200) {
    const body = JSON.parse(response.body)
    if (Array.isArray(body)) note += `, ${body.length} items`
    else if (Array.isArray(body.data)) {
      note += `, ${body.data.length} items, total ${body.meta?.total ?? '-'}`
      if (scenario.name === 'cursor' && body.meta?.nextCursor !== undefined) note += `, nextCursor ${body.meta.nextCursor === null ? 'null (last page)' : 'set'}`
      if (scenario.name === 'thread') {
        const count = (list) => list.reduce((n, c) => n + 1 + count(c.replies ?? []), 0)
        note += `, ${count(body.data)} comments nested`
      }
      if (scenario.name === 'list' && body.data[0]?.author !== undefined) note += ', author embedded'
    } else if (Array.isArray(body.articles)) note += `, ${body.articles.length} articles`
  }
  return { ok, status: response.status, ms: round(response.ms, 1), note }
}

// ---------------------------------------------------------------------------------------------

function summariseRuns (runs) {
  return {
    rps: spread(runs.map((r) => r.rps), 0),
    p50: spread(runs.map((r) => r.p50), 2),
    p99: spread(runs.map((r) => r.p99), 2),
    cpuUsPerRequest: spread(runs.map((r) => r.serverCpuUsPerRequest), 0),
    databaseCpuUsPerRequest: spread(runs.map((r) => r.databaseCpuUsPerRequest), 0),
    rssPeakMegabytes: round(Math.max(...runs.map((r) => r.rss.peakMegabytes ?? 0)), 0),
    bytesPerResponse: runs[0]?.bytesPerResponse ?? null,
    statuses: runs.reduce((sum, r) => {
      for (const [code, n] of Object.entries(r.statuses)) sum[code] = (sum[code] ?? 0) + n
      return sum
    }, {}),
    socketErrors: runs.reduce((n, r) => n + r.socketErrors, 0)
  }
}

/** Dateline's req/s over the baseline's, per round (measured back to back), the median. */
function ratiosFor (scenario, byId, fixedId) {
  const own = byId.get(scenario.id)
  const ratios = {}
  for (const [kind, otherId] of [['fixed', fixedId], ['sqlite', compareKey(scenario, 'sqlite')], ['lean', scenario.compare?.lean], ['json', compareKey(scenario, 'json')], ['postgres', scenario.compare?.postgres], ['before', scenario.compare?.before]]) {
    if (otherId === null || otherId === undefined || otherId === scenario.id) continue
    const other = byId.get(otherId)
    if (other === undefined) continue
    const perRound = own.runs.map((run, i) => other.runs[i] === undefined ? null : run.rps / other.runs[i].rps)
    ratios[kind] = spread(perRound, 3)
  }
  return ratios
}

const fmtSpread = (s, digits = 0) => s === null || s === undefined ? '-' : s.min === s.max ? s.median.toFixed(digits) : `${s.median.toFixed(digits)} (${s.min.toFixed(digits)}–${s.max.toFixed(digits)})`
// An earlier build (--before) on the scenarios that read or write through the data layer:
// conditional ones need ETags of their own server, and json-server compares nothing here.
const comparedWithBefore = new Set(['by-id', 'by-slug', 'list', 'cursor', 'date', 'search', 'thread', 'patch', 'mixed'])

/**
 * The scenarios again, for the earlier build on its own copy of the data (`file`), each after
 * this build's in the same round. Its PATCHes track their own versions.
 */
function withEarlierBuild (scenarios, fixtures, file) {
  const state = { versions: new Map(), patchStatuses: {}, ceilingPatchStatuses: {}, etags: [], jsonEtags: [], listEtags: [] }
  const refreshVersions = () => {
    const db = new Database(file, { readonly: true })
    const version = db.prepare('select version from articles where id = ?').pluck()
    for (const id of fixtures.writes) state.versions.set(id, version.get(id))
    db.close()
  }
  refreshVersions()
  const earlier = new Map(buildScenarios(fixtures, state, { large: false })
    .filter((s) => s.server === 'dateline' && comparedWithBefore.has(s.name))
    .map((s) => [s.name, { ...s, id: `before:${s.name}`, server: 'before', label: `${s.label} (before)`, compare: { ...s.compare, before: null }, ...(s.kind === 'read' ? {} : { beforeMeasure: refreshVersions }) }]))
  return scenarios.flatMap((s) => {
    const twin = s.server === 'dateline' ? earlier.get(s.name) : undefined
    if (twin === undefined) return [s]
    s.compare = { ...s.compare, before: twin.id }
    return [s, twin]
  })
}

/** Both builds against the storage ceiling, and this one against the earlier, round by round. */
function printAgainstBefore (results, checkout) {
  const byId = new Map(results.map((e) => [e.id, e]))
  const rows = results.filter((e) => e.server === 'dateline' && e.ratios.before !== undefined).map((e) => {
    const earlier = byId.get(`before:${e.scenario}`)
    return [e.label, fmtSpread(earlier?.rps), fmtSpread(e.rps), fmtRatio(earlier?.ratios.sqlite), fmtRatio(e.ratios.sqlite), fmtRatio(e.ratios.before), earlier?.cpuUsPerRequest?.median ?? '-', e.cpuUsPerRequest?.median ?? '-']
  })
  console.log(`\nThis build against the one in ${checkout}, in the same rounds (ratios per round, medians)`)
  console.log(table(rows, ['scenario', 'before req/s', 'now req/s', 'before × sqlite', 'now × sqlite', 'now × before', 'before cpu µs', 'now cpu µs']))
}

const fmtRatio = (s) => s === null || s === undefined ? '-' : `${s.median >= 10 ? s.median.toFixed(0) : s.median.toFixed(2)}×`

async function measureSet (label, servers, scenarios, { rounds, duration, warmup, connections }) {
  const byId = new Map(scenarios.map((scenario) => [scenario.id, { scenario, runs: [] }]))
  for (let r = 0; r < rounds; r++) {
    for (const scenario of scenarios) {
      const server = servers[scenario.server]
      if (server === undefined || scenario.skip !== undefined) continue
      const result = await runLoad(server, scenario.requests, { connections, duration, warmup, beforeMeasure: scenario.beforeMeasure })
      byId.get(scenario.id).runs.push(result)
      const bad = Object.entries(result.statuses).filter(([code]) => !scenario.ok.includes(Number(code)) && !(scenario.kind !== 'read' && code === '412'))
      log(`  [${label}] round ${r + 1}/${rounds} ${scenario.id.padEnd(22)} ${Math.round(result.rps).toString().padStart(6)} req/s  p50 ${result.p50?.toFixed(2) ?? '-'} ms  p99 ${result.p99?.toFixed(2) ?? '-'} ms  cpu ${result.serverCpuUsPerRequest?.toFixed(0)} µs/req  rss ${result.rss.peakMegabytes?.toFixed(0)} MB${bad.length > 0 ? `  other statuses ${JSON.stringify(Object.fromEntries(bad))}` : ''}${result.socketErrors > 0 ? `  errors ${result.socketErrors}` : ''}`)
    }
  }
  return byId
}

async function coldStarts (file, count) {
  const times = []
  for (let i = 0; i < count; i++) {
    const server = dateline(file)
    times.push(await server.start())
    await server.stop()
  }
  return { runsMs: times.map((t) => round(t, 0)), ...spread(times, 0) }
}

function explain (file, cursor, day) {
  const result = spawnSync(process.execPath, [join(here, 'http', 'explain.mjs'), file, cursor, day], { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 300_000 })
  if (result.status !== 0) return { error: (result.stderr || result.error?.message || 'failed').slice(0, 2000) }
  return JSON.parse(result.stdout.trim().split('\n').at(-1))
}

/** With `reference` (the same pages on the small database), each statement's time there too. */
function printPlans (title, plans, reference = null) {
  console.log(`\n${title}`)
  if (plans.error !== undefined) { console.log(`  (could not capture: ${plans.error})`); return }
  for (const [p, page] of plans.entries()) {
    console.log(`  ${page.name} — ${page.statements.length} statements, ${page.firstCallMs.toFixed(2)} ms in the service (first call)`)
    const before = reference?.error === undefined ? reference?.[p]?.statements : undefined
    for (const [i, st] of page.statements.entries()) {
      const flat = st.sql.replace(/\s+/g, ' ')
      const then = before?.[i]?.sql === st.sql ? `${before[i].warmMs.toFixed(3).padStart(8)} → ` : ''
      console.log(`    ${then}${st.warmMs.toFixed(3).padStart(8)} ms  ${flat.length > 150 ? flat.slice(0, 147) + '…' : flat}`)
      for (const line of st.plan) console.log(`               ${st.scans.includes(line) ? '!! ' : '   '}${line}`)
    }
  }
}

async function startAll (servers) {
  for (const server of Object.values(servers)) await server.start()
}

async function stopAll (servers) {
  for (const server of Object.values(servers)) await server.stop()
}

// ---------------------------------------------------------------------------------------------

// ---------------------------------------------------------------------------------------------
// Dateline on PostgreSQL next to the PostgreSQL storage ceiling (--database postgres|both).

/** The paths of the answers a ceiling must give as Dateline does: Dateline's, then the ceiling's. */
function comparedPaths (fixtures) {
  return {
    'by-id': [`/v1/articles/${fixtures.reads[0].id}`, `/articles/${fixtures.reads[0].id}`],
    list: ['/v1/articles?limit=20&include=author', '/articles?limit=20&include=author'],
    date: [`/v1/dates/${fixtures.days[0]}`, `/days/${fixtures.days[0]}`]
  }
}

/**
 * Whether `ceiling` answers what `dateline` answers, byte for byte once parsed (a list's cursor
 * aside: each encodes its own), for each of `names`: so the ratios compare the same work for the client.
 */
async function answersAgree (dateline, ceiling, fixtures, names) {
  const answer = async (server, path) => {
    const body = JSON.parse((await request(server.port, path)).body)
    if (body.meta !== undefined) delete body.meta.nextCursor
    return body
  }
  const paths = comparedPaths(fixtures)
  const same = {}
  for (const name of names) {
    const [datelinePath, ceilingPath] = paths[name]
    same[name] = isDeepStrictEqual(await answer(dateline, datelinePath), await answer(ceiling, ceilingPath))
  }
  return same
}

/** The statements Dateline sends per request of each PostgreSQL scenario (bench/http/statements-postgres.mjs). */
function statementsPerRequest (url, fixtures) {
  const admin = { authorization: `Bearer ${adminToken}` }
  const requests = [
    { name: 'by-id', path: `/v1/articles/${fixtures.reads[0].id}` },
    { name: 'list', path: '/v1/articles?limit=20&include=author' },
    { name: 'date', path: `/v1/dates/${fixtures.days[0]}` },
    { name: 'search', path: `/v1/articles?q=${encodeURIComponent(fixtures.searchQueries[0])}` },
    { name: 'patch', method: 'PATCH', path: `/v1/articles/${fixtures.writes[0]}`, headers: admin, body: { title: 'Edited for counting statements' } }
  ]
  const result = spawnSync(process.execPath, [join(here, 'http', 'statements-postgres.mjs'), url, adminToken, JSON.stringify(requests)], { cwd: root, encoding: 'utf8', timeout: 300_000 })
  if (result.status !== 0) return { error: (result.stderr || result.error?.message || 'failed').slice(0, 2000) }
  return JSON.parse(result.stdout.trim().split('\n').at(-1))
}

/** Dateline-on-PostgreSQL scenarios, each right after its ceiling's, so a round compares them back to back. */
function postgresScenarios (fixtures, state) {
  const ids = fixtures.reads.map((row) => row.id)
  const s = []
  const add = (scenario) => s.push({ kind: 'read', ok: [200], ...scenario })
  const pair = (name, label, ceiling, dateline) => {
    if (ceiling !== null) add({ id: `pg:${name}`, server: 'postgres', name, label: `raw PostgreSQL: ${label}`, ...ceiling })
    add({ id: `dateline-pg:${name}`, server: 'datelinePg', name, label, ...dateline, compare: { postgres: ceiling === null ? null : `pg:${name}` } })
  }
  pair('by-id', 'article by id', { requests: cycling(ids.map((id) => `/articles/${id}`)) }, { requests: cycling(ids.map((id) => `/v1/articles/${id}`)) })
  pair('list', 'list 20, include=author', { requests: cycling(['/articles?limit=20&include=author']) }, { requests: cycling(['/v1/articles?limit=20&include=author']) })
  pair('date', 'GET /v1/dates/{date}', { requests: cycling(fixtures.days.map((day) => `/days/${day}`)) }, { requests: cycling(fixtures.days.map((day) => `/v1/dates/${day}`)) })
  pair('search', 'search q= two words', null, { requests: cycling(fixtures.searchQueries.map((q) => `/v1/articles?q=${encodeURIComponent(q)}`)) })
  pair('patch', 'PATCH If-Match only',
    { kind: 'write', requests: withWrites([], fixtures.writes, state.versions, state.ceilingPatchStatuses, 0, '/articles') },
    { kind: 'write', requests: withWrites([], fixtures.writes, state.versions, state.patchStatuses, 0) })
  return s
}

/**
 * Copies the data into PostgreSQL (cached), starts Dateline and the ceiling on a copy of it,
 * measures the rounds and the paced latencies, prints the table; answers the figures for the report.
 * `sqliteResults`: this run's SQLite figures, for the side-by-side ratios.
 */
async function postgresPhase (small, sqliteResults = null) {
  const serverUrl = opts.postgres
  log(`\nPostgreSQL (${serverUrl.replace(/\/\/[^@/]*@/, '//')}): the same data …`)
  const cached = await ensurePostgresDatabase(small, serverUrl, { fresh: opts.fresh, log })
  const pgVersion = await (async () => {
    const { default: pg } = await import('pg')
    const client = new pg.Client({ connectionString: serverUrl })
    await client.connect()
    try { return (await client.query('show server_version')).rows[0].server_version } finally { await client.end() }
  })()
  const gen = cached.generation
  console.log(`\nPostgreSQL ${pgVersion}: database ${cached.name}, ${gen.databaseMegabytes} MB; ${cached.cached ? 'from the cache' : 'made now'} (took ${gen.seconds} s: ${Object.entries(gen.breakdownSeconds).map(([k, v]) => `${k} ${v} s`).join(', ')})`)
  const run = await copyForRun(serverUrl, cached.name)
  const servers = {}
  const monitors = []
  try {
    servers.datelinePg = datelinePostgres(run.url)
    servers.postgres = postgresBaseline(run.url)
    // The application_name each server's connections give (src/db/postgres.ts, baseline-postgres.mjs).
    const applicationNames = { datelinePg: 'dateline', postgres: 'dateline-bench-ceiling' }
    for (const [key, server] of Object.entries(servers)) {
      await server.start()
      server.databaseCpu = await backendCpu(serverUrl, run.name, applicationNames[key])
      monitors.push(server.databaseCpu)
    }
    const state = { versions: new Map(), patchStatuses: {}, ceilingPatchStatuses: {} }
    // Requests in flight when a run stops are answered to no one: read the versions again before each write run.
    const refreshVersions = async () => { for (const [id, version] of await versionsOf(run.url, small.fixtures.writes)) state.versions.set(id, version) }
    await refreshVersions()
    let scenarios = postgresScenarios(small.fixtures, state)
    for (const s of scenarios) if (s.kind !== 'read') s.beforeMeasure = refreshVersions
    if (settings.only !== null) {
      const wanted = new Set(scenarios.filter((s) => s.server === 'datelinePg' && settings.only.has(s.name)).map((s) => s.name))
      scenarios = scenarios.filter((s) => wanted.has(s.name))
    }
    log('\nProbes (one request each):')
    const probes = {}
    for (const scenario of scenarios) {
      probes[scenario.id] = await probe(servers, scenario, small.fixtures)
      log(`  ${probes[scenario.id].ok ? 'ok ' : 'BAD'} ${scenario.id.padEnd(22)} ${probes[scenario.id].note}`)
      if (probes[scenario.id].ms > settings.slowMs) scenario.skip = `not load-tested: one request took ${Math.round(probes[scenario.id].ms)} ms (> --slow-ms ${settings.slowMs})`
    }
    const sameJson = await answersAgree(servers.datelinePg, servers.postgres, small.fixtures, ['by-id', 'list', 'date'])
    log(`  the ceiling's JSON is Dateline's: ${Object.entries(sameJson).map(([name, same]) => `${name} ${same ? 'yes' : 'NO'}`).join(', ')}`)
    log(`\nMeasuring ${scenarios.length} PostgreSQL scenarios × ${settings.rounds} round(s) …`)
    const measured = await measureSet('pg', servers, scenarios, settings)
    const atHalfLoad = new Map()
    log('\nLatency at a fixed rate, half of each read\'s median req/s …')
    for (const scenario of scenarios) {
      const runs = measured.get(scenario.id)?.runs ?? []
      if (scenario.kind !== 'read' || runs.length === 0) continue
      const rate = Math.max(1, Math.round(median(runs.map((r) => r.rps)) / 2))
      const result = await runPaced(servers[scenario.server], scenario.requests, { connections: settings.connections, duration: settings.duration, rate })
      atHalfLoad.set(scenario.id, { rate, responses: result.responses, errors: result.errors, p50: round(result.p50, 2), p99: round(result.p99, 2) })
      log(`  ${scenario.id.padEnd(22)} at ${rate} req/s: p50 ${result.p50?.toFixed(2)} ms  p99 ${result.p99?.toFixed(2)} ms`)
    }

    const statements = statementsPerRequest(run.url, small.fixtures)

    const results = []
    for (const [id, { scenario, runs }] of measured) {
      if (scenario.skip !== undefined) {
        results.push({ id, server: scenario.server, scenario: scenario.name, label: scenario.label, skipped: scenario.skip, probe: probes[id], ratios: {} })
        continue
      }
      if (runs.length === 0) continue
      results.push({
        id, server: scenario.server, scenario: scenario.name, label: scenario.label, ...summariseRuns(runs), ratios: ratiosFor(scenario, measured, null), probe: probes[id], atHalfLoad: atHalfLoad.get(id) ?? null,
        rounds: runs.map((r) => ({ rps: round(r.rps, 0), p50: round(r.p50, 3), p99: round(r.p99, 3), cpuUsPerRequest: round(r.serverCpuUsPerRequest, 0), databaseCpuUsPerRequest: round(r.databaseCpuUsPerRequest, 0), statuses: r.statuses, socketErrors: r.socketErrors }))
      })
    }
    const rowsOf = (entries) => entries.map((e) => e.skipped !== undefined
      ? [e.label, '-', `${e.probe.ms} (1 req)`, '-', '-', '-', '-', '-', '-', e.skipped]
      : [e.label, fmtSpread(e.rps), fmtSpread(e.p50, 2), fmtSpread(e.p99, 2), e.cpuUsPerRequest?.median ?? '-', e.databaseCpuUsPerRequest?.median ?? '-', fmtRatio(e.ratios.postgres),
          e.atHalfLoad === null ? '-' : `${e.atHalfLoad.p50} / ${e.atHalfLoad.p99}`, e.rssPeakMegabytes,
          Object.entries(e.statuses).filter(([code]) => !['200', '304'].includes(code)).map(([code, n]) => `${code}×${n}`).join(' ') + (e.socketErrors > 0 ? ` errors×${e.socketErrors}` : '')])
    const order = ['datelinePg', 'postgres']
    results.sort((a, b) => order.indexOf(a.server) - order.indexOf(b.server))
    console.log(`\nDateline on PostgreSQL, ${settings.articles} articles, ${settings.connections} connections: median of ${settings.rounds} round(s) (min–max); × pg = Dateline req/s ÷ the PostgreSQL ceiling's in the same round`)
    console.log('(node µs = the node server\'s CPU per response; db µs = its PostgreSQL backends\' CPU per response; paced = p50 / p99 ms at half the median req/s)\n')
    console.log(table(rowsOf(results), ['scenario', 'req/s', 'p50 ms', 'p99 ms', 'node µs', 'db µs', '× pg', 'paced ms', 'RSS MB', 'other statuses']))
    const patchRuns = (id) => measured.get(id)?.runs ?? []
    const patchRate = (id) => spread(patchRuns(id).map((r) => (r.statuses['200'] ?? 0) / r.seconds), 0)
    if (patchRuns('dateline-pg:patch').length > 0) {
      console.log(`\nWrites on PostgreSQL: Dateline ${fmtSpread(patchRate('dateline-pg:patch'))} successful PATCHes/s, answers ${JSON.stringify(state.patchStatuses)}; the ceiling ${fmtSpread(patchRate('pg:patch'))}/s, answers ${JSON.stringify(state.ceilingPatchStatuses)} (412 = a stale If-Match, from requests answered after a run stopped; 500/503 would be a bug)`)
    }
    if (statements.error !== undefined) console.log(`\nStatements per request: could not count (${statements.error})`)
    else {
      console.log('\nStatements (round trips) Dateline sends to PostgreSQL per request, warm (the ceiling: 1 per read; 9 for a PATCH, BEGIN and COMMIT included):')
      for (const r of statements) console.log(`  ${r.name.padEnd(8)} ${String(r.statements).padStart(3)}  (${r.status})  ${r.sql.map((text) => text.slice(0, 60)).join(' | ')}`)
    }
    // Each database against its own ceiling, in this run.
    let sideBySide = null
    if (sqliteResults !== null) {
      sideBySide = []
      for (const name of ['by-id', 'list', 'date', 'search', 'patch']) {
        const onSqlite = sqliteResults.find((e) => e.id === `dateline:${name}`)
        const onPostgres = results.find((e) => e.id === `dateline-pg:${name}`)
        if (onSqlite === undefined && onPostgres === undefined) continue
        sideBySide.push({ scenario: name, sqlite: { rps: onSqlite?.rps?.median ?? null, ofCeiling: onSqlite?.ratios?.sqlite?.median ?? null }, postgres: { rps: onPostgres?.rps?.median ?? null, ofCeiling: onPostgres?.ratios?.postgres?.median ?? null } })
      }
      console.log('\nEach database against its own storage ceiling, this run (req/s, × ceiling):\n')
      console.log(table(sideBySide.map((r) => [r.scenario, r.sqlite.rps ?? '-', r.sqlite.ofCeiling ?? '-', r.postgres.rps ?? '-', r.postgres.ofCeiling ?? '-']), ['scenario', 'SQLite req/s', '× sqlite', 'PostgreSQL req/s', '× pg']))
    }
    return {
      server: pgVersion,
      database: { cached: cached.name, run: run.name, generation: gen, fromCache: cached.cached },
      pinning: hasTaskset ? 'node servers on CPU 0, autocannon on CPU 1; PostgreSQL (a system service) not pinned: its backends share both cores' : 'not pinned (no taskset)',
      results,
      statementsPerRequest: statements,
      ceilingAnswersSameJson: sameJson,
      writes: { patchStatuses: state.patchStatuses, ceilingPatchStatuses: state.ceilingPatchStatuses, patchPerSecond: patchRate('dateline-pg:patch'), ceilingPatchPerSecond: patchRate('pg:patch') },
      sideBySide
    }
  } finally {
    for (const server of Object.values(servers)) await server.stop().catch(() => {})
    for (const monitor of monitors) await monitor.close().catch(() => {})
    await run.drop().catch((error) => log(`could not drop ${run.name}: ${error.message}`))
  }
}

async function main () {
  if (!existsSync(join(root, 'dist', 'cli.js'))) {
    console.error('dist/ is missing: run `npm run build` first (or `npm run bench`, which builds)')
    process.exit(1)
  }
  const machine = {
    node: process.version,
    sqlite: new Database(':memory:').prepare('select sqlite_version() as v').get().v,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model,
    pinned: hasTaskset ? 'servers on CPU 0, autocannon (this process) on CPU 1 (taskset)' : 'not pinned (no taskset)',
    loadAverageAtStart: os.loadavg().map((v) => round(v, 2))
  }
  const jsonServerVersionUsed = jsonServerVersion()
  console.log(`Dateline HTTP benchmark — ${settings.articles} articles${settings.large ? ` and ${settings.largeArticles}` : ''}; ${settings.rounds} round(s) × ${settings.duration} s (+${settings.warmup} s warm-up) per scenario, ${settings.connections} connections`)
  console.log(`node ${machine.node}, SQLite ${machine.sqlite}, ${machine.cpus} CPUs, ${machine.pinned}, load average ${machine.loadAverageAtStart.join(' ')}; json-server ${jsonServerVersionUsed}`)

  const work = mkdtempSync(join(os.tmpdir(), 'dateline-bench-http-run-'))
  const servers = {}
  const cleanUp = () => {
    for (const server of Object.values(servers)) server.child?.kill('SIGKILL')
    rmSync(work, { recursive: true, force: true })
  }
  for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => { cleanUp(); process.exit(130) })

  const report = { benchmark: 'http', date: new Date().toISOString(), machine, settings: { ...settings, only: settings.only === null ? null : [...settings.only] }, jsonServer: { version: jsonServerVersionUsed } }
  try {
    // ---- The main database.
    const t0 = performance.now()
    log(`\nDatabase: ${settings.articles} articles, ${settings.comments} comments (seed ${settings.seed}) …`)
    const small = await ensureDatabase({ articles: settings.articles, comments: settings.comments, seed: settings.seed }, { fresh: opts.fresh, log })
    log(small.cached ? `  cached: ${small.file}` : `  generated in ${small.generation.seconds} s: ${small.file}`)
    const g = small.generation
    console.log(`\nData: ${g.articles} articles (bodies ~${g.averageBodyBytes} B, ${small.fixtures.visibleArticles} published), 100 authors, ${g.comments} comments; file ${g.fileMegabytes} MB; ${small.cached ? 'from the cache' : `generated in ${g.seconds} s`} (generation took ${g.seconds} s: articles ${g.breakdownSeconds.articles} s, comments ${g.breakdownSeconds.comments} s, FTS5 rebuild ${g.breakdownSeconds.searchIndexRebuild} s)`)
    if (!settings.databases.has('sqlite')) {
      report.postgres = await postgresPhase(small)
      report.machine = { ...machine, loadAverageAtEnd: os.loadavg().map((v) => round(v, 2)) }
      mkdirSync(dirname(opts.out), { recursive: true })
      writeFileSync(opts.out, JSON.stringify(report, null, 2) + '\n')
      console.log(`\nWrote ${opts.out}`)
      return
    }
    const workFile = join(work, 'dateline.db')
    copyFileSync(small.file, workFile)
    const jsonData = settings.jsonServer ? await ensureJsonServerData(small) : null
    log(`  ready in ${((performance.now() - t0) / 1000).toFixed(1)} s`)

    // ---- Cold start.
    log(`\nCold start to /readyz, ${settings.coldStarts}× …`)
    const coldSmall = await coldStarts(workFile, settings.coldStarts)
    console.log(`Cold start (spawn → first 200 from /readyz), ${settings.articles} articles: median ${coldSmall.median} ms (${coldSmall.min}–${coldSmall.max}) over ${settings.coldStarts}`)

    // ---- Servers.
    servers.dateline = dateline(workFile)
    servers.sqlite = sqliteBaseline(workFile)
    // The lean ceiling adds a labels column to the file it serves: a copy of its own.
    const leanFile = join(work, 'lean.db')
    copyFileSync(small.file, leanFile)
    servers.lean = leanBaseline(leanFile)
    await servers.dateline.start()
    await servers.sqlite.start()
    await servers.lean.start()
    const beforeFile = join(work, 'dateline-before.db')
    if (opts.before !== undefined) {
      copyFileSync(small.file, beforeFile)
      servers.before = dateline(beforeFile, { checkout: resolve(opts.before), name: 'dateline-before' })
      await servers.before.start()
    }
    const sample = await request(servers.dateline.port, `/v1/articles/${small.fixtures.reads[0].id}`)
    const articleFile = join(work, 'fixed-article.json')
    writeFileSync(articleFile, sample.body)
    servers.fixed = fixedBaseline(articleFile)
    await servers.fixed.start()
    if (jsonData !== null) {
      servers.json = jsonServer(jsonData)
      await servers.json.start()
    }

    // State the scenarios need: ETags for conditional reads, versions for If-Match.
    const state = { etags: [], jsonEtags: [], listEtags: [], versions: new Map(), patchStatuses: {}, ceilingPatchStatuses: {} }
    // A list's ETag moves with every write (the write scenarios run between rounds): read it again before each run.
    state.refreshListEtag = async () => {
      const path = '/v1/articles?limit=20&include=author'
      state.listEtags = [[path, (await request(servers.dateline.port, path)).headers.etag]]
    }
    await state.refreshListEtag()
    for (const { id } of small.fixtures.reads.slice(0, 200)) {
      const path = `/v1/articles/${id}`
      state.etags.push([path, (await request(servers.dateline.port, path)).headers.etag])
      if (servers.json !== undefined) state.jsonEtags.push([`/articles/${id}`, (await request(servers.json.port, `/articles/${id}`)).headers.etag])
    }

    // Requests still in flight when a run stops are answered to no one: their PATCHes bump
    // versions unseen. Read the versions again before each measured write run.
    const refreshVersions = () => {
      const db = new Database(workFile, { readonly: true })
      const version = db.prepare('select version from articles where id = ?').pluck()
      for (const id of small.fixtures.writes) state.versions.set(id, version.get(id))
      db.close()
    }
    refreshVersions()
    let scenarios = buildScenarios(small.fixtures, state, { large: false }).filter((s) => servers[s.server] !== undefined)
    for (const s of scenarios) if (s.kind !== 'read') s.beforeMeasure = refreshVersions
    if (servers.before !== undefined) scenarios = withEarlierBuild(scenarios, small.fixtures, beforeFile)
    for (const s of scenarios) if (s.name === 'list-304') s.beforeMeasure = state.refreshListEtag
    if (settings.only !== null) {
      const wanted = scenarios.filter((s) => s.server === 'dateline' && settings.only.has(s.name))
      const needed = new Set(['fixed:article', ...wanted.flatMap((s) => [compareKey(s, 'sqlite'), compareKey(s, 'json'), s.compare?.lean, s.compare?.before])])
      scenarios = scenarios.filter((s) => wanted.includes(s) || needed.has(s.id))
    }
    log('\nProbes (one request each):')
    const probes = {}
    const leanSameJson = await answersAgree(servers.dateline, servers.lean, small.fixtures, ['by-id', 'list'])
    log(`  the lean ceiling's JSON is Dateline's: ${Object.entries(leanSameJson).map(([name, same]) => `${name} ${same ? 'yes' : 'NO'}`).join(', ')}`)
    for (const scenario of scenarios) {
      probes[scenario.id] = await probe(servers, scenario, small.fixtures)
      log(`  ${probes[scenario.id].ok ? 'ok ' : 'BAD'} ${scenario.id.padEnd(22)} ${probes[scenario.id].note}`)
      if (probes[scenario.id].ms > settings.slowMs) {
        scenario.skip = `not load-tested: one request took ${Math.round(probes[scenario.id].ms)} ms (> --slow-ms ${settings.slowMs}), and it holds up every other request meanwhile`
        log(`      ${scenario.skip}`)
      }
    }

    // ---- Rounds: in each, every scenario once, baselines next to what they are compared with.
    log(`\nMeasuring ${scenarios.length} scenarios × ${settings.rounds} round(s) …`)
    const measured = await measureSet(`${settings.articles / 1000}k`, servers, scenarios, settings)

    // ---- Latency at a fixed rate. Saturated, 32 connections queue and latency is 32 ÷ req/s
    // whatever the code does; paced at half of what a read sustained, p99 shows its service time.
    const atHalfLoad = new Map()
    log('\nLatency at a fixed rate, half of each read\'s median req/s …')
    for (const scenario of scenarios) {
      const runs = measured.get(scenario.id)?.runs ?? []
      // Dateline's reads, and the storage ceiling's next to them (what the machine's own tail is).
      if (!['dateline', 'sqlite'].includes(scenario.server) || scenario.kind !== 'read' || runs.length === 0) continue
      const rate = Math.max(1, Math.round(median(runs.map((r) => r.rps)) / 2))
      await scenario.beforeMeasure?.()
      const result = await runPaced(servers[scenario.server], scenario.requests, { connections: settings.connections, duration: settings.duration, rate })
      atHalfLoad.set(scenario.id, { rate, responses: result.responses, errors: result.errors, p50: round(result.p50, 2), p99: round(result.p99, 2) })
      log(`  ${scenario.id.padEnd(22)} at ${rate} req/s: p50 ${result.p50?.toFixed(2)} ms  p99 ${result.p99?.toFixed(2)} ms`)
    }

    // ---- Soak.
    let soak = null
    if (settings.soak > 0 && scenarios.some((s) => s.id === 'dateline:mixed')) {
      log(`\nSoak: ${settings.soak} s of the mixed scenario, RSS each second …`)
      const mixed = scenarios.find((s) => s.id === 'dateline:mixed')
      refreshVersions()
      const run = await runLoad(servers.dateline, mixed.requests, { connections: settings.connections, duration: settings.soak, warmup: 0, sampleMs: 1000 })
      const series = run.rssSeries
      const after = (t) => series.filter((p) => p.t >= t)
      const settled = after(Math.min(30, settings.soak / 4))
      const firstMinute = settled.filter((p) => p.t < settled[0].t + Math.min(60, settings.soak / 4))
      const lastMinute = series.filter((p) => p.t > series.at(-1).t - Math.min(60, settings.soak / 4))
      const mean = (points) => points.reduce((a, p) => a + p.rssMegabytes, 0) / points.length
      soak = {
        seconds: settings.soak,
        rps: round(run.rps, 0),
        p50: round(run.p50, 2),
        p99: round(run.p99, 2),
        statuses: run.statuses,
        socketErrors: run.socketErrors,
        rssStartMegabytes: round(series[0].rssMegabytes, 1),
        rssPeakMegabytes: round(Math.max(...series.map((p) => p.rssMegabytes)), 1),
        rssEndMegabytes: round(series.at(-1).rssMegabytes, 1),
        rssSettledFirstMinuteMegabytes: round(mean(firstMinute), 1),
        rssLastMinuteMegabytes: round(mean(lastMinute), 1),
        series: series.filter((_, i) => i % 5 === 0).map((p) => [round(p.t, 0), round(p.rssMegabytes, 1)])
      }
      soak.growthPercent = round(100 * (soak.rssLastMinuteMegabytes - soak.rssSettledFirstMinuteMegabytes) / soak.rssSettledFirstMinuteMegabytes, 1)
      console.log(`\nSoak, ${settings.soak} s of 90 % reads / 10 % PATCH: ${soak.rps} req/s, p99 ${soak.p99} ms; RSS start ${soak.rssStartMegabytes} MB, peak ${soak.rssPeakMegabytes} MB, end ${soak.rssEndMegabytes} MB; settled first minute ${soak.rssSettledFirstMinuteMegabytes} MB → last minute ${soak.rssLastMinuteMegabytes} MB (${soak.growthPercent >= 0 ? '+' : ''}${soak.growthPercent} %)`)
    }

    // ---- Profile.
    let profile = null
    if (opts['cpu-prof']) {
      const scenario = scenarios.find((s) => s.id === `dateline:${opts['cpu-prof-scenario']}`)
      if (scenario === undefined) throw new Error(`--cpu-prof-scenario: no scenario dateline:${opts['cpu-prof-scenario']}`)
      await servers.dateline.stop()
      const profileDir = join(work, 'profile')
      mkdirSync(profileDir)
      log(`\nProfiling Dateline (node --cpu-prof) on ${scenario.id} …`)
      const profiled = dateline(workFile)
      const startupMs = await profiled.start({ nodeFlags: ['--cpu-prof', '--cpu-prof-dir', profileDir] })
      const run = await runLoad(profiled, scenario.requests, { connections: settings.connections, duration: settings.duration, warmup: settings.warmup })
      await profiled.stop()
      const file = readdirSync(profileDir).find((name) => name.endsWith('.cpuprofile'))
      if (file === undefined) throw new Error('no .cpuprofile was written')
      // Kept outside the repository (a few MB): open it in Chrome DevTools or speedscope.
      const keep = join(os.tmpdir(), 'dateline-bench-http', `dateline-${opts['cpu-prof-scenario']}.cpuprofile`)
      copyFileSync(join(profileDir, file), keep)
      // Without the start-up (migrations, schema compilation): only what the load cost.
      profile = { scenario: scenario.id, rpsWhileProfiling: round(run.rps, 0), file: keep, startupLeftOutMs: round(startupMs, 0), ...summariseProfile(join(profileDir, file), 10, startupMs) }
      await servers.dateline.start()
    }

    // ---- Query plans on the main database.
    const plansSmall = explain(workFile, small.fixtures.lastPageCursor, small.fixtures.days[0])
    await stopAll(servers)
    for (const key of Object.keys(servers)) delete servers[key]

    // ---- The large database: list, cursor and date pages (and by id), next to the storage ceiling.
    let largeResult = null
    if (settings.large) {
      log(`\nLarge database: ${settings.largeArticles} articles …`)
      const large = await ensureDatabase({ articles: settings.largeArticles, comments: settings.comments, seed: settings.seed }, { fresh: opts.fresh, log })
      const lg = large.generation
      console.log(`\nLarge data: ${lg.articles} articles, file ${lg.fileMegabytes} MB; generation took ${lg.seconds} s (articles ${lg.breakdownSeconds.articles} s, comments ${lg.breakdownSeconds.comments} s, FTS5 rebuild ${lg.breakdownSeconds.searchIndexRebuild} s)${large.cached ? ', from the cache' : ''}`)
      const coldLarge = await coldStarts(large.file, Math.min(3, settings.coldStarts))
      console.log(`Cold start, ${settings.largeArticles} articles: median ${coldLarge.median} ms (${coldLarge.min}–${coldLarge.max})`)
      servers.dateline = dateline(large.file)
      servers.sqlite = sqliteBaseline(large.file)
      await startAll(servers)
      const largeScenarios = buildScenarios(large.fixtures, state, { large: true })
        .filter((s) => servers[s.server] !== undefined && ['by-id', 'list', 'cursor', 'date'].includes(s.name))
      const largeProbes = {}
      for (const scenario of largeScenarios) {
        const p = await probe(servers, scenario, large.fixtures)
        largeProbes[scenario.id] = p
        log(`  ${p.ok ? 'ok ' : 'BAD'} ${scenario.id.padEnd(22)} ${p.note}`)
        if (p.ms > settings.slowMs) scenario.skip = `not load-tested: one request took ${Math.round(p.ms)} ms`
      }
      const measuredLarge = await measureSet(`${settings.largeArticles / 1e6}M`, servers, largeScenarios, settings)
      const plansLarge = explain(large.file, large.fixtures.lastPageCursor, large.fixtures.days[0])
      await stopAll(servers)
      for (const key of Object.keys(servers)) delete servers[key]
      largeResult = { generation: lg, coldStart: coldLarge, measured: measuredLarge, plans: plansLarge, probes: largeProbes, fixtures: { days: large.fixtures.days.slice(0, 5), lastPageCursor: large.fixtures.lastPageCursor, visibleArticles: large.fixtures.visibleArticles } }
    }

    // ---- Figures. The raw runs first, so a failure below loses nothing measured.
    writeFileSync(join(os.tmpdir(), 'dateline-bench-http', 'last-run-raw.json'), JSON.stringify({
      settings: report.settings,
      small: [...measured].map(([id, v]) => ({ id, skip: v.scenario.skip, runs: v.runs.map(({ rssSeries, ...rest }) => rest) })),
      large: largeResult === null ? null : [...largeResult.measured].map(([id, v]) => ({ id, skip: v.scenario.skip, runs: v.runs.map(({ rssSeries, ...rest }) => rest) })),
      soak,
      profile
    }))
    const rows = []
    const results = []
    const summarised = new Map()
    for (const [id, { scenario, runs }] of measured) {
      if (runs.length === 0) continue
      summarised.set(id, { scenario, runs, summary: summariseRuns(runs) })
    }
    for (const [id, { scenario, runs, summary }] of summarised) {
      const ratios = ratiosFor(scenario, measured, 'fixed:article')
      const entry = {
        id, server: scenario.server, scenario: scenario.name, label: scenario.label, articles: settings.articles,
        ...summary, ratios, probe: probes[id], atHalfLoad: atHalfLoad.get(id) ?? null,
        rounds: runs.map((r) => ({ rps: round(r.rps, 0), p50: round(r.p50, 3), p90: round(r.p90, 3), p99: round(r.p99, 3), max: round(r.max, 1), cpuUsPerRequest: round(r.serverCpuUsPerRequest, 0), rss: { start: round(r.rss.startMegabytes, 1), peak: round(r.rss.peakMegabytes, 1), end: round(r.rss.endMegabytes, 1) }, statuses: r.statuses, socketErrors: r.socketErrors }))
      }
      results.push(entry)
    }
    for (const [id, { scenario }] of measured) {
      if (scenario.skip !== undefined) results.push({ id, server: scenario.server, scenario: scenario.name, label: scenario.label, articles: settings.articles, skipped: scenario.skip, probe: probes[id], ratios: {} })
    }
    const order = ['dateline', 'before', 'lean', 'sqlite', 'json', 'fixed']
    results.sort((a, b) => order.indexOf(a.server) - order.indexOf(b.server))
    for (const e of results) {
      if (e.skipped !== undefined) {
        rows.push([e.label, '-', `${e.probe.ms} (1 req)`, '-', '-', '-', '-', '-', '-', '-', `one request took ${(e.probe.ms / 1000).toFixed(1)} s: not load-tested`])
        continue
      }
      const statusNote = Object.entries(e.statuses).filter(([code]) => !['200', '304'].includes(code)).map(([code, n]) => `${code}×${n}`).join(' ')
      rows.push([e.server === 'dateline' ? e.label : e.label, fmtSpread(e.rps), fmtSpread(e.p50, 2), fmtSpread(e.p99, 2), e.cpuUsPerRequest?.median ?? '-', fmtRatio(e.ratios.fixed), fmtRatio(e.ratios.lean), fmtRatio(e.ratios.sqlite), fmtRatio(e.ratios.json), `${e.rssPeakMegabytes}`, statusNote + (e.socketErrors > 0 ? ` errors×${e.socketErrors}` : '')])
    }
    console.log(`\nResults, ${settings.articles} articles, ${settings.connections} connections: median of ${settings.rounds} round(s) (min–max); ratios = Dateline req/s ÷ baseline req/s in the same round`)
    console.log('(cpu = server CPU time per response, µs; RSS = server peak during the scenario, MB)\n')
    console.log(table(rows, ['scenario', 'req/s', 'p50 ms', 'p99 ms', 'cpu µs', '× fixed', '× lean', '× sqlite', '× json-srv', 'RSS MB', 'other statuses']))
    if (opts.before !== undefined) printAgainstBefore(results, opts.before)

    const halfRows = results.filter((e) => e.atHalfLoad != null).map((e) => [e.label, e.atHalfLoad.rate, e.atHalfLoad.p50, e.atHalfLoad.p99, fmtSpread(e.p99, 2)])
    if (halfRows.length > 0) {
      console.log(`\nLatency at a fixed rate (half of the median req/s above), ${settings.connections} connections, ${settings.duration} s`)
      console.log(table(halfRows, ['scenario', 'req/s', 'p50 ms', 'p99 ms', 'p99 ms saturated']))
    }

    const patchCounts = state.patchStatuses
    const mixedEntry = results.find((e) => e.id === 'dateline:mixed')
    const patchEntry = results.find((e) => e.id === 'dateline:patch')
    const patchRps = patchEntry === undefined ? null : spread(measured.get('dateline:patch').runs.map((r) => (r.statuses['200'] ?? 0) / r.seconds), 0)
    if (patchEntry !== undefined || mixedEntry !== undefined) {
      console.log(`\nWrites: PATCH answers over the whole run ${JSON.stringify(patchCounts)} (412 = If-Match refused a stale version, counted apart from errors; 503/500 would be SQLITE_BUSY or a bug)`)
      if (patchRps !== null) console.log(`  PATCH-only scenario: ${fmtSpread(patchRps)} successful PATCHes/s`)
      const ceiling = measured.get('sqlite:patch')?.runs ?? []
      if (ceiling.length > 0) console.log(`  the write ceiling (raw better-sqlite3, same edit: revision + both search indexes): ${fmtSpread(spread(ceiling.map((r) => (r.statuses['200'] ?? 0) / r.seconds), 0))} PATCHes/s, answers ${JSON.stringify(state.ceilingPatchStatuses)}`)
    }

    // Growth 10 k → 1 M.
    let growth = null
    if (largeResult !== null) {
      growth = []
      const growthRows = []
      const med = (x) => x?.median ?? null
      for (const [id, { scenario, runs }] of largeResult.measured) {
        const smallOne = summarised.get(id)
        if (smallOne === undefined) continue
        const small = smallOne.summary
        const large = runs.length > 0 ? summariseRuns(runs) : null
        const ratio = (a, b) => a === null || b === null || b === 0 ? null : round(a / b, 2)
        const g = {
          id,
          label: scenario.label,
          small: { rps: small.rps, p50: small.p50, p99: small.p99, probeMs: probes[id]?.ms ?? null },
          large: large === null
            ? { skipped: scenario.skip, probeMs: largeResult.probes[id]?.ms ?? null }
            : { rps: large.rps, p50: large.p50, p99: large.p99, cpuUsPerRequest: large.cpuUsPerRequest, rssPeakMegabytes: large.rssPeakMegabytes, ratios: ratiosFor(scenario, largeResult.measured, 'fixed:article'), statuses: large.statuses, socketErrors: large.socketErrors, probeMs: largeResult.probes[id]?.ms ?? null },
          p50Growth: large === null ? null : ratio(med(large.p50), med(small.p50)),
          p99Growth: large === null ? null : ratio(med(large.p99), med(small.p99)),
          rpsRatio: large === null ? null : ratio(med(large.rps), med(small.rps)),
          singleRequestGrowth: ratio(largeResult.probes[id]?.ms ?? null, probes[id]?.ms ?? null)
        }
        growth.push(g)
        const note = large === null
          ? `not load-tested: one request ${Math.round(g.large.probeMs)} ms`
          : med(large.p50) === null ? `no answer within the ${settings.duration} s runs (${large.socketErrors} timeouts)` : ''
        growthRows.push([`${scenario.server}: ${scenario.label}`, fmtSpread(small.rps), large === null ? '-' : fmtSpread(large.rps), fmtSpread(small.p50, 2), large === null ? '-' : fmtSpread(large.p50, 2), g.p50Growth === null ? '-' : `${g.p50Growth}×`,
          fmtSpread(small.p99, 2), large === null ? '-' : fmtSpread(large.p99, 2), g.p99Growth === null ? '-' : `${g.p99Growth}×`,
          `${g.small.probeMs ?? '-'} → ${g.large.probeMs ?? '-'}`, large === null ? '-' : fmtRatio(g.large.ratios.sqlite), note])
      }
      console.log(`\nLatency growth, ${settings.articles} → ${settings.largeArticles} articles (same scenario, ${settings.connections} connections; median of ${settings.rounds})\n`)
      console.log('(1 request ms: the probe, one request alone before the load; 1M × sqlite: req/s ratio to the storage ceiling on the 1 M file)\n')
      console.log(table(growthRows, ['scenario', 'req/s 10k', 'req/s 1M', 'p50 10k', 'p50 1M', 'p50 ×', 'p99 10k', 'p99 1M', 'p99 ×', '1 request ms', '1M × sqlite', '']))
    }

    printPlans(`Query plans, ${settings.articles} articles (warm ms per statement; "!!" = a SCAN, a pass over a whole table or index):`, plansSmall)
    if (largeResult !== null) printPlans(`Query plans, ${settings.largeArticles} articles (warm ms at ${settings.articles} → at ${settings.largeArticles}, where the statement is the same):`, largeResult.plans, plansSmall)

    if (profile !== null) {
      console.log(`\nCPU profile of Dateline on ${profile.scenario} (${profile.rpsWhileProfiling} req/s while profiling; ${profile.totalMs} ms sampled; ${profile.file}):`)
      console.log(table(profile.topFunctions.map((f) => [f.name, f.ms, `${f.percent} %`]), ['top self time', 'ms', 'share']))
      console.log('\n' + table(profile.byPlace.map((f) => [f.name, f.ms, `${f.percent} %`]), ['self time by place', 'ms', 'share']))
    }

    // What json-server can't do.
    const jsonCannot = [
      'search: its q= is a case-insensitive substring test over every field (unranked, no stemming, no snippets) — "government election" only finds that exact phrase; not measured',
      'keyset cursors: only offset paging (_page/_limit); the "cursor" row measures its last _page instead',
      'nested comment threads: flat ?articleId= lists only; the "thread" row measures the flat list of 200',
      'date pages: no day resources (label, note, counts); the "date" row measures a ?date= filter with _expand=author',
      'If-Match / 412: no preconditions on writes (lost updates), and every write rewrites the whole JSON file; not measured',
      'visibility: drafts and scheduled articles would be public (the exported file holds published articles only)',
      'validation, auth, sparse fields, sanitising: none'
    ]
    if (settings.jsonServer) console.log(`\njson-server ${jsonServerVersionUsed} (npm's latest; 1.0.0-beta.3 is the last beta that runs on Node 20 — later ones need Node ≥ 22.12) cannot:\n${jsonCannot.map((line) => `  - ${line}`).join('\n')}`)

    // ---- Targets.
    const targets = []
    const entry = (id) => results.find((e) => e.id === id)
    const target = (name, met, figures) => targets.push({ target: name, met, figures })
    for (const [name, min] of [['by-id', 0.7], ['by-slug', 0.7], ['list', 0.5]]) {
      const e = entry(`dateline:${name}`)
      if (e?.ratios.sqlite == null) continue
      target(`${name}: ≥ ${min * 100} % of the storage ceiling's req/s`, e.ratios.sqlite.median >= min, `${Math.round(e.ratios.sqlite.median * 100)} % (${Math.round(e.ratios.sqlite.min * 100)}–${Math.round(e.ratios.sqlite.max * 100)} %): ${e.rps.median} vs ${entry(`sqlite:${name}`).rps.median} req/s`)
    }
    const jsonComparable = results.filter((e) => e.server === 'dateline' && e.ratios.json != null)
    if (jsonComparable.length > 0) {
      const below = jsonComparable.filter((e) => e.ratios.json.median < 5)
      target('≥ 5× json-server on the reads it can do', below.length === 0, jsonComparable.map((e) => `${e.scenario} ${fmtRatio(e.ratios.json)}`).join(', '))
    }
    const reads = results.filter((e) => e.server === 'dateline' && e.scenario !== 'mixed' && e.scenario !== 'patch')
    if (reads.length > 0) {
      const slow = reads.filter((e) => e.skipped !== undefined || !(e.p99?.median < 10))
      target(`p99 < 10 ms at ${settings.connections} connections, every read, ${settings.articles} articles (saturated)`, slow.length === 0, reads.map((e) => e.skipped !== undefined ? `${e.scenario} ${Math.round(e.probe.ms)} ms for ONE request` : `${e.scenario} ${e.p99?.median ?? 'no answer'} ms`).join(', '))
      const slowAtHalf = reads.filter((e) => !(e.atHalfLoad?.p99 < 10))
      target(`p99 < 10 ms at ${settings.connections} connections, every read, at half its req/s`, slowAtHalf.length === 0, reads.map((e) => e.atHalfLoad == null ? `${e.scenario} -` : `${e.scenario} ${e.atHalfLoad.p99} ms at ${e.atHalfLoad.rate}/s`).join(', '))
    }
    if (growth !== null) {
      const pages = growth.filter((g) => ['dateline:list', 'dateline:cursor', 'dateline:date'].includes(g.id))
      const scans = (plans) => plans.error !== undefined ? [] : plans.flatMap((page) => page.statements.flatMap((st) => st.scans.map((line) => `${page.name.split(':')[0]}: ${line}`)))
      const largeScans = [...new Set(scans(largeResult.plans))]
      // Statements that grew > 10× from the small file to the large one: index range walks the plan calls SEARCH.
      const grown = []
      if (plansSmall.error === undefined && largeResult.plans.error === undefined) {
        largeResult.plans.forEach((page, p) => page.statements.forEach((st, i) => {
          const before = plansSmall[p]?.statements[i]
          if (before?.sql === st.sql && st.warmMs > 1 && st.warmMs > 10 * before.warmMs) grown.push(`${page.name.split(':')[0]}: ${st.sql.replace(/\s+/g, ' ').slice(0, 60)}… ${before.warmMs.toFixed(2)} → ${st.warmMs.toFixed(1)} ms`)
        }))
      }
      const describe = (g) => g.p50Growth !== null
        ? `${g.id.split(':')[1]} p50 ${g.p50Growth}× (p99 ${g.p99Growth}×, req/s ${g.rpsRatio}×)`
        : `${g.id.split(':')[1]} ${g.large.skipped !== undefined ? 'not load-tested' : `no answer within the ${settings.duration} s runs under load`}, one request ${g.small.probeMs} → ${g.large.probeMs} ms`
      target(`${settings.largeArticles} articles: list, cursor, date p50 within 1.5× of ${settings.articles}`, pages.length === 3 && pages.every((g) => g.p50Growth !== null && g.p50Growth <= 1.5), pages.map(describe).join(', ') + (largeScans.length > 0 ? `; full scans in the plans: ${largeScans.join('; ')}` : '; no SCAN in the plans') + (grown.length > 0 ? `; but statements that grew > 10×: ${grown.join('; ')}` : ''))
    }
    for (const [conditionalId, fullId, what] of [['dateline:conditional', 'dateline:by-id', 'article'], ['dateline:list-304', 'dateline:list', 'list page']]) {
      const conditional = entry(conditionalId)
      const full = entry(fullId)
      if (conditional?.cpuUsPerRequest == null || full?.cpuUsPerRequest == null) continue
      const cpuRatio = round(conditional.cpuUsPerRequest.median / full.cpuUsPerRequest.median, 2)
      target(`a 304 costs less than half a full read (${what})`, cpuRatio < 0.5, `server CPU ${conditional.cpuUsPerRequest.median} vs ${full.cpuUsPerRequest.median} µs/request (${cpuRatio}×); req/s ${conditional.rps.median} vs ${full.rps.median}`)
    }
    if (patchRps !== null) {
      const busy = (patchCounts['503'] ?? 0) + (patchCounts['500'] ?? 0)
      target('≥ 2,000 PATCHes/s with If-Match, no SQLITE_BUSY', patchRps.median >= 2000 && busy === 0, `${fmtSpread(patchRps)} PATCH/s; PATCH statuses over the run ${JSON.stringify(patchCounts)}`)
    }
    {
      const peaks = results.filter((e) => e.server === 'dateline' && e.skipped === undefined).map((e) => e.rssPeakMegabytes)
      const peak = Math.max(...peaks, soak?.rssPeakMegabytes ?? 0)
      const grew = soak === null ? null : soak.growthPercent
      target('RSS under sustained load < 200 MB; no growth over a 5-minute run', peak < 200 && (grew === null || grew < 5),
        `peak ${round(peak, 0)} MB over all ${settings.articles / 1000}k scenarios${soak === null ? '; no soak run (--soak S)' : `; soak ${soak.seconds} s: ${soak.rssSettledFirstMinuteMegabytes} → ${soak.rssLastMinuteMegabytes} MB (${soak.growthPercent} %)`}`)
    }
    console.log('\nTargets (issue 8):')
    for (const t of targets) console.log(`  ${t.met ? 'met    ' : 'NOT met'}  ${t.target}: ${t.figures}`)

    // Issue 19, target 4: against the lean ceiling, req/s in the same round; and, steadier on a
    // busy machine, the ceiling's server CPU per response over Dateline's in the same round.
    const leanTargets = []
    for (const [name, min] of [['list', 0.5], ['by-id', 0.6]]) {
      const e = entry(`dateline:${name}`)
      const lean = measured.get(`lean:${name}`)
      if (e?.ratios.lean == null || lean === undefined) continue
      const own = measured.get(`dateline:${name}`).runs
      const cpuRatio = spread(own.map((run, i) => lean.runs[i] === undefined ? null : lean.runs[i].serverCpuUsPerRequest / run.serverCpuUsPerRequest).filter((r) => r !== null && Number.isFinite(r)), 2)
      const what = name === 'list' ? 'a 20-article page with author' : 'an article by id'
      leanTargets.push({
        target: `${what}: ≥ ${min * 100} % of the lean ceiling's req/s`,
        met: e.ratios.lean.median >= min,
        ratio: e.ratios.lean,
        cpuRatio,
        figures: `${Math.round(e.ratios.lean.median * 100)} % (${Math.round(e.ratios.lean.min * 100)}–${Math.round(e.ratios.lean.max * 100)} %): ${e.rps.median} vs ${entry(`lean:${name}`).rps.median} req/s; by CPU per response ${Math.round(cpuRatio.median * 100)} % (${e.cpuUsPerRequest.median} vs ${entry(`lean:${name}`).cpuUsPerRequest.median} µs)`
      })
    }
    if (leanTargets.length > 0) {
      console.log(`\nTargets (issue 19, lists and reads against the lean ceiling; its JSON is Dateline's: ${Object.entries(leanSameJson).map(([name, same]) => `${name} ${same ? 'yes' : 'NO'}`).join(', ')}):`)
      for (const t of leanTargets) console.log(`  ${t.met ? 'met    ' : 'NOT met'}  ${t.target}: ${t.figures}`)
      targets.push(...leanTargets.map(({ target, met, figures }) => ({ target, met, figures })))
    }

    const postgres = settings.databases.has('postgres') ? await postgresPhase(small, results) : null

    Object.assign(report, {
      machine: { ...machine, loadAverageAtEnd: os.loadavg().map((v) => round(v, 2)) },
      generation: { small: small.generation, large: largeResult?.generation ?? null },
      fixtures: { lastPageCursor: small.fixtures.lastPageCursor, thread: small.fixtures.thread, searchQueries: small.fixtures.searchQueries, days: small.fixtures.days.slice(0, 5), visibleArticles: small.fixtures.visibleArticles },
      coldStart: { small: coldSmall, large: largeResult?.coldStart ?? null },
      results,
      writes: { patchStatuses: patchCounts, patchOnlyPerSecond: patchRps },
      soak,
      growth,
      plans: { small: plansSmall, large: largeResult?.plans ?? null },
      profile,
      jsonServer: { version: jsonServerVersionUsed, cannot: settings.jsonServer ? jsonCannot : null },
      targets,
      leanCeilingAnswersSameJson: leanSameJson,
      postgres
    })
    mkdirSync(dirname(opts.out), { recursive: true })
    writeFileSync(opts.out, JSON.stringify(report, null, 2) + '\n')
    console.log(`\nWrote ${opts.out}`)
  } finally {
    await stopAll(servers).catch(() => {})
    cleanUp()
  }
}

await runOnLoadCpu(main)
