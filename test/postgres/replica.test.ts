import type { FastifyInstance } from 'fastify'
import t, { type Test } from 'tap'
import { build, createArticle, createAuthor, request, type TapLike } from '../helper.js'
import { privatePrimary, privateReplica, type PrivateServer } from './private-cluster.js'

// DATABASE_REPLICA_URL on a real streaming replica: a primary and a hot standby of this file's
// own (the suite's shared server must not be reconfigured), two app instances on them with no
// stickiness between a client and an instance. Which server answered a read is seen from
// outside: pg_stat_statements on the replica counts the statements it ran on the articles table.

const sleep = async (ms: number): Promise<void> => await new Promise((resolve) => setTimeout(resolve, ms))

interface Cluster {
  primary: PrivateServer
  replica: PrivateServer
  urls: { databaseUrl: string, databaseReplicaUrl: string }
}

async function cluster (t: TapLike): Promise<Cluster> {
  const primary = await privatePrimary(t, { shared_preload_libraries: "'pg_stat_statements'" })
  await primary.query('create database dateline')
  await primary.query('create extension pg_stat_statements', [], 'dateline')
  const replica = await privateReplica(t, primary)
  return { primary, replica, urls: { databaseUrl: primary.url('dateline'), databaseReplicaUrl: replica.url('dateline') } }
}

/** Statements on the articles table the replica has run (Dateline's reads; nothing else there reads it). */
async function replicaArticleReads (replica: PrivateServer): Promise<number> {
  const [row] = await replica.query<{ calls: number }>(`select coalesce(sum(calls), 0)::int as calls from pg_stat_statements
    where query like '%from "articles"%' and query not like '%pg_stat_statements%'`, [], 'dateline')
  return row!.calls
}

/** Waits until the replica has replayed everything the primary has written. */
async function caughtUp ({ primary, replica }: Cluster): Promise<void> {
  for (let waited = 0; waited < 10_000; waited += 20) {
    const [{ lsn }] = await primary.query<{ lsn: string }>('select pg_current_wal_lsn()::text as lsn') as [{ lsn: string }]
    const [{ behind }] = await replica.query<{ behind: boolean }>('select pg_last_wal_replay_lsn() < $1::pg_lsn as behind', [lsn]) as [{ behind: boolean }]
    if (!behind) return
    await sleep(20)
  }
  throw new Error('the replica did not catch up within 10 s')
}

/** Whether the replica ran the articles reads of `read` (else the primary did). */
async function onReplica (cluster: Cluster, read: () => Promise<void>): Promise<boolean> {
  const before = await replicaArticleReads(cluster.replica)
  await read()
  return await replicaArticleReads(cluster.replica) > before
}

/**
 * Whether a read once the replica has caught up runs there. The primary also writes WAL of its
 * own accord (a standby snapshot some seconds after activity), and a read that arrives just
 * after such a record may rightly go to the primary: a few tries rule that out.
 */
async function servedByReplicaOnceCaughtUp (cluster: Cluster, read: () => Promise<void>): Promise<boolean> {
  for (let attempt = 0; attempt < 3; attempt++) {
    await caughtUp(cluster)
    if (await onReplica(cluster, read)) return true
  }
  return false
}

async function readArticle (app: FastifyInstance, t: Test, id: number, title: string): Promise<void> {
  const response = await request(app, t, { method: 'GET', url: `/v1/articles/${id}` })
  t.equal(response.statusCode, 200, `article ${id} is there`)
  t.equal(response.json().title, title)
}

// One primary and replica for the file (making them is most of its time): each test leaves
// the replica replaying and up.
const c = await cluster(t)

t.test('a write through one instance is read at once through another, whatever the replica has replayed; otherwise reads go to the replica', async (t) => {
  const a = await build(t, c.urls)
  const b = await build(t, c.urls)
  const author = await createAuthor(a, t, { name: 'Desk' })
  const first = await createArticle(a, t, { authorId: author.id, title: 'Before the pause', status: 'published', publishedAt: '2025-01-02T09:00:00.000Z' })

  t.ok(await servedByReplicaOnceCaughtUp(c, async () => { await readArticle(b, t, first.id, 'Before the pause') }), 'with nothing new on the primary, B reads from the replica')

  await c.replica.query('select pg_wal_replay_pause()', [], 'dateline')
  let paused = false
  for (let tries = 0; !paused && tries < 3; tries++) {
    // A standby snapshot that lands between the catch-up and the read sends it to the primary:
    // replay again to past it, and pause once more.
    if (await onReplica(c, async () => { await readArticle(b, t, first.id, 'Before the pause') })) paused = true
    else {
      await c.replica.query('select pg_wal_replay_resume()', [], 'dateline')
      await caughtUp(c)
      await c.replica.query('select pg_wal_replay_pause()', [], 'dateline')
    }
  }
  t.ok(paused, 'replay paused: what was written before the pause is still read from the replica')

  const second = await createArticle(a, t, { authorId: author.id, title: 'During the pause', status: 'published', publishedAt: '2025-01-03T09:00:00.000Z' })
  t.notOk(await onReplica(c, async () => {
    await readArticle(b, t, second.id, 'During the pause')
    const list = await request(b, t, { method: 'GET', url: '/v1/articles' })
    t.same(list.json().data.map((row: { id: number }) => row.id), [second.id, first.id], 'B\'s list has the article A just wrote')
    t.equal(list.json().meta.total, 2)
  }), 'the article A wrote is read on B at once: from the primary, the replica not having it')
  const [{ found }] = await c.replica.query<{ found: number }>('select count(*)::int as found from articles where id = $1', [second.id], 'dateline') as [{ found: number }]
  t.equal(found, 0, 'the replica indeed does not have it yet')
  t.notOk(await onReplica(c, async () => { await readArticle(a, t, first.id, 'Before the pause') }), 'after a write, older articles are read from the primary too, on either instance')

  await c.replica.query('select pg_wal_replay_resume()', [], 'dateline')
  t.ok(await servedByReplicaOnceCaughtUp(c, async () => { await readArticle(b, t, second.id, 'During the pause') }), 'replay resumed: reads go back to the replica once it has caught up')
})

/** How often Dateline's connections to `database` on `server` ran statements that mention `text`. */
async function callsOf (server: PrivateServer, text: string): Promise<number> {
  const [row] = await server.query<{ calls: number }>(`select coalesce(sum(calls), 0)::int as calls from pg_stat_statements s join pg_database d on d.oid = s.dbid
    where d.datname = 'dateline' and s.query like $1 and s.query not like '%pg_stat_statements%'`, [`%${text}%`], 'dateline')
  return row!.calls
}

t.test('concurrent reads share one question to the primary, and ask the replica only when it may have fallen behind', async (t) => {
  const app = await build(t, c.urls)
  const author = await createAuthor(app, t, { name: 'Desk' })
  const article = await createArticle(app, t, { authorId: author.id, title: 'Read by many', status: 'published', publishedAt: '2025-01-02T09:00:00.000Z' })
  await caughtUp(c)
  const asked = { primary: await callsOf(c.primary, 'pg_current_wal_lsn'), replica: await callsOf(c.replica, 'pg_last_wal_replay_lsn') }
  const reads = await Promise.all(Array.from({ length: 40 }, async () => await app.inject({ method: 'GET', url: `/v1/articles/${article.id as number}` })))
  t.same(reads.map((read) => read.statusCode), reads.map(() => 200))
  const primaryQuestions = await callsOf(c.primary, 'pg_current_wal_lsn') - asked.primary
  t.ok(primaryQuestions >= 1 && primaryQuestions <= 2, `40 reads at once asked the primary where its WAL is ${primaryQuestions} times (one fetch, and one for those who arrived while it ran)`)
  t.ok(await callsOf(c.replica, 'pg_last_wal_replay_lsn') - asked.replica <= 2, 'and the replica how far it has replayed at most once per such fetch')
})

t.test('with the replica stopped, reads and writes answer from the primary and the instance is ready; the outage is logged once, and reads go back when it returns', async (t) => {
  const logs: Array<{ level: number, msg: string }> = []
  const logger = { level: 'info', stream: { write: (line: string) => { logs.push(JSON.parse(line) as { level: number, msg: string }) } } }
  const a = await build(t, { ...c.urls, logger })
  const author = await createAuthor(a, t, { name: 'Desk' })
  const first = await createArticle(a, t, { authorId: author.id, title: 'Before the outage', status: 'published', publishedAt: '2025-01-02T09:00:00.000Z' })
  t.ok(await servedByReplicaOnceCaughtUp(c, async () => { await readArticle(a, t, first.id, 'Before the outage') }), 'reads go to the replica while it is up')

  await c.replica.stop('fast')
  for (let round = 0; round < 3; round++) {
    await readArticle(a, t, first.id, 'Before the outage')
    const list = await request(a, t, { method: 'GET', url: '/v1/articles' })
    t.equal(list.statusCode, 200)
    const created = await createArticle(a, t, { authorId: author.id, title: `During the outage ${round}`, status: 'published', publishedAt: '2025-01-03T09:00:00.000Z' })
    await readArticle(a, t, created.id, `During the outage ${round}`)
    t.equal((await a.inject({ method: 'GET', url: '/readyz' })).statusCode, 200, 'ready: the primary decides')
  }
  const late = await build(t, c.urls)
  await readArticle(late, t, first.id, 'Before the outage')
  t.pass('an instance starts while the replica is down, and answers from the primary')
  const outages = logs.filter((line) => line.level === 40 && /replica does not serve reads/.test(line.msg))
  t.equal(outages.length, 1, 'the outage is logged once')

  await c.replica.start()
  let back = false
  for (let waited = 0; !back && waited < 10_000; waited += 200) {
    await caughtUp(c)
    back = await onReplica(c, async () => { await readArticle(a, t, first.id, 'Before the outage') })
    if (!back) await sleep(200)
  }
  t.ok(back, 'reads go to the replica again once it answers')
  t.ok(logs.some((line) => line.level === 30 && /replica serves reads again/.test(line.msg)), 'and that is logged')
})

t.test('a DATABASE_REPLICA_URL that is no replica of DATABASE_URL\'s server is refused at start-up, in one line', async (t) => {
  const error = await build(t, { databaseUrl: c.urls.databaseUrl, databaseReplicaUrl: c.urls.databaseUrl }).then(() => undefined, (error: unknown) => error as Error)
  t.match(error?.message, /^cannot use DATABASE_REPLICA_URL \(the PostgreSQL database dateline at 127\.0\.0\.1:\d+\): it is not a standby/)
  t.notMatch(error?.message, /\n/)
  const other = await privatePrimary(t)
  const otherReplica = await privateReplica(t, other)
  await other.query('create database dateline')
  await caughtUp({ primary: other, replica: otherReplica, urls: c.urls })
  const foreign = await build(t, { databaseUrl: c.urls.databaseUrl, databaseReplicaUrl: otherReplica.url('dateline') }).then(() => undefined, (error: unknown) => error as Error)
  t.match(foreign?.message, /DATABASE_REPLICA_URL .*: it is a standby of another server than DATABASE_URL's/)
})
