import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import type { FastifyInstance } from 'fastify'
import t from 'tap'
import { createDatelineClient, DatelineProblem, type DatelineClientOptions } from '../clients/typescript/src/index.js'
import { adminSecret, build, type TapLike } from './helper.js'

const run = promisify(execFile)
const root = fileURLToPath(new URL('../', import.meta.url))
const bin = (path: string) => `${root}node_modules/${path}`

interface Exchange {
  method: string
  url: string
  status: number
  requestHeaders: Headers
  responseHeaders: Headers
}

/** A client of a real app listening on a port, and every exchange it had on the wire. */
async function clientOf (app: FastifyInstance, options: Partial<DatelineClientOptions> = {}) {
  if (app.server.address() === null) await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as AddressInfo
  const wire: Exchange[] = []
  const client = createDatelineClient({
    baseUrl: `http://127.0.0.1:${port}`,
    fetch: async (request) => {
      const response = await fetch(request)
      wire.push({ method: request.method, url: request.url, status: response.status, requestHeaders: request.headers, responseHeaders: response.headers })
      return response
    },
    ...options
  })
  return { client, wire }
}

async function demoBlog (t: TapLike, overrides: Parameters<typeof build>[1] = {}) {
  return await build(t, { demo: true, ...overrides })
}

// One demo blog for the tests below that need no settings of their own, built before any test
// is queued: built while the first ran, tap could end the file's root test (dropping the
// blog's database) before it was ready, once the demo's images went to a bucket and took longer.
const shared = await demoBlog(t)

t.test('the client\'s types are what openapi-typescript makes of openapi/openapi.json (npm run generate in clients/typescript)', async (t) => {
  const { stdout } = await run(process.execPath, [bin('openapi-typescript/bin/cli.js'), 'openapi/openapi.json'], { cwd: root, maxBuffer: 64 * 1024 * 1024 })
  const committed = readFileSync(`${root}clients/typescript/src/schema.d.ts`, 'utf8')
  t.ok(stdout.length > 10_000, 'openapi-typescript wrote the types')
  t.ok(stdout === committed, 'clients/typescript/src/schema.d.ts is current: run `npm run generate` in clients/typescript and commit it')
})

t.test('paginate follows meta.nextCursor through every published article', async (t) => {
  const app = shared
  const { client, wire } = await clientOf(app)
  const expected = (await app.inject({ method: 'GET', url: '/v1/articles?limit=100&fields=id' })).json().data.map((article: { id: number }) => article.id)
  t.ok(expected.length > 5, `the demo blog has articles (${expected.length})`)

  const ids: number[] = []
  for await (const article of client.paginate('/v1/articles', { query: { limit: 5 } })) ids.push(article.id)
  t.same(ids, expected, 'every article once, newest first')
  t.equal(wire.length, Math.ceil(expected.length / 5), 'one request a page')
  t.ok(wire.slice(1).every(({ url }) => new URL(url).searchParams.has('cursor')), 'later pages ask by cursor')

  const titles: string[] = []
  for await (const article of client.articles.all({ fields: ['title'], limit: 100 })) titles.push(article.title)
  t.equal(titles.length, expected.length, 'the named iterator reads them too')
})

t.test('a second read of the same URL revalidates with If-None-Match and serves the kept body on 304', async (t) => {
  const app = shared
  const { client, wire } = await clientOf(app, { token: adminSecret })
  const [first] = (await client.articles.list({ limit: 1 })).data
  t.ok(first !== undefined, 'an article to read')

  const once = await client.articles.get(first!.id)
  const again = await client.articles.get(first!.id)
  t.same(again, once, 'the same article')
  t.equal(wire.length, 3, 'each read went to the server')
  t.equal(wire[2]!.status, 304, 'the second read was answered 304')
  t.equal(wire[2]!.requestHeaders.get('if-none-match'), wire[1]!.responseHeaders.get('etag'), 'with the ETag of the first')

  // The client's own write drops what it kept: its next read is a full answer showing the change.
  await client.articles.update(first!.id, { title: 'A title changed by this client' })
  const changed = await client.articles.get(first!.id)
  t.equal(changed.title, 'A title changed by this client', 'the client sees its own write at once')
  t.notOk(wire.at(-1)!.requestHeaders.has('if-none-match'), 'after a write, the read is not conditional')
  t.equal(wire.at(-1)!.status, 200)
})

t.test('a preview link made through the client reads its draft through a client of its own, and nothing else unpublished', async (t) => {
  const app = shared
  const { client: editor } = await clientOf(app, { token: adminSecret })
  const authorId = (await editor.authors.list({ limit: 1 })).data[0]!.id
  const draft = await editor.articles.create({ title: 'A draft for the preview test', authorId })
  const other = await editor.articles.create({ title: 'Another draft the link cannot read', authorId })
  const link = await editor.articles.preview(draft.id, { expiresIn: 600 })
  t.match(link, { articleId: draft.id, token: /^dlp_/ })

  const { client: preview } = await clientOf(app, { token: link.token, cache: false })
  t.match(await preview.articles.get(draft.slug), { id: draft.id, status: 'draft' }, 'the draft, by its slug')
  const refused = await preview.articles.get(other.id).catch((error: unknown) => error)
  t.ok(refused instanceof DatelineProblem && refused.status === 404, 'another draft is a 404')
  const { client: reader } = await clientOf(app)
  const hidden = await reader.articles.get(draft.id).catch((error: unknown) => error)
  t.ok(hidden instanceof DatelineProblem && hidden.status === 404, 'without the link, the draft is a 404')
})

t.test('a 429 is retried after its Retry-After; without retries it is a DatelineProblem', async (t) => {
  const app = await demoBlog(t, { searchRateLimit: 2, rateLimitWindowMs: 5000 })
  const { client, wire } = await clientOf(app)
  const { client: impatient } = await clientOf(app, { retry: { attempts: 1 } })

  await client.articles.search('river')
  await client.articles.search('market')
  const problem = await impatient.articles.search('bridge').then(() => null, (error: unknown) => error)
  t.ok(problem instanceof DatelineProblem, 'a client that does not retry throws a DatelineProblem')
  t.equal((problem as DatelineProblem).status, 429)
  const retryAfter = Number((problem as DatelineProblem).response.headers.get('retry-after'))
  t.ok(retryAfter >= 1, `the 429 says when to come back (${retryAfter} s)`)

  const started = Date.now()
  const found = await client.articles.search('library')
  const waited = Date.now() - started
  t.ok(found.data.length > 0 && found.data.every((hit) => typeof hit.snippet === 'string'), 'the retried search answers with snippets')
  const statuses = wire.filter(({ url }) => new URL(url).searchParams.get('q') === 'library').map(({ status }) => status)
  t.same(statuses, [429, 200], 'refused once, then answered')
  t.ok(waited >= 900, `it waited for Retry-After before the retry (${waited} ms)`)
})

t.test('every POST carries an Idempotency-Key, the same on its retries; a repeated key replays the first answer', async (t) => {
  const app = await demoBlog(t, { commentRateLimit: 2, rateLimitWindowMs: 5000 })
  const { client, wire } = await clientOf(app)
  const [article] = (await client.articles.list({ limit: 1, fields: ['slug'] })).data
  const pendingCount = async () => (await app.inject({ method: 'GET', url: `/v1/comments?limit=1&status=pending&article=${article!.id}`, headers: { authorization: `Bearer ${adminSecret}` } })).json().meta.total as number
  const pendingBefore = await pendingCount()

  const first = await client.articles.comment(article!.slug, { authorName: 'Reader One', body: 'First!' })
  const key = wire.at(-1)!.requestHeaders.get('idempotency-key')
  t.match(key, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/, 'a random UUID was sent as Idempotency-Key')

  const second = await client.articles.comment(article!.slug, { authorName: 'Reader Two', body: 'Second.' })
  t.not(wire.at(-1)!.requestHeaders.get('idempotency-key'), key, 'a new POST has a new key')
  t.not(second.id, first.id)

  // The limit is two comments a window: the third is refused once, then sent again with its key.
  const third = await client.articles.comment(article!.slug, { authorName: 'Reader Three', body: 'Third.' })
  const attempts = wire.filter(({ method }) => method === 'POST').slice(2)
  t.same(attempts.map(({ status }) => status), [429, 201], 'the third POST was refused, then retried')
  const thirdKey = attempts[0]!.requestHeaders.get('idempotency-key')
  t.equal(attempts[1]!.requestHeaders.get('idempotency-key'), thirdKey, 'the retry reused the key')

  const replayed = await client.articles.comment(article!.slug, { authorName: 'Reader Three', body: 'Third.' }, thirdKey!)
  t.equal(replayed.id, third.id, 'the same key and body give the first answer back')
  t.equal(wire.at(-1)!.responseHeaders.get('idempotent-replayed'), 'true', 'marked as a replay')
  t.equal(await pendingCount(), pendingBefore + 3, 'three comments were stored, not four')
})

t.test('errors are DatelineProblems naming what was wrong', async (t) => {
  const app = shared
  const { client } = await clientOf(app)

  const missing = await client.articles.get('no-such-article').then(() => null, (error: unknown) => error)
  t.ok(missing instanceof DatelineProblem, 'a 404 is thrown as a DatelineProblem')
  const notFound = missing as DatelineProblem
  t.equal(notFound.status, 404)
  t.match(notFound.type, /^https?:\/\/.+/, 'with its problem type')
  t.ok(notFound.title.length > 0 && (notFound.detail ?? '').length > 0, 'a title and a detail')

  const invalid = await client.articles.list({ limit: 1000 }).then(() => null, (error: unknown) => error) as DatelineProblem
  t.equal(invalid.status, 400)
  t.same(invalid.errors.map(({ path }) => path), ['querystring.limit'], 'errors[] names the field')
  t.equal(invalid.message, invalid.detail, 'the message is the problem\'s detail')
})

t.test('fields and include narrow what a call is typed to answer, as the API answers', async (t) => {
  const app = shared
  const { client } = await clientOf(app)
  const [listed] = (await client.articles.list({ limit: 1 })).data

  const article = await client.articles.get(listed!.slug, { fields: ['title', 'labels'], include: ['author'] })
  t.same(Object.keys(article).sort(), ['author', 'id', 'labels', 'title'], 'only the named fields, id and the author')
  t.equal(typeof article.author.name, 'string', 'the embedded author is typed as present')
  // @ts-expect-error `body` was not asked for, so the type has no such field.
  t.equal(article.body, undefined)

  const days = await client.dates.list({ limit: 1, include: ['articles'] })
  const day = days.data[0]!
  t.ok(day.articles.length > 0 && day.articles.every((summary) => typeof summary.author.name === 'string'), 'a day with include=articles has its articles and their authors')
})
