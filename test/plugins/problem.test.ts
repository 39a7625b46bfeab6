import { Writable } from 'node:stream'
import type { FastifyInstance } from 'fastify'
import t from 'tap'
import type { PostgresDb } from '../../src/db/postgres.js'
import { sqliteHandle } from '../../src/db/sqlite-store.js'
import { adminSecret, bearer, build, createArticle, createAuthor, request, tokenFor } from '../helper.js'
import { assertProblem } from '../problems.js'


function paths (body: Record<string, any>): string[] {
  return body.errors.map((error: { path: string }) => error.path)
}

t.test('an unknown path is a 404 problem whose instance is the path without the query', async (t) => {
  const app = await build(t)
  assertProblem(t, await request(app, t, { method: 'GET', url: '/v1/nothing-here' }), 404, 'not-found', { instance: '/v1/nothing-here' })
  assertProblem(t, await request(app, t, { method: 'GET', url: '/v1/nothing-here?x=1' }), 404, 'not-found', { instance: '/v1/nothing-here' })
  assertProblem(t, await request(app, t, { method: 'POST', url: '/nope', payload: { a: 1 } }), 404, 'not-found', { instance: '/nope' })
  assertProblem(t, await request(app, t, { method: 'GET', url: '/v1/authors/1/articles/2' }), 404, 'not-found', { instance: '/v1/authors/1/articles/2' })
})

t.test('a missing resource is a 404 problem', async (t) => {
  const app = await build(t)
  assertProblem(t, await request(app, t, { method: 'GET', url: '/v1/articles/424242' }), 404, 'not-found', { instance: '/v1/articles/424242' })
  assertProblem(t, await request(app, t, { method: 'GET', url: '/v1/authors/no-such-author' }), 404, 'not-found', { instance: '/v1/authors/no-such-author' })
})

t.test('a wrong method on a known path is a 405 with an Allow header', async (t) => {
  const app = await build(t)
  const single = await request(app, t, { method: 'PUT', url: '/v1/articles/1', headers: bearer(adminSecret), payload: { title: 'x' } })
  assertProblem(t, single, 405, 'method-not-allowed', { instance: '/v1/articles/1' })
  const allowed = String(single.headers.allow).split(/,\s*/)
  for (const method of ['GET', 'PATCH', 'DELETE']) t.ok(allowed.includes(method), `Allow lists ${method}`)
  t.notOk(allowed.includes('PUT'), 'Allow does not list PUT')
  t.notOk(allowed.includes('POST'), 'Allow does not list POST')

  const collection = await request(app, t, { method: 'DELETE', url: '/v1/authors?x=1', headers: bearer(adminSecret) })
  assertProblem(t, collection, 405, 'method-not-allowed', { instance: '/v1/authors' })
  const collectionAllowed = String(collection.headers.allow).split(/,\s*/)
  t.ok(collectionAllowed.includes('GET'))
  t.ok(collectionAllowed.includes('POST'))
  t.notOk(collectionAllowed.includes('DELETE'))

  const bySlug = await request(app, t, { method: 'POST', url: '/v1/authors/some-slug', headers: bearer(adminSecret), payload: { name: 'x' } })
  assertProblem(t, bySlug, 405, 'method-not-allowed', { instance: '/v1/authors/some-slug' })
  t.ok(bySlug.headers.allow)
})

t.test('malformed JSON is a 400 problem', async (t) => {
  const app = await build(t)
  const response = await request(app, t, {
    method: 'POST',
    url: '/v1/authors',
    headers: { ...bearer(adminSecret), 'content-type': 'application/json' },
    payload: '{"name": "Half'
  })
  assertProblem(t, response, 400, 'malformed-json', { instance: '/v1/authors' })
  const list = await request(app, t, { method: 'GET', url: '/v1/authors' })
  t.equal(list.json().meta.total, 0, 'nothing was created')

  const trailing = await request(app, t, {
    method: 'PATCH',
    url: '/v1/authors/1',
    headers: { ...bearer(adminSecret), 'content-type': 'application/json; charset=utf-8' },
    payload: '{"bio": "x",}'
  })
  assertProblem(t, trailing, 400, 'malformed-json', { instance: '/v1/authors/1' })
})

t.test('an empty body declared as JSON is a 400 problem', async (t) => {
  const app = await build(t)
  const response = await request(app, t, {
    method: 'POST',
    url: '/v1/authors',
    headers: { ...bearer(adminSecret), 'content-type': 'application/json' },
    payload: ''
  })
  assertProblem(t, response, 400, 'malformed-json', { instance: '/v1/authors' })
})

t.test('a JSON value that is not an object is a 400 naming the body', async (t) => {
  const app = await build(t)
  for (const payload of ['null', '[]', '"text"', '42']) {
    const response = await request(app, t, {
      method: 'POST',
      url: '/v1/authors',
      headers: { ...bearer(adminSecret), 'content-type': 'application/json' },
      payload
    })
    t.equal(response.statusCode, 400, `${payload} is a 400`)
    t.match(String(response.headers['content-type']), /^application\/problem\+json/)
    t.equal(response.json().instance, '/v1/authors')
  }
  t.equal((await request(app, t, { method: 'GET', url: '/v1/authors' })).json().meta.total, 0)
})

t.test('a text/plain body is a 415 problem', async (t) => {
  const app = await build(t)
  const response = await request(app, t, {
    method: 'POST',
    url: '/v1/authors',
    headers: { ...bearer(adminSecret), 'content-type': 'text/plain' },
    payload: '{"name":"Plain Text"}'
  })
  assertProblem(t, response, 415, 'unsupported-media-type', { instance: '/v1/authors' })
  t.equal((await request(app, t, { method: 'GET', url: '/v1/authors' })).json().meta.total, 0, 'nothing was created')
})

t.test('a body without a content type is a 415 problem', async (t) => {
  const app = await build(t)
  const response = await request(app, t, { method: 'POST', url: '/v1/authors', headers: bearer(adminSecret), payload: '{"name":"No Type"}' })
  assertProblem(t, response, 415, 'unsupported-media-type', { instance: '/v1/authors' })
  t.equal((await request(app, t, { method: 'GET', url: '/v1/authors' })).json().meta.total, 0)
})

t.test('a malformed percent-encoding in the path is a 400 problem', async (t) => {
  const app = await build(t)
  assertProblem(t, await request(app, t, { method: 'GET', url: '/v1/authors/%E0%A4%A' }), 400, 'bad-request', { instance: '/v1/authors/%E0%A4%A' })
})

/**
 * Makes reading the authors fail in a way no request can cause, and returns what the
 * database's error says. SQLite: the connection closed under the app. PostgreSQL: the pool
 * reconnects after a lost connection, and the app's teardown must still close the pool, so the
 * table goes from under the app instead.
 */
async function breakAuthorsTable (app: FastifyInstance): Promise<RegExp> {
  if (app.store.dialect === 'sqlite') {
    sqliteHandle(app.store).$client.close()
    return /The database connection is not open/
  }
  await (app.store.handle as PostgresDb).$client.query('alter table authors rename to authors_gone')
  return /relation \\"authors\\" does not exist/
}

t.test('an unexpected failure is a generic 500 problem; the details go only to the log', async (t) => {
  const chunks: string[] = []
  const stream = new Writable({ write (chunk, _encoding, callback) { chunks.push(String(chunk)); callback() } })
  const app = await build(t, { logger: { level: 'info', stream } })
  const cause = await breakAuthorsTable(app)
  // app.inject, not request(): the OpenAPI check would (rightly) flag a 500 as undocumented.
  const response = await app.inject({ method: 'GET', url: '/v1/authors?limit=5' })
  const body = assertProblem(t, response, 500, 'internal', { instance: '/v1/authors' })
  t.notMatch(body.detail, /database|not open|TypeError|relation|authors_gone/i, 'the detail does not leak the cause')
  t.match(chunks.join(''), cause, 'the cause is logged')
})

t.test('other media types are 415 problems', async (t) => {
  const app = await build(t)
  const author = await createAuthor(app, t, { name: 'Media Type' })
  for (const contentType of ['application/xml', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
    const response = await request(app, t, {
      method: 'PATCH',
      url: `/v1/authors/${author.id}`,
      headers: { ...bearer(adminSecret), 'content-type': contentType },
      payload: contentType.startsWith('application/x-www') ? 'bio=changed' : '<bio>changed</bio>'
    })
    assertProblem(t, response, 415, 'unsupported-media-type', { instance: `/v1/authors/${author.id}` })
  }
  const read = await request(app, t, { method: 'GET', url: `/v1/authors/${author.id}` })
  t.equal(read.json().bio, null, 'unchanged')
})

t.test('a body over the limit is a 413 problem', async (t) => {
  const app = await build(t, { bodyLimit: 1000 })
  const response = await request(app, t, {
    method: 'POST',
    url: '/v1/articles',
    headers: bearer(adminSecret),
    payload: { title: 'Too long', authorId: 1, body: `<p>${'x'.repeat(2000)}</p>` }
  })
  assertProblem(t, response, 413, 'body-too-large', { instance: '/v1/articles' })
  const small = await request(app, t, { method: 'POST', url: '/v1/authors', headers: bearer(adminSecret), payload: { name: 'Fits', bio: 'x'.repeat(500) } })
  t.equal(small.statusCode, 201, 'a body under the limit is fine')
})

t.test('the default body limit is 1 MB', async (t) => {
  const app = await build(t)
  const author = await createAuthor(app, t, { name: 'Big Body' })
  const response = await request(app, t, {
    method: 'POST',
    url: '/v1/articles',
    headers: bearer(adminSecret),
    payload: { title: 'Huge', authorId: author.id, body: 'x'.repeat(1024 * 1024 + 10) }
  })
  assertProblem(t, response, 413, 'body-too-large', { instance: '/v1/articles' })
})

t.test('validation errors name nested fields', async (t) => {
  const app = await build(t)
  const author = await createAuthor(app, t, { name: 'Label Maker' })
  const response = await request(app, t, {
    method: 'POST',
    url: '/v1/articles',
    headers: bearer(adminSecret),
    payload: { title: 'Labelled', authorId: author.id, labels: ['Fine', 'x'.repeat(61)] }
  })
  const body = assertProblem(t, response, 400, 'validation', { instance: '/v1/articles' })
  t.same(paths(body), ['body.labels.1'])
  t.match(body.detail, /body\.labels\.1/, 'the detail names the field too')
  const list = await request(app, t, { method: 'GET', url: '/v1/articles', headers: bearer(adminSecret) })
  t.equal(list.json().meta.total, 0, 'nothing was created')

  const wrongType = await request(app, t, {
    method: 'POST',
    url: '/v1/articles',
    headers: bearer(adminSecret),
    payload: { title: 'Labelled', authorId: author.id, labels: ['Fine', 7] }
  })
  t.same(paths(assertProblem(t, wrongType, 400, 'validation', { instance: '/v1/articles' })), ['body.labels.1'])
})

t.test('unknown and missing body fields are named', async (t) => {
  const app = await build(t)
  const unknown = await request(app, t, { method: 'POST', url: '/v1/authors', headers: bearer(adminSecret), payload: { name: 'Typo', emial: 'a@example.org' } })
  const unknownBody = assertProblem(t, unknown, 400, 'validation', { instance: '/v1/authors' })
  t.same(unknownBody.errors, [{ path: 'body.emial', message: 'is not a known field' }])
  const missing = await request(app, t, { method: 'POST', url: '/v1/authors', headers: bearer(adminSecret), payload: { bio: 'nameless' } })
  const missingBody = assertProblem(t, missing, 400, 'validation', { instance: '/v1/authors' })
  t.same(missingBody.errors, [{ path: 'body.name', message: 'is required' }])
})

t.test('a body value is not coerced: a string where an integer is expected is a 400', async (t) => {
  const app = await build(t)
  const author = await createAuthor(app, t, { name: 'No Coercion' })
  const response = await request(app, t, { method: 'POST', url: '/v1/articles', headers: bearer(adminSecret), payload: { title: 'Coerced?', authorId: String(author.id) } })
  t.same(paths(assertProblem(t, response, 400, 'validation', { instance: '/v1/articles' })), ['body.authorId'])
})

t.test('a bad value in a nullable field is reported once, with the real reason', async (t) => {
  const app = await build(t)
  const response = await request(app, t, { method: 'POST', url: '/v1/authors', headers: bearer(adminSecret), payload: { name: 'Nullable', avatarUrl: 'ftp://example.org/a.png' } })
  const body = assertProblem(t, response, 400, 'validation', { instance: '/v1/authors' })
  t.same(paths(body), ['body.avatarUrl'], 'one error for one bad field')
  t.notMatch(body.errors[0].message, /must be null|anyOf/, 'the message is about the URL, not the union branches')
})

t.test('an unknown query parameter is a 400 naming it', async (t) => {
  const app = await build(t)
  const response = await request(app, t, { method: 'GET', url: '/v1/articles?autor=zoe' })
  const body = assertProblem(t, response, 400, 'validation', { instance: '/v1/articles' })
  t.same(body.errors, [{ path: 'querystring.autor', message: 'is not a known field' }])
  const single = await request(app, t, { method: 'GET', url: '/v1/articles/1?debug=1' })
  t.same(paths(assertProblem(t, single, 400, 'validation', { instance: '/v1/articles/1' })), ['querystring.debug'])
})

t.test('out-of-range paging values are 400s naming querystring.limit and querystring.offset', async (t) => {
  const app = await build(t)
  for (const [query, field] of [
    ['limit=0', 'querystring.limit'],
    ['limit=101', 'querystring.limit'],
    ['limit=-5', 'querystring.limit'],
    ['limit=ten', 'querystring.limit'],
    ['limit=2.5', 'querystring.limit'],
    ['offset=-1', 'querystring.offset'],
    ['offset=abc', 'querystring.offset']
  ] as const) {
    for (const path of ['/v1/articles', '/v1/authors']) {
      const response = await request(app, t, { method: 'GET', url: `${path}?${query}` })
      const body = assertProblem(t, response, 400, 'validation', { instance: path })
      t.same(paths(body), [field], `${path}?${query} names ${field}`)
    }
  }
  const edges = await request(app, t, { method: 'GET', url: '/v1/articles?limit=100&offset=0' })
  t.equal(edges.statusCode, 200, 'limit=100 and offset=0 are fine')
  t.equal(edges.json().meta.limit, 100)
  const one = await request(app, t, { method: 'GET', url: '/v1/authors?limit=1' })
  t.equal(one.statusCode, 200, 'limit=1 is fine')
})

t.test('auth, role, conflict and precondition failures are problems too', async (t) => {
  const app = await build(t)
  const author = await createAuthor(app, t, { name: 'Problem Child', slug: 'problem-child' })
  await createArticle(app, t, { title: 'Keeps the author', authorId: author.id })

  const unauthorized = await request(app, t, { method: 'GET', url: '/v1/authors', headers: bearer('dl_not-a-real-token') })
  assertProblem(t, unauthorized, 401, 'unauthorized', { instance: '/v1/authors' })
  t.ok(unauthorized.headers['www-authenticate'])

  const forbidden = await request(app, t, { method: 'POST', url: '/v1/authors', headers: bearer(await tokenFor(app, 'author', author.id)), payload: { name: 'Nope' } })
  assertProblem(t, forbidden, 403, 'forbidden', { instance: '/v1/authors' })

  const taken = await request(app, t, { method: 'POST', url: '/v1/authors', headers: bearer(adminSecret), payload: { name: 'Dup', slug: 'problem-child' } })
  assertProblem(t, taken, 409, 'slug-taken', { instance: '/v1/authors' })

  const conflict = await request(app, t, { method: 'DELETE', url: `/v1/authors/${author.id}`, headers: bearer(adminSecret) })
  assertProblem(t, conflict, 409, 'conflict', { instance: `/v1/authors/${author.id}` })

  const stale = await request(app, t, { method: 'PATCH', url: '/v1/authors/problem-child?', headers: { ...bearer(adminSecret), 'if-match': '"author-1-v0.abc"' }, payload: { bio: 'x' } })
  assertProblem(t, stale, 412, 'precondition-failed', { instance: '/v1/authors/problem-child' })

  const reassign = await request(app, t, { method: 'DELETE', url: `/v1/authors/${author.id}?reassignTo=ghost`, headers: bearer(adminSecret) })
  t.same(paths(assertProblem(t, reassign, 400, 'validation', { instance: `/v1/authors/${author.id}` })), ['querystring.reassignTo'])

  const sort = await request(app, t, { method: 'GET', url: '/v1/articles?sort=wordCount' })
  t.same(paths(assertProblem(t, sort, 400, 'validation', { instance: '/v1/articles' })), ['querystring.sort'])
})

t.test('problems answered to a browser-style Accept are still problem+json', async (t) => {
  const app = await build(t)
  const response = await request(app, t, { method: 'GET', url: '/v1/articles/999', headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } })
  assertProblem(t, response, 404, 'not-found', { instance: '/v1/articles/999' })
})
