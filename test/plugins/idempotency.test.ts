import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import t from 'tap'
import { backupDatabase } from '../../src/cli/backup.js'
import { sqliteHandle } from '../../src/db/sqlite-store.js'
import { adminSecret, bearer, build, createAuthor, lastingDatabaseUrl, request, tempDatabase, tokenFor } from '../helper.js'
import { rowsOf, updateRows } from '../inspect.js'

const key = (name: string): Record<string, string> => ({ 'idempotency-key': `test-${name}-0f8a3c` })

t.test('a POST retried with the same Idempotency-Key gets the first answer and creates nothing twice', async (t) => {
  const app = await build(t)
  const author = await createAuthor(app, t, { name: 'Ida Empotent' })
  const editor = await tokenFor(app, 'editor')
  const payload = { authorId: author.id, title: 'Retried after a timeout', body: '<p>Once.</p>', status: 'published' }
  const first = await request(app, t, { method: 'POST', url: '/v1/articles', headers: { ...bearer(editor), ...key('article') }, payload })
  t.equal(first.statusCode, 201)
  t.notOk(first.headers['idempotent-replayed'])
  const retry = await request(app, t, { method: 'POST', url: '/v1/articles', headers: { ...bearer(editor), ...key('article') }, payload })
  t.equal(retry.statusCode, 201, 'the same status')
  t.equal(retry.headers['idempotent-replayed'], 'true', 'marked as a replay')
  t.equal(retry.headers.location, first.headers.location, 'the same Location')
  t.equal(retry.headers.etag, first.headers.etag, 'the same ETag')
  t.same(retry.json(), first.json(), 'the same body')
  const list = await request(app, t, { method: 'GET', url: '/v1/articles', headers: bearer(editor) })
  t.equal(list.json().meta.total, 1, 'one article, not two')
})

t.test('the same key with a different body is a 422 and changes nothing', async (t) => {
  const app = await build(t)
  const author = await createAuthor(app, t, { name: 'Ida Empotent' })
  const editor = await tokenFor(app, 'editor')
  const headers = { ...bearer(editor), ...key('reuse') }
  await request(app, t, { method: 'POST', url: '/v1/articles', headers, payload: { authorId: author.id, title: 'First use' } })
  const reused = await request(app, t, { method: 'POST', url: '/v1/articles', headers, payload: { authorId: author.id, title: 'Another article' } })
  t.equal(reused.statusCode, 422)
  t.equal(reused.json().type, 'https://dateline.dev/problems/idempotency-key-reused')
  const list = await request(app, t, { method: 'GET', url: '/v1/articles', headers: bearer(editor) })
  t.same(list.json().data.map((article: { title: string }) => article.title), ['First use'])
})

t.test('keys belong to one client: another token with the same key creates its own', async (t) => {
  const app = await build(t)
  const author = await createAuthor(app, t, { name: 'Ida Empotent' })
  const [one, two] = [await tokenFor(app, 'editor'), await tokenFor(app, 'editor')]
  const payload = { authorId: author.id, title: 'Same key, two clients' }
  const first = await request(app, t, { method: 'POST', url: '/v1/articles', headers: { ...bearer(one), ...key('shared') }, payload })
  const second = await request(app, t, { method: 'POST', url: '/v1/articles', headers: { ...bearer(two), ...key('shared') }, payload })
  t.equal(first.statusCode, 201)
  t.equal(second.statusCode, 201)
  t.notOk(second.headers['idempotent-replayed'])
  t.not(second.json().id, first.json().id)
})

t.test('a failed request is not remembered: fixed and sent again with its key, it runs', async (t) => {
  const app = await build(t)
  const author = await createAuthor(app, t, { name: 'Ida Empotent' })
  const headers = { ...bearer(adminSecret), ...key('fixed') }
  const failed = await request(app, t, { method: 'POST', url: '/v1/articles', headers, payload: { authorId: author.id, title: '' } })
  t.equal(failed.statusCode, 400)
  const fixed = await request(app, t, { method: 'POST', url: '/v1/articles', headers, payload: { authorId: author.id, title: 'Fixed' } })
  t.equal(fixed.statusCode, 201)
  t.equal(fixed.json().title, 'Fixed')
})

t.test('anonymous comment posts are deduplicated per client too', async (t) => {
  const app = await build(t)
  const author = await createAuthor(app, t, { name: 'Ida Empotent' })
  const article = await request(app, t, { method: 'POST', url: '/v1/articles', headers: bearer(adminSecret), payload: { authorId: author.id, title: 'Open for comments', status: 'published' } })
  const comment = { authorName: 'Reader', body: 'Posted once, sent twice.', formStartedAt: new Date(Date.now() - 60_000).toISOString() }
  const url = `/v1/articles/${article.json().id}/comments`
  const first = await request(app, t, { method: 'POST', url, headers: key('comment'), payload: comment })
  const retry = await request(app, t, { method: 'POST', url, headers: key('comment'), payload: comment })
  t.equal(first.statusCode, 201)
  t.equal(retry.headers['idempotent-replayed'], 'true')
  const queue = await request(app, t, { method: 'GET', url: '/v1/comments', headers: bearer(adminSecret) })
  t.equal(queue.json().meta.total, 1)
})

t.test('a malformed key is a 400 naming the header', async (t) => {
  const app = await build(t)
  const response = await request(app, t, { method: 'POST', url: '/v1/authors', headers: { ...bearer(adminSecret), 'idempotency-key': 'has spaces in it' }, payload: { name: 'Nobody' } })
  t.equal(response.statusCode, 400)
  t.equal(response.json().errors[0].path, 'headers.idempotency-key')
})

/** Everything SQLite keeps of the database on disk: the file and its write-ahead log. */
function bytesOnDisk (path: string): string {
  return [path, `${path}-wal`].filter((file) => existsSync(file)).map((file) => readFileSync(file).toString('latin1')).join('')
}

t.test('a token created with an Idempotency-Key: the secret is never kept, and a retry says it was shown once', async (t) => {
  const path = tempDatabase(t)
  const app = await build(t, { databaseUrl: path })
  const headers = { ...bearer(adminSecret), ...key('token') }
  const created = await request(app, t, { method: 'POST', url: '/v1/tokens', headers, payload: { role: 'editor', name: 'Deploy script' } })
  t.equal(created.statusCode, 201)
  const { secret, id } = created.json()
  t.match(secret, /^dl_/)
  const randomPart = secret.slice(3)

  const rows = sqliteHandle(app.store).$client.prepare('select * from idempotency_keys').all()
  t.equal(rows.length, 1, 'the key is remembered')
  t.notOk(JSON.stringify(rows).includes(randomPart), 'without the secret')
  t.notOk(bytesOnDisk(path).includes(randomPart), 'the secret is nowhere in the database files')

  const retry = await request(app, t, { method: 'POST', url: '/v1/tokens', headers, payload: { role: 'editor', name: 'Deploy script' } })
  t.equal(retry.statusCode, 409, 'a retry does not hand the secret out again')
  t.equal(retry.json().type, 'https://dateline.dev/problems/secret-shown-once')
  t.match(retry.json().detail, `/v1/tokens/${id}`, 'it names the token that was created')
  t.equal(retry.headers.location, `/v1/tokens/${id}`)
  t.equal(retry.headers['idempotent-replayed'], 'true')
  t.notOk(retry.body.includes(randomPart))
  const tokens = await request(app, t, { method: 'GET', url: '/v1/tokens', headers: bearer(adminSecret) })
  t.equal(tokens.json().meta.total, 1, 'and creates no second token')

  const backup = join(dirname(path), 'backup.db')
  await backupDatabase(path, backup, { force: false })
  t.notOk(readFileSync(backup).toString('latin1').includes(randomPart), 'a backup does not hold the secret')
})

t.test('expired keys are purged at start-up, before any keyed request', async (t) => {
  const databaseUrl = await lastingDatabaseUrl(t)
  const first = await build(t, { databaseUrl })
  const author = await createAuthor(first, t, { name: 'Ida Empotent' })
  const sent = await request(first, t, { method: 'POST', url: '/v1/articles', headers: { ...bearer(adminSecret), ...key('old') }, payload: { authorId: author.id, title: 'Long ago' } })
  t.equal(sent.statusCode, 201)
  // A day and a bit later, as far as the row can tell.
  t.equal(await updateRows(first.store, 'idempotency_keys', { created_at: new Date(Date.now() - 25 * 3600_000).toISOString() }), 1, 'the key is a day old now')
  await first.close()
  const second = await build(t, { databaseUrl })
  t.same(await rowsOf(second.store, 'idempotency_keys'), [], 'gone once the server is up')
})

t.test('expired keys are purged on a timer, without another keyed request', async (t) => {
  const app = await build(t, { idempotencyPurgeIntervalMs: 50 })
  const author = await createAuthor(app, t, { name: 'Ida Empotent' })
  const headers = { ...bearer(adminSecret), ...key('timer') }
  await request(app, t, { method: 'POST', url: '/v1/articles', headers, payload: { authorId: author.id, title: 'Aging' } })
  await request(app, t, { method: 'POST', url: '/v1/articles', headers: { ...headers, ...key('fresh') }, payload: { authorId: author.id, title: 'Fresh' } })
  t.equal(await updateRows(app.store, 'idempotency_keys', { created_at: new Date(Date.now() - 25 * 3600_000).toISOString() }, { key: 'test-timer-0f8a3c' }), 1, 'the first key is a day old now')
  await sleep(300)
  t.same((await rowsOf(app.store, 'idempotency_keys')).map((row) => row.key), ['test-fresh-0f8a3c'], 'the expired key is gone, the fresh one kept')
})

t.test('a token secret kept by an earlier version is wiped from the database at start-up', async (t) => {
  const path = tempDatabase(t)
  const first = await build(t, { databaseUrl: path })
  const secret = `dl_${'Q'.repeat(20)}earlierVersion${'7'.repeat(9)}`
  // What versions before issue 15 stored for POST /v1/tokens with a key.
  sqliteHandle(first.store).$client.prepare('insert into idempotency_keys (scope, key, request_digest, status, headers, body, created_at) values (?, ?, ?, ?, ?, ?, ?)')
    .run('admin', 'test-legacy', 'digest', 201, JSON.stringify({ location: '/v1/tokens/1' }), JSON.stringify({ id: 1, role: 'editor', secret }), new Date().toISOString())
  await first.close()
  t.ok(bytesOnDisk(path).includes(secret.slice(3)), 'the old answer is on disk before')
  const second = await build(t, { databaseUrl: path })
  t.same(sqliteHandle(second.store).$client.prepare('select key, body from idempotency_keys').all(), [{ key: 'test-legacy', body: '' }], 'the key is kept, its answer blanked')
  t.notOk(bytesOnDisk(path).includes(secret.slice(3)), 'and the secret is nowhere in the files')
})

// Instances behind a load balancer share the keys: a key is claimed in the database while its
// request runs, so a retry that reaches another instance meanwhile never runs it a second time.

t.test('one key sent to two instances at once: one article, the other answer a 409 to retry or the same answer replayed', async (t) => {
  const databaseUrl = await lastingDatabaseUrl(t)
  const instances = [await build(t, { databaseUrl }), await build(t, { databaseUrl })]
  const author = await createAuthor(instances[0]!, t, { name: 'Ida Empotent' })
  for (let round = 0; round < 10; round++) {
    const headers = { ...bearer(adminSecret), ...key(`race-${round}`) }
    const payload = { authorId: author.id, title: `Raced ${round}` }
    const answers = await Promise.all(instances.map(async (app) => await request(app, t, { method: 'POST', url: '/v1/articles', headers, payload })))
    const created = answers.filter((answer) => answer.statusCode === 201 && answer.headers['idempotent-replayed'] === undefined)
    t.equal(created.length, 1, `round ${round}: one instance ran it`)
    const other = answers.find((answer) => answer !== created[0])!
    if (other.statusCode === 409) {
      t.equal(other.json().type, 'https://dateline.dev/problems/conflict')
      t.equal(other.headers['retry-after'], '1', 'told to retry shortly')
    } else {
      t.equal(other.headers['idempotent-replayed'], 'true', 'or it came second and replays the answer')
      t.same(other.json(), created[0]!.json())
    }
  }
  const list = await request(instances[1]!, t, { method: 'GET', url: '/v1/articles?limit=50', headers: bearer(adminSecret) })
  t.equal(list.json().meta.total, 10, 'ten keys, ten articles')
})

t.test('a claim left by an instance that died before its work committed: a retry takes the key over once the claim is stale', async (t) => {
  const app = await build(t)
  const author = await createAuthor(app, t, { name: 'Ida Empotent' })
  const headers = { ...bearer(adminSecret), ...key('orphan') }
  const payload = { authorId: author.id, title: 'Sent before the crash' }
  // A key sent with another request, its row then put back as a claim whose work never
  // committed, renewed five seconds ago: what an instance killed mid-request leaves.
  const other = await request(app, t, { method: 'POST', url: '/v1/authors', headers, payload: { name: 'Stand-in' } })
  t.equal(other.statusCode, 201)
  t.equal(await updateRows(app.store, 'idempotency_keys', { status: 0, body: '', headers: '{}', request_digest: '', created_at: new Date(Date.now() - 5000).toISOString() }), 1, 'a fresh claim whose work never committed')
  const early = await request(app, t, { method: 'POST', url: '/v1/articles', headers, payload })
  t.equal(early.statusCode, 409, 'while the claim may still be alive, a retry waits')
  t.equal(await updateRows(app.store, 'idempotency_keys', { created_at: new Date(Date.now() - 60_000).toISOString() }), 1, 'a minute without renewal')
  const retried = await request(app, t, { method: 'POST', url: '/v1/articles', headers, payload })
  t.equal(retried.statusCode, 201, 'the retry runs')
  t.notOk(retried.headers['idempotent-replayed'])
  const again = await request(app, t, { method: 'POST', url: '/v1/articles', headers, payload })
  t.equal(again.headers['idempotent-replayed'], 'true', 'and its answer is the one kept now')
})

t.test('work that committed but whose answer was never kept is not run again: the retry is told it succeeded', async (t) => {
  // SQLite's trigger stands in for a server that died between its commit and keeping the answer.
  const app = await build(t, { databaseUrl: tempDatabase(t) })
  const author = await createAuthor(app, t, { name: 'Ida Empotent' })
  const connection = sqliteHandle(app.store).$client
  connection.exec("create trigger answers_lost before update of status on idempotency_keys when new.status > 1 begin select raise(abort, 'the answer is lost'); end")
  const headers = { ...bearer(adminSecret), ...key('lost') }
  const payload = { authorId: author.id, title: 'Committed, then the lights went out' }
  const sent = await request(app, t, { method: 'POST', url: '/v1/articles', headers, payload })
  t.equal(sent.statusCode, 201, 'the client still gets its answer')
  connection.exec('drop trigger answers_lost')
  const [row] = await rowsOf(app.store, 'idempotency_keys')
  t.equal(row?.status, 1, 'the key says the work committed, in the same transaction as the work')
  t.equal(await updateRows(app.store, 'idempotency_keys', { created_at: new Date(Date.now() - 60_000).toISOString() }), 1, 'a minute later')
  const retried = await request(app, t, { method: 'POST', url: '/v1/articles', headers, payload })
  t.equal(retried.statusCode, 409)
  t.match(retried.json().detail, /succeeded, but the server that ran it stopped before its answer was kept/)
  const list = await request(app, t, { method: 'GET', url: '/v1/articles', headers: bearer(adminSecret) })
  t.equal(list.json().meta.total, 1, 'one article')
})
