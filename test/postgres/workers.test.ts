import t from 'tap'
import { demoArticles } from '../../src/demo/content.js'
import { freshPostgresDatabase } from '../postgres.js'
import { admin, until, within } from '../reliability/server-process.js'
import { answered, attempt, isAlive, startWorkers } from '../reliability/worker-processes.js'
import { withClient } from './cli-run.js'

// `dateline serve --workers 2` on PostgreSQL: the primary seeds the demo once before forking,
// each worker has its own pool, what one writes the other reads, and SIGTERM ends them all
// with 0. (Killing a worker and draining under load: test/reliability/workers.test.ts.)

t.test('serve --workers 2 on PostgreSQL: the demo seeded once, both workers serving one database, SIGTERM exits 0', async (t) => {
  const { url } = await freshPostgresDatabase(t)
  const server = await startWorkers(t, url, { DATELINE_DEMO: 'true' })
  await until(5_000, 'the primary saying whether it seeded the demo', () => server.logs().some((line) => line.startup?.demo !== undefined))
  t.match(server.logs().find((line) => line.startup?.demo !== undefined), { pid: server.child.pid, startup: { demo: 'seeded' } }, 'the primary seeded the demo')
  const articles = await withClient(url, async (client) => (await client.query<{ count: number }>('select count(*)::int as count from articles')).rows[0]!.count)
  t.equal(articles, demoArticles.length, 'once: no worker seeded it again')

  const pids = server.workerPids()
  t.equal(pids.length, 2, 'two workers')
  const created = answered(await attempt(server.port, { method: 'POST', path: '/v1/authors', headers: admin, body: { name: 'Pooled Desk' } }), 201)
  t.ok(created, 'a write through one worker')
  const slug = (JSON.parse(created!.body) as { slug: string }).slug
  // Each request on a connection of its own: the primary hands them to the workers in turn.
  for (let n = 0; n < 6; n++) t.equal(answered(await attempt(server.port, { path: `/v1/authors/${slug}` }), 200)?.status, 200, `read back, request ${n + 1}`)
  // A worker logs a request once its answer is out: the line may come after the answer.
  const servedByBoth = () => {
    const served = new Set(server.logs().filter((line) => line.msg === 'request completed').map((line) => line.pid))
    return pids.every((pid) => served.has(pid))
  }
  await until(5_000, 'both workers logging requests', servedByBoth).catch(() => {})
  t.ok(servedByBoth(), 'both workers served requests')

  server.child.kill('SIGTERM')
  t.same(await within(15_000, 'the primary exiting', server.exited), { code: 0, signal: null }, 'SIGTERM: exit 0')
  t.same(pids.filter(isAlive), [], 'no worker is left running')
})
