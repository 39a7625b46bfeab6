import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import t, { type Test } from 'tap'
import { control, readWorkerControl } from '../src/read-workers/messages.js'
import { adminSecret, bearer, build, createArticle, createAuthor, request, tempDatabase } from './helper.js'
import { assertProblem } from './problems.js'

// Heavy reads (search, suggestions, related articles, feeds, the sitemap) on an SQLite file run
// in read worker threads (src/plugins/read-workers.ts). These tests drive them through the API;
// the test hook `readWorkerControl` (src/read-workers/messages.ts) holds a worker's read before
// it touches the database, or makes the worker exit, so that what the server does meanwhile is
// asserted by order and by counts, never by timing.

type Tap = Test

// Each app starts read worker threads, which load the sources through the tests' loader: seconds each on a busy machine.
t.setTimeout(600_000)

const heavyReadUrls = [
  '/v1/articles?q=zeppelin',
  '/v1/articles?q=harbour%20-storm&include=author',
  '/v1/articles?q=zep&fields=title',
  '/v1/articles?q=%22night%20ferry%22&sort=-publishedAt',
  '/v1/search/suggest?q=zep',
  '/v1/articles/1/related',
  '/v1/articles/2/related?limit=2',
  '/feed.atom',
  '/feed.rss?label=Transport',
  '/feed.json',
  '/sitemap.xml',
  '/v1/dates',
  '/v1/dates?include=articles&sort=date',
  '/v1/dates/2026-01-10',
  '/v1/archive'
]

/** A few published articles on two days, labelled, by two authors. */
async function fill (app: FastifyInstance, t: Tap): Promise<void> {
  const ada = await createAuthor(app, t, { name: 'Ada Reporter' })
  const bob = await createAuthor(app, t, { name: 'Bob Writer' })
  const published = (day: string) => ({ status: 'published', publishedAt: `${day}T09:00:00.000Z` })
  await createArticle(app, t, { authorId: ada.id, ...published('2026-01-10'), labels: ['Transport'], title: 'Zeppelin returns over the harbour', body: '<p>A zeppelin flew over the harbour at dawn.</p>' })
  await createArticle(app, t, { authorId: bob.id, ...published('2026-01-10'), labels: ['Transport', 'Weather'], title: 'Storm closes the harbour', body: '<p>The night ferry stayed in port.</p>' })
  await createArticle(app, t, { authorId: ada.id, ...published('2026-01-11'), labels: ['Weather'], title: 'The night ferry sails again', body: '<p>Calm water, and the harbour reopens.</p>' })
  await createArticle(app, t, { authorId: bob.id, status: 'draft', title: 'Zeppelin draft', body: '<p>Not yet.</p>' })
}

async function get (app: FastifyInstance, t: Tap, url: string): Promise<LightMyRequestResponse> {
  return await request(app, t, { method: 'GET', url })
}

/**
 * The app on a database file. A worker starting on a busy machine can take seconds (it loads
 * the sources through the tests' loader), and a request waiting that long would meet the body
 * timeout's check (plugins/request-timeouts.ts), which ends real sockets, not inject's.
 */
async function buildOnFile (t: Tap, overrides: Parameters<typeof build>[1] & { databaseUrl: string }): Promise<FastifyInstance> {
  return await build(t, { requestTimeoutMs: 3_600_000, ...overrides })
}

/** Resolves once the workers have begun `count` reads in all (the hook counts them). */
async function begun (cells: Int32Array, count: number): Promise<void> {
  while (Atomics.load(cells, control.begun) < count) await new Promise((resolve) => setTimeout(resolve, 5))
}

t.test('heavy reads answer from a read worker exactly as from the server\'s thread', async (t) => {
  const file = tempDatabase(t)
  const workers = await buildOnFile(t, { databaseUrl: file, readWorkers: 1 })
  t.equal(workers.heavyReads.workers, 1, 'a file database reads in a worker')
  await fill(workers, t)
  const inThread = await buildOnFile(t, { databaseUrl: file, readWorkers: 0 })
  t.equal(inThread.heavyReads.workers, 0)
  for (const url of heavyReadUrls) {
    const [fromWorker, fromThread] = [await get(workers, t, url), await get(inThread, t, url)]
    t.equal(fromWorker.statusCode, 200, url, { body: fromWorker.body })
    t.equal(fromWorker.headers['content-type'], fromThread.headers['content-type'], `${url}: same type`)
    t.equal(fromWorker.body, fromThread.body, `${url}: same body`)
  }
  const exported = async (app: FastifyInstance) => {
    const response = await app.inject({ method: 'GET', url: '/v1/export', headers: bearer(adminSecret) })
    t.equal(response.statusCode, 200)
    t.equal(response.headers['content-type'], 'application/x-ndjson; charset=utf-8')
    return response.body.replace(/"exportedAt":"[^"]+"/, '"exportedAt":"…"')
  }
  const fromWorker = await exported(workers)
  t.equal(fromWorker.split('\n').filter((line) => line.includes('"type":"article"')).length, 4, 'the export streamed from a worker has every article')
  t.equal(fromWorker, await exported(inThread), 'the same export')
})

t.test('a :memory: database reads in the server\'s thread: there is no file to share', async (t) => {
  const app = await build(t, { readWorkers: 2 })
  t.equal(app.heavyReads.workers, 0, 'no workers (PostgreSQL reads in the server\'s thread too)')
})

t.test('a write is visible to the next heavy read, and nothing a worker cached outlives it', async (t) => {
  const app = await buildOnFile(t, { databaseUrl: tempDatabase(t), readWorkers: 1 })
  await fill(app, t)
  const titles = async (q: string) => (await get(app, t, `/v1/articles?q=${q}`)).json().data.map((item: { title: string }) => item.title)
  t.same(await titles('airship'), [])
  const article = await createArticle(app, t, { status: 'published', authorId: 1, title: 'An airship over the valley' })
  t.same(await titles('airship'), ['An airship over the valley'], 'the new article is found at once')
  const patched = await app.inject({ method: 'PATCH', url: `/v1/articles/${article.id}`, headers: bearer(adminSecret), payload: { title: 'A balloon over the valley' } })
  t.equal(patched.statusCode, 200)
  t.same(await titles('airship'), [], 'the old words are gone')
  t.same(await titles('balloon'), ['A balloon over the valley'])
  t.match((await get(app, t, '/v1/search/suggest?q=ball')).json().data, [{ title: 'A balloon over the valley' }])
  const deleted = await app.inject({ method: 'DELETE', url: `/v1/articles/${article.id}`, headers: bearer(adminSecret) })
  t.equal(deleted.statusCode, 204)
  t.same(await titles('balloon'), [], 'a deleted article is not found')
})

t.test('a scheduled article that came due is published before the worker reads', async (t) => {
  const app = await buildOnFile(t, { databaseUrl: tempDatabase(t), readWorkers: 1 })
  await fill(app, t)
  const soon = new Date(Date.now() + 300).toISOString()
  await createArticle(app, t, { status: 'scheduled', publishedAt: soon, authorId: 1, title: 'Lighthouse keeper retires' })
  t.same((await get(app, t, '/v1/articles?q=lighthouse')).json().data, [], 'not before it is due')
  while (new Date().toISOString() <= soon) await new Promise((resolve) => setTimeout(resolve, 50))
  t.match((await get(app, t, '/v1/articles?q=lighthouse')).json().data, [{ title: 'Lighthouse keeper retires', status: 'published' }])
})

t.test('a problem a service throws in a worker reaches the client as it would from the server\'s thread', async (t) => {
  const file = tempDatabase(t)
  const workers = await buildOnFile(t, { databaseUrl: file, readWorkers: 1 })
  await fill(workers, t)
  const inThread = await buildOnFile(t, { databaseUrl: file, readWorkers: 0 })
  for (const [url, status, kind, path] of [
    ['/v1/articles?q=%22%22', 400, 'validation', 'querystring.q'],
    ['/v1/articles?q=harbour&author=nobody', 400, 'validation', 'querystring.author'],
    ['/v1/articles?q=harbour&sort=-nonsense', 400, 'validation', 'querystring.sort'],
    ['/v1/articles/999/related', 404, 'not-found', undefined],
    ['/v1/articles/4/related', 404, 'not-found', undefined],
    ['/sitemap-9.xml', 404, 'not-found', undefined],
    ['/v1/dates/2030-01-01', 404, 'not-found', undefined]
  ] as const) {
    const fromWorker = await get(workers, t, url)
    assertProblem(t, fromWorker, status, kind, path === undefined ? {} : { path })
    t.equal(fromWorker.body, (await get(inThread, t, url)).body, `${url}: the same problem`)
  }
})

t.test('a read over its budget answers 503 with Retry-After; a fresh worker serves the next', async (t) => {
  const cells = readWorkerControl()
  const app = await buildOnFile(t, { databaseUrl: tempDatabase(t), readWorkers: 1, readBudgetMs: 200, readWorkerControl: cells })
  await fill(app, t)
  Atomics.store(cells, control.hold, 1)
  const held = await get(app, t, '/v1/articles?q=zeppelin')
  assertProblem(t, held, 503, 'unavailable')
  t.equal(held.headers['retry-after'], '1')
  t.match(held.json().detail, /longer than the server allows a read \(200 ms\)/)
  t.equal(Atomics.load(cells, control.begun), 1, 'the read had begun: it was stopped, not left waiting')
  // Reads waiting behind a held one go to the fresh workers, held in turn: each meets the budget.
  const [first, second] = await Promise.all([get(app, t, '/feed.json'), get(app, t, '/v1/search/suggest?q=zep')])
  t.equal(first.statusCode, 503)
  t.equal(second.statusCode, 503)
  Atomics.store(cells, control.hold, 0)
  // The ended workers may still count against the limit of threads for a moment (pool.ts).
  let served = await get(app, t, '/v1/articles?q=zeppelin')
  for (let attempt = 0; served.statusCode === 503 && attempt < 100; attempt++) served = await get(app, t, '/v1/articles?q=zeppelin')
  t.equal(served.statusCode, 200, 'a replacement worker answers', { body: served.body })
  t.equal(served.json().data.length, 1)
})

t.test('a worker that crashes is replaced; its request gets a problem', async (t) => {
  const cells = readWorkerControl()
  const app = await buildOnFile(t, { databaseUrl: tempDatabase(t), readWorkers: 1, readWorkerControl: cells })
  await fill(app, t)
  t.equal((await get(app, t, '/v1/articles?q=harbour')).statusCode, 200)
  Atomics.store(cells, control.crash, 1)
  assertProblem(t, await get(app, t, '/v1/articles?q=harbour'), 500, 'internal')
  const next = await get(app, t, '/v1/articles?q=harbour')
  t.equal(next.statusCode, 200, 'the next read is served', { body: next.body })
  t.equal(Atomics.load(cells, control.begun), 3)
})

t.test('the event loop stays free while a heavy read runs', async (t) => {
  const cells = readWorkerControl()
  const app = await buildOnFile(t, { databaseUrl: tempDatabase(t), readWorkers: 1, readWorkerControl: cells })
  await fill(app, t)
  const order: string[] = []
  Atomics.store(cells, control.hold, 1)
  const searching = get(app, t, '/v1/articles?q=zeppelin').then((response) => { order.push('search'); return response })
  await begun(cells, 1)
  const health = await app.inject({ method: 'GET', url: '/healthz' })
  order.push('healthz')
  const byId = await app.inject({ method: 'GET', url: '/v1/articles/1' })
  order.push('by id')
  Atomics.store(cells, control.hold, 0)
  const searched = await searching
  t.equal(health.statusCode, 200)
  t.equal(byId.statusCode, 200)
  t.equal(searched.statusCode, 200)
  t.same(order, ['healthz', 'by id', 'search'], 'answered while the search was under way')
})

t.test('closing the app ends the workers; a read still running gets a 503', async (t) => {
  const cells = readWorkerControl()
  const file = tempDatabase(t)
  const app = await buildOnFile(t, { databaseUrl: file, readWorkers: 2, readWorkerControl: cells })
  await fill(app, t)
  Atomics.store(cells, control.hold, 1)
  const searching = app.inject({ method: 'GET', url: '/v1/articles?q=zeppelin' })
  await begun(cells, 1)
  await app.close()
  const answer = await searching
  t.equal(answer.statusCode, 503)
  t.equal(answer.json().type, 'https://dateline.dev/problems/unavailable')
})
