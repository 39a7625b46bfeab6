#!/usr/bin/env node
// The PostgreSQL storage ceiling: bare Fastify + raw node-postgres (a pool of 10 connections, as
// Dateline's, named prepared statements) giving the same JSON as Dateline for
//   GET /articles/{id|slug}                      one published article with its labels
//   GET /articles?limit=20[&include=author]      the newest page, each article with labels and author
//   GET /days/{YYYY-MM-DD}                       a day's page: label, note, count, its articles
//                                                (no bodies) newest first, each with its author
//   PATCH /articles/{id} {title}, If-Match       the same edit Dateline makes (below)
// Each read is one statement, so one round trip: labels come as an array aggregated in a
// subquery, authors joined. Counts (meta.total, each author's articleCount) are read once at
// start, as counters kept up to date by the writes would give them (baseline-sqlite.mjs does
// the same). No ETags, no security headers, no validation beyond the few parameters used.
//
//   PORT=… node bench/http/baseline-postgres.mjs postgres://…/database

import Fastify from 'fastify'
import pg from 'pg'
import { wordPattern, folded } from '../../dist/search/query.js'
import { articleListSchema, articleSchema, daySchema } from './schemas.mjs'

// bigint columns as numbers (ids and counts stay far below 2^53), days as their text.
pg.types.setTypeParser(pg.types.builtins.INT8, Number)
pg.types.setTypeParser(pg.types.builtins.DATE, (text) => text)

const pool = new pg.Pool({ connectionString: process.argv[2], max: 10, options: '-c TimeZone=UTC -c DateStyle=ISO', application_name: 'dateline-bench-ceiling' })
pool.on('error', () => {})

const now = () => new Date().toISOString()
const iso = (value) => value === null ? null : value.toISOString()

const articleColumns = `a.id, a.slug, a.title, a.excerpt, a.status, a.published_at, a.published_day, a.author_id, a.comment_count,
  a.created_at, a.updated_at, a.version`
const labelsOf = `coalesce((select array_agg(l.name order by al.position) from article_labels al join labels l on l.id = al.label_id
  where al.article_id = a.id), '{}') as labels`
const authorColumns = 'au.slug as author_slug, au.name as author_name, au.bio as author_bio, au.avatar_url as author_avatar_url, au.url as author_url, au.created_at as author_created_at, au.updated_at as author_updated_at'

const statements = {
  byId: `select ${articleColumns}, a.body, ${labelsOf} from articles a where a.id = $1`,
  bySlug: `select ${articleColumns}, a.body, ${labelsOf} from articles a where a.slug = $1`,
  page: `select ${articleColumns}, a.body, ${labelsOf}, ${authorColumns} from articles a join authors au on au.id = a.author_id
    where a.status = 'published' and a.published_at <= $1 order by a.published_at desc, a.id desc limit $2`,
  day: `select ${articleColumns}, ${labelsOf}, ${authorColumns}, (select note from days where day = $1) as day_note
    from articles a join authors au on au.id = a.author_id
    where a.published_day = $1 and a.status = 'published' and a.published_at <= $2 order by a.published_at desc, a.id desc`,
  dayNote: 'select note from days where day = $1'
}

const query = async (name, values, client = pool) => (await client.query({ name, text: statements[name], values })).rows

const visibleTotal = (await pool.query(`select count(*) as n from articles where status = 'published' and published_at <= $1`, [now()])).rows[0].n
const articleCounts = new Map((await pool.query(`select author_id as id, count(*) as n from articles where status = 'published' group by author_id`)).rows.map((row) => [row.id, row.n]))

const visible = (row) => row !== undefined && row.status === 'published' && row.published_at !== null && iso(row.published_at) <= now()

function present (row, withBody) {
  const article = {
    id: row.id,
    slug: row.slug,
    title: row.title,
    excerpt: row.excerpt,
    status: row.status,
    publishedAt: iso(row.published_at),
    date: row.published_day,
    authorId: row.author_id,
    labels: row.labels,
    commentCount: row.comment_count,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at)
  }
  if (withBody) article.body = row.body
  return article
}

function withAuthor (article, row) {
  article.author = {
    id: row.author_id,
    slug: row.author_slug,
    name: row.author_name,
    bio: row.author_bio,
    avatarUrl: row.author_avatar_url,
    url: row.author_url,
    articleCount: articleCounts.get(row.author_id) ?? 0,
    createdAt: iso(row.author_created_at),
    updatedAt: iso(row.author_updated_at)
  }
  return article
}

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

const notFound = (reply) => reply.code(404).send({ status: 404, title: 'Not Found' })

const app = Fastify({ logger: false })
app.get('/readyz', async () => ({ status: 'ok' }))

app.get('/articles/:key', { schema: { response: { 200: articleSchema } } }, async (request, reply) => {
  const key = request.params.key
  const [row] = /^\d+$/.test(key) ? await query('byId', [key]) : await query('bySlug', [key])
  if (!visible(row)) return notFound(reply)
  return present(row, true)
})

app.get('/articles', { schema: { response: { 200: articleListSchema } } }, async (request) => {
  const limit = Math.min(100, Number(request.query.limit ?? 20))
  const rows = await query('page', [now(), limit + 1])
  const more = rows.length > limit
  const page = more ? rows.slice(0, limit) : rows
  const author = request.query.include === 'author'
  const data = page.map((row) => author ? withAuthor(present(row, true), row) : present(row, true))
  const last = page.at(-1)
  return {
    data,
    meta: { total: visibleTotal, limit, offset: 0, nextCursor: more ? Buffer.from(JSON.stringify({ s: '-publishedAt', v: [iso(last.published_at), last.id] })).toString('base64url') : null }
  }
})

app.get('/days/:day', { schema: { response: { 200: daySchema } } }, async (request, reply) => {
  const day = request.params.day
  if (!/^\d{4}-\d\d-\d\d$/.test(day)) return notFound(reply)
  const rows = await query('day', [day, now()])
  const note = rows.length > 0 ? rows[0].day_note : (await query('dayNote', [day]))[0]?.note
  if (rows.length === 0 && note === undefined) return notFound(reply)
  return { date: day, label: dayLabel(day), note: note ?? null, articleCount: rows.length, articles: rows.map((row) => withAuthor(present(row, false), row)) }
})

// The write ceiling: PATCH {title} with If-Match, doing the work Dateline's edit must do in one
// transaction on one connection — lock the row and check its version, keep the replaced version
// as a revision (50 kept), update the row, and write the article's search row again (its
// tsvectors are computed from all four columns' words, as src/search/queries.postgres.ts does;
// the body's text is reused from the old row, as Dateline does when the body did not change).
// Not done: Dateline's write stamp (its caches' invalidation), which the answer does not need.
const columnEnd = 'column-end@dateline.invalid'
const wordsOfText = (text) => (text.match(wordPattern) ?? []).map(folded).filter((word) => word !== '').join(' ')
const vector = (configuration, first) => `ts_delete(${['A', 'B', 'C', 'D'].map((weight, i) =>
  `setweight(to_tsvector('${configuration}', $${first + i}), '${weight}')`).join(' || ')}, array['${columnEnd}'])`
Object.assign(statements, {
  lockArticle: `select ${articleColumns}, a.body, a.custom_excerpt, ${labelsOf} from articles a where a.id = $1 for update`,
  revisionNumber: 'select coalesce(max(number), 0) as n from article_revisions where article_id = $1',
  insertRevision: `insert into article_revisions (article_id, number, version, status, published_at, author_id, written_at,
    replaced_at, replaced_by, title, custom_excerpt, labels, body) values ($1, $2, $3, $4, $5, $6, $7, $8, 'admin', $9, $10, $11, $12)`,
  pruneRevisions: 'delete from article_revisions where article_id = $1 and number <= $2',
  updateTitle: `update articles a set title = $2, updated_at = $3, version = version + 1 where a.id = $1
    returning ${articleColumns}, a.body`,
  unindex: 'delete from search_documents where article_id = $1 returning title, excerpt, body, labels',
  index: `insert into search_documents (article_id, title, excerpt, body, labels, document, words)
    values ($1, $2, $3, $4, $5, ${vector('dateline', 6)}, ${vector('dateline_words', 6)})`
})

async function editTitle (id, expectedVersion, title) {
  const client = await pool.connect()
  try {
    await client.query('begin')
    const [row] = await query('lockArticle', [id], client)
    if (row === undefined) { await client.query('rollback'); return { status: 404 } }
    if (row.version !== expectedVersion) { await client.query('rollback'); return { status: 412, version: row.version } }
    const at = now()
    const [{ n }] = await query('revisionNumber', [id], client)
    await query('insertRevision', [id, n + 1, row.version, row.status, row.published_at, row.author_id, row.updated_at, at, row.title, row.custom_excerpt, JSON.stringify(row.labels), row.body], client)
    await query('pruneRevisions', [id, n + 1 - 50], client)
    const [updated] = await query('updateTitle', [id, title, at], client)
    const [old] = await query('unindex', [id], client)
    const text = { title, labels: old.labels, excerpt: old.excerpt, body: old.body }
    const words = ['title', 'labels', 'excerpt', 'body'].map((column) => `${wordsOfText(text[column])} ${columnEnd}`)
    await query('index', [id, text.title, text.excerpt, text.body, text.labels, ...words], client)
    await client.query('commit')
    updated.labels = row.labels
    return { status: 200, version: updated.version, article: present(updated, true) }
  } catch (error) {
    await client.query('rollback').catch(() => {})
    throw error
  } finally {
    client.release()
  }
}

app.patch('/articles/:id', { schema: { response: { 200: articleSchema } } }, async (request, reply) => {
  const id = Number(request.params.id)
  const match = /^"article-\d+-v(\d+)/.exec(request.headers['if-match'] ?? '')
  const result = await editTitle(id, match === null ? -1 : Number(match[1]), String(request.body.title))
  if (result.status === 412) return reply.code(412).send({ status: 412, title: 'Precondition Failed', detail: `it is now article-${id}-v${result.version}` })
  if (result.status === 404) return notFound(reply)
  reply.header('etag', `"article-${id}-v${result.version}"`)
  return result.article
})

await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT) })
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => app.close().then(() => pool.end()).then(() => process.exit(0)))
