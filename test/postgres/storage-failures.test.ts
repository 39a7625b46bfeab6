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
