#!/usr/bin/env node
// Baseline 2, the storage ceiling: bare Fastify + raw better-sqlite3 prepared statements doing
// the reads Dateline does for the same answers, on the same database file:
//   GET /articles/{id|slug}                      one published article with its labels
//   GET /articles?limit=20[&cursor=…]            a page, newest first, each article with labels and
//                                                author (20 ids from the covering index, then
//                                                one IN query each for rows, labels and authors)
//   GET /days/{YYYY-MM-DD}                       a day's page: label, note, count, its articles
//                                                (no bodies) newest first, each with labels and
//                                                author (the day index, then IN queries as above)
//   PATCH /articles/{id} {title}, If-Match       the same edit Dateline makes (below)
// Counts (meta.total, each author's articleCount) are read once at start, as counters kept up to
// date by the writes would give them. No ETags, no security headers, no validation beyond the
// few parameters used: the least work that gives the same JSON.
//
//   PORT=… node bench/http/baseline-sqlite.mjs DATABASE

import Database from 'better-sqlite3'
import Fastify from 'fastify'
import { articleListSchema, articleSchema, daySchema } from './schemas.mjs'

const db = new Database(process.argv[2])
db.pragma('journal_mode = WAL')
db.pragma('synchronous = NORMAL')

const now = () => new Date().toISOString()
const byId = db.prepare('select * from articles where id = ?')
const bySlug = db.prepare('select * from articles where slug = ?')
const labelsOfOne = db.prepare('select l.name from article_labels al join labels l on l.id = al.label_id where al.article_id = ? order by al.position').pluck()
const firstIds = db.prepare(`select id from articles where status = 'published' and published_at <= ?
  order by published_at desc, id desc limit ?`).pluck()
// One plain upper bound on published_at (the earlier of now and the cursor's), so the index
// seek starts at the cursor; the tie on published_at is settled by id. (A bound of `now` plus
// `(published_at < ? or (published_at = ? and id < ?))` walks every newer row first.)
const idsAfter = db.prepare(`select id from articles where status = 'published' and published_at <= ?
  and (published_at < ? or id < ?) order by published_at desc, id desc limit ?`).pluck()

const inStatements = new Map()
/** One prepared statement per number of ids, kept. */
function inQuery (kind, n) {
  const key = `${kind}:${n}`
  let statement = inStatements.get(key)
  if (statement === undefined) {
    const marks = Array.from({ length: n }, () => '?').join(', ')
    statement = db.prepare(kind === 'rows'
      ? `select * from articles where id in (${marks})`
      : kind === 'labels'
        ? `select al.article_id as articleId, l.name from article_labels al join labels l on l.id = al.label_id where al.article_id in (${marks}) order by al.article_id, al.position`
        : `select * from authors where id in (${marks})`)
    inStatements.set(key, statement)
  }
  return statement
}

const visibleTotal = db.prepare(`select count(*) as n from articles where status = 'published' and published_at <= ?`).get(now()).n
const articleCounts = new Map(db.prepare(`select author_id as id, count(*) as n from articles where status = 'published' group by author_id`).all().map((row) => [row.id, row.n]))

const visible = (row) => row !== undefined && row.status === 'published' && row.published_at !== null && row.published_at <= now()

function present (row, labels, author, withBody = true) {
  const article = {
    id: row.id,
    slug: row.slug,
    title: row.title,
    excerpt: row.excerpt,
    status: row.status,
    publishedAt: row.published_at,
    date: row.published_day,
    authorId: row.author_id,
    labels,
    commentCount: row.comment_count,
    createdAt: row.created_at,
    updatedAt: row.updated_at
  }
  if (withBody) article.body = row.body
  if (author !== undefined) article.author = author
  return article
}

function presentAuthor (row) {
  return { id: row.id, slug: row.slug, name: row.name, bio: row.bio, avatarUrl: row.avatar_url, url: row.url, articleCount: articleCounts.get(row.id) ?? 0, createdAt: row.created_at, updatedAt: row.updated_at }
}

const encodeCursor = (values) => Buffer.from(JSON.stringify({ s: '-publishedAt', v: values })).toString('base64url')
const decodeCursor = (raw) => JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')).v

function labelsOfMany (ids) {
  const labels = new Map()
  if (ids.length === 0) return labels
  for (const row of inQuery('labels', ids.length).all(...ids)) {
    const list = labels.get(row.articleId)
    if (list === undefined) labels.set(row.articleId, [row.name])
    else list.push(row.name)
  }
  return labels
}

function authorsOf (rows) {
  const authors = new Map()
  if (rows.length === 0) return authors
  const authorIds = [...new Set(rows.map((row) => row.author_id))]
  for (const row of inQuery('authors', authorIds.length).all(...authorIds)) authors.set(row.id, presentAuthor(row))
  return authors
}

const onDay = db.prepare(`select * from articles where published_day = ? and status = 'published' and published_at <= ?
  order by published_at desc, id desc`)
const dayNote = db.prepare('select note from days where day = ?').pluck()
const dayLabels = new Map()
const dayFormat = new Intl.DateTimeFormat('en-US', { weekday: 'long', year: 'numeric', month: 'long', day: 'numeric', timeZone: 'UTC' })
/** As Dateline labels a day (en-US), each day formatted once. */
function dayLabel (day) {
  let label = dayLabels.get(day)
  if (label === undefined) {
    label = dayFormat.format(new Date(`${day}T00:00:00Z`))
    dayLabels.set(day, label)
  }
  return label
}

const app = Fastify({ logger: false })
app.get('/readyz', async () => ({ status: 'ok' }))

app.get('/articles/:key', { schema: { response: { 200: articleSchema } } }, async (request, reply) => {
  const key = request.params.key
  const row = /^\d+$/.test(key) ? byId.get(Number(key)) : bySlug.get(key)
  if (!visible(row)) return reply.code(404).send({ status: 404, title: 'Not Found' })
  return present(row, labelsOfOne.all(row.id))
})

app.get('/articles', { schema: { response: { 200: articleListSchema } } }, async (request) => {
  const limit = Math.min(100, Number(request.query.limit ?? 20))
  const at = now()
  let ids
  if (request.query.cursor !== undefined) {
    const [publishedAt, id] = decodeCursor(request.query.cursor)
    ids = idsAfter.all(publishedAt < at ? publishedAt : at, publishedAt, id, limit + 1)
  } else {
    ids = firstIds.all(at, limit + 1)
  }
  const more = ids.length > limit
  if (more) ids = ids.slice(0, limit)
  const rows = ids.length === 0 ? [] : inQuery('rows', ids.length).all(...ids)
  const rowById = new Map(rows.map((row) => [row.id, row]))
  const labels = labelsOfMany(ids)
  const withAuthor = request.query.include === 'author'
  const authors = withAuthor ? authorsOf(rows) : new Map()
  const data = ids.map((id) => {
    const row = rowById.get(id)
    return present(row, labels.get(id) ?? [], withAuthor ? authors.get(row.author_id) : undefined)
  })
  const last = ids.length > 0 ? rowById.get(ids.at(-1)) : undefined
  return {
    data,
    meta: { total: visibleTotal, limit, offset: 0, nextCursor: more && last !== undefined ? encodeCursor([last.published_at, last.id]) : null }
  }
})

app.get('/days/:day', { schema: { response: { 200: daySchema } } }, async (request, reply) => {
  const day = request.params.day
  const rows = onDay.all(day, now())
  const note = dayNote.get(day)
  if (rows.length === 0 && note === undefined) return reply.code(404).send({ status: 404, title: 'Not Found' })
  const labels = labelsOfMany(rows.map((row) => row.id))
  const authors = authorsOf(rows)
  return { date: day, label: dayLabel(day), note: note ?? null, articleCount: rows.length, articles: rows.map((row) => present(row, labels.get(row.id) ?? [], authors.get(row.author_id), false)) }
})

// The write ceiling: PATCH {title} with If-Match, doing the work Dateline's edit must do in one
// transaction — check the version, keep the replaced version as a revision (50 kept), update
// the row, and keep both full-text indexes current (an external-content FTS5 index forgets a
// row only when given what it indexed, so each is told the old text, then the new).
const revisionNumber = db.prepare('select coalesce(max(number), 0) from article_revisions where article_id = ?').pluck()
const insertRevision = db.prepare(`insert into article_revisions (article_id, number, version, status, published_at, author_id, written_at,
  replaced_at, replaced_by, title, custom_excerpt, labels, body) values (?, ?, ?, ?, ?, ?, ?, ?, 'admin', ?, ?, ?, ?)`)
const pruneRevisions = db.prepare('delete from article_revisions where article_id = ? and number <= ?')
const updateTitle = db.prepare('update articles set title = ?, updated_at = ?, version = version + 1 where id = ? returning *')
const indexedText = db.prepare('select title, excerpt, body, labels from articles_text where id = ?')
const updateText = db.prepare('update articles_text set title = ? where id = ?')
const searchIndexes = ['articles_search', 'articles_words'].map((index) => ({
  forget: db.prepare(`insert into ${index} (${index}, rowid, title, excerpt, body, labels) values ('delete', ?, ?, ?, ?, ?)`),
  add: db.prepare(`insert into ${index} (rowid, title, excerpt, body, labels) values (?, ?, ?, ?, ?)`)
}))

const editTitle = db.transaction((id, expectedVersion, title) => {
  const row = byId.get(id)
  if (row === undefined) return { status: 404 }
  if (row.version !== expectedVersion) return { status: 412, version: row.version }
  const at = now()
  const labels = labelsOfOne.all(id)
  const number = revisionNumber.get(id) + 1
  insertRevision.run(id, number, row.version, row.status, row.published_at, row.author_id, row.updated_at, at, row.title, row.custom_excerpt, JSON.stringify(labels), row.body)
  pruneRevisions.run(id, number - 50)
  const updated = updateTitle.get(title, at, id)
  const old = indexedText.get(id)
  for (const index of searchIndexes) index.forget.run(id, old.title, old.excerpt, old.body, old.labels)
  updateText.run(title, id)
  for (const index of searchIndexes) index.add.run(id, title, old.excerpt, old.body, old.labels)
  return { status: 200, version: updated.version, article: present(updated, labels) }
})

app.patch('/articles/:id', { schema: { response: { 200: articleSchema } } }, async (request, reply) => {
  const id = Number(request.params.id)
  const match = /^"article-\d+-v(\d+)/.exec(request.headers['if-match'] ?? '')
  const result = editTitle(id, match === null ? -1 : Number(match[1]), String(request.body.title))
  if (result.status === 412) return reply.code(412).send({ status: 412, title: 'Precondition Failed', detail: `it is now article-${id}-v${result.version}` })
  if (result.status === 404) return reply.code(404).send({ status: 404, title: 'Not Found' })
  reply.header('etag', `"article-${id}-v${result.version}"`)
  return result.article
})

await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT) })
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => app.close().then(() => { db.close(); process.exit(0) }))
