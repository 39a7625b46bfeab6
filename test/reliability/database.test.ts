// The connection's durability settings, and what a request gets when another process holds
// the write lock past the busy timeout: a 503 problem with Retry-After, never a hang or a 500.
import { Ajv2020 } from 'ajv/dist/2020.js'
import addFormats from 'ajv-formats'
import Database from 'better-sqlite3'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { Writable } from 'node:stream'
import t, { type Test } from 'tap'
import { runCli } from '../../src/cli/main.js'
import { sqliteHandle } from '../../src/db/sqlite-store.js'
import { adminSecret, bearer, build, createArticle, createAuthor, request, tempDatabase, tokenFor } from '../helper.js'

const admin = bearer(adminSecret)

/**
 * Checks a 503 against the document's `Problem` component. (helper.request() would report the
 * 503 as undocumented: operations list their 4xx answers only.)
 */
function checkProblem (t: Test, app: FastifyInstance, response: LightMyRequestResponse): void {
  const ajv = new Ajv2020({ strict: false, allErrors: true })
  addFormats.default(ajv)
  ajv.addSchema({ ...(structuredClone(app.swagger()) as object), $id: 'openapi' })
  t.ok(ajv.validate({ $ref: 'openapi#/components/schemas/Problem' }, response.json()), 'the body is a Problem document', { errors: ajv.errors })
}

function quiet (): Writable {
  return new Writable({ write (_chunk, _encoding, callback) { callback() } })
}

t.test('the connection is WAL with synchronous NORMAL and a 5 s busy timeout by default; FULL and the timeout when asked', async (t) => {
  const normal = await build(t, { databaseUrl: tempDatabase(t) })
  t.equal(sqliteHandle(normal.store).$client.pragma('journal_mode', { simple: true }), 'wal')
  t.equal(sqliteHandle(normal.store).$client.pragma('synchronous', { simple: true }), 1, 'synchronous = NORMAL (1)')
  t.equal(sqliteHandle(normal.store).$client.pragma('busy_timeout', { simple: true }), 5000)

  const full = await build(t, { databaseUrl: tempDatabase(t), synchronous: 'full', busyTimeoutMs: 250 })
  t.equal(sqliteHandle(full.store).$client.pragma('synchronous', { simple: true }), 2, 'synchronous = FULL (2)')
  t.equal(sqliteHandle(full.store).$client.pragma('busy_timeout', { simple: true }), 250)
})

t.test('the CLI takes --synchronous full|normal and refuses anything else naming DATELINE_SYNCHRONOUS', async (t) => {
  const file = tempDatabase(t)
  for (const level of ['full', 'normal']) {
    const code = await runCli(['migrate', '--synchronous', level], { stdout: quiet(), stderr: quiet(), env: { DATABASE_URL: file } })
    t.equal(code, 0, `--synchronous ${level} is accepted`)
  }
  let stderr = ''
  const code = await runCli(['migrate'], { stdout: quiet(), stderr: new Writable({ write (chunk, _encoding, callback) { stderr += String(chunk); callback() } }), env: { DATABASE_URL: file, DATELINE_SYNCHRONOUS: 'sometimes' } })
  t.equal(code, 2)
  t.match(stderr, /^dateline: invalid setting DATELINE_SYNCHRONOUS="sometimes": expected normal or full\n$/)
})

/** An app on a temp file with a short busy timeout, an author and a published article. */
async function lockedDatabase (t: Test) {
  const file = tempDatabase(t)
  const busyTimeoutMs = 200
  const app = await build(t, { databaseUrl: file, busyTimeoutMs })
  const author = await createAuthor(app, t, { name: 'Busy Writer' })
  const first = await createArticle(app, t, { title: 'Written before the lock', authorId: author.id, status: 'published', labels: ['Before'] })
  const editor = await tokenFor(app, 'editor')
  // A second connection, as a `dateline import` in another process would be: it holds the
  // write lock (BEGIN IMMEDIATE) and does not commit.
  const blocker = new Database(file)
  t.teardown(() => { if (blocker.inTransaction) blocker.exec('ROLLBACK'); blocker.close() })
  blocker.exec('BEGIN IMMEDIATE')
  return { app, author, first, editor, blocker, busyTimeoutMs }
}

t.test('while another process holds the write lock past the busy timeout, writes get a 503 problem with Retry-After, and nothing half-written', async (t) => {
  const { app, author, first, blocker, busyTimeoutMs } = await lockedDatabase(t)

  const startedAt = Date.now()
  const created = await app.inject({ method: 'POST', url: '/v1/articles', headers: admin, payload: { title: 'Written during the lock', body: '<p>Waits.</p>', authorId: author.id, labels: ['During'] } })
  const waited = Date.now() - startedAt
  t.equal(created.statusCode, 503, 'POST /v1/articles answers 503', { body: created.body })
  t.ok(waited >= busyTimeoutMs * 0.8 && waited < busyTimeoutMs + 2_000, `after waiting about the busy timeout (${waited} ms), not failing at once nor hanging`)
  t.match(created.headers['content-type'], /^application\/problem\+json/)
  t.equal(created.headers['retry-after'], '2', 'with Retry-After')
  t.match(created.json(), { type: 'https://dateline.dev/problems/unavailable', status: 503, instance: '/v1/articles', detail: /busy/ })
  checkProblem(t, app, created)

  const edited = await app.inject({ method: 'PATCH', url: `/v1/articles/${first.id}`, headers: { ...admin, 'if-match': `"article-${first.id}-v1"` }, payload: { title: 'Edited during the lock' } })
  t.equal(edited.statusCode, 503, 'a PATCH too')
  t.equal(edited.headers['retry-after'], '2')
  checkProblem(t, app, edited)

  blocker.exec('ROLLBACK')
  const retried = await request(app, t, { method: 'POST', url: '/v1/articles', headers: admin, payload: { title: 'Written during the lock', body: '<p>Waits.</p>', authorId: author.id, labels: ['During'] } })
  t.equal(retried.statusCode, 201, 'once the lock is gone, the retry succeeds')
  const after = await request(app, t, { method: 'GET', url: '/v1/articles?limit=100', headers: admin })
  t.same(after.json().data.map((article: { title: string }) => article.title).sort(), ['Written before the lock', 'Written during the lock'], 'the refused POST left nothing behind: one article per title')
  t.equal(after.json().data.find((article: { id: number }) => article.id === first.id)?.title, 'Written before the lock', 'the refused PATCH changed nothing')
  const labels = sqliteHandle(app.store).$client.prepare('select name from labels order by name').all()
  t.same(labels, [{ name: 'Before' }, { name: 'During' }], 'nor a stray label (one "During", from the retry)')
})

t.test('while another process holds the write lock, reads go on (WAL)', async (t) => {
  const { app, first, editor } = await lockedDatabase(t)
  const list = await request(app, t, { method: 'GET', url: '/v1/articles' })
  t.equal(list.statusCode, 200, 'an anonymous list answers', { body: list.body })
  t.same(list.json().data?.map((article: { title: string }) => article.title), ['Written before the lock'])
  const one = await request(app, t, { method: 'GET', url: `/v1/articles/${first.id}`, headers: admin })
  t.equal(one.statusCode, 200, 'an article read with the admin token too', { body: one.body })
  t.equal(one.json().title, 'Written before the lock')
  const authors = await request(app, t, { method: 'GET', url: '/v1/authors' })
  t.equal(authors.statusCode, 200, 'and the authors', { body: authors.body })
  // The token's first use would record lastUsedAt: a write, which must not turn a read into a 503.
  const withToken = await request(app, t, { method: 'GET', url: `/v1/articles/${first.id}`, headers: bearer(editor) })
  t.equal(withToken.statusCode, 200, 'and a read with an editor token used for the first time', { body: withToken.body })
})
