import pg from 'pg'
import t from 'tap'
import { adminSecret, bearer, build } from '../helper.js'
import { freshPostgresDatabase } from '../postgres.js'
import { assertProblem } from '../problems.js'

// PostgreSQL's counterpart of test/storage-failures.test.ts: a server that stops taking writes
// (here: a database turned read-only, as a standby is after a fail-over) answers writes with a
// 503 storage-unavailable and is not ready until a write goes through again; reads go on.

async function onServer (url: string, statements: string[]): Promise<void> {
  const server = new URL(url)
  const name = server.pathname.slice(1)
  server.pathname = '/postgres'
  const client = new pg.Client({ connectionString: server.toString() })
  await client.connect()
  try {
    for (const statement of statements) await client.query(statement.replaceAll('$db', `"${name}"`), statement.includes('$1') ? [name] : [])
  } finally {
    await client.end()
  }
}

// New sessions take the database's default; the app's pooled ones are ended so it opens new ones.
const endSessions = 'select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()'

t.test('a database that turned read-only: writes are 503 storage-unavailable, reads go on, ready again once writable', async (t) => {
  const { url } = await freshPostgresDatabase(t)
  const app = await build(t, { databaseUrl: url })
  const created = await app.inject({ method: 'POST', url: '/v1/authors', headers: bearer(adminSecret), payload: { name: 'Before The Switch' } })
  t.equal(created.statusCode, 201)

  await onServer(url, ['alter database $db set default_transaction_read_only = on', endSessions])
  // The first statement after the sessions ended may meet a connection the pool still holds.
  await app.inject({ method: 'GET', url: '/v1/authors' })

  const refused = await app.inject({ method: 'POST', url: '/v1/authors', headers: bearer(adminSecret), payload: { name: 'During The Switch' } })
  assertProblem(t, refused, 503, 'storage-unavailable')
  t.equal(refused.headers['retry-after'], '60')
  t.match(refused.json().detail, /\(25006\)/, 'naming the database\'s code, as on SQLite')
  t.equal((await app.inject({ method: 'GET', url: '/readyz' })).statusCode, 503, 'not ready while writes fail')
  const read = await app.inject({ method: 'GET', url: '/v1/authors' })
  t.equal(read.statusCode, 200, 'reads go on')
  t.same(read.json().data.map((author: { name: string }) => author.name), ['Before The Switch'], 'and nothing of the refused write is there')

  await onServer(url, ['alter database $db reset default_transaction_read_only', endSessions])
  await app.inject({ method: 'GET', url: '/v1/authors' })
  t.equal((await app.inject({ method: 'GET', url: '/readyz' })).statusCode, 200, 'ready again once a probe write goes through')
  const after = await app.inject({ method: 'POST', url: '/v1/authors', headers: bearer(adminSecret), payload: { name: 'After The Switch' } })
  t.equal(after.statusCode, 201, 'and writes work')
})

t.test('the server drops a connection in the middle of a unit of work: a 503, no crash, and the next request is served', async (t) => {
  const { url } = await freshPostgresDatabase(t)
  const app = await build(t, { databaseUrl: url })
  const author = await app.inject({ method: 'POST', url: '/v1/authors', headers: bearer(adminSecret), payload: { name: 'Held Row' } })
  t.equal(author.statusCode, 201)
  const id = author.json().id as number

  // Another session holds the author's row, so the app's PATCH waits inside its transaction;
  // then its connection is ended, as a server restart (or an administrator) ends it.
  const holder = new pg.Client({ connectionString: url })
  await holder.connect()
  t.teardown(async () => { await holder.end() })
  await holder.query('begin')
  await holder.query('select id from authors where id = $1 for update', [id])
  const edit = app.inject({ method: 'PATCH', url: `/v1/authors/${id}`, headers: bearer(adminSecret), payload: { bio: 'Written while the row was held.' } })
  let waiting = 0
  for (let tries = 0; waiting === 0 && tries < 200; tries++) {
    await new Promise((resolve) => setTimeout(resolve, 25))
    waiting = (await holder.query("select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'")).rows[0].n
  }
  t.equal(waiting, 1, 'the PATCH waits for the row')
  await holder.query("select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'")
  const refused = await edit
  assertProblem(t, refused, 503, 'unavailable')
  t.match(refused.json().detail, /cannot be reached/)
  await holder.query('rollback')

  const read = await app.inject({ method: 'GET', url: `/v1/authors/${id}` })
  t.equal(read.statusCode, 200, 'the process is alive and serves the next request')
  t.equal(read.json().bio ?? null, author.json().bio ?? null, 'and nothing of the dropped unit was written')
  const retried = await app.inject({ method: 'PATCH', url: `/v1/authors/${id}`, headers: bearer(adminSecret), payload: { bio: 'Written once the row was free.' } })
  t.equal(retried.statusCode, 200, 'a retry goes through')
})
