import { createHash } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import Database from 'better-sqlite3'
import type { LightMyRequestResponse } from 'fastify'
import t, { type Test } from 'tap'
import { sqliteHandle } from '../../src/db/sqlite-store.js'
import { rowsOf } from '../inspect.js'
import { createToken, listTokens, revokeToken } from '../../src/resources/tokens/service.js'
import { adminSecret, bearer, build, createArticle, createAuthor, request, tempDatabase, tokenFor } from '../helper.js'
import { captureStream } from '../capture.js'


function assertUnauthorized (t: Test, response: LightMyRequestResponse, instance: string): void {
  t.equal(response.statusCode, 401, 'answers 401')
  t.match(String(response.headers['content-type']), /^application\/problem\+json/)
  t.match(String(response.headers['www-authenticate']), /^Bearer\b/i, 'with a Bearer challenge')
  const body = response.json()
  t.equal(body.type, 'https://dateline.dev/problems/unauthorized')
  t.equal(body.status, 401)
  t.equal(body.instance, instance)
}


t.test('no Authorization header reads anonymously', async (t) => {
  const app = await build(t)
  const author = await createAuthor(app, t, { name: 'Open Reader', email: 'open@example.org' })
  const article = await createArticle(app, t, { title: 'Public story', authorId: author.id, status: 'published', publishedAt: '2020-01-01T00:00:00.000Z' })
  await createArticle(app, t, { title: 'Hidden draft', authorId: author.id, status: 'draft' })
  const list = await request(app, t, { method: 'GET', url: '/v1/articles' })
  t.equal(list.statusCode, 200)
  t.same(list.json().data.map((a: Record<string, any>) => a.id), [article.id], 'only published articles')
  t.equal(list.headers['cache-control'], 'public, max-age=0, s-maxage=60')
  const single = await request(app, t, { method: 'GET', url: `/v1/authors/${author.id}` })
  t.equal(single.statusCode, 200)
  t.notOk('email' in single.json())
})

t.test('a write without a token is a 401', async (t) => {
  const app = await build(t)
  assertUnauthorized(t, await request(app, t, { method: 'POST', url: '/v1/authors', payload: { name: 'Anonymous Writer' } }), '/v1/authors')
  t.equal((await request(app, t, { method: 'GET', url: '/v1/authors' })).json().meta.total, 0)
})

t.test('a non-Bearer or malformed Authorization header is a 401, even on reads', async (t) => {
  const app = await build(t)
  for (const authorization of ['Basic dXNlcjpwYXNz', 'Bearer', 'Bearer ', 'Token abc', adminSecret, 'Bearer two words']) {
    const response = await request(app, t, { method: 'GET', url: '/v1/articles', headers: { authorization } })
    assertUnauthorized(t, response, '/v1/articles')
  }
})

t.test('an unknown bearer token is a 401 on GET and on POST', async (t) => {
  const app = await build(t)
  const unknown = bearer('dl_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA')
  assertUnauthorized(t, await request(app, t, { method: 'GET', url: '/v1/articles', headers: unknown }), '/v1/articles')
  assertUnauthorized(t, await request(app, t, { method: 'GET', url: '/v1/authors/1', headers: unknown }), '/v1/authors/1')
  assertUnauthorized(t, await request(app, t, { method: 'POST', url: '/v1/authors', headers: unknown, payload: { name: 'Nope' } }), '/v1/authors')
  t.equal((await request(app, t, { method: 'GET', url: '/v1/authors' })).json().meta.total, 0, 'nothing was created')
})

t.test('the scheme is case-insensitive', async (t) => {
  const app = await build(t)
  const response = await request(app, t, { method: 'POST', url: '/v1/authors', headers: { authorization: `bearer ${adminSecret}` }, payload: { name: 'Lower Case' } })
  t.equal(response.statusCode, 201)
})

t.test('a revoked token is a 401', async (t) => {
  const app = await build(t)
  const { token, secret } = await createToken(app.store, { role: 'editor', name: 'to be revoked' })
  const before = await request(app, t, { method: 'GET', url: '/v1/articles', headers: bearer(secret) })
  t.equal(before.statusCode, 200, 'works before it is revoked')
  t.equal(before.headers['cache-control'], 'private, no-cache')
  t.equal(await revokeToken(app.store, token.id), true)
  assertUnauthorized(t, await request(app, t, { method: 'GET', url: '/v1/articles', headers: bearer(secret) }), '/v1/articles')
  assertUnauthorized(t, await request(app, t, { method: 'POST', url: '/v1/authors', headers: bearer(secret), payload: { name: 'Too Late' } }), '/v1/authors')
  t.equal(await revokeToken(app.store, token.id), false, 'revoking twice reports nothing to revoke')
})

t.test('an expired token is a 401; one expiring later works', async (t) => {
  const app = await build(t)
  const expired = await createToken(app.store, { role: 'editor', expiresAt: new Date(Date.now() - 60_000).toISOString() })
  assertUnauthorized(t, await request(app, t, { method: 'GET', url: '/v1/articles', headers: bearer(expired.secret) }), '/v1/articles')
  assertUnauthorized(t, await request(app, t, { method: 'POST', url: '/v1/authors', headers: bearer(expired.secret), payload: { name: 'Expired' } }), '/v1/authors')
  const fresh = await createToken(app.store, { role: 'editor', expiresAt: new Date(Date.now() + 3_600_000).toISOString() })
  const ok = await request(app, t, { method: 'POST', url: '/v1/authors', headers: bearer(fresh.secret), payload: { name: 'Still Valid' } })
  t.equal(ok.statusCode, 201)
})

t.test('DATELINE_ADMIN_TOKEN is accepted as an admin token', async (t) => {
  const app = await build(t)
  const created = await request(app, t, { method: 'POST', url: '/v1/authors', headers: bearer(adminSecret), payload: { name: 'By Admin', email: 'admin-made@example.org' } })
  t.equal(created.statusCode, 201)
  const read = await request(app, t, { method: 'GET', url: `/v1/authors/${created.json().id}`, headers: bearer(adminSecret) })
  t.equal(read.json().email, 'admin-made@example.org', 'admins see private fields')
  t.equal(read.headers['cache-control'], 'private, no-cache')
  const removed = await request(app, t, { method: 'DELETE', url: `/v1/authors/${created.json().id}`, headers: bearer(adminSecret) })
  t.equal(removed.statusCode, 204)
  t.same(await listTokens(app.store), [], 'the admin token is not stored as a token')
})

t.test('without DATELINE_ADMIN_TOKEN that secret is just an unknown token', async (t) => {
  const app = await build(t, { adminToken: null })
  assertUnauthorized(t, await request(app, t, { method: 'POST', url: '/v1/authors', headers: bearer(adminSecret), payload: { name: 'Nope' } }), '/v1/authors')
})

t.test('roles rank admin > editor > author', async (t) => {
  const app = await build(t)
  const author = await createAuthor(app, t, { name: 'Ranked Author' })
  const asAuthor = await request(app, t, { method: 'POST', url: '/v1/authors', headers: bearer(await tokenFor(app, 'author', author.id)), payload: { name: 'By Author' } })
  t.equal(asAuthor.statusCode, 403)
  t.equal(asAuthor.json().type, 'https://dateline.dev/problems/forbidden')
  const asEditor = await request(app, t, { method: 'POST', url: '/v1/authors', headers: bearer(await tokenFor(app, 'editor')), payload: { name: 'By Editor' } })
  t.equal(asEditor.statusCode, 201)
  const asAdmin = await request(app, t, { method: 'POST', url: '/v1/authors', headers: bearer(await tokenFor(app, 'admin')), payload: { name: 'By Stored Admin' } })
  t.equal(asAdmin.statusCode, 201)
  const names = (await request(app, t, { method: 'GET', url: '/v1/authors' })).json().data.map((a: Record<string, any>) => a.name)
  t.same(names, ['By Editor', 'By Stored Admin', 'Ranked Author'])
})

t.test('using a token records when it was last used', async (t) => {
  const app = await build(t)
  const { token, secret } = await createToken(app.store, { role: 'editor', name: 'tracked' })
  t.equal(token.lastUsedAt, null)
  await request(app, t, { method: 'GET', url: '/v1/articles', headers: bearer(secret) })
  t.type(await lastUseOf(app.store, token.id), 'string')
})

/** The token's recorded last use, once written (it is written after the answer), or null after `waitMs`. */
async function lastUseOf (db: Parameters<typeof listTokens>[0], id: number, waitMs = 3000): Promise<string | null> {
  const deadline = Date.now() + waitMs
  for (;;) {
    const lastUsedAt = (await listTokens(db)).find((token) => token.id === id)?.lastUsedAt ?? null
    if (lastUsedAt !== null || Date.now() > deadline) return lastUsedAt
    await sleep(20)
  }
}

// SQLite only, on a file of its own: one writer at a time holds the database's write lock.
// PostgreSQL locks rows, and its readers never wait for a writer, so there is nothing to hold.
t.test('SQLite: a read with a token whose last use is old does not wait for another connection\'s write lock', async (t) => {
  const app = await build(t, { databaseUrl: tempDatabase(t), busyTimeoutMs: 3000 })
  const { token, secret } = await createToken(app.store, { role: 'editor' })
  const other = new Database(sqliteHandle(app.store).$client.name)
  t.teardown(() => { if (other.open) other.close() })
  other.exec('BEGIN IMMEDIATE')

  const started = performance.now()
  const [read, health] = await Promise.all([
    request(app, t, { method: 'GET', url: '/v1/articles', headers: bearer(secret) }),
    request(app, t, { method: 'GET', url: '/healthz' })
  ])
  const tookMs = performance.now() - started
  t.equal(read.statusCode, 200)
  t.equal(health.statusCode, 200)
  t.ok(tookMs < 500, `both answered in ${Math.round(tookMs)} ms, far under the 3 s busy timeout`)
  t.equal(await lastUseOf(app.store, token.id, 300), null, 'the use is not written while the lock is held')

  other.exec('COMMIT')
  t.type(await lastUseOf(app.store, token.id), 'string', 'and is written once the lock is released')
})

t.test('token secrets and readers\' addresses never reach the log', async (t) => {
  const capture = captureStream()
  const app = await build(t, { logger: { level: 'trace', stream: capture.stream } })
  const editor = await createToken(app.store, { role: 'editor', name: 'logged' })
  const author = await createAuthor(app, t, { name: 'Log Subject' })
  const authorSecret = await tokenFor(app, 'author', author.id)
  const remoteAddress = '203.0.113.77'
  const forwarded = '198.51.100.23'
  const unknownSecret = 'dl_ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ'

  const calls: Array<{ method: 'GET' | 'POST' | 'PATCH', url: string, secret: string, payload?: Record<string, unknown> }> = [
    { method: 'GET', url: '/v1/articles', secret: editor.secret },
    { method: 'POST', url: '/v1/authors', secret: editor.secret, payload: { name: 'Logged Author' } },
    { method: 'PATCH', url: `/v1/authors/${author.id}`, secret: authorSecret, payload: { bio: 'Mine' } },
    { method: 'POST', url: '/v1/authors', secret: authorSecret, payload: { name: 'Forbidden' } },
    { method: 'GET', url: '/v1/authors', secret: unknownSecret },
    { method: 'GET', url: '/v1/authors/no-such', secret: adminSecret },
    { method: 'POST', url: '/v1/authors', secret: adminSecret, payload: { name: 'Bad', nmae: 'typo' } }
  ]
  for (const call of calls) {
    const response = await request(app, t, {
      method: call.method,
      url: call.url,
      remoteAddress,
      headers: { ...bearer(call.secret), 'x-forwarded-for': forwarded },
      ...(call.payload === undefined ? {} : { payload: call.payload })
    })
    t.ok(response.statusCode < 500, `${call.method} ${call.url} answered ${response.statusCode}`)
  }

  const log = capture.text()
  t.match(log, /incoming request/, 'requests were logged')
  t.match(log, /request completed/, 'answers were logged')
  for (const secret of [editor.secret, authorSecret, unknownSecret, adminSecret]) {
    t.notOk(log.includes(secret), `a secret (${secret.slice(0, 6)}…) is not in the log`)
    t.notOk(log.includes(secret.slice(3)), 'nor its random part')
  }
  t.notOk(log.includes(remoteAddress), 'the remote address is not in the log')
  t.notOk(log.includes(forwarded), 'the forwarded address is not in the log')
  t.notMatch(log, /"authorization"\s*:/i, 'no authorization header is logged')
})

t.test('tokens are stored only as a hash', async (t) => {
  const app = await build(t)
  const author = await createAuthor(app, t, { name: 'Hashed' })
  const secrets = [
    (await createToken(app.store, { role: 'editor', name: 'editor token' })).secret,
    (await createToken(app.store, { role: 'author', author: author.slug, name: 'author token' })).secret,
    (await createToken(app.store, { role: 'admin' })).secret
  ]
  const rows = await rowsOf(app.store, 'tokens')
  t.equal(rows.length, 3)
  const stored = JSON.stringify(rows)
  for (const secret of secrets) {
    t.match(secret, /^dl_[A-Za-z0-9_-]{43}$/, 'a secret is dl_ and 32 random bytes')
    t.notOk(stored.includes(secret), 'the secret is in no column')
    t.notOk(stored.includes(secret.slice(3)), 'nor its random part')
    const hash = createHash('sha256').update(secret).digest('hex')
    t.ok(rows.some((row) => Object.values(row).includes(hash)), 'its SHA-256 hash is stored')
  }
  t.equal(new Set(secrets).size, 3, 'every secret is different')
  for (const secret of secrets) {
    const response = await request(app, t, { method: 'GET', url: '/v1/articles', headers: bearer(secret) })
    t.equal(response.statusCode, 200, 'each token works')
  }
})

t.test('an author token is bound to its author', async (t) => {
  const app = await build(t)
  const author = await createAuthor(app, t, { name: 'Bound Author', email: 'bound@example.org' })
  await t.rejects(createToken(app.store, { role: 'author' }), 'an author token needs an author')
  await t.rejects(createToken(app.store, { role: 'author', author: 'nobody' }), 'and an existing one')
  await t.rejects(createToken(app.store, { role: 'editor', author: author.slug }), 'only author tokens are bound')
  const { secret, token } = await createToken(app.store, { role: 'author', author: author.slug })
  t.equal(token.authorId, author.id)
  const own = await request(app, t, { method: 'GET', url: `/v1/authors/${author.id}`, headers: bearer(secret) })
  t.equal(own.json().email, 'bound@example.org')
  t.equal((await listTokens(app.store)).length, 1, 'the failed attempts stored nothing')
})

t.test('an author token stops working when its author is deleted', async (t) => {
  const app = await build(t)
  const author = await createAuthor(app, t, { name: 'Gone Soon' })
  const secret = await tokenFor(app, 'author', author.id)
  t.equal((await request(app, t, { method: 'GET', url: '/v1/articles', headers: bearer(secret) })).statusCode, 200)
  const removed = await request(app, t, { method: 'DELETE', url: `/v1/authors/${author.id}`, headers: bearer(adminSecret) })
  t.equal(removed.statusCode, 204)
  assertUnauthorized(t, await request(app, t, { method: 'GET', url: '/v1/articles', headers: bearer(secret) }), '/v1/articles')
})

const badSecret = (n: number): Record<string, string> => bearer(`dl_guess${String(n).padStart(40, '0')}`)

/**
 * Sends `count` bad tokens from `remoteAddress` (through `forwardedFor` when given); returns the
 * last answer. Not checked against the document: the 429 on every operation is documented by the
 * OpenAPI work of issue 15, not here.
 */
async function guess (app: Awaited<ReturnType<typeof build>>, count: number, remoteAddress: string, forwardedFor?: (n: number) => string): Promise<LightMyRequestResponse> {
  let last: LightMyRequestResponse | undefined
  for (let n = 0; n < count; n++) {
    const headers = { ...badSecret(n), ...(forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor(n) }) }
    last = await app.inject({ method: 'GET', url: '/v1/articles', remoteAddress, headers })
  }
  return last!
}

t.test('a valid token works from an address that sent too many bad ones; its bad tokens stay refused', async (t) => {
  const app = await build(t)
  const editor = await tokenFor(app, 'editor')
  const shared = '203.0.113.9'
  t.equal((await guess(app, 20, shared)).statusCode, 401, 'the 20th bad token is a 401')
  const blocked = await guess(app, 1, shared)
  t.equal(blocked.statusCode, 429, 'then bad tokens get 429')
  t.ok(Number(blocked.headers['retry-after']) > 0, 'with Retry-After')
  for (const secret of [editor, adminSecret]) {
    const valid = await request(app, t, { method: 'GET', url: '/v1/articles', remoteAddress: shared, headers: bearer(secret) })
    t.equal(valid.statusCode, 200, 'a token that verifies is let through')
  }
  const write = await request(app, t, { method: 'POST', url: '/v1/authors', remoteAddress: shared, headers: bearer(editor), payload: { name: 'Behind The NAT' } })
  t.equal(write.statusCode, 201, 'writes too')
  t.equal((await guess(app, 1, shared)).statusCode, 429, 'and bad tokens are still refused')
  const malformed = await app.inject({ method: 'GET', url: '/v1/articles', remoteAddress: shared, headers: { authorization: 'Basic abc' } })
  t.equal(malformed.statusCode, 429, 'malformed headers too')
})

t.test('behind a trusted proxy, each forwarded client has its own bad-token count', async (t) => {
  const app = await build(t, { trustProxy: ['10.0.0.0/8'] })
  const proxy = '10.1.2.3'
  t.equal((await guess(app, 21, proxy, () => '198.51.100.1')).statusCode, 429, 'the guessing client is blocked')
  const other = await guess(app, 1, proxy, () => '198.51.100.2')
  t.equal(other.statusCode, 401, 'another client behind the same proxy is not')
  const chained = await guess(app, 1, proxy, () => '198.51.100.2, 10.9.9.9')
  t.equal(chained.statusCode, 401, 'nor through a second trusted hop')
  const spoofed = await guess(app, 1, proxy, () => '198.51.100.2, 198.51.100.1')
  t.equal(spoofed.statusCode, 429, 'the address the proxy saw counts, not one the client wrote before it')
})

t.test('X-Forwarded-For from an address that is not a trusted proxy is ignored', async (t) => {
  for (const trustProxy of [undefined, ['10.0.0.0/8']]) {
    const app = await build(t, trustProxy === undefined ? {} : { trustProxy })
    const last = await guess(app, 21, '203.0.113.50', (n) => `198.51.100.${n + 1}`)
    t.equal(last.statusCode, 429, `forged addresses do not spread the guesses (trustProxy ${String(trustProxy)})`)
  }
})

t.test('behind a trusted proxy, the comment rate limit counts each client', async (t) => {
  const app = await build(t, { trustProxy: ['127.0.0.1'] })
  const author = await createAuthor(app, t, { name: 'Proxied' })
  const article = await createArticle(app, t, { title: 'Much discussed', authorId: author.id, status: 'published' })
  const post = (client: string, n: number) => request(app, t, {
    method: 'POST',
    url: `/v1/articles/${article.id}/comments`,
    remoteAddress: '127.0.0.1',
    headers: { 'x-forwarded-for': client },
    payload: { authorName: 'Reader', body: `Comment ${n} from ${client}`, formStartedAt: new Date(Date.now() - 60_000).toISOString() }
  })
  const answers = []
  for (let n = 0; n < 6; n++) answers.push((await post('198.51.100.7', n)).statusCode)
  t.equal(answers.at(-1), 429, 'one client reaches the limit')
  t.equal((await post('198.51.100.8', 0)).statusCode, 201, 'another behind the same proxy may still comment')
})
