// The HTTP benchmark's data: a deterministic (seeded) blog written straight into SQLite with
// better-sqlite3 prepared statements in big transactions, on a database migrated by the
// compiled app (dist/). The search indexes are built once at the end with FTS5 'rebuild',
// and `meta` says they are current, so the server's start-up does not index again.
//
// Generated databases are cached under os.tmpdir()/dateline-bench-http, keyed by seed, size,
// the migrations' text, the search index version and this generator's version.

import { createHash } from 'node:crypto'
import { createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { once } from 'node:events'
import os from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { mulberry32, root, round } from './common.mjs'

// Bump when what is generated changes, so cached databases are made again.
const generatorVersion = '1'

export const cacheDir = join(os.tmpdir(), 'dateline-bench-http')

/** The search index version the compiled app expects (src/search/index.ts `indexVersion`). */
export function searchIndexVersion () {
  const source = readFileSync(join(root, 'dist', 'search', 'index.js'), 'utf8')
  const match = source.match(/indexVersion\s*=\s*['"]([^'"]+)['"]/)
  if (match === null) throw new Error('cannot find indexVersion in dist/search/index.js: has src/search/index.ts changed? (update bench/http/generate.mjs)')
  return match[1]
}

function schemaDigest () {
  const hash = createHash('sha256')
  const folder = join(root, 'migrations')
  for (const name of readdirSync(folder).filter((n) => n.endsWith('.sql')).sort()) hash.update(name).update(readFileSync(join(folder, name)))
  return hash.digest('hex')
}

export function cacheKey ({ articles, comments, seed }) {
  const digest = createHash('sha256').update(JSON.stringify({ generatorVersion, articles, comments, seed, index: searchIndexVersion(), schema: schemaDigest() })).digest('hex')
  return `s${seed}-a${articles}-c${comments}-${digest.slice(0, 12)}`
}

// ---------------------------------------------------------------------------------------------
// Text: a Zipf-distributed vocabulary (function words, then news words, then made-up words),
// drawn into a pool of sentences that bodies are assembled from (fast enough for 1 M articles).

const functionWords = ('the of and to a in that is for on was with he it as at by his be from are have but not ' +
  'this had they has were an which their said or will one been would its who we all more after also there new ' +
  'than about when into over up out could two last first some what other only her she them time most').split(' ')

const newsWords = ('government police election market minister city people year council report week state president ' +
  'court public company health water school percent million party officials plan workers money support prices ' +
  'energy family local children hospital village river border museum festival harbour railway bridge storm flood ' +
  'budget economy trade vote campaign parliament mayor judge trial prison army soldiers talks deal crisis protest ' +
  'strike teachers doctors farmers fishermen climate weather summer winter spring autumn morning evening night ' +
  'history music football match season league team coach players stadium tourists hotel airport flights ships ' +
  'port island coast mountain forest fire heat drought harvest wheat oil gas power electricity inflation ' +
  'bank loans housing rent streets traffic buses trains station library theatre film book writer painter ' +
  'exhibition science research university students study data internet phone online attack investigation').split(' ')

const syllables = ['ka', 'lo', 'mi', 'ra', 'ten', 'sor', 'vel', 'qua', 'dri', 'nes', 'bal', 'tor', 'mun', 'pel', 'gar',
  'fi', 'zo', 'shu', 'len', 'dor', 'vi', 'bra', 'cle', 'ost', 'ung', 'be', 'tha', 'mor', 'ski', 'pa']

export const labelNames = ['Politics', 'Economy', 'Climate', 'World', 'Sport', 'Culture', 'Science', 'Health', 'Education',
  'Crime', 'Courts', 'Transport', 'Housing', 'Energy', 'Agriculture', 'Fishing', 'Tourism', 'Technology', 'Media',
  'Religion', 'Migration', 'Elections', 'Weather', 'Floods', 'Wildfires', 'Football', 'Music', 'Film', 'Books', 'Art',
  'History', 'Food', 'Wine', 'Business', 'Labour', 'Trade', 'Finance', 'Diplomacy', 'Defence', 'Human Rights',
  'Local News', 'City Council', 'Opinion', 'Analysis', 'Interviews', 'Obituaries', 'Photography', 'Data', 'Explainers',
  'Live']

const firstNames = ['Amira', 'Ben', 'Chloé', 'Daniel', 'Elif', 'Farid', 'Grace', 'Hugo', 'Ines', 'Jamal', 'Kasia', 'Liam',
  'Mona', 'Nadia', 'Oscar', 'Priya', 'Quentin', 'Rosa', 'Samir', 'Tomás']
const lastNames = ['Adeyemi', 'Brandt', 'Costa', 'Dubois', 'Eriksen', 'Fischer', 'García', 'Haddad', 'Ivanova', 'Jensen',
  'Kowalski', 'Lopez', 'Moreau', 'Nakamura', 'Okafor', 'Petrov', 'Rossi', 'Svensson', 'Tanaka', 'Weber']

/** Two-word searches (`q=`): common news words, so each finds many articles. */
export const searchQueries = ['government election', 'police court', 'market prices', 'minister budget', 'city council']

function textMaker (random) {
  const taken = new Set([...functionWords, ...newsWords])
  const synthetic = []
  while (synthetic.length < 2500) {
    const length = 2 + Math.floor(random() * 2)
    let word = ''
    for (let i = 0; i < length; i++) word += syllables[Math.floor(random() * syllables.length)]
    if (!taken.has(word)) { taken.add(word); synthetic.push(word) }
  }
  const ranked = [...functionWords, ...newsWords, ...synthetic]
  const cumulative = new Float64Array(ranked.length)
  let sum = 0
  for (let r = 0; r < ranked.length; r++) { sum += 1 / (r + 1); cumulative[r] = sum }
  for (let r = 0; r < ranked.length; r++) cumulative[r] /= sum
  const word = (from = 0) => {
    const base = from === 0 ? 0 : cumulative[from - 1]
    const target = base + random() * (1 - base)
    let lo = from
    let hi = ranked.length - 1
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (cumulative[mid] < target) lo = mid + 1
      else hi = mid
    }
    return ranked[lo]
  }
  const capitalise = (text) => text.charAt(0).toUpperCase() + text.slice(1)
  const sentences = []
  for (let i = 0; i < 20000; i++) {
    const length = 8 + Math.floor(random() * 13)
    const words = []
    for (let w = 0; w < length; w++) words.push(word())
    sentences.push(capitalise(words.join(' ')) + '.')
  }
  const sentence = () => sentences[Math.floor(random() * sentences.length)]
  const title = () => {
    const words = []
    const length = 5 + Math.floor(random() * 5)
    for (let i = 0; i < length; i++) words.push(word(functionWords.length))
    return capitalise(words.join(' '))
  }
  /** ~3 KB (2.5–3.5 KB) of paragraphs; returns the HTML and its text. */
  const body = () => {
    const target = 2500 + Math.floor(random() * 1000)
    const paragraphs = []
    let length = 0
    while (length < target) {
      const parts = []
      const count = 3 + Math.floor(random() * 4)
      for (let s = 0; s < count && length < target; s++) {
        const text = sentence()
        parts.push(text)
        length += text.length + 1
      }
      paragraphs.push(parts.join(' '))
    }
    return { html: paragraphs.map((p) => `<p>${p}</p>`).join('\n'), text: paragraphs.join(' ') }
  }
  return { title, body, sentence }
}

function slugify (text) {
  return text.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '')
}

const startMs = Date.parse('2015-01-01T00:00:00.000Z')
const spanMs = Date.parse('2025-01-01T00:00:00.000Z') - startMs
const iso = (ms) => new Date(ms).toISOString()

/** One article in 100 is a draft (never shown to anonymous readers). */
export const isDraft = (id) => id % 100 === 37
/** The article with the 200-comment thread. */
export const threadArticleId = 101
export const threadSize = 200
const threadTopLevel = 40

// ---------------------------------------------------------------------------------------------

/**
 * Writes the blog into `file` (which must not exist): `articles` articles by 100 authors,
 * `comments` comments (200 of them one threaded discussion). Returns timings.
 */
export async function generateDatabase (file, { articles: count, comments: commentTotal, seed }, log = () => {}) {
  const started = performance.now()
  const { openDatabase, runMigrations } = await import('../../dist/db/client.js')
  const migrated = openDatabase(file)
  runMigrations(migrated)
  migrated.$client.close()
  const indexVersion = searchIndexVersion()

  const random = mulberry32(seed)
  const make = textMaker(random)
  const db = new Database(file)
  // A file nobody else has open: no journal, no syncing while loading; WAL again at the end.
  // Migrated in WAL mode: back to a rollback journal first, then none.
  db.pragma('journal_mode = DELETE')
  db.pragma('journal_mode = OFF')
  db.pragma('synchronous = OFF')
  db.pragma('cache_size = -524288')
  db.pragma('foreign_keys = OFF')
  db.pragma('temp_store = MEMORY')

  const insertAuthor = db.prepare(`insert into authors (id, slug, name, bio, avatar_url, url, email, version, created_at, updated_at)
    values (?, ?, ?, ?, null, ?, ?, 1, ?, ?)`)
  const insertLabel = db.prepare('insert into labels (id, name, key) values (?, ?, ?)')
  const insertArticle = db.prepare(`insert into articles (id, slug, status, published_at, published_day, author_id, comment_count,
      version, created_at, updated_at, title, custom_excerpt, excerpt, body)
    values (?, ?, ?, ?, ?, ?, 0, 1, ?, ?, ?, null, ?, ?)`)
  const insertArticleLabel = db.prepare('insert into article_labels (article_id, label_id, position) values (?, ?, ?)')
  const insertText = db.prepare('insert into articles_text (id, title, excerpt, body, labels) values (?, ?, ?, ?, ?)')
  const insertComment = db.prepare(`insert into comments (id, article_id, parent_id, author_name, author_url, author_email, body,
      status, version, created_at, updated_at)
    values (?, ?, ?, ?, null, ?, ?, ?, 1, ?, ?)`)

  const times = { articles: 0, comments: 0, searchIndex: 0 }
  let bodyBytes = 0
  const publishedAtOf = new Map()
  const batch = 50_000

  // Authors and labels.
  db.transaction(() => {
    const createdAt = '2014-12-01T09:00:00.000Z'
    for (let id = 1; id <= 100; id++) {
      const name = `${firstNames[(id - 1) % 20]} ${lastNames[Math.floor((id - 1) / 20) * 4 % 20 + (id - 1) % 4]}`
      insertAuthor.run(id, `${slugify(name)}-${id}`, name, `Reporter #${id}, covering the city and the region.`, `https://news.example.org/people/${id}`, `author${id}@example.com`, createdAt, createdAt)
    }
    labelNames.forEach((name, i) => insertLabel.run(i + 1, name, name.toLocaleLowerCase('en-US')))
  })()

  // Articles, in transactions of `batch` rows.
  let t0 = performance.now()
  for (let from = 1; from <= count; from += batch) {
    db.transaction(() => {
      for (let id = from; id < Math.min(from + batch, count + 1); id++) {
        const title = make.title()
        const { html, text } = make.body()
        bodyBytes += html.length
        const cut = text.lastIndexOf(' ', 200)
        const excerpt = text.slice(0, cut > 0 ? cut : 200).replace(/[.,;:]$/, '') + '…'
        const labelCount = 1 + Math.floor(random() * 3)
        const labelIds = []
        while (labelIds.length < labelCount) {
          const labelId = 1 + Math.floor(labelNames.length * random() * random())
          if (!labelIds.includes(labelId)) labelIds.push(labelId)
        }
        // Spread evenly over 2015–2024 in id order, with jitter inside each article's slot.
        const publishedMs = startMs + Math.floor(((id - 1 + random()) / count) * spanMs)
        const createdMs = publishedMs - Math.floor(random() * 6 * 3600_000)
        const authorId = 1 + Math.floor(random() * 100)
        const draft = isDraft(id)
        const publishedAt = draft ? null : iso(publishedMs)
        insertArticle.run(id, `${slugify(title).slice(0, 80)}-${id}`, draft ? 'draft' : 'published', publishedAt,
          draft ? null : publishedAt.slice(0, 10), authorId, iso(createdMs), draft ? iso(createdMs) : publishedAt, title, excerpt, html)
        labelIds.forEach((labelId, position) => insertArticleLabel.run(id, labelId, position))
        insertText.run(id, title, excerpt, text, labelIds.map((labelId) => labelNames[labelId - 1]).join(' '))
        if (!draft) publishedAtOf.set(id, publishedMs)
      }
    })()
    log(`  articles ${Math.min(from + batch - 1, count)}/${count} (${((performance.now() - started) / 1000).toFixed(1)} s)`)
  }
  times.articles = performance.now() - t0

  // Comments: the 200-comment thread first, then the rest spread over other published articles.
  t0 = performance.now()
  db.transaction(() => {
    let commentId = 0
    const threadStart = publishedAtOf.get(threadArticleId)
    const threadIds = []
    for (let i = 0; i < Math.min(threadSize, commentTotal); i++) {
      const id = ++commentId
      const parentId = i < threadTopLevel ? null : threadIds[Math.floor(random() * threadIds.length)]
      const at = iso(threadStart + 600_000 + i * 900_000 + Math.floor(random() * 600_000))
      insertComment.run(id, threadArticleId, parentId, `Reader ${id}`, `reader${id}@example.net`, `<p>${make.sentence()} ${make.sentence()}</p>`, 'approved', at, at)
      threadIds.push(id)
    }
    const lastOnArticle = new Map()
    while (commentId < commentTotal) {
      const id = ++commentId
      let articleId
      do articleId = 1 + Math.floor(random() * count)
      while (isDraft(articleId) || articleId === threadArticleId)
      const roll = random()
      const status = roll < 0.88 ? 'approved' : roll < 0.96 ? 'pending' : 'spam'
      const previous = lastOnArticle.get(articleId)
      const parentId = previous !== undefined && random() < 0.3 ? previous : null
      const at = iso(publishedAtOf.get(articleId) + Math.floor(random() * 30 * 86_400_000))
      insertComment.run(id, articleId, parentId, `Reader ${id}`, `reader${id}@example.net`, `<p>${make.sentence()}</p>`, status, at, at)
      lastOnArticle.set(articleId, id)
    }
    db.prepare(`update articles set comment_count = (select count(*) from comments c where c.article_id = articles.id and c.status = 'approved')
      where id in (select distinct article_id from comments)`).run()
  })()
  times.comments = performance.now() - t0
  log(`  comments ${commentTotal} (${((performance.now() - started) / 1000).toFixed(1)} s)`)

  // Both full-text indexes read articles_text once (as src/search/index.ts does at start-up).
  t0 = performance.now()
  db.transaction(() => {
    for (const index of ['articles_search', 'articles_words']) {
      db.prepare(`insert into ${index} (${index}) values ('rebuild')`).run()
      log(`  ${index} rebuilt (${((performance.now() - started) / 1000).toFixed(1)} s)`)
    }
    db.prepare(`insert or replace into meta (key, value) values ('search_index_version', ?), ('timezone', 'UTC')`).run(indexVersion)
  })()
  times.searchIndex = performance.now() - t0
  db.pragma('journal_mode = WAL')
  db.close()
  const seconds = (performance.now() - started) / 1000
  return {
    articles: count,
    comments: commentTotal,
    seconds: round(seconds, 1),
    articlesPerSecond: Math.round(count / seconds),
    breakdownSeconds: { articles: round(times.articles / 1000, 1), comments: round(times.comments / 1000, 1), searchIndexRebuild: round(times.searchIndex / 1000, 1) },
    averageBodyBytes: Math.round(bodyBytes / count),
    fileMegabytes: Math.round(statSync(file).size / 1e6),
    searchIndexVersion: indexVersion
  }
}

// ---------------------------------------------------------------------------------------------
// What the scenarios request, read back from the generated database.

async function fixturesOf (file, seed) {
  const { encodeCursor } = await import('../../dist/lib/list.js')
  const db = new Database(file, { readonly: true })
  const random = mulberry32(seed ^ 0x5eed)
  const pick = (rows, n) => {
    const copy = [...rows]
    for (let i = copy.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [copy[i], copy[j]] = [copy[j], copy[i]]
    }
    return copy.slice(0, n)
  }
  const total = db.prepare('select count(*) as n from articles').get().n
  const half = Math.floor(total / 2)
  const published = (from, to) => db.prepare(`select id, slug from articles where status = 'published' and id between ? and ? and id <> ?`).all(from, to, threadArticleId)
  // At most ~20,000 candidates per side, so a 1 M database doesn't load every id.
  const stride = Math.max(1, Math.floor(half / 20000))
  const sample = (from, to) => published(from, to).filter((row) => row.id % stride === 0)
  const reads = pick(sample(1, half), 1000)
  const writes = pick(sample(half + 1, total), 1000).map((row) => row.id)
  const days = pick(db.prepare(`select distinct published_day as day from articles where status = 'published' and id % ? = 0`).all(stride).map((row) => row.day), 200)
  // The last page of the default list (-publishedAt): the cursor of the row 21st from the end.
  const visible = db.prepare(`select count(*) as n from articles where status = 'published'`).get().n
  const beforeLast = db.prepare(`select id, published_at as publishedAt from articles where status = 'published'
    order by published_at desc, id desc limit 1 offset ?`).get(visible - 21)
  const lastPageCursor = encodeCursor([{ field: 'publishedAt', descending: true }], [beforeLast.publishedAt, beforeLast.id])
  const threadComments = db.prepare(`select count(*) as n from comments where article_id = ? and status = 'approved'`).get(threadArticleId).n
  const threadTopLevelCount = db.prepare(`select count(*) as n from comments where article_id = ? and status = 'approved' and parent_id is null`).get(threadArticleId).n
  db.close()
  return {
    reads,
    writes,
    days,
    lastPageCursor,
    visibleArticles: visible,
    thread: { articleId: threadArticleId, comments: threadComments, topLevel: threadTopLevelCount },
    searchQueries
  }
}

/** json-server's data file: the same authors, articles (with labels, as the API shows them) and comments. */
export async function exportForJsonServer (dbFile, outFile) {
  const db = new Database(dbFile, { readonly: true })
  const out = createWriteStream(outFile)
  const write = async (text) => { if (!out.write(text)) await once(out, 'drain') }
  const labelsOf = new Map()
  for (const row of db.prepare(`select al.article_id as id, l.name from article_labels al join labels l on l.id = al.label_id order by al.article_id, al.position`).iterate()) {
    const list = labelsOf.get(row.id)
    if (list === undefined) labelsOf.set(row.id, [row.name])
    else list.push(row.name)
  }
  await write('{\n"authors": [\n')
  let first = true
  for (const a of db.prepare('select * from authors order by id').iterate()) {
    await write((first ? '' : ',\n') + JSON.stringify({ id: a.id, slug: a.slug, name: a.name, bio: a.bio, avatarUrl: a.avatar_url, url: a.url, createdAt: a.created_at, updatedAt: a.updated_at }))
    first = false
  }
  // Published articles only: json-server has no notion of visibility.
  await write('\n],\n"articles": [\n')
  first = true
  for (const a of db.prepare(`select * from articles where status = 'published' order by id`).iterate()) {
    await write((first ? '' : ',\n') + JSON.stringify({
      id: a.id, slug: a.slug, title: a.title, excerpt: a.excerpt, status: a.status, publishedAt: a.published_at, date: a.published_day,
      authorId: a.author_id, labels: labelsOf.get(a.id) ?? [], commentCount: a.comment_count, createdAt: a.created_at, updatedAt: a.updated_at, body: a.body
    }))
    first = false
  }
  await write('\n],\n"comments": [\n')
  first = true
  for (const c of db.prepare(`select * from comments where status = 'approved' order by id`).iterate()) {
    await write((first ? '' : ',\n') + JSON.stringify({ id: c.id, articleId: c.article_id, parentId: c.parent_id, authorName: c.author_name, authorUrl: c.author_url, body: c.body, status: c.status, createdAt: c.created_at, updatedAt: c.updated_at }))
    first = false
  }
  await write('\n]\n}\n')
  out.end()
  await once(out, 'finish')
  db.close()
}

/**
 * The cached database for these settings (generated when missing or with `fresh`), its
 * generation report and the scenarios' fixtures.
 */
export async function ensureDatabase (settings, { fresh = false, log = () => {} } = {}) {
  mkdirSync(cacheDir, { recursive: true })
  const key = cacheKey(settings)
  const file = join(cacheDir, `${key}.db`)
  const sidecar = join(cacheDir, `${key}.json`)
  if (fresh) for (const f of [file, sidecar, `${file}-wal`, `${file}-shm`, join(cacheDir, `${key}.json-server.json`)]) rmSync(f, { force: true })
  if (existsSync(file) && existsSync(sidecar)) {
    const info = JSON.parse(readFileSync(sidecar, 'utf8'))
    return { file, key, cached: true, ...info }
  }
  const partial = join(cacheDir, `${key}.partial.db`)
  for (const f of [partial, `${partial}-wal`, `${partial}-shm`]) rmSync(f, { force: true })
  const generation = await generateDatabase(partial, settings, log)
  renameSync(partial, file)
  const fixtures = await fixturesOf(file, settings.seed)
  const info = { generation, fixtures }
  writeFileSync(sidecar, JSON.stringify(info, null, 2) + '\n')
  return { file, key, cached: false, ...info }
}

/** json-server's data file for a cached database (written once). */
export async function ensureJsonServerData (database) {
  const file = join(cacheDir, `${database.key}.json-server.json`)
  if (!existsSync(file)) {
    await exportForJsonServer(database.file, `${file}.partial`)
    renameSync(`${file}.partial`, file)
  }
  return file
}
