#!/usr/bin/env node
// Search latency benchmark (issue 6): generates a deterministic N-article database, serves it
// with the production code path (`node dist/cli.js serve`) pinned to CPU 0, and measures search
// latency over HTTP from this process (pinned to CPU 1). See bench/README.md.
//
//   npm run build && node bench/search.mjs [--quick | --articles N] [--rounds 3] [--requests 200]
//                                          [--warmup 20] [--budget 15] [--timeout 10] [--keep] [--db FILE]
//                                          [--database postgres [--postgres-url URL] [--loaded]]

import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import http from 'node:http'
import os from 'node:os'
import { dirname, join } from 'node:path'
import { parseArgs } from 'node:util'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import { buildApp } from '../dist/app.js'
import { freePort, hasTaskset, intOption, mulberry32, runOnLoadCpu } from './http/common.mjs'
import { isolationSection } from './search/isolation.mjs'
import { printRelevanceReport, relevanceReport } from './search/relevance.mjs'
import { printTargets, targetRows } from './search/targets.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const root = join(here, '..')

// ---------------------------------------------------------------------------------------------
// Options, and pinning this process to CPU 1 (the server gets CPU 0).

const { values: opts } = parseArgs({
  options: {
    articles: { type: 'string' },
    quick: { type: 'boolean', default: false },
    rounds: { type: 'string', default: '3' },
    requests: { type: 'string', default: '200' },
    warmup: { type: 'string', default: '20' },
    budget: { type: 'string', default: '15' },
    timeout: { type: 'string', default: '10' },
    'slow-ms': { type: 'string', default: '1000' },
    'explain-timeout': { type: 'string', default: '60' },
    'capture-statements': { type: 'string' },
    'capture-q': { type: 'string' },
    'capture-suggest': { type: 'boolean', default: false },
    seed: { type: 'string', default: '20260625' },
    keep: { type: 'boolean', default: false },
    'skip-relevance': { type: 'boolean', default: false },
    db: { type: 'string' },
    'skip-isolation': { type: 'boolean', default: false },
    'isolation-only': { type: 'boolean', default: false },
    database: { type: 'string', default: 'sqlite' },
    'postgres-url': { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/dateline_search_bench' },
    loaded: { type: 'boolean', default: false },
    out: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false }
  }
})

if (opts.help) {
  console.log(`Usage: node bench/search.mjs [options]   (run \`npm run build\` first)
  --articles N    articles to generate (default 100000)
  --quick         10000 articles
  --rounds R      rounds per query kind; medians are reported with min–max (default 3)
  --requests K    measured sequential requests per kind and round (default 200)
  --warmup W      unmeasured requests per kind before each round (default 20)
  --budget S      seconds per kind and round after which it stops early (at least 5 samples; default 15);
                  warm-ups stop after a quarter of it
  --timeout S     a request slower than this marks its kind "timed out": the server (stuck in SQLite)
                  is killed and restarted and the kind is skipped from then on (default 10)
  --slow-ms MS    kinds whose first-round p50 is above this run one round only (default 1000)
  --explain-timeout S  limit for capturing the app's statements in a child process (default 60)
  --seed S        PRNG seed (default 20260625)
  --keep          keep the generated database (its path is printed)
  --db FILE       benchmark an existing database made by --keep instead of generating one
  --skip-isolation  leave out the isolation section (event-loop stalls, by id while searching: bench/search/isolation.mjs)
  --isolation-only  only the isolation section
  --skip-relevance  leave out the relevance report (top 5 of five searches ranked the old way and now)

  --database postgres  serve the same articles from PostgreSQL (bench/search/postgres.mjs): the
                  generated (or --db) SQLite file is copied into the database --postgres-url names
                  (default postgres://postgres@127.0.0.1:5432/dateline_search_bench), which is
                  dropped and created; dropped again at the end unless --keep
  --loaded        with --database postgres: that database is already loaded (by --keep) from --db FILE
  --out FILE      results JSON (default bench/results/search-latest.json, search-postgres-latest.json)`)
  process.exit(0)
}

// ---------------------------------------------------------------------------------------------
// Deterministic text: a seeded PRNG (bench/http/common.mjs) and a Zipf-distributed vocabulary.

// The most frequent words of English prose come first.
const functionWords = ('the of and to a in that is for on was with he it as at by his be from are have but not ' +
  'this had they has were an which their said or will one been would its who we all more after also there new ' +
  'than about when into over up out could two last first some what other only her she them time most').split(' ')

// News vocabulary; earlier = more frequent. The first few are the benchmark's "common words".
const newsWords = ('government police election market minister city people year council report week state president ' +
  'court public company health water school percent million party officials plan workers money support price ' +
  'energy family local children hospital village river border museum festival harbour railway bridge storm flood ' +
  'budget economy trade vote campaign parliament mayor judge trial prison army soldiers talks deal crisis protest ' +
  'strike teachers doctors farmers fishermen climate weather summer winter spring autumn morning evening night ' +
  'history music football match season league team coach players stadium tourists hotel airport flights ships ' +
  'port island coast mountain forest fire heat drought harvest wheat oil gas power electricity prices inflation ' +
  'bank loans housing rent streets traffic buses trains station library theatre film book writer painter ' +
  'exhibition science research university students study data internet phone online attack attacks attacked ' +
  'reporting reported reports investigation arrested charged killed injured rescue survivors earthquake ' +
  'reconstruction aid refugees migrants ministers leaders summit treaty sanctions exports imports factory jobs ' +
  'wages pensions taxes reform law rights women men youth elderly community neighbours residents volunteers ' +
  'church mosque shop restaurant coffee bread fish food wine olive desert oasis road highway tunnel dam reservoir ' +
  'canal lake café naïve déjà').split(' ')

// Multi-word names: adjacent tokens, so phrase queries have something to find.
const names = ['new york', 'prime minister', 'united nations', 'hong kong', 'european union', 'maria delgado',
  'omar haddad', 'red cross', 'world cup', 'central bank', 'supreme court', 'city hall', 'saint petersburg',
  'buenos aires', 'cape town', 'lena okafor', 'jonas berg', 'aung min', 'sofia marquez', 'ravi menon']

const syllables = ['ka', 'lo', 'mi', 'ra', 'ten', 'sor', 'vel', 'qua', 'dri', 'nes', 'bal', 'tor', 'mun', 'pel', 'gar',
  'fi', 'zo', 'shu', 'len', 'dor', 'vi', 'bra', 'cle', 'ost', 'ung', 'be', 'tha', 'mor', 'ski', 'pa']

function buildVocabulary (random) {
  const taken = new Set([...functionWords, ...newsWords, ...names.flatMap((name) => name.split(' '))])
  const made = (count, minSyllables, maxSyllables) => {
    const words = []
    while (words.length < count) {
      const length = minSyllables + Math.floor(random() * (maxSyllables - minSyllables + 1))
      let word = ''
      for (let i = 0; i < length; i++) word += syllables[Math.floor(random() * syllables.length)]
      if (!taken.has(word)) { taken.add(word); words.push(word) }
    }
    return words
  }
  const synthetic = made(2800, 2, 3)
  // Rare words: each appears in about (articles × rareShare / rare.length) articles.
  const rare = made(300, 4, 4)
  const ranked = [...functionWords, ...newsWords, ...synthetic]
  // Names at middle ranks (150, 175, …): common enough to find, far from every article.
  names.forEach((name, i) => ranked.splice(150 + i * 25, 0, name))
  const cumulative = new Float64Array(ranked.length)
  let sum = 0
  for (let r = 0; r < ranked.length; r++) { sum += 1 / (r + 1); cumulative[r] = sum }
  for (let r = 0; r < ranked.length; r++) cumulative[r] /= sum
  const contentFrom = functionWords.length
  return { ranked, cumulative, rare, contentFrom }
}

function sampleRank (cumulative, u, from = 0) {
  // u in [0,1) over ranks >= from.
  const base = from === 0 ? 0 : cumulative[from - 1]
  const target = base + u * (1 - base)
  let lo = from
  let hi = cumulative.length - 1
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (cumulative[mid] < target) lo = mid + 1
    else hi = mid
  }
  return lo
}

const capitalise = (text) => text.charAt(0).toUpperCase() + text.slice(1)
const titleCase = (word) => word.split(' ').map(capitalise).join(' ')
const nameSet = new Set(names)

const labelNames = ['Politics', 'Economy', 'Climate', 'World', 'Sport', 'Culture', 'Science', 'Health', 'Education',
  'Crime', 'Courts', 'Transport', 'Housing', 'Energy', 'Agriculture', 'Fishing', 'Tourism', 'Technology', 'Media',
  'Religion', 'Migration', 'Elections', 'Weather', 'Floods', 'Wildfires', 'Football', 'Music', 'Film', 'Books', 'Art',
  'History', 'Food', 'Wine', 'Business', 'Labour', 'Trade', 'Finance', 'Diplomacy', 'Defence', 'Human Rights',
  'Local News', 'City Council', 'Opinion', 'Analysis', 'Interviews', 'Obituaries', 'Photography', 'Data', 'Explainers',
  'Live']

const firstNames = ['Amira', 'Ben', 'Chloé', 'Daniel', 'Elif', 'Farid', 'Grace', 'Hugo', 'Ines', 'Jamal', 'Kasia', 'Liam',
  'Mona', 'Nadia', 'Oscar', 'Priya', 'Quentin', 'Rosa', 'Samir', 'Tomás']
const lastNames = ['Adeyemi', 'Brandt', 'Costa', 'Dubois', 'Eriksen', 'Fischer', 'García', 'Haddad', 'Ivanova', 'Jensen',
  'Kowalski', 'Lopez', 'Moreau', 'Nakamura', 'Okafor', 'Petrov', 'Rossi', 'Svensson', 'Tanaka', 'Weber']

function slugify (text) {
  return text.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '')
}

// ---------------------------------------------------------------------------------------------
// Generation: migrate through the app, then bulk-insert with better-sqlite3.

async function generate (file, count, seed) {
  const started = performance.now()
  // Migrations (and meta) exactly as the app makes them.
  const app = await buildApp({ databaseUrl: file, timezone: 'UTC', locale: 'en-US', demo: false, adminToken: null })
  await app.close()

  const random = mulberry32(seed)
  const vocabulary = buildVocabulary(random)
  const { ranked, cumulative, rare, contentFrom } = vocabulary
  const word = (from = 0) => ranked[sampleRank(cumulative, random(), from)]

  const db = new Database(file)
  // A throwaway file: no journal, no syncing while loading; WAL again at the end.
  db.pragma('journal_mode = OFF')
  db.pragma('synchronous = OFF')
  db.pragma('cache_size = -262144')
  db.pragma('foreign_keys = OFF')

  const times = { text: 0, rows: 0, fts: 0 }
  const startIso = Date.parse('2015-01-01T00:00:00.000Z')
  const span = Date.parse('2025-01-01T00:00:00.000Z') - startIso

  const insertAuthor = db.prepare(`insert into authors (id, slug, name, bio, email, version, created_at, updated_at)
    values (?, ?, ?, ?, ?, 1, ?, ?)`)
  const insertLabel = db.prepare('insert into labels (id, name, key) values (?, ?, ?)')
  const insertArticle = db.prepare(`insert into articles (id, slug, title, body, excerpt, custom_excerpt, status,
      published_at, published_day, author_id, comment_count, version, created_at, updated_at)
    values (?, ?, ?, ?, ?, null, 'published', ?, ?, ?, 0, 1, ?, ?)`)
  const insertArticleLabel = db.prepare('insert into article_labels (article_id, label_id, position) values (?, ?, ?)')
  const insertText = db.prepare('insert into articles_text (id, title, excerpt, body, labels) values (?, ?, ?, ?, ?)')

  let bodyBytes = 0
  db.transaction(() => {
    const createdAt = '2014-12-01T09:00:00.000Z'
    for (let id = 1; id <= 100; id++) {
      const name = `${firstNames[(id - 1) % 20]} ${lastNames[Math.floor((id - 1) / 20) * 4 % 20 + (id - 1) % 4]}`
      insertAuthor.run(id, `${slugify(name)}-${id}`, name, `Reporter #${id}.`, `author${id}@example.com`, createdAt, createdAt)
    }
    labelNames.forEach((name, i) => insertLabel.run(i + 1, name, name.toLocaleLowerCase('en-US')))

    for (let id = 1; id <= count; id++) {
      let t0 = performance.now()
      // Title: 5–9 content words.
      const titleWords = []
      const titleLength = 5 + Math.floor(random() * 5)
      for (let i = 0; i < titleLength; i++) titleWords.push(word(contentFrom))
      const title = titleWords.map((w, i) => nameSet.has(w) ? titleCase(w) : i === 0 ? capitalise(w) : w).join(' ')
      // Body: paragraphs of sentences until ~3 KB (2.5–3.5 KB).
      const target = 2500 + Math.floor(random() * 1000)
      const paragraphs = []
      let length = 0
      const rareAt = random() < 0.1 ? Math.floor(random() * 400) : -1
      let words = 0
      while (length < target) {
        const sentences = []
        const sentenceCount = 3 + Math.floor(random() * 4)
        for (let s = 0; s < sentenceCount && length < target; s++) {
          const sentence = []
          const sentenceLength = 8 + Math.floor(random() * 13)
          for (let i = 0; i < sentenceLength; i++) {
            let w = words++ === rareAt ? rare[Math.floor(random() * rare.length)] : word()
            if (nameSet.has(w)) w = titleCase(w)
            sentence.push(w)
          }
          const text = capitalise(sentence.join(' ')) + '.'
          sentences.push(text)
          length += text.length + 1
        }
        paragraphs.push(sentences.join(' '))
      }
      const body = paragraphs.map((p) => `<p>${p}</p>`).join('\n')
      const text = paragraphs.join(' ')
      bodyBytes += body.length
      const cut = text.lastIndexOf(' ', 200)
      const excerpt = text.slice(0, cut > 0 ? cut : 200).replace(/[.,;:]$/, '') + '…'
      const labelCount = 1 + Math.floor(random() * 3)
      const labelIds = []
      while (labelIds.length < labelCount) {
        // Skewed: low label ids are used more.
        const labelId = 1 + Math.floor(labelNames.length * random() * random())
        if (!labelIds.includes(labelId)) labelIds.push(labelId)
      }
      const publishedMs = startIso + Math.floor(((id - 1 + random()) / count) * span)
      const publishedAt = new Date(publishedMs).toISOString()
      const createdAtArticle = new Date(publishedMs - Math.floor(random() * 6 * 3600_000)).toISOString()
      const authorId = 1 + Math.floor(random() * 100)
      const labelText = labelIds.map((labelId) => labelNames[labelId - 1]).join(' ')
      let t1 = performance.now()
      times.text += t1 - t0

      insertArticle.run(id, `${slugify(title).slice(0, 80)}-${id}`, title, body, excerpt, publishedAt,
        publishedAt.slice(0, 10), authorId, createdAtArticle, publishedAt)
      labelIds.forEach((labelId, position) => insertArticleLabel.run(id, labelId, position))
      t0 = performance.now()
      times.rows += t0 - t1

      insertText.run(id, title, excerpt, text, labelText)
      t1 = performance.now()
      times.fts += t1 - t0
      if (id % 10000 === 0) process.stderr.write(`  generated ${id}/${count} (${((t1 - started) / 1000).toFixed(1)} s)\n`)
    }
    // Both full-text indexes read the text from articles_text (as src/search/index.ts does at start-up).
    const t0 = performance.now()
    for (const index of ['articles_search', 'articles_words']) db.prepare(`insert into ${index} (${index}) values ('rebuild')`).run()
    times.fts += performance.now() - t0
    db.prepare(`insert or replace into meta (key, value) values ('search_index_version', '3'), ('timezone', 'UTC')`).run()
  })()
  const commitDone = performance.now()
  db.pragma('journal_mode = WAL')
  db.close()
  const seconds = (performance.now() - started) / 1000
  return {
    articles: count,
    seconds: round(seconds, 1),
    articlesPerSecond: Math.round(count / seconds),
    breakdownSeconds: {
      generateText: round(times.text / 1000, 1),
      insertRows: round(times.rows / 1000, 1),
      insertSearchIndexes: round(times.fts / 1000, 1),
      commitAndRest: round((commitDone - started) / 1000 - (times.text + times.rows + times.fts) / 1000, 1)
    },
    averageBodyBytes: Math.round(bodyBytes / count),
    fileMegabytes: round(statSync(file).size / 1e6, 0),
    vocabulary
  }
}

// ---------------------------------------------------------------------------------------------
// Query kinds. Terms come from the generator's vocabulary, so they are the same for every N.

/**
 * The worst search: the 8 commonest words of more than one letter (in every article), in five
 * orders, repeated up to 480 characters in other cases, and the last typed as a 2-letter prefix
 * that the commonest words share. Forms, phrases and exclusions of them cost less (fewer hits).
 */
function worstQueries () {
  const common = functionWords.filter((word) => word.length > 1).slice(0, 8)
  return [0, 1, 2, 3, 4].map((turn) => {
    const words = [...common.slice(turn), ...common.slice(0, turn)]
    let q = ''
    while (q.length < 480) q += `${words.join(' ')} ${words.map((word) => word.toUpperCase()).join(' ')} `
    return `${q.slice(0, 480).replace(/\S*$/, '')}th`
  })
}

function queryKinds (vocabulary) {
  const rare = vocabulary.rare.slice(0, 5)
  const search = (q, extra = '') => `/v1/articles?q=${encodeURIComponent(q)}${extra}`
  return [
    { kind: 'baseline: /healthz', paths: ['/healthz'], baseline: true },
    { kind: 'baseline: list, no q', paths: ['/v1/articles?limit=20', '/v1/articles?limit=20&offset=20'], baseline: true },
    { kind: 'one common word', paths: ['government', 'police', 'election', 'market', 'minister'].map((q) => search(q)) },
    { kind: 'one common word, typed + space', paths: ['government ', 'police ', 'election ', 'market ', 'minister '].map((q) => search(q)), note: 'trailing space: whole word only, no prefix' },
    { kind: 'one common word, sort=-publishedAt', paths: ['government', 'police', 'election', 'market', 'minister'].map((q) => search(q, '&sort=-publishedAt')), note: 'no bm25 ordering' },
    { kind: 'two common words', paths: ['government election', 'police court', 'market prices', 'minister budget', 'city council'].map((q) => search(q)) },
    { kind: 'rare word', paths: rare.map((q) => search(q)) },
    { kind: 'phrase', paths: ['"prime minister"', '"new york"', '"united nations"', '"central bank"', '"red cross"'].map((q) => search(q)) },
    { kind: 'prefix while typing (3 letters)', paths: ['gov', 'pol', 'ele', 'mar', 'hos'].map((q) => search(q)) },
    { kind: 'exclusion', paths: ['government -election', 'police -court', 'market -prices', 'minister -budget', 'city -council'].map((q) => search(q)) },
    // The costliest q a client can send (issue 15); what counts of it (src/search/query.ts) is
    // 8 distinct words found in nearly every article, the last a prefix.
    { kind: 'worst q (500 characters)', paths: worstQueries().map((q) => search(q)), note: 'compare with "two common words"' },
    { kind: 'suggest', paths: ['gov', 'elec', 'new y', 'prime min', 'hosp'].map((q) => `/v1/search/suggest?q=${encodeURIComponent(q)}`) }
  ]
}

// ---------------------------------------------------------------------------------------------
// HTTP measurement.

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })

class TimeoutError extends Error {}

function get (port, path, timeoutMs = 0) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint()
    let timer = null
    const request = http.get({ host: '127.0.0.1', port, path, agent }, (response) => {
      const chunks = []
      response.on('data', (chunk) => chunks.push(chunk))
      response.on('end', () => {
        const ms = Number(process.hrtime.bigint() - started) / 1e6
        if (timer !== null) clearTimeout(timer)
        resolve({ ms, status: response.statusCode, body: Buffer.concat(chunks) })
      })
      response.on('error', reject)
    })
    request.on('error', (error) => {
      if (timer !== null) clearTimeout(timer)
      reject(error)
    })
    if (timeoutMs > 0) timer = setTimeout(() => request.destroy(new TimeoutError(`${path}: no answer after ${timeoutMs} ms`)), timeoutMs)
  })
}

const round = (value, digits = 2) => Number(value.toFixed(digits))

function percentile (sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]
}

/**
 * One GET that must answer 200 within --timeout. A request past it leaves the server's event loop
 * stuck in SQLite, so the server is killed and restarted; null tells the caller it timed out.
 */
async function timedGet (server, path, settings) {
  try {
    const response = await get(server.port, path, settings.timeout * 1000)
    if (response.status !== 200) throw new Error(`${path} answered ${response.status}: ${response.body.toString().slice(0, 300)}`)
    return response
  } catch (error) {
    if (!(error instanceof TimeoutError)) throw error
    process.stderr.write(`  ${decodeURIComponent(path)} took more than ${settings.timeout} s: restarting the server\n`)
    await server.restart()
    return null
  }
}

async function measureKind (server, spec, settings, roundIndex) {
  if (roundIndex === 0) {
    // One request per query: its hit count (meta.total), and whether the kind is feasible at all.
    spec.hits = []
    spec.firstMs = []
    for (const path of spec.paths) {
      const response = await timedGet(server, path, settings)
      if (response === null) { spec.timedOut = { path, round: 1, afterSeconds: settings.timeout }; return null }
      const body = JSON.parse(response.body.toString())
      spec.hits.push(body.meta?.total ?? (Array.isArray(body.data) ? body.data.length : null))
      spec.firstMs.push(round(response.ms, 2))
    }
  }
  const warmupStarted = performance.now()
  for (let i = 0; i < settings.warmup; i++) {
    if (i > 0 && performance.now() - warmupStarted > settings.budget * 250) break
    const path = spec.paths[i % spec.paths.length]
    if (await timedGet(server, path, settings) === null) { spec.timedOut = { path, round: roundIndex + 1, afterSeconds: settings.timeout }; return null }
  }
  const samples = []
  const started = performance.now()
  for (let i = 0; i < settings.requests; i++) {
    const path = spec.paths[i % spec.paths.length]
    const response = await timedGet(server, path, settings)
    if (response === null) { spec.timedOut = { path, round: roundIndex + 1, afterSeconds: settings.timeout }; return null }
    samples.push(response.ms)
    if (samples.length >= 5 && performance.now() - started > settings.budget * 1000) break
  }
  const wall = (performance.now() - started) / 1000
  samples.sort((a, b) => a - b)
  return {
    n: samples.length,
    p50: percentile(samples, 0.5),
    p99: percentile(samples, 0.99),
    mean: samples.reduce((a, b) => a + b, 0) / samples.length,
    rps: samples.length / wall
  }
}

function median (values) {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

function summarise (rounds) {
  if (rounds.length === 0) return {}
  const summary = { n: rounds.map((r) => r.n) }
  for (const key of ['p50', 'p99', 'mean', 'rps']) {
    const values = rounds.map((r) => r[key])
    const digits = key === 'rps' ? (Math.max(...values) >= 100 ? 0 : 2) : 2
    summary[key] = { median: round(median(values), digits), min: round(Math.min(...values), digits), max: round(Math.max(...values), digits) }
  }
  return summary
}

// ---------------------------------------------------------------------------------------------
// The server: `node dist/cli.js serve` in a child process, pinned to CPU 0.

function memoryOf (pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    const kb = (field) => Number(status.match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'))?.[1])
    return { peakRssMegabytes: round(kb('VmHWM') / 1024, 0), rssMegabytes: round(kb('VmRSS') / 1024, 0) }
  } catch {
    return null
  }
}

class Server {
  constructor (file) {
    this.file = file
    this.child = null
    this.port = null
    this.startSeconds = []
    this.restarts = 0
    this.peakRssMegabytes = 0
    this.rssAfterStartMegabytes = null
  }

  async start () {
    this.port = await freePort()
    const command = hasTaskset ? 'taskset' : process.execPath
    const args = hasTaskset ? ['-c', '0', process.execPath, 'dist/cli.js', 'serve'] : ['dist/cli.js', 'serve']
    const env = { ...process.env, DATABASE_URL: this.file, PORT: String(this.port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', DATELINE_DEMO: 'false', DATELINE_SEARCH_RATE_LIMIT: '1000000' }
    delete env.DATELINE_BENCH_PINNED
    delete env.DATELINE_ADMIN_TOKEN
    const started = performance.now()
    const child = spawn(command, args, { cwd: root, env, stdio: ['ignore', 'inherit', 'inherit'] })
    this.child = child
    let exited = null
    child.once('exit', (code, signal) => { exited = { code, signal } })
    for (;;) {
      if (exited !== null) throw new Error(`the server exited before it was ready (${JSON.stringify(exited)})`)
      try {
        if ((await get(this.port, '/readyz', 5000)).status === 200) break
      } catch {}
      if (performance.now() - started > 180_000) throw new Error('the server was not ready after 180 s')
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    this.startSeconds.push(round((performance.now() - started) / 1000, 2))
    this.rssAfterStartMegabytes ??= memoryOf(child.pid)?.rssMegabytes ?? null
  }

  /** Reads VmHWM of the current process; kept as the maximum over restarts. */
  noteMemory () {
    const memory = this.child === null ? null : memoryOf(this.child.pid)
    if (memory !== null) this.peakRssMegabytes = Math.max(this.peakRssMegabytes, memory.peakRssMegabytes)
  }

  async stop (signal = 'SIGTERM') {
    const child = this.child
    if (child === null) return
    this.noteMemory()
    this.child = null
    if (child.exitCode !== null || child.signalCode !== null) return
    const exited = new Promise((resolve) => child.once('exit', resolve))
    child.kill(signal)
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000)
    await exited
    clearTimeout(timer)
  }

  async restart () {
    await this.stop('SIGKILL')
    this.restarts++
    await this.start()
  }
}

// ---------------------------------------------------------------------------------------------
// The statements the app runs for one search: captured in a child process (so a statement that
// runs for minutes can be stopped), then explained here.

/** `--capture-statements FILE`: run the service once, printing each statement as JSON lines. */
async function captureMode (file, q, suggestMode) {
  const db = new Database(file)
  const proto = Object.getPrototypeOf(db.prepare('select 1'))
  for (const method of ['all', 'get', 'run', 'iterate']) {
    const original = proto[method]
    proto[method] = function (...params) {
      process.stdout.write(JSON.stringify({ sql: this.source, params }) + '\n')
      const t0 = performance.now()
      const result = original.apply(this, params)
      process.stdout.write(JSON.stringify({ ms: performance.now() - t0 }) + '\n')
      return result
    }
  }
  const { drizzle } = await import('drizzle-orm/better-sqlite3')
  const { SqliteStore } = await import('../dist/db/sqlite-store.js')
  const service = await import('../dist/resources/articles/service.js')
  const store = new SqliteStore(drizzle(db))
  if (suggestMode) await service.suggest(store, q)
  else await service.list(store, { q }, null, await service.currentView(store))
  process.stdout.write(JSON.stringify({ done: true }) + '\n')
  db.close()
}

function captureStatements (file, q, suggestMode, timeoutSeconds) {
  return new Promise((resolve) => {
    const args = [fileURLToPath(import.meta.url), '--capture-statements', file, '--capture-q', q]
    if (suggestMode) args.push('--capture-suggest')
    const child = spawn(process.execPath, args, { cwd: root, env: { ...process.env, DATELINE_BENCH_PINNED: '1' }, stdio: ['ignore', 'pipe', 'pipe'] })
    const statements = []
    let buffer = ''
    let stderr = ''
    let timedOut = false
    child.stdout.on('data', (chunk) => {
      buffer += chunk
      let newline
      while ((newline = buffer.indexOf('\n')) >= 0) {
        const event = JSON.parse(buffer.slice(0, newline))
        buffer = buffer.slice(newline + 1)
        if (event.sql !== undefined) statements.push({ sql: event.sql, params: event.params, ms: null })
        else if (event.ms !== undefined) statements.at(-1).ms = round(event.ms, 2)
      }
    })
    child.stderr.on('data', (chunk) => { stderr += chunk })
    const timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL') }, timeoutSeconds * 1000)
    child.on('exit', () => {
      clearTimeout(timer)
      const error = timedOut ? null : stderr.trim() === '' ? null : stderr.trim().split('\n').slice(0, 3).join(' ')
      resolve({ statements, timedOut, error })
    })
  })
}

// `explain query plan` rows nest by parent id; indent by depth.
function indentPlan (rows) {
  const depths = new Map([[0, -1]])
  return rows.map((row) => {
    const depth = (depths.get(row.parent) ?? -1) + 1
    depths.set(row.id, depth)
    return `${'  '.repeat(depth)}${row.detail}`
  })
}

async function explainApp (file, q, suggestMode, timeoutSeconds) {
  const captured = await captureStatements(file, q, suggestMode, timeoutSeconds)
  const db = new Database(file, { readonly: true })
  const statements = captured.statements
    .filter((statement) => !/^\s*(begin|commit|rollback|savepoint|release)\b/i.test(statement.sql))
    .map((statement) => {
      let plan
      if (/^\s*(insert|update|delete)\b/i.test(statement.sql)) plan = ['(a write: publishing due scheduled articles)']
      else {
        try {
          plan = indentPlan(db.prepare(`explain query plan ${statement.sql}`).all(...statement.params))
        } catch (error) {
          plan = [`(explain failed: ${error.message})`]
        }
      }
      return {
        sql: statement.sql.replace(/\s+/g, ' ').trim(),
        params: statement.params,
        ms: statement.ms,
        stoppedAfterSeconds: statement.ms === null && captured.timedOut ? timeoutSeconds : undefined,
        plan
      }
    })
  db.close()
  return { request: suggestMode ? `GET /v1/search/suggest?q=${q}` : `GET /v1/articles?q=${q}`, timedOut: captured.timedOut, error: captured.error ?? undefined, statements }
}

function documentFrequencies (file, terms) {
  const db = new Database(file, { readonly: true })
  const total = db.prepare('select count(*) as n from articles').get().n
  const perTerm = {}
  for (const term of terms) perTerm[term] = db.prepare('select count(*) as n from articles_search where articles_search match ?').get(`"${term}"`).n
  db.close()
  return { articles: total, articlesMatching: perTerm }
}

// ---------------------------------------------------------------------------------------------

function table (rows, headers) {
  const widths = headers.map((header, i) => Math.max(header.length, ...rows.map((row) => String(row[i]).length)))
  const line = (cells) => cells.map((cell, i) => i <= 1 ? String(cell).padEnd(widths[i]) : String(cell).padStart(widths[i])).join('  ')
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n')
}

const range = (stat) => stat.min === stat.max ? `${stat.median}` : `${stat.median} (${stat.min}–${stat.max})`

function exampleQuery (path) {
  const match = path.match(/[?&]q=([^&]*)/)
  return match === null ? path : decodeURIComponent(match[1]) + (path.includes('sort=') ? ' (sort)' : '')
}

function printStatements (explained) {
  console.log(`\n${explained.request} — each statement once, in a fresh connection (cold cache), with EXPLAIN QUERY PLAN:`)
  if (explained.error !== undefined) console.log(`  capture failed: ${explained.error}`)
  for (const statement of explained.statements) {
    const time = statement.ms !== null ? `${statement.ms} ms` : statement.stoppedAfterSeconds !== undefined ? `stopped after ${statement.stoppedAfterSeconds} s` : '?'
    console.log(`\n  [${time}] ${statement.sql.length > 500 ? statement.sql.slice(0, 500) + ' …' : statement.sql}`)
    console.log(`    params: ${JSON.stringify(statement.params).slice(0, 160)}`)
    for (const line of statement.plan) console.log(`    ${line}`)
  }
}

async function main () {
  if (!existsSync(join(root, 'dist', 'cli.js'))) {
    console.error('dist/ is missing: run `npm run build` first')
    process.exit(2)
  }
  const count = opts.articles !== undefined ? intOption('articles', opts.articles, 1) : opts.quick ? 10_000 : 100_000
  const settings = {
    rounds: intOption('rounds', opts.rounds, 1),
    requests: intOption('requests', opts.requests, 5),
    warmup: intOption('warmup', opts.warmup, 0),
    budget: intOption('budget', opts.budget, 1),
    timeout: intOption('timeout', opts.timeout, 1),
    slowMs: intOption('slow-ms', opts['slow-ms'], 1),
    explainTimeout: intOption('explain-timeout', opts['explain-timeout'], 1)
  }
  const seed = intOption('seed', opts.seed, 0)
  const postgres = opts.database === 'postgres' ? await import('./search/postgres.mjs') : null
  if (postgres === null && opts.database !== 'sqlite') throw new Error('--database: sqlite or postgres')
  if (opts.loaded && (postgres === null || opts.db === undefined)) throw new Error('--loaded needs --database postgres and --db FILE')
  const out = opts.out ?? join(here, 'results', postgres === null ? 'search-latest.json' : 'search-postgres-latest.json')
  const machine = {
    node: process.version,
    sqlite: new Database(':memory:').prepare('select sqlite_version() as v').get().v,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model,
    pinned: hasTaskset ? 'server on CPU 0, benchmark on CPU 1 (taskset)' : 'not pinned (no taskset)',
    loadAverageAtStart: os.loadavg().map((v) => round(v, 2)),
    postgres: postgres === null ? undefined : await postgres.postgresVersion(opts['postgres-url'])
  }
  console.log(`Dateline search benchmark — ${count} articles, ${settings.rounds} rounds × up to ${settings.requests} requests (+${settings.warmup} warm-up) per kind`)
  console.log(`node ${machine.node}, SQLite ${machine.sqlite}, ${machine.cpus} CPUs, ${machine.pinned}, load average ${machine.loadAverageAtStart.join(' ')}`)

  let folder = null
  let file
  let generation = null
  let vocabulary
  if (opts.db !== undefined) {
    file = opts.db
    vocabulary = buildVocabulary(mulberry32(seed))
    console.log(`\nUsing the existing database ${file} (not generated in this run; same --seed assumed)`)
  } else {
    folder = mkdtempSync(join(os.tmpdir(), 'dateline-bench-'))
    file = join(folder, 'search.db')
    console.log(`\nGenerating ${count} articles into ${file} …`)
    generation = await generate(file, count, seed)
    vocabulary = generation.vocabulary
    delete generation.vocabulary
    const b = generation.breakdownSeconds
    console.log(`Generated in ${generation.seconds} s (${generation.articlesPerSecond} articles/s: text ${b.generateText} s, rows ${b.insertRows} s, ` +
      `both FTS5 indexes ${b.insertSearchIndexes} s, migrations + commit ${b.commitAndRest} s); bodies ~${generation.averageBodyBytes} B; file ${generation.fileMegabytes} MB`)
  }
  if (postgres !== null && !opts.loaded) {
    console.log(`Loading them into PostgreSQL ${machine.postgres} (${opts['postgres-url']}) …`)
    await postgres.createDatabase(opts['postgres-url'])
    const loaded = await postgres.loadPostgres(file, opts['postgres-url'], (line) => process.stderr.write(line + '\n'))
    generation = { ...generation, postgres: loaded }
    console.log(`Loaded in ${loaded.seconds} s (${JSON.stringify(loaded.breakdownSeconds)}); database ${loaded.databaseMegabytes} MB`)
  }
  const cleanUp = () => {
    if (folder === null) return
    if (opts.keep) console.log(`Kept the database: ${file} (reuse with --db ${file})`)
    else rmSync(folder, { recursive: true, force: true })
    folder = null
  }

  if (opts['isolation-only']) {
    const isolation = await isolationSection({ file, root, vocabulary })
    mkdirSync(dirname(out), { recursive: true })
    writeFileSync(out, JSON.stringify({ benchmark: 'search (isolation only)', date: new Date().toISOString(), machine, settings: { articles: count, seed }, isolation }, null, 2) + '\n')
    console.log(`\nWrote ${out}`)
    cleanUp()
    return
  }
  const kinds = queryKinds(vocabulary)
  const frequencies = documentFrequencies(file, ['government', 'police', 'election', 'market', 'minister', ...vocabulary.rare.slice(0, 5)])

  const server = new Server(postgres === null ? file : opts['postgres-url'])
  const stopOnSignal = (signal) => {
    server.child?.kill('SIGKILL')
    cleanUp()
    process.exit(signal === 'SIGINT' ? 130 : 143)
  }
  process.once('SIGINT', stopOnSignal)
  process.once('SIGTERM', stopOnSignal)
  process.once('exit', () => server.child?.kill('SIGKILL'))

  try {
    await server.start()
    console.log(`Server (node dist/cli.js serve, pid ${server.child.pid}) ready in ${server.startSeconds[0]} s on port ${server.port}\n`)
    for (const spec of kinds) spec.rounds = []
    for (let r = 0; r < settings.rounds; r++) {
      for (const spec of kinds) {
        if (spec.timedOut !== undefined || (r > 0 && spec.oneRound)) continue
        const result = await measureKind(server, spec, settings, r)
        server.noteMemory()
        if (result === null) {
          process.stderr.write(`  round ${r + 1}/${settings.rounds} ${spec.kind}: timed out (> ${settings.timeout} s), skipped from now on\n`)
          continue
        }
        spec.rounds.push(result)
        if (r === 0 && result.p50 > settings.slowMs && settings.rounds > 1) spec.oneRound = true
        process.stderr.write(`  round ${r + 1}/${settings.rounds} ${spec.kind}: p50 ${result.p50.toFixed(2)} ms, p99 ${result.p99.toFixed(2)} ms, n ${result.n}${spec.oneRound ? ' (slow: one round only)' : ''}\n`)
      }
    }
  } finally {
    await server.stop()
  }

  const results = kinds.map((spec) => ({
    kind: spec.kind,
    queries: spec.paths,
    hits: spec.hits,
    firstRequestMs: spec.firstMs,
    note: spec.note,
    timedOut: spec.timedOut,
    oneRoundOnly: spec.oneRound === true ? true : undefined,
    rounds: spec.rounds.map((r) => ({ n: r.n, p50: round(r.p50, 3), p99: round(r.p99, 3), mean: round(r.mean, 3), rps: round(r.rps, 1) })),
    ...summarise(spec.rounds)
  }))

  const listP50 = results.find((r) => r.kind === 'baseline: list, no q')?.p50?.median
  const rows = results.map((r) => {
    const hits = r.hits === undefined || r.hits.length === 0 || r.hits.some((h) => h === null) ? '-' : Math.min(...r.hits) === Math.max(...r.hits) ? `${r.hits[0]}` : `${Math.min(...r.hits)}–${Math.max(...r.hits)}`
    const example = r.kind.startsWith('baseline') ? r.queries[0] : exampleQuery(r.queries[0])
    if (r.p50 === undefined) return [r.kind, example, hits, `timed out: > ${r.timedOut.afterSeconds} s`, '-', '-', '-', '-', '-', 0]
    const flags = `${r.timedOut !== undefined ? ` (timed out in round ${r.timedOut.round})` : ''}`
    const n = r.n.length === 1 ? `${r.n[0]}` : Math.min(...r.n) === Math.max(...r.n) ? `${r.n[0]}×${r.n.length}` : `${Math.min(...r.n)}–${Math.max(...r.n)}×${r.n.length}`
    const first = r.firstRequestMs === undefined || r.firstRequestMs.length === 0 ? '-' : round(median(r.firstRequestMs), 1)
    return [r.kind + flags, example, hits, range(r.p50), range(r.p99), r.mean.median, r.rps.median, listP50 === undefined ? '-' : round(r.p50.median / listP50, 1), first, n]
  })
  console.log(`\nSearch latency over HTTP, ${count} articles: sequential requests on one keep-alive connection; median of the rounds (min–max)`)
  console.log(`("hits" = meta.total per query; "p50 × list" = p50 / p50 of the no-q list baseline; "first ms" = median of each query's`)
  console.log(`first request, before the server kept its counts (until the next write); "n" = samples per round × rounds)\n`)
  console.log(table(rows, ['kind', 'q (first of 5)', 'hits', 'p50 ms', 'p99 ms', 'mean ms', 'req/s', 'p50 × list', 'first ms', 'n']))
  const targets = targetRows(results)
  printTargets(targets, count)
  const cut = results.filter((r) => r.n !== undefined && Math.min(...r.n) < settings.requests && r.p50 !== undefined)
  if (cut.length > 0) console.log(`Fewer than ${settings.requests} samples: stopped at the --budget of ${settings.budget} s per kind and round; kinds with p50 > ${settings.slowMs} ms ran one round.`)
  console.log(`\nServer: peak RSS (VmHWM) ${server.peakRssMegabytes} MB, ${server.rssAfterStartMegabytes} MB after start-up; started in ${server.startSeconds.join(', ')} s${server.restarts > 0 ? ` (${server.restarts} restarts after timeouts)` : ''}`)

  console.log('\nThe statements behind a search (captured from the compiled service in a child process):')
  const explained = postgres === null
    ? [await explainApp(file, 'government', false, settings.explainTimeout), await explainApp(file, 'gov', true, settings.explainTimeout)]
    : await postgres.explainSearches(opts['postgres-url'], kinds)
  for (const item of explained) printStatements(item)
  const isolation = opts['skip-isolation'] || postgres !== null ? undefined : await isolationSection({ file, root, vocabulary })

  const relevance = opts['skip-relevance'] || postgres !== null ? [] : await relevanceReport(root, file)
  if (relevance.length > 0) printRelevanceReport(relevance)
  const beforeAfter = postgres === null ? undefined : await postgres.beforeAndAfter(opts['postgres-url'], kinds)
  if (beforeAfter !== undefined) {
    console.log('\nThe search statements of a first request (count and page), in-process, same run: before issue 19 (every match ranked) and now')
    console.log(table(beforeAfter.map((r) => [r.kind, '', r.beforeMs, r.afterMs, r.ratio]), ['kind', '', 'before ms', 'after ms', 'after/before']))
  }

  const report = {
    benchmark: 'search',
    date: new Date().toISOString(),
    machine: { ...machine, loadAverageAtEnd: os.loadavg().map((v) => round(v, 2)) },
    settings: { articles: count, seed, ...settings },
    generation,
    documentFrequencies: frequencies,
    server: { peakRssMegabytes: server.peakRssMegabytes, rssAfterStartMegabytes: server.rssAfterStartMegabytes, startSeconds: server.startSeconds, restartsAfterTimeouts: server.restarts },
    results,
    targets,
    relevance,
    statements: explained,
    isolation,
    beforeAfter
  }
  mkdirSync(dirname(out), { recursive: true })
  writeFileSync(out, JSON.stringify(report, null, 2) + '\n')
  console.log(`\nWrote ${out}`)
  if (postgres !== null && !opts.loaded) {
    if (opts.keep) console.log(`Kept the PostgreSQL database: ${opts['postgres-url']} (reuse with --loaded --db FILE)`)
    else await postgres.dropDatabase(opts['postgres-url'])
  }
  cleanUp()
}

// Pinned runs re-spawn this script on CPU 1 (the server gets CPU 0); the copy does the work.
if (opts['capture-statements'] !== undefined) {
  await captureMode(opts['capture-statements'], opts['capture-q'] ?? 'government', opts['capture-suggest'])
} else {
  await runOnLoadCpu(main)
}
