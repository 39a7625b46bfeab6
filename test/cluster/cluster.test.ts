// Three Dateline instances on one PostgreSQL database and one Redis, behind HAProxy started
// with deploy/haproxy.cfg as it is: the topology of deploy/compose.yaml, as real processes of
// this machine (Debian's PostgreSQL 15, redis-server and HAProxy 2.6). Under a steady mixed
// load through the proxy, one fault after another: an instance killed, a rolling restart,
// Redis away, PostgreSQL restarted. Runs when DATELINE_CLUSTER_TESTS is set (.ci/run sets it).
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import http from 'node:http'
import t from 'tap'
import { admin, host, send, sleep, startServer, until, type Answer, type ServerProcess } from '../reliability/server-process.js'
import { photo } from '../media.js'
import { bucketEnvironment, freshMediaBucket, s3TestEndpoint } from '../s3.js'
import { call, describe, Load, tally, type Acknowledged } from './load.js'
import { redisCli, serverStates, startHaproxy, startPostgres, startRedis, waitForState, type PrivateRedis, type Proxy } from './processes.js'

// About a minute on a quiet machine; every process start slows down on a busy one.
t.setTimeout(240_000)

const loops = 4
const editors = 40
const commentLimit = 5
const unavailable = 'https://dateline.dev/problems/unavailable'

const postgres = await startPostgres(t)
let redis: PrivateRedis = await startRedis(t)

/**
 * Where every instance keeps images: a bucket of the S3 test server when there is one
 * (DATELINE_TEST_S3_ENDPOINT: the instances then keep nothing on their own disks), else one
 * folder, as a shared volume would be.
 */
async function sharedMedia (): Promise<Record<string, string>> {
  if (s3TestEndpoint() !== undefined) return bucketEnvironment(await freshMediaBucket(t))
  const dir = mkdtempSync(join(tmpdir(), 'dateline-cluster-media-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return { DATELINE_MEDIA_DIR: dir }
}

/**
 * Every instance's settings but its port: one database, one Redis, HAProxy (this machine)
 * trusted. After SIGTERM, /readyz answers 503 for 2 s while requests are still served: longer
 * than deploy/haproxy.cfg takes to see it (two failed checks, 1.25 s at most), so HAProxy has
 * stopped sending requests before the instance drains.
 */
const settings = {
  REDIS_URL: `redis://${host}:${redis.port}`,
  ...await sharedMedia(),
  DATELINE_TRUST_PROXY: host,
  DATELINE_COMMENT_RATE_LIMIT: String(commentLimit),
  DATELINE_DRAIN_DELAY: '2000'
}

interface Instance { name: string, server: ServerProcess }

async function startInstance (name: string, port?: number): Promise<Instance> {
  return { name, server: await startServer(t, postgres.url, { ...settings, ...(port === undefined ? {} : { PORT: String(port) }) }) }
}

// Started together: they take turns migrating the empty database (an advisory lock).
const instances = await Promise.all(['app1', 'app2', 'app3'].map(async (name) => await startInstance(name)))
const proxy: Proxy = await startHaproxy(t, instances.map(({ server }) => `${host}:${server.port}`))
const acknowledged: Acknowledged = { articles: new Map(), comments: new Map() }
const counts: Record<string, string> = {}

async function createAuthor (name: string): Promise<number> {
  const created = await send(instances[0]!.server.port, { method: 'POST', path: '/v1/authors', headers: admin, body: { name } })
  if (created.status !== 201) throw new Error(`could not create an author: ${created.status} ${created.body}`)
  return JSON.parse(created.body).id as number
}

const authorIds = await Promise.all(Array.from({ length: loops }, async (_, i) => await createAuthor(`Load desk ${i}`)))

function isProblem (answer: { status: number, headers: http.IncomingHttpHeaders, body: string }, status: number, type?: string): boolean {
  if (answer.status !== status || !String(answer.headers['content-type']).startsWith('application/problem+json')) return false
  const problem = JSON.parse(answer.body) as { status?: number, type?: string }
  return problem.status === status && (type === undefined || problem.type === type)
}

/** Each instance's /readyz status; an instance that died fails the test with what it printed last. */
async function readiness (): Promise<number[]> {
  return await Promise.all(instances.map(async ({ name, server }) => {
    if (server.child.exitCode !== null || server.child.signalCode !== null) throw new Error(`${name} exited (${String(server.child.exitCode ?? server.child.signalCode)}):\n${server.output().slice(-3000)}`)
    return (await send(server.port, { path: '/readyz' })).status
  }))
}

async function restart (instance: Instance): Promise<void> {
  instance.server = (await startInstance(instance.name, instance.server.port)).server
  await waitForState(proxy, instance.name, 'UP')
}

/** Runs `fault` while the load runs (from a second before it to half a second after). */
async function underLoad (name: string, fault: (load: Load) => Promise<void>): Promise<Load> {
  const load = new Load(proxy.port, authorIds, acknowledged, name)
  load.start()
  await sleep(1_000)
  try {
    await fault(load)
    await sleep(500)
  } finally {
    await load.stop()
  }
  return load
}

t.test('kill -9 of one instance: only requests in flight on it fail, no acknowledged write is lost', async (t) => {
  const victim = instances[1]!
  let killedAt = 0
  let exitedAt = 0
  const load = await underLoad('kill', async () => {
    killedAt = Date.now()
    victim.server.child.kill('SIGKILL')
    await victim.server.exited
    exitedAt = Date.now()
    await waitForState(proxy, victim.name, 'DOWN')
    await sleep(500)
    await restart(victim)
  })
  const failures = load.failures()
  const inFlight = failures.filter((outcome) => outcome.startedAt <= exitedAt && outcome.endedAt >= killedAt)
  t.same(failures.filter((outcome) => !inFlight.includes(outcome)), [], 'every failed request was in flight while the instance was killed')
  t.ok(inFlight.length <= loops, `at most one request per client failed (${inFlight.length}: ${inFlight.map((outcome) => `${outcome.op} ${outcome.result}`).join(', ') || 'none'})`)
  t.ok(load.outcomes.length > 100, `the load kept going (${load.outcomes.length} requests)`)
  counts['kill -9'] = `${describe(load.outcomes)}; ${JSON.stringify(tally(load.outcomes))}`
  t.comment(`kill -9: ${counts['kill -9']}`)
})

t.test(`${editors} editors PATCH one article with one If-Match through the proxy: exactly one wins, the others get 412`, async (t) => {
  const created = await send(proxy.port, { method: 'POST', path: '/v1/articles', headers: admin, body: { title: 'Contested across instances', body: '<p>Start.</p>', status: 'published', authorId: authorIds[0] } })
  t.equal(created.status, 201)
  const path = `/v1/articles/${JSON.parse(created.body).id as number}`
  let etag = String(created.headers.etag)
  for (let round = 1; round <= 3; round++) {
    const answers = await Promise.all(Array.from({ length: editors }, async (_, i) =>
      await send(proxy.port, { method: 'PATCH', path, headers: { ...admin, 'if-match': etag }, body: { title: `Round ${round}, editor ${i}` } })))
    const statuses = answers.map((answer) => answer.status)
    t.comment(`round ${round}: ${JSON.stringify(tally(statuses.map((status) => ({ result: status }))))}`)
    t.equal(statuses.filter((status) => status === 200).length, 1, `round ${round}: one 200`)
    t.equal(statuses.filter((status) => status === 412).length, editors - 1, `round ${round}: ${editors - 1} × 412`)
    const winner = statuses.indexOf(200)
    if (winner === -1) return
    const stored = JSON.parse((await send(proxy.port, { path, headers: admin })).body)
    t.equal(stored.title, `Round ${round}, editor ${winner}`, `round ${round}: the stored title is the winner's`)
    etag = String(answers[winner]!.headers.etag)
    acknowledged.articles.set(stored.id as number, [stored.title as string])
  }
})

t.test('an image uploaded through the proxy is served by every instance; deleted through one, by none', async (t) => {
  const form = new FormData()
  form.append('alt', 'The weir at dusk')
  form.append('file', new Blob([await photo(900, 600)], { type: 'image/jpeg' }), 'weir.jpg')
  const uploaded = await fetch(`http://${host}:${proxy.port}/v1/media`, { method: 'POST', headers: admin, body: form })
  t.equal(uploaded.status, 201)
  const image = await uploaded.json() as { id: number, variants: Array<{ url: string, bytes: number }> }
  for (const { name, server } of instances) {
    for (const variant of image.variants) {
      const served = await fetch(`http://${host}:${server.port}${variant.url}`)
      const bytes = (await served.arrayBuffer()).byteLength
      if (served.status !== 200 || bytes !== variant.bytes) t.fail(`${name} ${variant.url}: ${served.status}, ${bytes} bytes`)
    }
  }
  t.pass(`each of the ${instances.length} instances serves all ${image.variants.length} variants, byte for byte in size`)
  const removed = await send(instances[2]!.server.port, { method: 'DELETE', path: `/v1/media/${image.id}`, headers: admin })
  t.equal(removed.status, 204)
  for (const { name, server } of instances) {
    t.equal((await fetch(`http://${host}:${server.port}${image.variants[0]!.url}`)).status, 404, `${name}: gone`)
  }
})

t.test('rolling restart (SIGTERM one instance at a time, started again): no request fails', async (t) => {
  const exits: string[] = []
  const load = await underLoad('rolling', async () => {
    for (const instance of instances) {
      instance.server.child.kill('SIGTERM')
      const exit = await instance.server.exited
      exits.push(`${instance.name} ${String(exit.code ?? exit.signal)}`)
      await restart(instance)
    }
  })
  t.same(exits, instances.map(({ name }) => `${name} 0`), 'each drained and exited 0')
  t.equal(load.failures().length, 0, `no request failed: ${describe(load.outcomes)}`)
  counts['rolling restart'] = `${describe(load.outcomes)}; ${JSON.stringify(tally(load.outcomes))}`
  t.comment(`rolling restart: ${counts['rolling restart']}`)
})

/** Redis's connected clients: every instance has reconnected when there are as many as instances. */
async function redisClients (): Promise<number> {
  return (await redisCli(redis.port, 'client', 'list')).split('\n').filter((line) => line.includes('cmd=') && !line.includes('cmd=client')).length
}

t.test('Redis away: reads and writes go on; back, limits are counted there again across instances', async (t) => {
  const load = await underLoad('redis', async () => {
    redis.child.process.kill('SIGKILL')
    await redis.child.exited
    await sleep(2_000)
    redis = await startRedis(t, redis.port)
    await until(10_000, 'every instance connected to Redis again', async () => await redisClients() >= instances.length)
  })
  t.equal(load.failures().length, 0, `no request failed while Redis was away: ${describe(load.outcomes)}`)
  counts['Redis away'] = `${describe(load.outcomes)}; ${JSON.stringify(tally(load.outcomes))}`
  t.comment(`Redis away: ${counts['Redis away']}`)

  const article = await send(proxy.port, { method: 'POST', path: '/v1/articles', headers: admin, body: { title: 'Flooded with comments', body: '<p>Hot topic.</p>', status: 'published', authorId: authorIds[0] } })
  const comments = `/v1/articles/${JSON.parse(article.body).id as number}/comments`
  const statuses: number[] = []
  let last: Answer | undefined
  for (let i = 0; i <= commentLimit; i++) {
    last = await send(instances[i % instances.length]!.server.port, { method: 'POST', path: comments, body: { authorName: 'Flooder', body: `Comment ${i + 1}` } })
    statuses.push(last.status)
  }
  t.same(statuses.slice(0, commentLimit), Array(commentLimit).fill(201), `${commentLimit} comments from one client, spread over the three instances, are taken`)
  t.equal(statuses[commentLimit], 429, `the ${commentLimit + 1}th is refused: the instances count together in Redis (${statuses.join(', ')})`)
  if (last !== undefined && last.status === 429) t.ok(isProblem(last, 429), 'as a problem document')
})

t.test('PostgreSQL restarted: 503 problems and /readyz 503 while it is away, then recovery without restarting the instances', async (t) => {
  const pids = instances.map(({ server }) => server.child.pid)
  const probes: Array<{ what: string, ok: boolean, ms: number }> = []
  async function probe (what: string, port: number, path: string, check: (answer: Answer) => boolean, options: { method?: string, body?: unknown } = {}): Promise<boolean> {
    const startedAt = Date.now()
    const answer = await send(port, { path, headers: admin, ...options })
    const ok = check(answer)
    probes.push({ what, ok, ms: Date.now() - startedAt })
    return ok
  }
  const load = await underLoad('postgres', async () => {
    await postgres.stop()
    try {
      await outage()
    } finally {
      // Back in any case, so that the writes of the earlier faults can still be read back.
      await postgres.start()
    }
    await until(15_000, 'every instance\'s /readyz answering 200 again', async () => (await readiness()).every((status) => status === 200))
    for (const { name } of instances) await waitForState(proxy, name, 'UP')
  })
  async function outage (): Promise<void> {
    await until(5_000, 'every instance\'s /readyz answering 503', async () => (await readiness()).every((status) => status === 503))
    for (const { name, server } of instances) {
      t.ok(await probe(`${name} GET /v1/articles`, server.port, '/v1/articles', (answer) => isProblem(answer, 503, unavailable)), `${name} answers a read with a 503 problem`)
      t.ok(await probe(`${name} POST /v1/articles`, server.port, '/v1/articles', (answer) => isProblem(answer, 503, unavailable), { method: 'POST', body: { title: 'Written while the database is away', body: '<p>Lost?</p>', status: 'published', authorId: authorIds[0] } }), `${name} answers a write with a 503 problem`)
    }
    await until(5_000, 'HAProxy seeing every instance down', async () => Object.values(await serverStates(proxy)).every((state) => state === 'DOWN'))
    t.ok(await probe('proxy GET /v1/articles', proxy.port, '/v1/articles', (answer) => isProblem(answer, 503, unavailable)), 'through the proxy, a read gets a 503 problem')
    t.ok(await probe('proxy POST /v1/articles', proxy.port, '/v1/articles', (answer) => isProblem(answer, 503, unavailable), { method: 'POST', body: { title: 'Written while the database is away', body: '<p>Lost?</p>', status: 'published', authorId: authorIds[0] } }), 'and so does a write')
    await sleep(1_000)
  }
  t.same(instances.map(({ server }) => server.child.pid), pids, 'the same processes')
  t.ok(probes.every((probe) => probe.ms < 3_000), `each probe answered within 3 s (slowest ${Math.max(...probes.map((probe) => probe.ms))} ms)`)
  const created = await send(proxy.port, { method: 'POST', path: '/v1/articles', headers: admin, body: { title: 'Written after the database came back', body: '<p>Back.</p>', status: 'published', authorId: authorIds[0] } })
  t.equal(created.status, 201, 'a write succeeds again')
  if (created.status === 201) acknowledged.articles.set(JSON.parse(created.body).id as number, ['Written after the database came back'])
  // The load's requests during the outage: each a success or a 503 problem, none a 500, a
  // connection error or an answer that took more than a few seconds.
  const bad = load.outcomes.filter((outcome) => !outcome.expected && !(outcome.result === 503 && outcome.problem === true))
  t.same(bad.map((outcome) => `${outcome.op} ${outcome.result}`), [], 'the load got only successes and 503 problems')
  const slowest = Math.max(...load.outcomes.map((outcome) => outcome.endedAt - outcome.startedAt))
  t.ok(slowest < 5_000, `no request waited 5 s or more (slowest ${slowest} ms)`)
  counts['PostgreSQL restart'] = `${JSON.stringify(tally(load.outcomes))}, slowest ${slowest} ms`
  t.comment(`PostgreSQL restart: ${counts['PostgreSQL restart']}`)
})

t.test('every acknowledged write of every fault reads back', async (t) => {
  const port = proxy.port
  const agent = new http.Agent({ keepAlive: true, maxSockets: 8 })
  t.teardown(() => { agent.destroy() })
  const lost: string[] = []
  const articles = [...acknowledged.articles]
  const comments = [...acknowledged.comments]
  await inTurns(8, articles, async ([id, titles]) => {
    const read = await call(port, agent, 'GET', `/v1/articles/${id}`, admin)
    const title = read.status === 200 ? JSON.parse(read.body).title as string : `(${read.status})`
    if (!titles.includes(title)) lost.push(`article ${id}: ${title}, expected ${titles.join(' or ')}`)
  })
  await inTurns(8, comments, async ([id, text]) => {
    const read = await call(port, agent, 'GET', `/v1/comments/${id}`, admin)
    if (read.status !== 200 || !String(JSON.parse(read.body).body).includes(text)) lost.push(`comment ${id}: ${read.status}`)
  })
  t.same(lost, [], `${articles.length} articles and ${comments.length} comments read back as acknowledged`)
  t.comment(`failure counts: ${JSON.stringify(counts, null, 1)}`)
})

async function inTurns<T> (width: number, items: T[], work: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < items.length) await work(items[next++]!)
  }))
}
