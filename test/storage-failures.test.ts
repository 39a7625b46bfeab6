// Issue 15: a full disk answered writes with 500 SQLITE_FULL while /readyz said 200.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import t from 'tap'
import { sqliteHandle } from '../src/db/sqlite-store.js'
import { adminSecret, bearer, build, createArticle, createAuthor, tempDatabase } from './helper.js'

const bigBody = `<p>${'A long report. '.repeat(20_000)}</p>`

t.test('a write the full database cannot store is a 503 problem with Retry-After, and /readyz is 503 until writes go through', async (t) => {
  const app = await build(t, { databaseUrl: tempDatabase(t) })
  const author = await createAuthor(app, t)
  await createArticle(app, t, { title: 'Before the disk filled', authorId: author.id })
  const sqlite = sqliteHandle(app.store).$client
  const pages = sqlite.pragma('page_count', { simple: true }) as number
  // The database may not grow: SQLite answers SQLITE_FULL as on a full disk.
  sqlite.pragma(`max_page_count = ${pages}`)
  t.equal((await app.inject({ url: '/readyz' })).statusCode, 200, 'ready while no write has failed')

  const refused = await app.inject({ method: 'POST', url: '/v1/articles', headers: bearer(adminSecret), payload: { title: 'Too big', body: bigBody, authorId: author.id } })
  t.equal(refused.statusCode, 503)
  t.match(refused.headers['content-type'], /^application\/problem\+json/)
  t.match(refused.json(), { status: 503, type: 'https://dateline.dev/problems/storage-unavailable' })
  t.ok(Number(refused.headers['retry-after']) > 0, 'with Retry-After')
  t.notMatch(refused.body, /SqliteError|stack/, 'no internals in the answer')

  t.equal((await app.inject({ url: '/readyz' })).statusCode, 503, 'not ready while writes fail')
  t.equal((await app.inject({ url: '/v1/articles' })).statusCode, 200, 'reads still answer')
  t.equal((await app.inject({ url: '/readyz' })).statusCode, 503, 'still not ready')

  sqlite.pragma(`max_page_count = ${pages * 100}`)
  t.equal((await app.inject({ url: '/readyz' })).statusCode, 200, 'ready again once a probe write succeeds')
  const stored = await app.inject({ method: 'POST', url: '/v1/articles', headers: bearer(adminSecret), payload: { title: 'After', body: bigBody, authorId: author.id } })
  t.equal(stored.statusCode, 201)
})

t.test('a database that turned read-only is treated alike', async (t) => {
  const app = await build(t, { databaseUrl: tempDatabase(t) })
  // The connection refuses every write with SQLITE_READONLY, as with a read-only WAL file.
  sqliteHandle(app.store).$client.pragma('query_only = 1')
  const refused = await app.inject({ method: 'POST', url: '/v1/authors', headers: bearer(adminSecret), payload: { name: 'Nobody' } })
  t.equal(refused.statusCode, 503)
  t.match(refused.json(), { type: 'https://dateline.dev/problems/storage-unavailable' })
  t.equal((await app.inject({ url: '/readyz' })).statusCode, 503)
  sqliteHandle(app.store).$client.pragma('query_only = 0')
  t.equal((await app.inject({ url: '/readyz' })).statusCode, 200)
})

// As root, file modes bind nobody; an immutable file (chattr +i) binds root too.
function chattr (flag: '+i' | '-i', path: string): boolean {
  return spawnSync('chattr', [flag, path], { stdio: 'ignore' }).status === 0
}

t.test('a write-ahead log that turned read-only under the running server is treated alike', async (t) => {
  const file = tempDatabase(t)
  const app = await build(t, { databaseUrl: file })
  const author = await createAuthor(app, t)
  const wal = `${file}-wal`
  t.ok(existsSync(wal), 'the database writes through a WAL file')
  t.ok(chattr('+i', wal), 'the WAL file is immutable now')
  t.teardown(() => { chattr('-i', wal) })

  const refused = await app.inject({ method: 'POST', url: '/v1/articles', headers: bearer(adminSecret), payload: { title: 'Not stored', authorId: author.id } })
  t.equal(refused.statusCode, 503)
  t.match(refused.json(), { status: 503, type: 'https://dateline.dev/problems/storage-unavailable' })
  t.ok(Number(refused.headers['retry-after']) > 0, 'with Retry-After')
  t.equal((await app.inject({ url: '/readyz' })).statusCode, 503, 'not ready while writes fail')
  t.equal((await app.inject({ url: '/v1/authors' })).statusCode, 200, 'reads still answer')

  t.ok(chattr('-i', wal), 'writable again')
  t.equal((await app.inject({ url: '/readyz' })).statusCode, 200, 'ready again once a probe write succeeds')
  const stored = await app.inject({ method: 'POST', url: '/v1/articles', headers: bearer(adminSecret), payload: { title: 'Stored', authorId: author.id } })
  t.equal(stored.statusCode, 201)
})
