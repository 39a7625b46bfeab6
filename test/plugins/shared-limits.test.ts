import { spawn } from 'node:child_process'
import { randomInt } from 'node:crypto'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import t from 'tap'
import { assertProblem } from '../problems.js'
import { adminSecret, bearer, build, createArticle, createAuthor, request, tempDatabase, type TapLike } from '../helper.js'
import { freePort, until } from '../reliability/server-process.js'

// Instances that share a Redis (REDIS_URL) count their limits there: a flood spread over them
// gets no more than one instance would allow. While Redis is away each counts its own, and the
// API goes on answering; when it returns the counting is shared again.

const sharedRedis = 'redis://127.0.0.1:6379'

/** A client address of its own per test: the counters in the machine's Redis are keyed by address. */
function someClient (): string {
  return `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`
}

async function instances (t: TapLike, count: number, redisUrl: string | null): Promise<FastifyInstance[]> {
  const databaseUrl = tempDatabase(t)
  const apps: FastifyInstance[] = []
  for (let i = 0; i < count; i++) apps.push(await build(t, { databaseUrl, redisUrl, commentRateLimit: 5 }))
  return apps
}

async function articleOn (app: FastifyInstance, t: TapLike): Promise<number> {
  const author = await createAuthor(app, t)
  return (await createArticle(app, t, { authorId: author.id, status: 'published', publishedAt: '2025-02-03T08:00:00Z' })).id as number
}

async function comment (app: FastifyInstance, t: TapLike, article: number, client: string): Promise<LightMyRequestResponse> {
  return await request(app, t, { method: 'POST', url: `/v1/articles/${article}/comments`, remoteAddress: client, payload: { authorName: 'A reader', body: 'Well said.' } })
}

t.test('the comment limit holds when one client\'s comments are spread over three instances', async (t) => {
  const apps = await instances(t, 3, sharedRedis)
  const article = await articleOn(apps[0]!, t)
  const client = someClient()
  const statuses = []
  for (let i = 0; i < 6; i++) statuses.push((await comment(apps[i % 3]!, t, article, client)).statusCode)
  t.same(statuses, [201, 201, 201, 201, 201, 429], 'five comments pass, on whichever instance; the sixth is refused')
  const refused = await comment(apps[2]!, t, article, client)
  assertProblem(t, refused, 429, 'rate-limited')
  t.ok(Number(refused.headers['retry-after']) > 0, 'with when to try again')
  t.equal((await comment(apps[1]!, t, article, someClient())).statusCode, 201, 'another client is not held back')
})

t.test('without Redis each instance counts its own', async (t) => {
  const apps = await instances(t, 2, null)
  const article = await articleOn(apps[0]!, t)
  const client = someClient()
  for (let i = 0; i < 5; i++) t.equal((await comment(apps[0]!, t, article, client)).statusCode, 201)
  t.equal((await comment(apps[0]!, t, article, client)).statusCode, 429, 'the first instance refuses the sixth')
  t.equal((await comment(apps[1]!, t, article, client)).statusCode, 201, 'the second has counted nothing')
})

t.test('bad tokens are counted across instances: the 21st from one client is a 429 on any of them, valid tokens still pass', async (t) => {
  const apps = await instances(t, 3, sharedRedis)
  const client = someClient()
  const guess = bearer('not-a-token-anyone-was-given-0000000000')
  for (let i = 0; i < 20; i++) t.equal((await request(apps[i % 3]!, t, { method: 'GET', url: '/v1/authors', remoteAddress: client, headers: guess })).statusCode, 401)
  for (const app of apps) {
    const locked = await request(app, t, { method: 'GET', url: '/v1/authors', remoteAddress: client, headers: guess })
    assertProblem(t, locked, 429, 'rate-limited')
  }
  t.equal((await request(apps[1]!, t, { method: 'GET', url: '/v1/authors', remoteAddress: client, headers: bearer(adminSecret) })).statusCode, 200, 'a valid token from the same address passes')
  t.equal((await request(apps[2]!, t, { method: 'GET', url: '/v1/authors', remoteAddress: someClient(), headers: guess })).statusCode, 401, 'another address is not blocked')
})

/** A redis-server of the test's own on `port`, stopped at the end. */
async function startRedis (t: TapLike, port: number): Promise<() => Promise<void>> {
  const server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' })
  const exited = new Promise((resolve) => server.once('exit', resolve))
  const stop = async (): Promise<void> => {
    if (server.exitCode === null && server.signalCode === null) server.kill('SIGKILL')
    await exited
  }
  t.teardown(stop)
  return stop
}

t.test('Redis away: the API answers and limits are counted per instance; back: counted together again', async (t) => {
  const port = await freePort()
  const apps = await instances(t, 2, `redis://127.0.0.1:${port}`)
  const [first, second] = apps as [FastifyInstance, FastifyInstance]
  const article = await articleOn(first, t)

  const client = someClient()
  for (let i = 0; i < 5; i++) t.equal((await comment(first, t, article, client)).statusCode, 201, 'comments are taken while Redis is away')
  t.equal((await comment(first, t, article, client)).statusCode, 429, 'and the limit still holds on each instance')
  t.equal((await comment(second, t, article, client)).statusCode, 201, 'counted by each instance on its own')
  t.equal((await request(first, t, { method: 'GET', url: '/v1/articles' })).statusCode, 200, 'reads go on')

  await startRedis(t, port)
  await until(15_000, 'both instances reconnected to Redis', async () => apps.every((app) => app.redis?.status === 'ready'))
  const later = someClient()
  const statuses = []
  for (let i = 0; i < 6; i++) statuses.push((await comment(apps[i % 2]!, t, article, later)).statusCode)
  t.same(statuses, [201, 201, 201, 201, 201, 429], 'once Redis is back, the instances count together')
})

t.test('Redis going away mid-run: no request fails for it', async (t) => {
  const port = await freePort()
  const stop = await startRedis(t, port)
  const apps = await instances(t, 2, `redis://127.0.0.1:${port}`)
  await until(15_000, 'both instances connected to Redis', async () => apps.every((app) => app.redis?.status === 'ready'))
  const article = await articleOn(apps[0]!, t)
  const client = someClient()
  t.equal((await comment(apps[0]!, t, article, client)).statusCode, 201)
  await stop()
  const statuses = []
  for (let i = 0; i < 4; i++) statuses.push((await comment(apps[1]!, t, article, someClient())).statusCode)
  t.same(statuses, [201, 201, 201, 201], 'comments are still taken')
  t.equal((await request(apps[0]!, t, { method: 'GET', url: '/v1/articles?q=bridge', remoteAddress: client })).statusCode, 200, 'searches too')
  t.equal((await request(apps[0]!, t, { method: 'GET', url: '/v1/authors', remoteAddress: client, headers: bearer('not-a-token-anyone-was-given-0000000000') })).statusCode, 401, 'bad tokens are still counted, here')
})
