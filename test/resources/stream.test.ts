import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { EventSource } from 'eventsource'
import type { FastifyInstance } from 'fastify'
import t, { type Test } from 'tap'
import type { AppOptions } from '../../src/app.js'
import { prune } from '../../src/resources/changes/service.js'
import { adminSecret, bearer, build, createArticle, createAuthor, request } from '../helper.js'
import { assertProblem } from '../problems.js'

// GET /v1/stream (issue 20): the public changes as Server-Sent Events, on a real socket, read
// with the `eventsource` package (as browsers' EventSource) and with plain HTTP requests.

type Item = Record<string, any>

async function listening (t: Test, options: Partial<AppOptions> = {}): Promise<{ app: FastifyInstance, base: string }> {
  const app = await build(t, { streamPollMs: 40, streamHeartbeatMs: 150, ...options })
  await app.listen({ port: 0, host: '127.0.0.1' })
  return { app, base: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}` }
}

/** An EventSource and the changes it has received so far. */
async function follow (t: Test, url: string): Promise<{ received: Item[], next: (count: number) => Promise<Item[]> }> {
  const source = new EventSource(url)
  t.teardown(() => { source.close() })
  const received: Item[] = []
  const waiting: Array<() => void> = []
  source.onmessage = (event) => {
    received.push({ ...JSON.parse(event.data), eventId: event.lastEventId })
    for (const wake of waiting.splice(0)) wake()
  }
  await new Promise<void>((resolve, reject) => {
    source.onopen = () => { resolve() }
    source.onerror = (error) => { reject(new Error(`the stream did not open: ${String(error.message)}`)) }
  })
  const next = async (count: number): Promise<Item[]> => {
    const deadline = Date.now() + 5000
    while (received.length < count && Date.now() < deadline) await new Promise<void>((resolve) => { waiting.push(resolve); setTimeout(resolve, 100) })
    return received.slice(0, count)
  }
  return { received, next }
}

/** A plain GET of the stream: its status, and its text as it arrives. */
function open (url: string, headers: Record<string, string> = {}): Promise<{ response: http.IncomingMessage, text: () => string, ended: Promise<void>, close: () => void }> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { headers }, (response) => {
      let text = ''
      response.setEncoding('utf8')
      response.on('data', (chunk: string) => { text += chunk })
      const ended = new Promise<void>((resolve) => { response.once('end', resolve); response.once('close', resolve) })
      resolve({ response, text: () => text, ended, close: () => { request.destroy() } })
    })
    request.once('error', reject)
  })
}

async function until (condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

const events = (text: string): Item[] => text.split('\n\n').filter((block) => block.includes('data: ')).map((block) => JSON.parse(block.slice(block.indexOf('data: ') + 6)))

const write = async (app: FastifyInstance, t: Test, method: string, url: string, payload?: object, secret: string | null = adminSecret) =>
  await request(app, t, { method, url, headers: secret === null ? {} : bearer(secret), ...(payload === undefined ? {} : { payload }) })

t.test('a live blog page following an article gets its update and a newly approved comment, and nothing about other articles', async (t) => {
  const { app, base } = await listening(t)
  const author = await createAuthor(app, t)
  const article = await createArticle(app, t, { authorId: author.id, title: 'Election night, live', status: 'published' })
  const page = await follow(t, `${base}/v1/stream?article=${article.slug}`)
  await createArticle(app, t, { authorId: author.id, title: 'Something else', status: 'published' })
  t.equal((await write(app, t, 'PATCH', `/v1/articles/${article.id}`, { body: '<p>First results are in.</p>' })).statusCode, 200)
  const comment = (await write(app, t, 'POST', `/v1/articles/${article.id}/comments`, { authorName: 'A reader', body: 'Turnout looks high.' }, null)).json()
  t.equal((await write(app, t, 'PATCH', `/v1/comments/${comment.id}`, { status: 'approved' })).statusCode, 200)
  const [update, approved] = await page.next(2)
  t.match(update, { resource: 'article', id: String(article.id), kind: 'updated', fields: ['excerpt', 'body'] })
  t.match(approved, { resource: 'comment', id: String(comment.id), kind: 'created', articleId: article.id })
  t.equal(update!.eventId, String(update!.position), 'each event\'s id is its position in the log')
  await new Promise((resolve) => setTimeout(resolve, 200))
  t.equal(page.received.length, 2, 'nothing about the other article, nor the comment while it was pending')
})

t.test('label and author filters', async (t) => {
  const { app, base } = await listening(t)
  const author = await createAuthor(app, t, { name: 'Rhea Vision' })
  const other = await createAuthor(app, t, { name: 'Sam Other' })
  const byLabel = await follow(t, `${base}/v1/stream?label=sport`)
  const byAuthor = await follow(t, `${base}/v1/stream?author=${author.slug}`)
  const match = await createArticle(app, t, { authorId: other.id, title: 'Cup final', labels: ['Sport'], status: 'published' })
  const mine = await createArticle(app, t, { authorId: author.id, title: 'Council meets', labels: ['Council'], status: 'published' })
  t.same((await byLabel.next(1)).map((event) => event.id), [String(match.id)], 'the label, whatever its case')
  t.same((await byAuthor.next(1)).map((event) => event.id), [String(mine.id)], 'the author\'s article')
  await new Promise((resolve) => setTimeout(resolve, 200))
  t.equal(byLabel.received.length + byAuthor.received.length, 2, 'nothing else')
})

t.test('Last-Event-ID resumes after the position given, missing nothing; only what a reader can see', async (t) => {
  const { app, base } = await listening(t)
  const author = await createAuthor(app, t)
  const from = (await write(app, t, 'GET', '/v1/changes')).json().meta.head
  const published = [await createArticle(app, t, { authorId: author.id, title: 'One', status: 'published' })]
  await createArticle(app, t, { authorId: author.id, title: 'A draft' })
  published.push(await createArticle(app, t, { authorId: author.id, title: 'Two', status: 'published' }))
  const resumed = await open(`${base}/v1/stream`, { 'last-event-id': String(from) })
  t.equal(resumed.response.statusCode, 200)
  t.match(String(resumed.response.headers['content-type']), /^text\/event-stream/)
  await until(() => events(resumed.text()).length >= 2, 'the replayed events')
  const third = await createArticle(app, t, { authorId: author.id, title: 'Three', status: 'published' })
  await until(() => events(resumed.text()).length >= 3, 'the live event')
  const seen = events(resumed.text())
  t.same(seen.map((event) => event.id), [...published, third].map((article) => String(article.id)), 'the replay, then what happened since, once each')
  t.ok(seen.every((event, i) => i === 0 || event.position > seen[i - 1]!.position), 'in order')
  resumed.close()
})

t.test('refusals: a draft, an unknown author, a bad Last-Event-ID, a position the log no longer keeps, too many streams', async (t) => {
  const { app, base } = await listening(t)
  const author = await createAuthor(app, t)
  const draft = await createArticle(app, t, { authorId: author.id })
  assertProblem(t, await app.inject({ method: 'GET', url: `/v1/stream?article=${draft.id}`, headers: bearer(adminSecret) }) as never, 404, 'not-found')
  assertProblem(t, await request(app, t, { method: 'GET', url: '/v1/stream?author=nobody' }), 400, 'validation', 'querystring.author')
  assertProblem(t, await app.inject({ method: 'GET', url: '/v1/stream', headers: { 'last-event-id': 'yesterday' } }) as never, 400, 'validation', 'headers.last-event-id')
  await createArticle(app, t, { authorId: author.id, status: 'published' })
  await prune(app.store, 90, Date.now() + 91 * 24 * 60 * 60 * 1000)
  assertProblem(t, await app.inject({ method: 'GET', url: '/v1/stream', headers: { 'last-event-id': '0' } }) as never, 410, 'gone')

  const streams = await Promise.all(Array.from({ length: 10 }, async () => await open(`${base}/v1/stream`)))
  t.ok(streams.every((stream) => stream.response.statusCode === 200), 'ten streams open')
  const eleventh = await open(`${base}/v1/stream`)
  t.equal(eleventh.response.statusCode, 429, 'the eleventh is refused')
  t.ok(Number(eleventh.response.headers['retry-after']) > 0, 'with Retry-After')
  streams[0]!.close()
  let again = await open(`${base}/v1/stream`)
  for (let tries = 0; again.response.statusCode === 429 && tries < 50; tries++) {
    await new Promise((resolve) => setTimeout(resolve, 20))
    again = await open(`${base}/v1/stream`)
  }
  t.equal(again.response.statusCode, 200, 'one closed, one more may open')
  for (const stream of [...streams, again]) stream.close()
})

t.test('an idle stream gets heartbeats; closing the server ends every stream at once', async (t) => {
  const { app, base } = await listening(t)
  const stream = await open(`${base}/v1/stream`)
  await until(() => stream.text().includes(': still here'), 'a heartbeat')
  t.match(stream.text(), /^retry: \d+\n\n/, 'the stream says how long to wait before reconnecting')
  const started = Date.now()
  await app.close()
  await stream.ended
  t.ok(Date.now() - started < 3000, 'the stream ended with the server')
})

t.test('a client that leaves gives its place back: twelve streams opened and left one after another are all served', async (t) => {
  const app = await build(t, { streamPollMs: 40 })
  for (let i = 0; i < 12; i++) {
    const leaving = new AbortController()
    const response = await app.inject({ method: 'GET', url: '/v1/stream', payloadAsStream: true, signal: leaving.signal })
    t.equal(response.statusCode, 200, `stream ${i + 1}`)
    const stream = response.stream()
    stream.on('error', () => {})
    await new Promise((resolve) => { stream.once('data', resolve) })
    leaving.abort()
    await new Promise((resolve) => setImmediate(resolve))
  }
})
