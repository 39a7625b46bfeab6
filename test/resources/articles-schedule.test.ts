import type { FastifyInstance } from 'fastify'
import Database from 'better-sqlite3'
import t, { type Test } from 'tap'
import { sqliteHandle } from '../../src/db/sqlite-store.js'
import { build, createArticle, createAuthor, request, tempDatabase } from '../helper.js'

// Scheduled articles are published on time whichever server on the database answers.

const sleep = async (ms: number) => await new Promise((resolve) => setTimeout(resolve, ms))

async function publicSlugs (app: FastifyInstance, t: Test, url: string): Promise<string[]> {
  const response = await request(app, t, { method: 'GET', url })
  t.equal(response.statusCode, 200)
  return response.json().data.map((article: { slug: string }) => article.slug)
}

async function scheduledThroughOneReadThroughOther (t: Test, schedules: 'first' | 'second'): Promise<void> {
  const file = tempDatabase(t)
  const first = await build(t, { databaseUrl: file })
  const second = await build(t, { databaseUrl: file })
  const [writer, reader] = schedules === 'first' ? [first, second] : [second, first]
  const author = await createAuthor(writer, t)
  t.same(await publicSlugs(reader, t, '/v1/articles'), [], 'the reader has looked: nothing is due')
  const publishedAt = new Date(Date.now() + 800).toISOString()
  const article = await createArticle(writer, t, { authorId: author.id, title: 'On the hour', status: 'scheduled', publishedAt })
  t.equal(article.status, 'scheduled')
  t.same(await publicSlugs(reader, t, '/v1/articles'), [], 'not before its time')
  await sleep(1000)
  t.same(await publicSlugs(reader, t, '/v1/articles'), [article.slug], 'the list shows it once due')
  const one = await request(reader, t, { method: 'GET', url: `/v1/articles/${article.slug}` })
  t.equal(one.statusCode, 200)
  t.equal(one.json().status, 'published')
}

t.test('an article scheduled through one server is published when due on a read through another', async (t) => {
  await scheduledThroughOneReadThroughOther(t, 'first')
})

t.test('and the other way round', async (t) => {
  await scheduledThroughOneReadThroughOther(t, 'second')
})

// SQLite only, on a file of its own: one writer at a time holds the database's write lock.
// PostgreSQL locks rows, and its readers never wait for a writer, so there is nothing to hold.
t.test('SQLite: a due article never makes a reader wait for another process\'s write lock', async (t) => {
  const app = await build(t, { databaseUrl: tempDatabase(t), busyTimeoutMs: 3000 })
  const author = await createAuthor(app, t)
  const article = await createArticle(app, t, { authorId: author.id, title: 'Held up', status: 'scheduled', publishedAt: new Date(Date.now() + 300).toISOString() })
  await sleep(400)
  const other = new Database(sqliteHandle(app.store).$client.name)
  t.teardown(() => { if (other.open) other.close() })
  other.exec('BEGIN IMMEDIATE')

  const started = performance.now()
  const [list, health] = await Promise.all([
    request(app, t, { method: 'GET', url: '/v1/articles' }),
    request(app, t, { method: 'GET', url: '/healthz' })
  ])
  const tookMs = performance.now() - started
  t.equal(list.statusCode, 200)
  t.equal(health.statusCode, 200)
  t.ok(tookMs < 1000, `both answered in ${Math.round(tookMs)} ms, far under the 3 s busy timeout`)
  t.same(list.json().data, [], 'the due article waits for the lock, not the reader')

  other.exec('COMMIT')
  t.same(await publicSlugs(app, t, '/v1/articles'), [article.slug], 'the next read publishes it')
})
