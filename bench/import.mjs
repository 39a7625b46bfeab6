#!/usr/bin/env node
// Import throughput benchmark (issue 7, issue 19): generates an NDJSON export and a WordPress
// WXR file deterministically, imports each into a fresh database with the production import
// service (dist/, the code behind `dateline import` and POST /v1/import) in a child process
// allowed both CPUs (its sanitising pool and its writer thread take them), and compares with a
// raw better-sqlite3 insert loop of the same rows, single-threaded and pinned to CPU 0, measured
// in the same run. Then imports both files through POST /v1/import on a running server and
// reports the longest event-loop stall meanwhile (bench/import/stall-monitor.mjs, preloaded).
// See bench/README.md.
//
//   npm run build && node bench/import.mjs [--quick] [--articles N] [--wxr-mb MB] [--rounds 3]

import { spawnSync } from 'node:child_process'
import { createReadStream, createWriteStream, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import http from 'node:http'
import { once } from 'node:events'
import os from 'node:os'
import { dirname, join } from 'node:path'
import { parseArgs } from 'node:util'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { mulberry32 } from './http/common.mjs'

const here = dirname(fileURLToPath(import.meta.url))

const { values: opts } = parseArgs({
  options: {
    articles: { type: 'string' },
    'wxr-mb': { type: 'string' },
    rounds: { type: 'string', default: '3' },
    quick: { type: 'boolean', default: false },
    seed: { type: 'string', default: '20261125' },
    child: { type: 'string' },
    out: { type: 'string', default: join(here, 'results', 'import-latest.json') },
    'files-only': { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false }
  }
})

if (opts.help) {
  console.log(`Usage: node bench/import.mjs [options]   (run \`npm run build\` first)
  --articles N   articles in the NDJSON file (default 20000; --quick 5000)
  --wxr-mb MB    size of the generated WXR file (default 100; --quick 20)
  --rounds R     imports per file; medians with min–max (default 3; --quick 1)
  --seed S       PRNG seed
  --out FILE     results JSON (default bench/results/import-latest.json)
  --files-only DIR  write the two generated files to DIR and stop (for profiling by hand)`)
  process.exit(0)
}

const taskset = spawnSync('taskset', ['-V'], { stdio: 'ignore' }).status === 0

// ---------------------------------------------------------------------------------------------
// Child mode: one measured import (or raw insert loop) in a fresh process, on a fresh database.

if (opts.child !== undefined) {
  const [mode, file, dbFile] = JSON.parse(opts.child)
  const result = mode === 'raw'
    ? await rawInsert(file, dbFile, { searchIndex: true })
    : mode === 'raw-rows'
      ? await rawInsert(file, dbFile, { searchIndex: false })
      : mode === 'html'
        ? await htmlWork(file)
        : await serviceImport(file, dbFile)
  const cpu = process.cpuUsage()
  process.stdout.write(JSON.stringify({ ...result, cpuSeconds: (cpu.user + cpu.system) / 1e6, maxRssMegabytes: Math.round(process.resourceUsage().maxRSS / 1024) }) + '\n')
  process.exit(0)
}

async function serviceImport (file, dbFile) {
  const { openStore } = await import('../dist/db/open.js')
  const { importFile } = await import('../dist/resources/import/service.js')
  const { createReadStream } = await import('node:fs')
  const store = await openStore(dbFile, { timezone: 'UTC' })
  const started = performance.now()
  const report = await importFile(store, { timezone: 'UTC' }, { file }, { dryRun: false })
  const seconds = (performance.now() - started) / 1000
  await store.close()
  return { seconds, format: report.format, counts: report.counts }
}

/**
 * A ceiling no importer of untrusted HTML gets past: the work every article's body needs
 * before it can be stored (sanitised, and read as text for the excerpt and the search), with
 * the app's own functions and no database at all.
 */
async function htmlWork (file) {
  const { sanitizeArticleHtml, htmlToText } = await import('../dist/lib/html.js')
  const { createInterface } = await import('node:readline')
  const { createReadStream } = await import('node:fs')
  const bodies = []
  for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
    if (line === '') continue
    const row = JSON.parse(line)
    if (row.type === 'article') bodies.push(row.body)
  }
  const started = performance.now()
  for (const body of bodies) htmlToText(sanitizeArticleHtml(body))
  return { seconds: (performance.now() - started) / 1000, counts: { articles: { sanitised: bodies.length } } }
}

/**
 * The floor: the same rows written with prepared better-sqlite3 statements in one
 * transaction — articles with labels, the search text and (with `searchIndex`) both full-text indexes, and
 * comments — with none of the import's work (parsing XML, sanitising, slugs, idempotency keys).
 */
async function rawInsert (file, dbFile, { searchIndex }) {
  const Database = (await import('better-sqlite3')).default
  const { openDatabase, runMigrations } = await import('../dist/db/client.js')
  const migrated = openDatabase(dbFile)
  runMigrations(migrated)
  migrated.$client.close()
  const { createInterface } = await import('node:readline')
  const { createReadStream } = await import('node:fs')
  const rows = []
  for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) if (line !== '') rows.push(JSON.parse(line))
  const db = new Database(dbFile)
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = NORMAL')
  const author = db.prepare('insert into authors (id, slug, name, email, created_at, updated_at) values (?, ?, ?, ?, ?, ?)')
  const article = db.prepare(`insert into articles (id, slug, title, body, excerpt, status, published_at, published_day, author_id, created_at, updated_at)
    values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
  const label = db.prepare('insert into labels (name, key) values (?, ?) on conflict (key) do update set name = name returning id')
  const articleLabel = db.prepare('insert into article_labels (article_id, label_id, position) values (?, ?, ?)')
  const text = db.prepare('insert into articles_text (id, title, excerpt, body, labels) values (?, ?, ?, ?, ?)')
  const search = db.prepare('insert into articles_search (rowid, title, excerpt, body, labels) values (?, ?, ?, ?, ?)')
  const words = db.prepare('insert into articles_words (rowid, title, excerpt, body, labels) values (?, ?, ?, ?, ?)')
  const comment = db.prepare(`insert into comments (id, article_id, author_name, author_email, body, status, created_at, updated_at)
    values (?, ?, ?, ?, ?, ?, ?, ?)`)
  const started = performance.now()
  let articles = 0
  db.transaction(() => {
    for (const row of rows) {
      if (row.type === 'author') author.run(row.id, row.slug, row.name, row.email, row.createdAt, row.updatedAt)
      if (row.type === 'comment') comment.run(row.id, row.articleId, row.authorName, row.authorEmail, row.body, row.status, row.createdAt, row.updatedAt)
      if (row.type !== 'article') continue
      articles++
      const excerpt = row.excerpt ?? row.body.slice(0, 200)
      article.run(row.id, row.slug, row.title, row.body, excerpt, row.status, row.publishedAt, row.publishedAt.slice(0, 10), row.authorId, row.createdAt, row.updatedAt)
      row.labels.forEach((name, position) => articleLabel.run(row.id, label.get(name, name.toLowerCase()).id, position))
      const plain = row.body.replace(/<[^>]*>/g, ' ')
      const indexed = searchIndex ? [text, search, words] : [text]
      for (const statement of indexed) statement.run(row.id, row.title, excerpt, plain, row.labels.join(' '))
    }
  })()
  const seconds = (performance.now() - started) / 1000
  db.close()
  return { seconds, counts: { articles: { created: articles } } }
}

// ---------------------------------------------------------------------------------------------
// Deterministic content (the PRNG is bench/http/common.mjs's).

const vocabulary = ('the of and to a in that is for on was with council city river bridge police election market minister ' +
  'school hospital weather storm harbour train station budget vote mayor report week people year water street park ' +
  'museum festival library court judge museum protest strike company workers union energy price housing rent').split(' ')
const labelNames = ['Politics', 'Economy', 'Climate', 'Transport', 'Culture', 'Health', 'Education', 'Crime', 'Sport', 'Science']

function textMaker (random) {
  const word = () => vocabulary[Math.floor(random() * random() * vocabulary.length)]
  const sentence = () => {
    const words = Array.from({ length: 8 + Math.floor(random() * 12) }, word)
    return words[0].charAt(0).toUpperCase() + words.join(' ').slice(1) + '.'
  }
  const title = (id) => `${sentence().slice(0, -1).split(' ').slice(0, 7).join(' ')} ${id}`
  /** ~3 KB of paragraphs, with a link and some emphasis as real posts have. */
  const body = () => {
    const paragraphs = []
    let length = 0
    while (length < 3000) {
      const paragraph = Array.from({ length: 3 + Math.floor(random() * 4) }, sentence).join(' ')
      paragraphs.push(paragraphs.length === 1 ? paragraph.replace(' the ', ' <a href="https://example.org/more">the</a> ').replace(' of ', ' <em>of</em> ') : paragraph)
      length += paragraph.length + 8
    }
    return paragraphs.map((p) => `<p>${p}</p>`).join('\n')
  }
  const labels = () => [...new Set(Array.from({ length: 1 + Math.floor(random() * 3) }, () => labelNames[Math.floor(random() * labelNames.length)]))]
  return { sentence, title, body, labels }
}

const iso = (ms) => new Date(ms).toISOString()
const start = Date.parse('2015-01-01T00:00:00.000Z')
const span = Date.parse('2025-01-01T00:00:00.000Z') - start

async function writeLines (file, lines) {
  const out = createWriteStream(file)
  for (const line of lines) if (!out.write(line)) await once(out, 'drain')
  out.end()
  await once(out, 'finish')
}

/** A Dateline NDJSON export: 100 authors, `count` articles, a comment on every fifth. */
function * ndjsonLines (count, seed) {
  const random = mulberry32(seed)
  const make = textMaker(random)
  yield JSON.stringify({ type: 'header', format: 'dateline', version: 1, exportedAt: iso(Date.now()), counts: { authors: 100, articles: count, comments: Math.floor(count / 5) } }) + '\n'
  for (let id = 1; id <= 100; id++) {
    yield JSON.stringify({ type: 'author', id, slug: `author-${id}`, name: `Author ${id}`, bio: null, avatarUrl: null, url: null, email: `author${id}@example.org`, createdAt: iso(start), updatedAt: iso(start) }) + '\n'
  }
  for (let id = 1; id <= count; id++) {
    const at = iso(start + Math.floor(((id - 1 + random()) / count) * span))
    const title = make.title(id)
    yield JSON.stringify({
      type: 'article', id, slug: `article-${id}`, title, body: make.body(), excerpt: null, status: 'published', publishedAt: at,
      authorId: 1 + Math.floor(random() * 100), labels: make.labels(), createdAt: at, updatedAt: at
    }) + '\n'
  }
  for (let id = 1; id <= Math.floor(count / 5); id++) {
    const at = iso(start + Math.floor(((id * 5 - 1) / count) * span) + 3600_000)
    yield JSON.stringify({ type: 'comment', id, articleId: id * 5, parentId: null, authorName: `Reader ${id}`, authorUrl: null, authorEmail: `reader${id}@example.net`, body: `<p>${make.sentence()}</p>`, status: 'approved', createdAt: at, updatedAt: at }) + '\n'
  }
}

const cdata = (text) => `<![CDATA[${text.replaceAll(']]>', ']]]]><![CDATA[>')}]]>`

/** A WXR 1.2 file of about `megabytes` MB: posts with labels and a comment on every third. */
function * wxrLines (megabytes, seed) {
  const random = mulberry32(seed)
  const make = textMaker(random)
  const site = 'https://bench.example.org'
  yield `<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" xmlns:content="http://purl.org/rss/1.0/modules/content/"
  xmlns:wfw="http://wellformedweb.org/CommentAPI/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
  <title>Bench</title><link>${site}</link><description>Generated</description><language>en-US</language>
  <wp:wxr_version>1.2</wp:wxr_version><wp:base_site_url>${site}</wp:base_site_url><wp:base_blog_url>${site}</wp:base_blog_url>
`
  for (let id = 1; id <= 100; id++) {
    yield `  <wp:author><wp:author_id>${id}</wp:author_id><wp:author_login>${cdata(`author${id}`)}</wp:author_login><wp:author_email>${cdata(`author${id}@example.org`)}</wp:author_email><wp:author_display_name>${cdata(`Author ${id}`)}</wp:author_display_name></wp:author>\n`
  }
  let bytes = 0
  let commentId = 0
  for (let id = 1; bytes < megabytes * 1024 * 1024; id++) {
    const at = new Date(start + Math.floor(random() * span))
    const gmt = at.toISOString().slice(0, 19).replace('T', ' ')
    const comment = id % 3 === 0
      ? `    <wp:comment><wp:comment_id>${++commentId}</wp:comment_id><wp:comment_author>${cdata(`Reader ${commentId}`)}</wp:comment_author><wp:comment_author_email>reader${commentId}@example.net</wp:comment_author_email><wp:comment_author_IP>192.0.2.${commentId % 250}</wp:comment_author_IP><wp:comment_date>${gmt}</wp:comment_date><wp:comment_date_gmt>${gmt}</wp:comment_date_gmt><wp:comment_content>${cdata(make.sentence())}</wp:comment_content><wp:comment_approved>1</wp:comment_approved><wp:comment_type>comment</wp:comment_type><wp:comment_parent>0</wp:comment_parent></wp:comment>\n`
      : ''
    const item = `  <item>
    <title>${cdata(make.title(id))}</title><link>${site}/?p=${id}</link><pubDate>${at.toUTCString()}</pubDate>
    <dc:creator>${cdata(`author${1 + Math.floor(random() * 100)}`)}</dc:creator><guid isPermaLink="false">${site}/?p=${id}</guid>
    <description></description><content:encoded>${cdata(make.body())}</content:encoded><excerpt:encoded>${cdata('')}</excerpt:encoded>
    <wp:post_id>${id}</wp:post_id><wp:post_date>${cdata(gmt)}</wp:post_date><wp:post_date_gmt>${cdata(gmt)}</wp:post_date_gmt>
    <wp:post_name>${cdata(`post-${id}`)}</wp:post_name><wp:status>${cdata('publish')}</wp:status><wp:post_type>${cdata('post')}</wp:post_type>
${make.labels().map((name) => `    <category domain="category" nicename="${name.toLowerCase()}">${cdata(name)}</category>`).join('\n')}
${comment}  </item>
`
    bytes += Buffer.byteLength(item)
    yield item
  }
  yield '</channel>\n</rss>\n'
}

// ---------------------------------------------------------------------------------------------
// Runs and figures.

function runChild (mode, file, dbFile, cpus) {
  const args = [fileURLToPath(import.meta.url), '--child', JSON.stringify([mode, file, dbFile])]
  const command = taskset ? 'taskset' : process.execPath
  const result = spawnSync(command, taskset ? ['-c', cpus, process.execPath, ...args] : args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
  if (result.status !== 0) throw new Error(`${mode} import failed: ${result.stderr}`)
  return JSON.parse(result.stdout.trim().split('\n').at(-1))
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)]
const round = (value, digits = 1) => Number(value.toFixed(digits))

// The importer gets both CPUs (issue 19: sanitising beside writing); the baselines are one
// thread each, pinned to CPU 0 as before.
const cpusOf = (mode) => mode === 'service' ? '0,1' : '0'

function measure (label, mode, file, items, rounds, folder) {
  const runs = []
  for (let i = 0; i < rounds; i++) {
    const dbFile = join(folder, `${label}-${i}.db`.replaceAll(/[^\w.-]+/g, '-'))
    const result = runChild(mode, file, dbFile, cpusOf(mode))
    rmSync(dbFile, { force: true }); rmSync(`${dbFile}-wal`, { force: true }); rmSync(`${dbFile}-shm`, { force: true })
    runs.push(result)
    process.stderr.write(`  ${label} round ${i + 1}/${rounds}: ${round(result.seconds, 2)} s, ${Math.round(items / result.seconds)} items/s, CPU ${round(result.cpuSeconds, 1)} s, peak RSS ${result.maxRssMegabytes} MB\n`)
  }
  const seconds = runs.map((run) => run.seconds)
  const rates = seconds.map((s) => items / s)
  return {
    label,
    items,
    seconds: { median: round(median(seconds), 2), min: round(Math.min(...seconds), 2), max: round(Math.max(...seconds), 2) },
    itemsPerSecond: { median: Math.round(median(rates)), min: Math.round(Math.min(...rates)), max: Math.round(Math.max(...rates)) },
    peakRssMegabytes: Math.max(...runs.map((run) => run.maxRssMegabytes)),
    cpuSeconds: round(median(runs.map((run) => run.cpuSeconds)), 1),
    counts: runs[0].counts
  }
}

/** POSTs `file` to the server as it is read from disk. */
function postFile (port, path, file, headers) {
  return new Promise((resolve, reject) => {
    const started = performance.now()
    const req = http.request({ host: '127.0.0.1', port, path, method: 'POST', headers: { ...headers, 'content-length': statSync(file).size } }, (response) => {
      const chunks = []
      response.on('data', (chunk) => chunks.push(chunk))
      response.on('end', () => resolve({ status: response.statusCode, body: Buffer.concat(chunks).toString('utf8'), seconds: (performance.now() - started) / 1000 }))
      response.on('error', reject)
    })
    req.on('error', reject)
    createReadStream(file).pipe(req)
  })
}

/** The longest delay any of the server's processes saw since the last reset (stall-monitor.mjs). */
function stallOf (dir) {
  const each = readdirSync(dir).map((name) => JSON.parse(readFileSync(join(dir, name), 'utf8'))).filter((stats) => stats.samples > 0)
  return { maxMs: round(Math.max(0, ...each.map((stats) => stats.maxMs))), p99Ms: round(Math.max(0, ...each.map((stats) => stats.p99Ms))) }
}

/**
 * Each file imported through POST /v1/import on one running server (a fresh SQLite file),
 * while a read is asked every 20 ms; the event loop's longest stall during each, and the same
 * server idle (reads only) as long as the longest import, for the noise floor.
 */
async function apiImports (files, folder) {
  const { dateline, adminToken } = await import('./http/servers.mjs')
  const { request, sleep } = await import('./http/common.mjs')
  const stallDir = join(folder, 'stalls')
  mkdirSync(stallDir, { recursive: true })
  const server = dateline(join(folder, 'api.db'))
  server.env = { ...server.env, DATELINE_BENCH_STALL_DIR: stallDir }
  await server.start({ nodeFlags: [`--import=${pathToFileURL(join(here, 'import', 'stall-monitor.mjs')).href}`], cpus: taskset ? '0,1' : null })
  /** What each server process saw since the last call (SIGUSR2: stall-monitor.mjs). */
  const stallSinceLast = async () => {
    for (const pid of server.pids()) process.kill(pid, 'SIGUSR2')
    await sleep(200)
    return stallOf(stallDir)
  }
  const watched = async (label, work) => {
    await stallSinceLast()
    let done = false
    let slowestReadMs = 0
    let reads = 0
    const reading = (async () => {
      while (!done) {
        const answer = await request(server.port, '/v1/articles?limit=1', { timeoutMs: 600_000 })
        slowestReadMs = Math.max(slowestReadMs, answer.ms)
        reads++
        await sleep(20)
      }
    })()
    const result = await work()
    done = true
    await reading
    return { label, ...result, stall: await stallSinceLast(), slowestReadMs: round(slowestReadMs), reads }
  }
  try {
    const runs = []
    for (const { file, type, label } of files) {
      runs.push(await watched(label, async () => {
        const answer = await postFile(server.port, '/v1/import', file, { authorization: `Bearer ${adminToken}`, 'content-type': type })
        if (answer.status !== 200) throw new Error(`POST /v1/import of ${label} answered ${answer.status}: ${answer.body.slice(0, 500)}`)
        return { seconds: round(answer.seconds, 2), status: answer.status }
      }))
    }
    const longest = Math.max(...runs.map((run) => run.seconds))
    runs.push(await watched('idle', async () => {
      await sleep(longest * 1000)
      return { seconds: longest, status: '-' }
    }))
    return runs
  } finally {
    await server.stop()
  }
}

async function main () {
  const articles = Number(opts.articles ?? (opts.quick ? 5000 : 20000))
  const wxrMegabytes = Number(opts['wxr-mb'] ?? (opts.quick ? 20 : 100))
  const rounds = Number(opts.quick ? 1 : opts.rounds)
  const seed = Number(opts.seed)
  if (opts['files-only'] !== undefined) {
    mkdirSync(opts['files-only'], { recursive: true })
    await writeLines(join(opts['files-only'], 'export.ndjson'), ndjsonLines(articles, seed))
    await writeLines(join(opts['files-only'], 'export.wxr.xml'), wxrLines(wxrMegabytes, seed))
    console.log(`Wrote export.ndjson and export.wxr.xml to ${opts['files-only']}`)
    return
  }
  const folder = mkdtempSync(join(os.tmpdir(), 'dateline-import-bench-'))
  try {
    console.log(`Dateline import benchmark — NDJSON ${articles} articles, WXR ~${wxrMegabytes} MB, ${rounds} rounds; raw loops on CPU 0, importer on CPUs 0–1${taskset ? ' (taskset)' : ' (not pinned: no taskset)'}`)
    const ndjson = join(folder, 'export.ndjson')
    const wxr = join(folder, 'export.wxr.xml')
    await writeLines(ndjson, ndjsonLines(articles, seed))
    await writeLines(wxr, wxrLines(wxrMegabytes, seed))
    const wxrItems = Number(spawnSync('grep', ['-c', '<item>', wxr], { encoding: 'utf8' }).stdout.trim())
    const sizes = { ndjsonMegabytes: round(statSync(ndjson).size / 1024 / 1024), wxrMegabytes: round(statSync(wxr).size / 1024 / 1024) }
    console.log(`Generated: NDJSON ${sizes.ndjsonMegabytes} MB (${articles} articles), WXR ${sizes.wxrMegabytes} MB (${wxrItems} items)`)

    const raw = measure('raw better-sqlite3 inserts (NDJSON rows)', 'raw', ndjson, articles, rounds, folder)
    const rawRows = measure('  the same without the full-text indexes', 'raw-rows', ndjson, articles, rounds, folder)
    const html = measure('  sanitise + text of the same bodies, no database', 'html', ndjson, articles, rounds, folder)
    const ndjsonRun = measure('NDJSON import', 'service', ndjson, articles, rounds, folder)
    const wxrRun = measure('WXR import', 'service', wxr, wxrItems, rounds, folder)
    const results = [raw, rawRows, html, ndjsonRun, wxrRun]
    console.log('\nitems/s are articles (NDJSON) or <item>s (WXR) per second of import, after migrations; medians (min–max)\n')
    console.log(['what', 'items', 'seconds', 'items/s', '× raw', 'CPU s (all threads)', 'peak RSS MB'].join('\t'))
    for (const result of results) {
      console.log([result.label, result.items, `${result.seconds.median} (${result.seconds.min}–${result.seconds.max})`,
        `${result.itemsPerSecond.median} (${result.itemsPerSecond.min}–${result.itemsPerSecond.max})`,
        round(result.itemsPerSecond.median / raw.itemsPerSecond.median, 2), result.cpuSeconds, result.peakRssMegabytes].join('\t'))
    }
    console.log(`\nThe raw loops and the sanitising ceiling run on one thread pinned to CPU 0${taskset ? '' : ' (no taskset here: not pinned)'}; the imports may use`)
    console.log('both CPUs (a reader thread parsing and sanitising the file a few batches ahead of a writer thread). × raw is')
    console.log('items/s against the single-threaded raw loop with both full-text indexes, in this run.')

    process.stderr.write('  imports through POST /v1/import on a running server, watching its event loop\n')
    const api = await apiImports([{ file: ndjson, type: 'application/x-ndjson', label: 'NDJSON' }, { file: wxr, type: 'application/xml', label: 'WXR' }], folder)
    console.log('\nThrough the API (`dateline serve`, both CPUs; a read of /v1/articles?limit=1 every 20 ms meanwhile):\n')
    console.log(['what', 'seconds', 'status', 'longest event-loop stall ms', 'p99 delay ms', 'slowest read ms', 'reads'].join('\t'))
    for (const run of api) console.log([run.label, run.seconds, run.status, run.stall.maxMs, run.stall.p99Ms, run.slowestReadMs, run.reads].join('\t'))

    const ratio = (run) => round(run.itemsPerSecond.median / raw.itemsPerSecond.median, 2)
    const fullWxr = wxrMegabytes >= 100
    const worstStall = Math.max(...api.filter((run) => run.label !== 'idle').map((run) => run.stall.maxMs))
    const targets = [
      ['NDJSON import × raw (both search indexes)', '≥ 0.8', ratio(ndjsonRun), ratio(ndjsonRun) >= 0.8],
      ['WXR import × raw (both search indexes)', '≥ 0.8', ratio(wxrRun), ratio(wxrRun) >= 0.8],
      [`peak RSS of the WXR import (${sizes.wxrMegabytes} MB file)`, '≤ 300 MB on the 100 MB WXR', `${wxrRun.peakRssMegabytes} MB`, fullWxr ? wxrRun.peakRssMegabytes <= 300 : null],
      ['longest event-loop stall during an API import', '≤ 20 ms', `${worstStall} ms (idle server: ${api.find((run) => run.label === 'idle').stall.maxMs} ms)`, worstStall <= 20]
    ]
    console.log('\nTargets (issue 19):\n')
    console.log(['target', 'wanted', 'measured', 'met'].join('\t'))
    for (const [what, wanted, measured, met] of targets) console.log([what, wanted, measured, met === null ? 'n/a (only the full run makes a 100 MB file)' : met ? 'yes' : 'NO'].join('\t'))
    const report = {
      benchmark: 'import',
      date: new Date().toISOString(),
      machine: { node: process.version, cpus: os.cpus().length, pinned: taskset ? 'importer on CPU 0' : 'not pinned', loadAverage: os.loadavg().map((v) => round(v, 2)) },
      settings: { articles, wxrMegabytes, rounds, seed },
      files: { ...sizes, wxrItems },
      results,
      api,
      targets: { ndjsonTimesRaw: round(ndjsonRun.itemsPerSecond.median / raw.itemsPerSecond.median, 2), wxrTimesRaw: round(wxrRun.itemsPerSecond.median / raw.itemsPerSecond.median, 2), wxrPeakRssMegabytes: wxrRun.peakRssMegabytes, longestApiStallMs: Math.max(...api.filter((run) => run.label !== 'idle').map((run) => run.stall.maxMs)) }
    }
    mkdirSync(dirname(opts.out), { recursive: true })
    writeFileSync(opts.out, JSON.stringify(report, null, 2) + '\n')
    console.log(`\nWrote ${opts.out}`)
  } finally {
    rmSync(folder, { recursive: true, force: true })
  }
}

await main()
