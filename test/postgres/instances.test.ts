import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import t, { type Test } from 'tap'
import { adminSecret, bearer, build, createArticle, createAuthor, request } from '../helper.js'
import { freshPostgresDatabase } from '../postgres.js'

// Two instances of the app, built as production builds them, on one PostgreSQL database: what
// one writes, the other answers at once. Everything the app derives from the write stamp (list
// totals, list ETags, author counts, the next due schedule) must follow writes made by the
// other instance, whose caches this one never sees.

const sleep = async (ms: number): Promise<void> => await new Promise((resolve) => setTimeout(resolve, ms))

interface Pair {
  a: FastifyInstance
  b: FastifyInstance
}

async function twoInstances (t: Test): Promise<Pair> {
  const { url } = await freshPostgresDatabase(t)
  return { a: await build(t, { databaseUrl: url }), b: await build(t, { databaseUrl: url }) }
}

async function get (app: FastifyInstance, t: Test, url: string, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
  return await request(app, t, { method: 'GET', url, headers })
}

/** A list read, its total and its ETag. */
async function listed (app: FastifyInstance, t: Test, url: string, headers: Record<string, string> = {}): Promise<{ total: number, etag: string, body: any }> {
  const response = await get(app, t, url, headers)
  t.equal(response.statusCode, 200, `GET ${url} answers`)
  return { total: response.json().meta.total, etag: String(response.headers.etag), body: response.json() }
}

async function notModified (app: FastifyInstance, t: Test, url: string, etag: string, headers: Record<string, string> = {}): Promise<boolean> {
  return (await get(app, t, url, { ...headers, 'if-none-match': etag })).statusCode === 304
}

function versionOf (etag: unknown): number {
  const match = /^"article-\d+-v(\d+)\./.exec(String(etag))
  if (match === null) throw new Error(`no version in the ETag ${String(etag)}`)
  return Number(match[1])
}

t.test('articles written on one instance change the other\'s list totals, list ETags, author counts and day pages', async (t) => {
  const { a, b } = await twoInstances(t)
  const author = await createAuthor(a, t, { name: 'Shared Desk' })
  const day = '2025-03-14'

  const before = await listed(b, t, '/v1/articles')
  t.equal(before.total, 0, 'B starts with no articles')
  t.ok(await notModified(b, t, '/v1/articles', before.etag), 'B\'s list ETag 304s while nothing is written')
  t.equal((await get(b, t, `/v1/authors/${author.id as number}`)).json().articleCount, 0)

  const created = await createArticle(a, t, { authorId: author.id, title: 'Written on A', status: 'published', publishedAt: `${day}T09:00:00.000Z` })
  const afterCreate = await listed(b, t, '/v1/articles')
  t.equal(afterCreate.total, 1, 'B counts the article A created')
  t.same(afterCreate.body.data.map((row: { id: number }) => row.id), [created.id])
  t.notOk(await notModified(b, t, '/v1/articles', before.etag), 'B\'s old list ETag no longer 304s')
  t.ok(await notModified(b, t, '/v1/articles', afterCreate.etag), 'B\'s new list ETag does')
  t.equal((await get(b, t, `/v1/authors/${author.id as number}`)).json().articleCount, 1, 'B counts the author\'s article')
  const page = await get(b, t, `/v1/dates/${day}`)
  t.equal(page.statusCode, 200, 'B has the day A published on')
  t.equal(page.json().articleCount, 1)
  t.same(page.json().articles.map((row: { id: number }) => row.id), [created.id])

  // A draft is not public: B's public total stays, its staff total moves.
  const draft = await createArticle(a, t, { authorId: author.id, title: 'A draft on A', status: 'draft' })
  t.equal((await listed(b, t, '/v1/articles')).total, 1, 'B\'s public list leaves out A\'s draft')
  t.equal((await listed(b, t, '/v1/articles?status=draft', bearer(adminSecret))).total, 1, 'B\'s staff list counts A\'s draft')

  // Publishing it on A.
  const draftRead = await get(a, t, `/v1/articles/${draft.id as number}`, bearer(adminSecret))
  const published = await request(a, t, {
    method: 'PATCH',
    url: `/v1/articles/${draft.id as number}`,
    headers: { ...bearer(adminSecret), 'if-match': String(draftRead.headers.etag) },
    payload: { status: 'published', publishedAt: `${day}T18:00:00.000Z` }
  })
  t.equal(published.statusCode, 200, 'A publishes the draft')
  const afterPublish = await listed(b, t, '/v1/articles')
  t.equal(afterPublish.total, 2, 'B counts the article A published')
  t.notOk(await notModified(b, t, '/v1/articles', afterCreate.etag), 'the ETag B answered before no longer 304s')
  t.equal((await get(b, t, `/v1/authors/${author.id as number}`)).json().articleCount, 2)
  t.equal((await get(b, t, `/v1/dates/${day}`)).json().articleCount, 2, 'B\'s day page counts both')
  const authors = await listed(b, t, '/v1/authors?sort=-articleCount')
  t.equal(authors.body.data[0].articleCount, 2, 'B\'s author list has the new count')

  // Deleting on A.
  const removed = await request(a, t, { method: 'DELETE', url: `/v1/articles/${created.id as number}`, headers: bearer(adminSecret) })
  t.equal(removed.statusCode, 204, 'A deletes the first article')
  const afterDelete = await listed(b, t, '/v1/articles')
  t.equal(afterDelete.total, 1, 'B no longer counts it')
  t.notOk(await notModified(b, t, '/v1/articles', afterPublish.etag))
  t.equal((await get(b, t, `/v1/articles/${created.id as number}`)).statusCode, 404, 'B answers 404 for it')
  t.equal((await get(b, t, `/v1/authors/${author.id as number}`)).json().articleCount, 1)
  t.equal((await get(b, t, `/v1/dates/${day}`)).json().articleCount, 1)
  t.equal((await listed(b, t, '/v1/trash', bearer(adminSecret))).total, 1, 'B sees it in the trash')
})

t.test('authors created on one instance are counted by the other', async (t) => {
  const { a, b } = await twoInstances(t)
  const before = await listed(b, t, '/v1/authors')
  t.equal(before.total, 0)
  await createAuthor(a, t, { name: 'First Hand' })
  await createAuthor(a, t, { name: 'Second Hand' })
  const after = await listed(b, t, '/v1/authors')
  t.equal(after.total, 2, 'B counts A\'s authors')
  t.notOk(await notModified(b, t, '/v1/authors', before.etag), 'B\'s old author list ETag no longer 304s')
})

t.test('comments approved on one instance are listed and counted by the other', async (t) => {
  const { a, b } = await twoInstances(t)
  const author = await createAuthor(a, t)
  const article = await createArticle(a, t, { authorId: author.id, status: 'published', publishedAt: '2025-01-02T10:00:00.000Z' })
  const commentsUrl = `/v1/articles/${article.id as number}/comments`

  const posted = await request(b, t, { method: 'POST', url: commentsUrl, payload: { authorName: 'A reader', body: 'Posted through B.' } })
  t.equal(posted.statusCode, 201, 'a reader comments through B')
  const comment = posted.json()
  t.equal(comment.status, 'pending', 'it waits for a moderator')

  const before = await listed(b, t, commentsUrl)
  t.equal(before.total, 0, 'B lists no approved comment yet')
  t.equal((await listed(b, t, '/v1/comments?status=pending', bearer(adminSecret))).total, 1, 'B\'s queue has it')

  const approved = await request(a, t, { method: 'PATCH', url: `/v1/comments/${comment.id as number}`, headers: bearer(adminSecret), payload: { status: 'approved' } })
  t.equal(approved.statusCode, 200, 'A approves it')
  const after = await listed(b, t, commentsUrl)
  t.equal(after.total, 1, 'B lists the comment A approved')
  t.notOk(await notModified(b, t, commentsUrl, before.etag), 'B\'s old comment list ETag no longer 304s')
  t.equal((await get(b, t, `/v1/articles/${article.id as number}`)).json().commentCount, 1, 'B\'s article counts it')
  t.equal((await listed(b, t, '/v1/comments?status=pending', bearer(adminSecret))).total, 0, 'B\'s queue is empty')
})

t.test('a scheduled article that comes due is published once, and both instances show it', async (t) => {
  const { a, b } = await twoInstances(t)
  const author = await createAuthor(a, t)
  // Both have looked: each remembers that nothing is due.
  t.equal((await listed(a, t, '/v1/articles')).total, 0)
  const beforeOnB = await listed(b, t, '/v1/articles')
  t.equal(beforeOnB.total, 0)

  const publishedAt = new Date(Date.now() + 600).toISOString()
  const scheduled = await createArticle(a, t, { authorId: author.id, title: 'On the hour', status: 'scheduled', publishedAt })
  const scheduledVersion = versionOf((await get(a, t, `/v1/articles/${scheduled.id as number}`, bearer(adminSecret))).headers.etag)
  t.equal((await listed(b, t, '/v1/articles')).total, 0, 'not before its time, on B')
  await sleep(800)

  // Both read at once, each ready to publish it.
  const lists = await Promise.all([a, b, a, b].map(async (app) => await get(app, t, '/v1/articles')))
  for (const list of lists) t.equal(list.statusCode, 200, 'every read at the hour answers')
  for (const app of [a, b]) {
    const list = await listed(app, t, '/v1/articles')
    t.same(list.body.data.map((row: { id: number }) => row.id), [scheduled.id], 'each instance lists it once due')
  }
  t.notOk(await notModified(b, t, '/v1/articles', beforeOnB.etag), 'B\'s list ETag from before has moved')
  const read = await get(b, t, `/v1/articles/${scheduled.id as number}`)
  t.equal(read.json().status, 'published')
  t.equal(versionOf(read.headers.etag), scheduledVersion + 1, 'published once: its version went up by one')
  t.equal((await get(a, t, `/v1/authors/${author.id as number}`)).json().articleCount, 1)
  t.equal((await get(b, t, `/v1/authors/${author.id as number}`)).json().articleCount, 1)
})

t.test('a token revoked on one instance is refused by the other', async (t) => {
  const { a, b } = await twoInstances(t)
  const created = await request(a, t, { method: 'POST', url: '/v1/tokens', headers: bearer(adminSecret), payload: { role: 'editor', name: 'Night desk' } })
  t.equal(created.statusCode, 201)
  const { id, secret } = created.json()
  t.equal((await get(b, t, '/v1/articles?status=draft', bearer(secret))).statusCode, 200, 'B accepts the new token')

  const revoked = await request(a, t, { method: 'DELETE', url: `/v1/tokens/${id as number}`, headers: bearer(adminSecret) })
  t.equal(revoked.statusCode, 204, 'A revokes it')
  const refused = await get(b, t, '/v1/articles?status=draft', bearer(secret))
  t.equal(refused.statusCode, 401, 'B refuses it at once')
  t.match(String(refused.headers['content-type']), /^application\/problem\+json/)
  const write = await request(b, t, { method: 'POST', url: '/v1/authors', headers: bearer(secret), payload: { name: 'Too late' } })
  t.equal(write.statusCode, 401, 'and refuses its writes')
  t.equal((await listed(a, t, '/v1/authors')).total, 0, 'nothing was written with it')
})
