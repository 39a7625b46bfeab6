// `dateline serve --workers 2` on one SQLite file: the primary announces once and serves
// nothing itself, a worker killed under load is replaced and costs only what was in flight
// on it, SIGTERM drains every worker and ends with 0, a worker that cannot start ends the
// primary instead of a fork storm, and `:memory:` is refused.
import http from 'node:http'
import net from 'node:net'
import Database from 'better-sqlite3'
import t from 'tap'
import { cli } from '../cli-run.js'
import { tempDatabase } from '../helper.js'
import { admin, host, sleep, spawnCli, until, within, type Sent } from './server-process.js'
import { answered, attempt, childrenOf, hungAfterMs, isAlive, startWorkers, type Outcome } from './worker-processes.js'

// Four server process trees, one after the other: on a loaded machine, longer than tap's default.
t.setTimeout(300_000)

const clients = 6
// src/server.ts gives requests in flight this long before giving up.
const drainTimeoutMs = 10_000

interface Sending { what: string, sentAt: number, outcome: Outcome }

/** What the clients sent and were told. */
class Ledger {
  sent: Sending[] = []
  /** Articles whose create was answered 201: id → title. */
  created = new Map<number, string>()

  async send (port: number, what: string, options: Sent): Promise<Outcome> {
    const sentAt = Date.now()
    const outcome = await attempt(port, options)
    this.sent.push({ what, sentAt, outcome })
    return outcome
  }

  failures (): Sending[] {
    return this.sent.filter((sending) => sending.outcome.kind === 'error')
  }

  /** Answers other than the 2xx each request expects. */
  unexpected (): Array<{ what: string, status: number, body: string }> {
    return this.sent.flatMap(({ what, outcome }) => outcome.kind === 'answer' && (outcome.answer.status < 200 || outcome.answer.status > 299)
      ? [{ what, status: outcome.answer.status, body: outcome.answer.body }]
      : [])
  }
}

/** One client: creates, edits its own articles with If-Match, and reads, one request at a time. */
async function client (port: number, ledger: Ledger, n: number, authorId: number, stop: { now: boolean }): Promise<void> {
  const own: Array<{ id: number, etag: string }> = []
  for (let step = 1; !stop.now; step++) {
    const dice = Math.random()
    if (own.length === 0 || dice < 0.3) {
      const title = `Worker load c${n} s${step}`
      const outcome = await ledger.send(port, `POST ${title}`, { method: 'POST', path: '/v1/articles', headers: admin, body: { title, body: '<p>Filed.</p>', status: 'published', authorId } })
      const created = answered(outcome, 201)
      if (created === null) continue
      const article = JSON.parse(created.body) as { id: number }
      ledger.created.set(article.id, title)
      own.push({ id: article.id, etag: String(created.headers.etag) })
    } else if (dice < 0.6) {
      const article = own[Math.floor(Math.random() * own.length)]!
      const outcome = await ledger.send(port, `PATCH ${article.id}`, { method: 'PATCH', path: `/v1/articles/${article.id}`, headers: { ...admin, 'if-match': article.etag }, body: { excerpt: `Edit ${step}` } })
      const edited = answered(outcome, 200)
      if (edited !== null) article.etag = String(edited.headers.etag)
      // Cut off: it may or may not have landed, so the version is read again before the next edit.
      else if (outcome.kind === 'error') await refreshTag(port, ledger, article)
    } else {
      const path = dice < 0.8 ? '/v1/articles?limit=5' : `/v1/articles/${own[0]!.id}`
      await ledger.send(port, `GET ${path}`, { path, headers: admin })
    }
  }
}

async function refreshTag (port: number, ledger: Ledger, article: { id: number, etag: string }): Promise<void> {
  const read = answered(await ledger.send(port, `GET ${article.id} after a cut-off edit`, { path: `/v1/articles/${article.id}`, headers: admin }), 200)
  if (read !== null) article.etag = String(read.headers.etag)
}

async function newAuthor (port: number): Promise<number> {
  const outcome = await attempt(port, { method: 'POST', path: '/v1/authors', headers: admin, body: { name: 'Night Desk' } })
  const created = answered(outcome, 201)
  if (created === null) throw new Error(`could not create the author: ${JSON.stringify(outcome)}`)
  return (JSON.parse(created.body) as { id: number }).id
}

/** A POST whose body stops halfway, until `finish`: in flight for as long as the test likes. */
function slowPost (port: number, path: string, body: unknown = { title: 'Slow' }): { outcome: Promise<Outcome>, finish: () => void } {
  const text = JSON.stringify(body)
  let finish = () => {}
  const outcome = new Promise<Outcome>((resolve) => {
    const request = http.request({
      host, port, method: 'POST', path, agent: false,
      headers: { ...admin, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) }
    }, (response) => {
      let answer = ''
      response.setEncoding('utf8').on('data', (chunk: string) => { answer += chunk })
      response.on('end', () => resolve({ kind: 'answer', answer: { status: response.statusCode!, headers: response.headers, body: answer } }))
    })
    request.on('error', (error: NodeJS.ErrnoException) => resolve({ kind: 'error', code: error.code ?? error.message }))
    request.write(text.slice(0, 10))
    finish = () => { request.end(text.slice(10)) }
  })
  return { outcome, finish: () => { finish() } }
}

t.test('serve --workers 2: the primary announces once that both listen, both workers answer, and each log line names its worker', async (t) => {
  const server = await startWorkers(t, tempDatabase(t), { DATELINE_DEMO: 'true' })
  const announcements = server.logs().filter((line) => line.startup?.docs !== undefined)
  t.equal(announcements.length, 1, 'one "listening" message, from the primary')
  t.match(announcements[0], { pid: server.child.pid, startup: { workers: 2 }, msg: /listening on http:\/\/127\.0\.0\.1:\d+ with 2 worker processes/ })
  t.notOk('worker' in announcements[0]!, 'the primary\'s lines name no worker')
  await until(5_000, 'the primary saying whether it seeded the demo', () => server.logs().some((line) => line.startup?.demo !== undefined))
  t.match(server.logs().find((line) => line.startup?.demo !== undefined), { pid: server.child.pid, startup: { demo: 'seeded' } }, 'the primary seeded the demo before forking')

  const pids = server.workerPids()
  t.equal(pids.length, 2, `two workers (${pids.join(', ')})`)
  for (let n = 0; n < 10; n++) {
    const outcome = await attempt(server.port, { path: '/v1/articles?limit=1' })
    t.equal(answered(outcome, 200)?.status, 200, `request ${n + 1} answered`)
  }
  await until(5_000, 'both workers logging the requests they served', () => {
    const served = new Set(server.logs().filter((line) => line.msg === 'request completed').map((line) => line.pid))
    return pids.every((pid) => served.has(pid))
  })
  const workerLines = server.logs().filter((line) => pids.includes(line.pid))
  t.ok(workerLines.length > 0 && workerLines.every((line) => Number.isInteger(line.worker)), 'every line of a worker carries its worker id')
  const idsByPid = new Map(workerLines.map((line) => [line.pid, line.worker]))
  t.equal(new Set(idsByPid.values()).size, 2, 'one id per worker')
  t.notOk(server.logs().some((line) => line.pid === server.child.pid && line.req !== undefined), 'the primary served no request')

  // SIGTERM to one worker alone: it drains as a lone server does, and the primary replaces it.
  const [drained, kept] = pids as [number, number]
  process.kill(drained, 'SIGTERM')
  let replacement: number | undefined
  await until(30_000, 'a new worker in place of the drained one', () => {
    replacement = server.workerPids().find((pid) => pid !== drained && pid !== kept)
    return replacement !== undefined && !isAlive(drained)
  })
  const said = (pid: number | undefined, pattern: RegExp) => server.logs().some((line) => line.pid === pid && pattern.test(line.msg))
  await until(30_000, 'the new worker listening', () => said(server.child.pid, new RegExp(`\\(pid ${replacement}\\) is listening`)))
  t.ok(said(drained, /draining in-flight requests/), 'the worker drained')
  t.ok(said(server.child.pid, new RegExp(`\\(pid ${drained}\\) exited with code 0; worker \\d+ replaces it`)), 'the primary replaced it')
  t.equal(server.child.exitCode, null, 'the primary runs on')
  for (let n = 0; n < 4; n++) t.equal(answered(await attempt(server.port, { path: '/v1/articles?limit=1' }), 200)?.status, 200, `request ${n + 1} after the replacement answered`)
})

t.test('kill -9 of a worker under load: only what was in flight on it fails, nothing acknowledged is lost, a new worker replaces it and serves', async (t) => {
  const file = tempDatabase(t)
  const server = await startWorkers(t, file)
  const authorId = await newAuthor(server.port)
  const ledger = new Ledger()
  const stop = { now: false }
  // Should a check below fail, the clients must not go on for ever against a server gone.
  t.teardown(() => { stop.now = true })
  const loops = Array.from({ length: clients }, (_, n) => client(server.port, ledger, n, authorId, stop))
  await until(15_000, 'the load being under way', () => ledger.created.size >= 20)

  // A request in flight for certain on the worker killed: its body is still arriving.
  const cutOff = slowPost(server.port, '/v1/articles?cut-off-by-the-kill')
  await until(10_000, 'a worker reading the slow request', () => server.logs().some((line) => line.req?.url === '/v1/articles?cut-off-by-the-kill'))
  const victim = server.logs().find((line) => line.req?.url === '/v1/articles?cut-off-by-the-kill')!.pid as number
  const survivor = server.workerPids().find((pid) => pid !== victim)
  const killedAt = Date.now()
  process.kill(victim, 'SIGKILL')
  const cutOffOutcome = await within(hungAfterMs + 1_000, 'the slow request ending', cutOff.outcome)
  t.match(cutOffOutcome, { kind: 'error', code: 'ECONNRESET' }, 'the request in flight on the killed worker fails with a reset connection')
  let replacement: number | undefined
  await until(30_000, 'a new worker in place of the one killed', () => {
    replacement = server.workerPids().find((pid) => pid !== survivor && pid !== victim)
    return replacement !== undefined
  })
  await until(30_000, 'the new worker serving requests', () => server.logs().some((line) => line.pid === replacement && line.msg === 'request completed'))
  await sleep(500)
  stop.now = true
  await within(hungAfterMs + 5_000, 'the clients stopping', Promise.all(loops))

  const failures = ledger.failures()
  const hung = failures.filter((sending) => sending.outcome.kind === 'error' && sending.outcome.code === 'HUNG')
  t.comment(`${ledger.sent.length} requests, ${ledger.created.size} creates acknowledged; failed: ${failures.map((sending) => (sending.outcome as { code: string }).code).join(', ') || 'none'}`)
  t.same(ledger.unexpected(), [], 'every answer is the 2xx asked for: no 5xx, no 412 from the kill')
  t.ok(failures.length <= clients, `no more failures than requests that can be in flight at once (${failures.length} ≤ ${clients})`)
  t.same(failures.filter((sending) => sending.sentAt > killedAt + 250).map(({ what, sentAt, outcome }) => ({ what, sentAfterKillMs: sentAt - killedAt, outcome })), [],
    'every failed request was sent before the kill (in flight on the killed worker)')
  t.same(failures.filter((sending) => !['ECONNRESET', 'HUNG'].includes((sending.outcome as { code: string }).code)).map((sending) => sending.outcome), [],
    'they failed by a reset connection (or, handed to the worker as it died, no answer)')
  // Node's round-robin closes its copy of a connection once the worker acknowledges it: one
  // handed over as the worker died is left open, unanswered, until the client gives up.
  t.ok(hung.length <= 1, `at most the one connection being handed to the killed worker goes unanswered (${hung.length})`)
  t.ok(server.logs().some((line) => line.pid === server.child.pid && /was ended by SIGKILL; worker \d+ replaces it/.test(line.msg)), 'the primary says which worker died and which replaces it')

  const lost: number[] = []
  for (const [id, title] of ledger.created) {
    const read = answered(await attempt(server.port, { path: `/v1/articles/${id}`, headers: admin }), 200)
    if (read === null || (JSON.parse(read.body) as { title: string }).title !== title) lost.push(id)
  }
  t.same(lost, [], `every acknowledged create is readable (${ledger.created.size})`)
  server.child.kill('SIGTERM')
  t.same(await within(drainTimeoutMs + 2_000, 'the primary exiting', server.exited), { code: 0, signal: null })
  const db = new Database(file, { readonly: true })
  t.teardown(() => db.close())
  t.same(db.pragma('integrity_check'), [{ integrity_check: 'ok' }], 'the database is sound')
})

function isCleanRefusal (outcome: Outcome): boolean {
  if (outcome.kind === 'error') return outcome.code === 'ECONNREFUSED'
  const { status, headers, body } = outcome.answer
  return status === 503 && String(headers['content-type']).startsWith('application/problem+json') && JSON.parse(body).type === 'https://dateline.dev/problems/unavailable'
}

t.test('SIGTERM to the primary under write load: every worker drains, requests in flight finish, nothing acknowledged is lost, everything exits 0', async (t) => {
  const file = tempDatabase(t)
  const server = await startWorkers(t, file)
  const pids = server.workerPids()
  const authorId = await newAuthor(server.port)
  const ledger = new Ledger()
  let refused = false
  const loops = Array.from({ length: clients }, async (_, n) => {
    for (let step = 1; !refused; step++) {
      const title = `Drain c${n} s${step}`
      const outcome = await ledger.send(server.port, title, { method: 'POST', path: '/v1/articles', headers: admin, body: { title, body: '<p>Late.</p>', status: 'published', authorId } })
      if (answered(outcome, 201) === null) refused = true
    }
  })
  await until(15_000, 'the write burst being under way', () => ledger.sent.filter((sending) => answered(sending.outcome, 201) !== null).length >= 20)

  // A request whose body is still arriving when the signal comes: in flight for certain.
  const slow = slowPost(server.port, '/v1/articles', { title: 'Filed as the presses stopped', body: '<p>Slow upload.</p>', status: 'published', authorId })
  await sleep(150)

  const signalledAt = Date.now()
  server.child.kill('SIGTERM')
  await until(5_000, 'both workers draining', () => server.logs().filter((line) => pids.includes(line.pid) && /draining in-flight requests/.test(line.msg)).length === 2)
  const late = await Promise.all(Array.from({ length: 4 }, (_, n) => attempt(server.port, { method: 'POST', path: '/v1/articles', headers: admin, body: { title: `Too late ${n}`, body: '<p>No.</p>', authorId } })))
  t.equal(server.child.exitCode, null, 'the primary waits for the request in flight')
  t.ok(pids.some(isAlive), 'and so does the worker serving it')
  slow.finish()

  const inFlight = await within(drainTimeoutMs, 'the in-flight POST', slow.outcome)
  t.equal(answered(inFlight, 201)?.status, 201, 'the request in flight when SIGTERM came completes with 201', { outcome: inFlight })
  const exit = await within(drainTimeoutMs + 2_000, 'the primary exiting after SIGTERM', server.exited)
  const exitedAfter = Date.now() - signalledAt
  t.same(exit, { code: 0, signal: null }, 'the primary exits with code 0')
  t.ok(exitedAfter < drainTimeoutMs, `within the drain timeout (${exitedAfter} ms)`)
  t.same(pids.filter(isAlive), [], 'no worker is left running')
  await within(10_000, 'the clients stopping', Promise.all(loops))

  t.ok(late.every(isCleanRefusal), 'requests sent once the workers drain are refused: connection refused or a 503 problem', { outcomes: late })
  const acknowledged = ledger.sent.filter((sending) => answered(sending.outcome, 201) !== null)
  const other = ledger.sent.filter((sending) => answered(sending.outcome, 201) === null && !isCleanRefusal(sending.outcome))
  t.same(other.map(({ what, sentAt, outcome }) => ({ what, sentBeforeSignalMs: signalledAt - sentAt, outcome })), [],
    'every write around the signal was answered 201 or refused cleanly: none reset, none a 500')
  t.comment(`around the signal: ${acknowledged.length} writes acknowledged, ${ledger.sent.length - acknowledged.length} refused cleanly`)

  const db = new Database(file, { readonly: true })
  t.teardown(() => db.close())
  t.same(db.pragma('integrity_check'), [{ integrity_check: 'ok' }], 'the database is sound')
  const titles = new Set((db.prepare('select title from articles').all() as Array<{ title: string }>).map((row) => row.title))
  const lost = [...acknowledged.map((sending) => sending.what), 'Filed as the presses stopped'].filter((title) => !titles.has(title))
  t.same(lost, [], `every acknowledged write is in the database (${acknowledged.length + 1})`)
  t.notOk(titles.has('Too late 0') || titles.has('Too late 1'), 'no refused write was applied')
  t.notMatch(server.output(), /"level":50|"level":60/, 'nothing was logged as an error')
})

t.test('DATELINE_DRAIN_DELAY: from SIGTERM on, /readyz answers 503 on every worker while everything else is served; then they drain and the primary exits 0', async (t) => {
  // Long enough for the eight requests below on a loaded machine: served after it, they would be 503s.
  const drainDelayMs = 3_000
  const server = await startWorkers(t, tempDatabase(t), { DATELINE_DRAIN_DELAY: String(drainDelayMs) })
  const pids = server.workerPids()
  const signalledAt = Date.now()
  server.child.kill('SIGTERM')
  await until(5_000, 'both workers leaving the pool', () => server.logs().filter((line) => pids.includes(line.pid) && /readyz answers 503 from now on/.test(line.msg)).length === 2)
  // One after the other, each on a connection of its own: the primary hands them to the workers in turn.
  const probes: Outcome[] = []
  for (let n = 0; n < 4; n++) probes.push(await attempt(server.port, { path: '/readyz' }))
  const reads: Outcome[] = []
  for (let n = 0; n < 4; n++) reads.push(await attempt(server.port, { path: '/v1/articles?limit=1' }))
  t.same(probes.map((outcome) => answered(outcome, 503)?.body), Array(4).fill('{"status":"unavailable"}'), '/readyz answers 503')
  t.same(reads.map((outcome) => answered(outcome, 200)?.status), [200, 200, 200, 200], 'everything else is served')
  const answeredBy503 = () => new Set(server.logs().filter((line) => line.res?.statusCode === 503).map((line) => line.pid))
  await until(5_000, 'both workers logging their 503s', () => answeredBy503().size === 2).catch(() => {})
  t.same([...answeredBy503()].sort(), [...pids].sort(), 'both workers answered /readyz with 503')
  const exit = await within(drainDelayMs + drainTimeoutMs, 'the primary exiting', server.exited)
  t.same(exit, { code: 0, signal: null }, 'then the workers drain and the primary exits 0')
  t.ok(Date.now() - signalledAt >= drainDelayMs, 'not before the delay')
})

t.test('workers that cannot start end the primary with one line and a non-zero code, after a few tries', async (t) => {
  // Only a worker finds out: the primary migrated the database, then the workers' listen fails.
  const holder = net.createServer()
  await new Promise<void>((resolve) => holder.listen(0, host, resolve))
  t.teardown(() => { holder.close() })
  const port = String((holder.address() as net.AddressInfo).port)
  const server = spawnCli(t, ['serve', '--workers', '2'], { DATABASE_URL: tempDatabase(t), PORT: port, HOST: host, DATELINE_DEMO: 'false', LOG_LEVEL: 'warn' })
  const exit = await within(30_000, 'the primary giving up', server.exited)
  t.same(exit, { code: 1, signal: null }, 'exits with code 1')
  const lines = server.stderr().split('\n').filter((line) => line !== '')
  t.equal(lines.length, 1, 'one line on stderr', { stderr: server.stderr() })
  // In a worker, Node's cluster names the failed call `bind`, whatever the primary tried.
  t.equal(lines[0], `dateline: 3 workers in a row could not start, the last because: bind EADDRINUSE ${host}:${port} (EADDRINUSE)`, 'it says why')
  const retries = server.output().split('\n').filter((line) => /could not start: .*tries again/.test(line))
  t.equal(retries.length, 2, 'no fork storm: two tries again, then it gives up')
  t.same(childrenOf(server.child.pid!), [], 'no worker is left behind')
})

t.test('--workers 2 with :memory: is refused at start, with one line', async (t) => {
  for (const run of [
    await cli(['serve', '--workers', '2', '--database-url', ':memory:']),
    await cli(['serve'], { DATELINE_WORKERS: '2', DATABASE_URL: ':memory:' })
  ]) {
    t.equal(run.code, 2)
    t.equal(run.stderr, 'dateline: 2 workers need a database they share, and with DATABASE_URL=:memory: each would have its own, empty one: use an SQLite file or PostgreSQL, or DATELINE_WORKERS=1\n')
    t.equal(run.stdout, '')
  }
})
