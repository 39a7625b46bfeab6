import { setTimeout as sleep } from 'node:timers/promises'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import t, { type Test } from 'tap'
import { rowsOf } from '../inspect.js'
import { adminSecret, bearer, build, createAuthor, request, tokenFor } from '../helper.js'
import { assertProblem } from '../problems.js'

// The tokens API (admins only) and the lockout of clients that keep guessing tokens.

type Item = Record<string, any>

const secretPattern = /^dl_[A-Za-z0-9_-]{43}$/
const unknownSecret = 'dl_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'

async function create (app: FastifyInstance, t: Test, payload: Record<string, unknown>, secret = adminSecret): Promise<LightMyRequestResponse> {
  return request(app, t, { method: 'POST', url: '/v1/tokens', headers: bearer(secret), payload })
}

/** Creates a token through the API and returns the answer's body (with its secret). */
async function created (app: FastifyInstance, t: Test, payload: Record<string, unknown>): Promise<Item> {
  const response = await create(app, t, payload)
  t.equal(response.statusCode, 201, `POST /v1/tokens ${JSON.stringify(payload)}`, { body: response.body })
  return response.json()
}

/** Every token, as an admin lists them. */
async function allTokens (app: FastifyInstance, t: Test): Promise<Item[]> {
  const response = await request(app, t, { method: 'GET', url: '/v1/tokens?limit=100', headers: bearer(adminSecret) })
  t.equal(response.statusCode, 200, 'GET /v1/tokens')
  return response.json().data
}

async function statusWith (app: FastifyInstance, t: Test, secret: string, url = '/v1/articles'): Promise<number> {
  return (await request(app, t, { method: 'GET', url, headers: bearer(secret) })).statusCode
}

async function revoke (app: FastifyInstance, t: Test, id: number | string, secret = adminSecret): Promise<LightMyRequestResponse> {
  return request(app, t, { method: 'DELETE', url: `/v1/tokens/${id}`, headers: bearer(secret) })
}

t.test('an admin creates an editor token: 201, Location, no-store, the secret once, and it works as an editor', async (t) => {
  const app = await build(t)
  const response = await create(app, t, { role: 'editor', name: 'Night desk' })
  t.equal(response.statusCode, 201)
  const token = response.json()
  t.equal(response.headers.location, `/v1/tokens/${token.id}`)
  t.equal(response.headers['cache-control'], 'no-store', 'the secret is not cached anywhere')
  t.match(token, { name: 'Night desk', role: 'editor', authorId: null, lastUsedAt: null, expiresAt: null, revokedAt: null })
  t.match(token.secret, secretPattern, 'dl_ and 43 base64url characters')
  t.ok(Date.parse(token.createdAt) <= Date.now())

  const author = await request(app, t, { method: 'POST', url: '/v1/authors', headers: bearer(token.secret), payload: { name: 'Made By Editor' } })
  t.equal(author.statusCode, 201, 'the editor token writes content')
  assertProblem(t, await request(app, t, { method: 'GET', url: '/v1/tokens', headers: bearer(token.secret) }), 403, 'forbidden')
  const listed = (await allTokens(app, t)).find((item) => item.id === token.id)
  t.match(listed, { name: 'Night desk', role: 'editor' }, 'the token is listed')
})

t.test('a created token\'s Location answers: its role, state and last use, never its secret; revoked ones too', async (t) => {
  const app = await build(t)
  const response = await create(app, t, { role: 'editor', name: 'Night desk' })
  const token = response.json()
  const read = await request(app, t, { method: 'GET', url: String(response.headers.location), headers: bearer(adminSecret) })
  t.equal(read.statusCode, 200, `GET ${response.headers.location}`, { body: read.body })
  const { secret, ...summary } = token
  t.same(read.json(), summary, 'what the creation answered, without the secret')
  t.notOk(read.body.includes(secret), 'the secret appears nowhere in the answer')
  t.equal(read.headers['cache-control'], 'private, no-cache', 'a token read is nobody else\'s')
  t.match(String(read.headers.etag), /^"/, 'with an ETag')
  const again = await request(app, t, { method: 'GET', url: String(response.headers.location), headers: { ...bearer(adminSecret), 'if-none-match': String(read.headers.etag) } })
  t.equal(again.statusCode, 304, 'unchanged: a 304')

  const readBack = async () => (await request(app, t, { method: 'GET', url: `/v1/tokens/${token.id}`, headers: bearer(adminSecret) })).json()
  t.equal(await statusWith(app, t, secret), 200)
  // The last use is written just after the answer, off the request path.
  let used = await readBack()
  for (let tries = 0; used.lastUsedAt === null && tries < 100; tries++) used = await sleep(20).then(readBack)
  t.type(used.lastUsedAt, 'string', 'it shows the token\'s last use')
  await revoke(app, t, token.id)
  const revoked = await readBack()
  t.type(revoked.revokedAt, 'string', 'a revoked token still answers, showing when it was revoked')
  t.equal(revoked.lastUsedAt, used.lastUsedAt, 'and its last use')

  assertProblem(t, await request(app, t, { method: 'GET', url: '/v1/tokens/999', headers: bearer(adminSecret) }), 404, 'not-found')
  assertProblem(t, await request(app, t, { method: 'GET', url: '/v1/tokens/1.0', headers: bearer(adminSecret) }), 400, 'validation', 'params.id')
  assertProblem(t, await request(app, t, { method: 'GET', url: `/v1/tokens/${token.id}`, headers: bearer(secret) }), 401, 'unauthorized')
})

t.test('an admin token made over the API manages tokens; without a name it gets one from its role', async (t) => {
  const app = await build(t)
  const token = await created(app, t, { role: 'admin' })
  t.match(token, { role: 'admin', authorId: null, name: 'admin token' })
  const other = await create(app, t, { role: 'editor' }, token.secret)
  t.equal(other.statusCode, 201, 'the new admin token creates tokens')
  t.equal(other.json().name, 'editor token')
  t.not(other.json().secret, token.secret, 'every token has its own secret')
  t.equal(await statusWith(app, t, token.secret, '/v1/tokens'), 200)
})

t.test('an author token is bound to its author, named by id or by slug', async (t) => {
  const app = await build(t)
  const ada = await createAuthor(app, t, { name: 'Ada Binding' })
  const byId = await created(app, t, { role: 'author', author: String(ada.id) })
  const bySlug = await created(app, t, { role: 'author', author: ada.slug, name: 'Ada by slug' })
  t.match(byId, { role: 'author', authorId: ada.id })
  t.match(bySlug, { role: 'author', authorId: ada.id, name: 'Ada by slug' })
  for (const token of [byId, bySlug]) {
    const draft = await request(app, t, { method: 'POST', url: '/v1/articles', headers: bearer(token.secret), payload: { title: 'My own draft' } })
    t.equal(draft.statusCode, 201, 'the author token writes a draft')
    t.match(draft.json(), { authorId: ada.id, status: 'draft' }, 'as its own author')
  }
  assertProblem(t, await request(app, t, { method: 'POST', url: '/v1/authors', headers: bearer(byId.secret), payload: { name: 'Nope' } }), 403, 'forbidden')
})

t.test('an author token needs an existing author, and only author tokens take one: 400 naming body.author', async (t) => {
  const app = await build(t)
  const ada = await createAuthor(app, t, { name: 'Ada Present' })
  const before = await allTokens(app, t)
  for (const payload of [
    { role: 'author' },
    { role: 'author', author: 'nobody-by-that-slug' },
    { role: 'author', author: '999' },
    { role: 'editor', author: String(ada.id) },
    { role: 'admin', author: ada.slug }
  ]) {
    t.test(JSON.stringify(payload), async (t) => {
      assertProblem(t, await create(app, t, payload), 400, 'validation', 'body.author')
    })
  }
  t.same(await allTokens(app, t), before, 'no token was created')
})

t.test('bad token input is a 400 naming the field', async (t) => {
  const app = await build(t)
  const cases: Array<[Record<string, unknown>, string, string?]> = [
    [{}, 'body.role', 'is required'],
    [{ role: 'superuser' }, 'body.role'],
    [{ role: 'editor', scope: 'all' }, 'body.scope', 'is not a known field'],
    [{ role: 'editor', expiresAt: 'tomorrow' }, 'body.expiresAt'],
    [{ role: 'editor', name: '' }, 'body.name'],
    [{ role: 'editor', name: 'x'.repeat(101) }, 'body.name'],
    [{ role: 'author', author: 7 }, 'body.author']
  ]
  for (const [payload, path, message] of cases) {
    t.test(`${JSON.stringify(payload).slice(0, 60)} names ${path}`, async (t) => {
      const response = await create(app, t, payload)
      assertProblem(t, response, 400, 'validation', path)
      if (message !== undefined) t.ok(response.json().errors.some((error: Item) => error.path === path && error.message === message), `says "${message}"`)
    })
  }
  t.same(await allTokens(app, t), [], 'no token was created')
})

t.test('expiresAt is kept in UTC and honoured: the token works until then and is a 401 after', async (t) => {
  const app = await build(t)
  const later = await created(app, t, { role: 'editor', expiresAt: '2099-06-01T12:00:00+02:00' })
  t.equal(later.expiresAt, '2099-06-01T10:00:00.000Z', 'normalised to UTC')
  t.equal(await statusWith(app, t, later.secret), 200, 'a token expiring later works')

  const soon = await created(app, t, { role: 'editor', expiresAt: new Date(Date.now() + 1500).toISOString() })
  t.equal(await statusWith(app, t, soon.secret), 200, 'works before it expires')
  await sleep(Date.parse(soon.expiresAt) - Date.now() + 50)
  const expired = await request(app, t, { method: 'GET', url: '/v1/articles', headers: bearer(soon.secret) })
  assertProblem(t, expired, 401, 'unauthorized')
  t.match(String(expired.headers['www-authenticate']), /^Bearer\b/)
  t.equal((await allTokens(app, t)).find((item) => item.id === soon.id)?.expiresAt, soon.expiresAt, 'the list shows when it expired')
})

t.test('the secret is shown once: the list never has it, and the database stores only a hash', async (t) => {
  const app = await build(t)
  const ada = await createAuthor(app, t, { name: 'Ada Hash' })
  const made = [
    await created(app, t, { role: 'admin' }),
    await created(app, t, { role: 'editor' }),
    await created(app, t, { role: 'author', author: ada.slug })
  ]
  const list = await request(app, t, { method: 'GET', url: '/v1/tokens', headers: bearer(adminSecret) })
  t.equal(list.statusCode, 200)
  t.same(list.json().data.map((item: Item) => item.id), made.map((item) => item.id), 'every token, oldest first')
  for (const item of list.json().data) t.notOk('secret' in item, `token ${item.id} is listed without its secret`)
  for (const { secret } of made) {
    t.notOk(list.body.includes(secret), 'no secret anywhere in the list')
    t.notOk(list.body.includes(secret.slice(3)), 'not even without its prefix')
  }
  const rows = await rowsOf(app.store, 'tokens')
  t.equal(rows.length, 3)
  const stored = JSON.stringify(rows)
  for (const { secret } of made) t.notOk(stored.includes(secret.slice(3)), 'the database does not hold the secret')
  for (const row of rows) t.match(row.secret_hash, /^[0-9a-f]{64}$/, 'but a hash of it')
})

t.test('lastUsedAt records a token\'s first use and is not rewritten within the minute', async (t) => {
  const app = await build(t)
  const token = await created(app, t, { role: 'editor' })
  const lastUsed = async () => (await allTokens(app, t)).find((item) => item.id === token.id)?.lastUsedAt
  t.equal(await lastUsed(), null, 'never used yet')
  t.equal(await statusWith(app, t, token.secret), 200)
  // Written just after the answer, off the request path.
  let first = await lastUsed()
  for (let tries = 0; first === null && tries < 100; tries++) first = await sleep(20).then(lastUsed)
  t.type(first, 'string', 'set by the first use')
  t.ok(Date.now() - Date.parse(first) < 60_000, 'to a recent time')
  await sleep(5)
  t.equal(await statusWith(app, t, token.secret), 200)
  await sleep(50)
  t.equal(await lastUsed(), first, 'unchanged by a second use within the minute')
})

t.test('the token list pages, oldest first', async (t) => {
  const app = await build(t)
  const made: Item[] = []
  for (let i = 0; i < 3; i++) made.push(await created(app, t, { role: 'editor', name: `Token ${i}` }))
  const first = await request(app, t, { method: 'GET', url: '/v1/tokens?limit=2', headers: bearer(adminSecret) })
  t.equal(first.statusCode, 200)
  t.same(first.json().data.map((item: Item) => item.id), made.slice(0, 2).map((item) => item.id))
  t.match(first.json().meta, { total: 3, limit: 2, offset: 0 })
  t.type(first.json().meta.nextCursor, 'string')
  t.match(String(first.headers.link), /rel="next"/)
  const next = await request(app, t, { method: 'GET', url: `/v1/tokens?limit=2&cursor=${encodeURIComponent(first.json().meta.nextCursor)}`, headers: bearer(adminSecret) })
  t.same(next.json().data.map((item: Item) => item.id), made.slice(2).map((item) => item.id))
  t.equal(next.json().meta.nextCursor, null)
})

t.test('a revoked token is a 401 at once; revoking it again, or an unknown id, is a 404', async (t) => {
  const app = await build(t)
  const token = await created(app, t, { role: 'editor' })
  const bystander = await created(app, t, { role: 'editor' })
  t.equal(await statusWith(app, t, token.secret), 200, 'works before')
  const revoked = await revoke(app, t, token.id)
  t.equal(revoked.statusCode, 204)
  t.equal(revoked.body, '')
  assertProblem(t, await request(app, t, { method: 'GET', url: '/v1/articles', headers: bearer(token.secret) }), 401, 'unauthorized')
  assertProblem(t, await request(app, t, { method: 'POST', url: '/v1/authors', headers: bearer(token.secret), payload: { name: 'Too late' } }), 401, 'unauthorized')
  const listed = (await allTokens(app, t)).find((item) => item.id === token.id)
  t.type(listed?.revokedAt, 'string', 'the list shows it revoked')
  t.equal(await statusWith(app, t, bystander.secret), 200, 'other tokens keep working')

  assertProblem(t, await revoke(app, t, token.id), 404, 'not-found')
  assertProblem(t, await revoke(app, t, 999), 404, 'not-found')
})

t.test('a token id that is not a positive integer is a 400 naming params.id', async (t) => {
  const app = await build(t)
  const token = await created(app, t, { role: 'editor' })
  for (const id of ['abc', '0', '-1', '1.5', `${token.id}x`]) {
    t.test(`/v1/tokens/${id}`, async (t) => {
      assertProblem(t, await revoke(app, t, id), 400, 'validation', 'params.id')
    })
  }
  t.equal(await statusWith(app, t, token.secret), 200, 'the token was not revoked')
})

t.test('only admins manage tokens: editors and author tokens get 403, anonymous callers 401', async (t) => {
  const app = await build(t)
  const ada = await createAuthor(app, t, { name: 'Ada NotAdmin' })
  const target = await created(app, t, { role: 'editor', name: 'Target' })
  const callers: Array<[string, Record<string, string>, number, string]> = [
    ['an editor', bearer(await tokenFor(app, 'editor')), 403, 'forbidden'],
    ['an author token', bearer(await tokenFor(app, 'author', ada.id)), 403, 'forbidden'],
    ['an anonymous caller', {}, 401, 'unauthorized']
  ]
  const before = (await allTokens(app, t)).map((item) => item.id)
  for (const [who, headers, status, kind] of callers) {
    t.test(`${who} gets ${status}`, async (t) => {
      assertProblem(t, await request(app, t, { method: 'GET', url: '/v1/tokens', headers }), status, kind)
      assertProblem(t, await request(app, t, { method: 'POST', url: '/v1/tokens', headers, payload: { role: 'admin', name: 'Escalation' } }), status, kind)
      assertProblem(t, await request(app, t, { method: 'DELETE', url: `/v1/tokens/${target.id}`, headers }), status, kind)
    })
  }
  const after = await allTokens(app, t)
  t.same(after.map((item) => item.id), before, 'no token was created')
  t.notOk(after.some((item) => item.name === 'Escalation'))
  t.equal(await statusWith(app, t, target.secret), 200, 'the target token was not revoked')
})

// --- The bad-token lockout -------------------------------------------------------------
// These calls use app.inject directly rather than request(): a 429 from the lockout comes
// from the auth hook before routing, and no operation documents it, so request()'s check
// against the document would fail every 429 (and every call that might be one).

const maxFailures = 20

async function inject (app: FastifyInstance, remoteAddress: string, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
  return app.inject({ method: 'GET', url: '/v1/articles', remoteAddress, headers })
}

t.test('after 20 bad tokens from one address, its bad tokens get 429 with Retry-After; its good ones still work (issue 15)', async (t) => {
  const app = await build(t)
  const good = await tokenFor(app, 'editor')
  const guesser = '203.0.113.7'
  const bad = [bearer(unknownSecret), { authorization: 'Basic dXNlcjpwYXNz' }, bearer(`dl_${'x'.repeat(43)}`), { authorization: 'Bearer' }]
  for (let i = 0; i < maxFailures; i++) {
    const response = await inject(app, guesser, bad[i % bad.length])
    if (response.statusCode !== 401) t.fail(`bad token ${i + 1} answered ${response.statusCode}, not 401`)
  }
  t.pass(`${maxFailures} bad tokens were each a 401`)

  const locked = await inject(app, guesser, bearer(unknownSecret))
  assertProblem(t, locked, 429, 'rate-limited')
  const retryAfter = Number(locked.headers['retry-after'])
  t.ok(Number.isInteger(retryAfter) && retryAfter > 0 && retryAfter <= 300, `Retry-After is a number of seconds within the window (${locked.headers['retry-after']})`)
  // Behind NAT or a proxy one address is many people: a guesser must not lock the others out.
  t.equal((await inject(app, guesser, bearer(good))).statusCode, 200, 'a good token from that address is served')
  const write = await app.inject({ method: 'POST', url: '/v1/authors', remoteAddress: guesser, headers: bearer(good), payload: { name: 'Shared Address Writer' } })
  t.equal(write.statusCode, 201, 'and may write')
  assertProblem(t, await inject(app, guesser, { authorization: 'Bearer' }), 429, 'rate-limited')

  const anonymous = await request(app, t, { method: 'GET', url: '/v1/articles', remoteAddress: guesser })
  t.equal(anonymous.statusCode, 200, 'the locked-out address still reads without a token')

  const neighbour = '198.51.100.20'
  t.equal((await inject(app, neighbour, bearer(unknownSecret))).statusCode, 401, 'another address with a bad token gets a 401, not a 429')
  t.equal((await inject(app, neighbour, bearer(good))).statusCode, 200, 'another address with a good token is served')
  t.equal((await inject(app, '127.0.0.1', bearer(good))).statusCode, 200, 'so is the default address')
  const authors = await request(app, t, { method: 'GET', url: '/v1/authors', headers: bearer(adminSecret) })
  t.equal(authors.json().meta.total, 1, 'the good token\'s write happened')
})

t.test('fewer than 20 failures do not lock an address out', async (t) => {
  const app = await build(t)
  const good = await tokenFor(app, 'editor')
  for (let i = 0; i < maxFailures - 1; i++) await inject(app, '203.0.113.8', bearer(unknownSecret))
  t.equal((await inject(app, '203.0.113.8', bearer(good))).statusCode, 200, 'a good token after 19 failures works')
  t.equal((await inject(app, '203.0.113.8', bearer(unknownSecret))).statusCode, 401, 'the 20th failure is still a 401')
  t.equal((await inject(app, '203.0.113.8', bearer(unknownSecret))).statusCode, 429, 'the next one is locked out')
})

t.test('requests without a token and with good tokens never count towards the lockout', async (t) => {
  const app = await build(t)
  const good = await tokenFor(app, 'editor')
  const address = '203.0.113.9'
  for (let i = 0; i < maxFailures + 5; i++) {
    const anonymous = await inject(app, address)
    const authorised = await inject(app, address, bearer(good))
    if (anonymous.statusCode !== 200 || authorised.statusCode !== 200) t.fail(`request ${i + 1}: ${anonymous.statusCode} / ${authorised.statusCode}`)
  }
  t.pass(`${maxFailures + 5} anonymous and ${maxFailures + 5} authorised requests were all served`)
  const bad = await inject(app, address, bearer(unknownSecret))
  assertProblem(t, bad, 401, 'unauthorized')
})
