#!/usr/bin/env node
// Baseline 3, the lean storage ceiling (issue 19): the least a server can do to answer an
// article by id and a 20-article page with authors from SQLite, after the one in
// ../shared/lean-ceiling/ — bare Fastify + raw better-sqlite3 (WAL, prepared statements, a
// response schema), each answer from ONE statement:
//   GET /articles/{id}                 the published row, its labels a JSON column
//   GET /articles?limit=20             a deferred join: the page's ids from the covering index
//                                      (status, published_at) first, then those rows and their
//                                      authors, joined, in one statement
// Unlike that one, it answers exactly Dateline's JSON (same fields, same bytes: compared by
// bench/http.mjs before measuring) on the benchmark's own data. Labels as a JSON column are part
// of the ceiling's design: the column is added to this server's own copy of the file (the
// same rows, in its schema) at start, from article_labels. Counts (meta.total, each author's
// articleCount) are read once at start, as counters kept by the writes would give them. No
// ETags, security headers, auth, CORS, rate limits or validation beyond the two parameters.
//
//   PORT=… node bench/http/baseline-lean.mjs DATABASE   (a copy: it adds a column)

import Database from 'better-sqlite3'
import Fastify from 'fastify'
import { articleListSchema, articleSchema } from './schemas.mjs'

const db = new Database(process.argv[2])
db.pragma('journal_mode = WAL')
db.pragma('synchronous = NORMAL')

/** The ceiling's schema: labels kept with the article, as a JSON array in position order. */
function addLabelsColumn () {
  const columns = db.prepare('select name from pragma_table_info(\'articles\')').pluck().all()
  if (columns.includes('lean_labels')) return
  db.transaction(() => {
    db.exec('alter table articles add column lean_labels text not null default \'[]\'')
    db.exec(`update articles set lean_labels = coalesce((select json_group_array(name) from
      (select l.name from article_labels al join labels l on l.id = al.label_id where al.article_id = articles.id order by al.position)), '[]')`)
  })()
}
addLabelsColumn()

const articleColumns = `a.id, a.slug, a.title, a.excerpt, a.body, a.status, a.published_at as publishedAt,
  a.published_day as date, a.author_id as authorId, a.lean_labels as labels, a.comment_count as commentCount,
  a.created_at as createdAt, a.updated_at as updatedAt`
const byId = db.prepare(`select ${articleColumns} from articles a
  where a.id = ? and a.status = 'published' and a.published_at <= ?`)
const page = db.prepare(`select ${articleColumns},
    au.slug as auSlug, au.name as auName, au.bio as auBio, au.avatar_url as auAvatarUrl, au.url as auUrl,
    au.created_at as auCreatedAt, au.updated_at as auUpdatedAt
  from (select id from articles where status = 'published' and published_at <= ?
        order by published_at desc, id desc limit ?) p
  join articles a on a.id = p.id
  join authors au on au.id = a.author_id
  order by a.published_at desc, a.id desc`)

const now = () => new Date().toISOString()
const visibleTotal = db.prepare('select count(*) from articles where status = \'published\' and published_at <= ?').pluck().get(now())
const articleCounts = new Map(db.prepare('select author_id, count(*) from articles where status = \'published\' group by author_id').raw().all())
const encodeCursor = (values) => Buffer.from(JSON.stringify({ s: '-publishedAt', v: values })).toString('base64url')

function pageItem (row) {
  const item = {
    id: row.id,
    slug: row.slug,
    title: row.title,
    excerpt: row.excerpt,
    body: row.body,
    status: row.status,
    publishedAt: row.publishedAt,
    date: row.date,
    authorId: row.authorId,
    labels: JSON.parse(row.labels),
    commentCount: row.commentCount,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt
  }
  item.author = { id: row.authorId, slug: row.auSlug, name: row.auName, bio: row.auBio, avatarUrl: row.auAvatarUrl, url: row.auUrl, articleCount: articleCounts.get(row.authorId) ?? 0, createdAt: row.auCreatedAt, updatedAt: row.auUpdatedAt }
  return item
}

const app = Fastify({ logger: false })
app.get('/readyz', async () => ({ status: 'ok' }))

app.get('/articles/:id', { schema: { response: { 200: articleSchema } } }, async (request, reply) => {
  const row = byId.get(Number(request.params.id), now())
  if (row === undefined) return reply.code(404).send({ status: 404, title: 'Not Found' })
  row.labels = JSON.parse(row.labels)
  return row
})

app.get('/articles', { schema: { response: { 200: articleListSchema } } }, async (request) => {
  const limit = Math.min(100, Number(request.query.limit ?? 20))
  const rows = page.all(now(), limit + 1)
  const more = rows.length > limit
  if (more) rows.length = limit
  const last = rows.at(-1)
  return {
    data: rows.map(pageItem),
    meta: { total: visibleTotal, limit, offset: 0, nextCursor: more ? encodeCursor([last.publishedAt, last.id]) : null }
  }
})

await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT) })
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => app.close().then(() => { db.close(); process.exit(0) }))
