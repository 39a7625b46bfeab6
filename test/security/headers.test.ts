import type { LightMyRequestResponse } from 'fastify'
import t, { type Test } from 'tap'
import { adminSecret, bearer, build, createArticle, createAuthor, request } from '../helper.js'

// Security headers (@fastify/helmet, tuned for a JSON API; the docs page keeps its own
// CSP) and CORS (@fastify/cors: any origin reads, only configured origins write).

type Tap = Test

function headerList (response: LightMyRequestResponse, name: string): string[] {
  return String(response.headers[name] ?? '').split(',').map((part) => part.trim().toLowerCase()).filter((part) => part !== '')
}

function directives (csp: string): Map<string, string> {
  return new Map(csp.split(';').map((part) => part.trim()).filter((part) => part !== '').map((part) => {
    const [name, ...values] = part.split(/\s+/)
    return [name!.toLowerCase(), values.join(' ')]
  }))
}

function assertApiHeaders (t: Tap, response: LightMyRequestResponse, what: string): void {
  const csp = directives(String(response.headers['content-security-policy'] ?? ''))
  t.equal(csp.get('default-src'), "'none'", `${what}: CSP default-src 'none'`)
  t.equal(csp.get('frame-ancestors'), "'none'", `${what}: CSP frame-ancestors 'none'`)
  t.equal(response.headers['x-content-type-options'], 'nosniff', `${what}: nosniff`)
  t.match(String(response.headers['strict-transport-security']), /max-age=[1-9]\d*/, `${what}: HSTS`)
  t.equal(response.headers['cross-origin-resource-policy'], 'cross-origin', `${what}: CORP cross-origin (front ends on other origins read it)`)
  t.equal(response.headers['x-powered-by'], undefined, `${what}: no x-powered-by`)
  t.equal(response.headers['referrer-policy'], 'no-referrer', `${what}: no referrer`)
  t.equal(response.headers['x-frame-options'], 'DENY', `${what}: X-Frame-Options DENY, as frame-ancestors 'none' says`)
  for (const pageOnly of ['cross-origin-opener-policy', 'origin-agent-cluster', 'x-dns-prefetch-control', 'x-download-options', 'x-xss-protection']) {
    t.equal(response.headers[pageOnly], undefined, `${what}: no ${pageOnly} (it governs pages, not JSON)`)
  }
}

/** A refused preflight: a 403 problem that names the origin, the request and the setting. */
function assertRefusal (t: Tap, response: LightMyRequestResponse, origin: string, target: string, setting: string): void {
  t.equal(response.statusCode, 403, `${target} from ${origin} is refused`)
  t.match(String(response.headers['content-type']), /^application\/problem\+json/)
  const problem = response.json()
  t.equal(problem.type, 'https://dateline.dev/problems/cross-origin-refused')
  t.equal(problem.status, 403)
  for (const part of [origin, target, 'DATELINE_CORS_ORIGINS', setting]) t.ok(problem.detail.includes(part), `the detail says ${part}`, { detail: problem.detail })
  t.equal(response.headers['access-control-allow-origin'], undefined, 'no allow-origin header')
  t.equal(response.headers['cache-control'], 'no-store', 'no cache keeps the refusal: the setting may change')
}

async function setup (t: Tap, overrides: Parameters<typeof build>[1] = {}) {
  const app = await build(t, overrides)
  const author = await createAuthor(app, t, { name: 'Ada Reporter' })
  const article = await createArticle(app, t, { title: 'Open for reading', authorId: author.id, status: 'published' })
  return { app, author, article }
}

t.test('security headers on API answers', async (t) => {
  const { app, article, author } = await setup(t)

  t.test('a list, a single resource, a write, an error and the OpenAPI document all carry them', async (t) => {
    assertApiHeaders(t, await request(app, t, { method: 'GET', url: '/v1/articles' }), 'GET /v1/articles')
    assertApiHeaders(t, await request(app, t, { method: 'GET', url: `/v1/articles/${article.slug}` }), 'GET one article')
    const created = await request(app, t, { method: 'POST', url: '/v1/articles', headers: bearer(adminSecret), payload: { title: 'Another', authorId: author.id } })
    t.equal(created.statusCode, 201)
    assertApiHeaders(t, created, 'POST /v1/articles')
    const missing = await request(app, t, { method: 'GET', url: '/v1/articles/no-such-article' })
    t.equal(missing.statusCode, 404)
    assertApiHeaders(t, missing, 'a 404 problem')
    const unknownPath = await request(app, t, { method: 'GET', url: '/nothing/here' })
    t.equal(unknownPath.statusCode, 404)
    assertApiHeaders(t, unknownPath, 'an unknown path')
    const unauthorised = await request(app, t, { method: 'POST', url: '/v1/articles', payload: { title: 'x' } })
    t.equal(unauthorised.statusCode, 401)
    assertApiHeaders(t, unauthorised, 'a 401 problem')
    const openapi = await request(app, t, { method: 'GET', url: '/openapi.json' })
    t.equal(openapi.statusCode, 200)
    assertApiHeaders(t, openapi, 'GET /openapi.json')
    const health = await request(app, t, { method: 'GET', url: '/healthz' })
    assertApiHeaders(t, health, 'GET /healthz')
  })

  t.test('a 204 and a 304 carry them too', async (t) => {
    const target = await createArticle(app, t, { title: 'To delete', authorId: author.id })
    const deleted = await request(app, t, { method: 'DELETE', url: `/v1/articles/${target.id}`, headers: bearer(adminSecret) })
    t.equal(deleted.statusCode, 204)
    assertApiHeaders(t, deleted, 'DELETE')
    const first = await request(app, t, { method: 'GET', url: `/v1/articles/${article.id}` })
    const notModified = await request(app, t, { method: 'GET', url: `/v1/articles/${article.id}`, headers: { 'if-none-match': String(first.headers.etag) } })
    t.equal(notModified.statusCode, 304)
    assertApiHeaders(t, notModified, '304')
  })
})

t.test('the docs page keeps its own CSP, which lets swagger-ui work', async (t) => {
  const { app } = await setup(t)
  const page = await request(app, t, { method: 'GET', url: '/docs' })
  t.equal(page.statusCode, 200)
  t.match(String(page.headers['content-type']), /^text\/html/)
  const csp = directives(String(page.headers['content-security-policy']))
  t.not(csp.get('default-src'), "'none'", 'not the API\'s default-src \'none\'')
  t.match(csp.get('script-src') ?? '', /'self'/, 'scripts from the page\'s own origin')
  t.match(csp.get('style-src') ?? '', /'self'/, 'styles from the page\'s own origin')
  t.notMatch(csp.get('script-src') ?? '', /'unsafe-inline'|'unsafe-eval'/, 'but no inline or eval\'d scripts')
  t.equal(csp.get('object-src'), "'none'")
  t.equal(csp.get('frame-ancestors'), "'self'", 'the page may be framed by its own origin')
  t.equal(page.headers['x-frame-options'], 'SAMEORIGIN', 'and X-Frame-Options says the same')
  t.equal(page.headers['x-content-type-options'], 'nosniff')
  t.equal(page.headers['cross-origin-opener-policy'], 'same-origin', 'a page gets helmet\'s headers for documents too')
  t.equal(page.headers['origin-agent-cluster'], '?1')

  // The page's own scripts and styles are served from where its CSP allows ('self').
  const scripts = [...page.body.matchAll(/<script[^>]*src="([^"]+)"/g)].map((match) => match[1]!)
  const styles = [...page.body.matchAll(/<link[^>]*href="([^"]+\.css)"/g)].map((match) => match[1]!)
  t.ok(scripts.length > 0, 'the page loads scripts')
  t.notMatch(page.body, /<script(?![^>]*src=)[^>]*>[^<]+<\/script>/, 'and has no inline script the CSP would block')
  for (const asset of [...scripts, ...styles]) {
    t.notMatch(asset, /^(https?:)?\/\//, `${asset} is on the same origin`)
    const url = new URL(asset, 'http://localhost/docs/').pathname
    const response = await request(app, t, { method: 'GET', url })
    t.equal(response.statusCode, 200, `${url} is served`)
  }
  const initializer = scripts.find((src) => /initializer/.test(src))
  if (initializer !== undefined) {
    const script = await request(app, t, { method: 'GET', url: new URL(initializer, 'http://localhost/docs/').pathname })
    t.match(script.body, /openapi|json/, 'the initializer points swagger-ui at the API document')
  }
})

t.test('CORS with the default settings: reads from anywhere, writes from nowhere', async (t) => {
  const { app, article, author } = await setup(t)
  const origin = 'https://reader.example.net'

  t.test('a GET from any origin gets access-control-allow-origin: *, with ETag, Link and Location exposed', async (t) => {
    for (const from of [origin, 'https://another.example', 'null']) {
      const response = await request(app, t, { method: 'GET', url: '/v1/articles', headers: { origin: from } })
      t.equal(response.statusCode, 200)
      t.equal(response.headers['access-control-allow-origin'], '*', `GET from ${from}`)
      const exposed = headerList(response, 'access-control-expose-headers')
      for (const name of ['etag', 'link', 'location', 'retry-after']) t.ok(exposed.includes(name), `${name} is exposed`, { exposed })
      t.not(response.headers['access-control-allow-credentials'], 'true', 'no credentials with a wildcard')
    }
    const single = await request(app, t, { method: 'GET', url: `/v1/articles/${article.id}`, headers: { origin } })
    t.equal(single.headers['access-control-allow-origin'], '*')
  })

  t.test('a read\'s answer is the same for every origin, so a shared cache keeps one copy of it', async (t) => {
    const answers = await Promise.all([origin, 'https://another.example', undefined].map(async (from) =>
      await request(app, t, { method: 'GET', url: `/v1/articles/${article.id}`, headers: from === undefined ? {} : { origin: from } })))
    for (const answer of answers) {
      t.notOk(headerList(answer, 'vary').includes('origin'), 'it does not vary by Origin', { vary: answer.headers.vary })
      t.same(headerList(answer, 'access-control-expose-headers'), headerList(answers[0]!, 'access-control-expose-headers'))
    }
    t.equal(answers[2]!.headers['access-control-allow-origin'], '*', 'a request without Origin gets the same header')
    const missing = await request(app, t, { method: 'GET', url: '/v1/nothing-here', headers: { origin } })
    t.equal(missing.statusCode, 404)
    t.equal(missing.headers['access-control-allow-origin'], '*', 'a GET no route answers is open too')
  })

  t.test('a HEAD from any origin is a read too', async (t) => {
    const response = await request(app, t, { method: 'HEAD', url: '/v1/articles', headers: { origin } })
    t.equal(response.statusCode, 200)
    t.equal(response.headers['access-control-allow-origin'], '*')
  })

  t.test('a preflight for a GET from any origin is allowed', async (t) => {
    for (const method of ['GET', 'HEAD']) {
      const response = await request(app, t, {
        method: 'OPTIONS',
        url: `/v1/articles/${article.id}`,
        headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': 'authorization, if-none-match' }
      })
      t.ok(response.statusCode === 204 || response.statusCode === 200, `a ${method} preflight succeeds (${response.statusCode})`)
      t.equal(response.headers['access-control-allow-origin'], '*')
      t.ok(headerList(response, 'access-control-allow-methods').includes(method.toLowerCase()), `${method} is allowed`)
      const allowedHeaders = headerList(response, 'access-control-allow-headers')
      for (const name of ['authorization', 'if-none-match']) t.ok(allowedHeaders.includes(name), `${name} may be sent`, { allowedHeaders })
    }
  })

  t.test('a preflight for POST, PATCH or DELETE from an unlisted origin gets no allow-origin header', async (t) => {
    for (const [method, url] of [['POST', '/v1/articles'], ['PATCH', `/v1/articles/${article.id}`], ['DELETE', `/v1/articles/${article.id}`], ['POST', `/v1/articles/${article.id}/comments`], ['post', '/v1/articles']] as const) {
      const response = await request(app, t, {
        method: 'OPTIONS',
        url,
        headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': 'authorization, content-type' }
      })
      t.equal(response.headers['access-control-allow-origin'], undefined, `no allow-origin for a ${method} preflight on ${url} (${response.statusCode})`)
      t.equal(response.headers['access-control-allow-methods'], undefined, 'and no allowed methods')
      assertRefusal(t, response, origin, `${method.toUpperCase()} ${url}`, 'is not set')
    }
  })

  t.test('an OPTIONS request that is not a preflight is still a 405 naming the methods', async (t) => {
    const response = await request(app, t, { method: 'OPTIONS', url: '/v1/articles' })
    t.equal(response.statusCode, 405)
    t.match(String(response.headers['content-type']), /^application\/problem\+json/)
    t.match(String(response.headers.allow), /POST/)
  })

  t.test('a cross-origin write from an unlisted origin is answered without an allow-origin header', async (t) => {
    const response = await request(app, t, { method: 'POST', url: '/v1/articles', headers: { origin, ...bearer(adminSecret) }, payload: { title: 'Cross-origin', authorId: author.id } })
    // CORS is enforced by the browser: the server answers, but the page may not read it.
    t.equal(response.headers['access-control-allow-origin'], undefined)
  })
})

t.test('CORS with corsOrigins: the listed origin may write, another may not', async (t) => {
  const allowed = 'https://blog.example.org'
  const { app, article, author } = await setup(t, { corsOrigins: [allowed] })

  t.test('a preflight for each write from the listed origin is allowed, with the headers writes need', async (t) => {
    for (const [method, url] of [['POST', '/v1/articles'], ['PATCH', `/v1/articles/${article.id}`], ['DELETE', `/v1/articles/${article.id}`]] as const) {
      const response = await request(app, t, {
        method: 'OPTIONS',
        url,
        headers: { origin: allowed, 'access-control-request-method': method, 'access-control-request-headers': 'authorization, content-type, if-match' }
      })
      t.ok(response.statusCode === 204 || response.statusCode === 200, `a ${method} preflight succeeds (${response.statusCode})`)
      t.equal(response.headers['access-control-allow-origin'], allowed, `${method}: the listed origin is allowed`)
      t.ok(headerList(response, 'access-control-allow-methods').includes(method.toLowerCase()), `${method} is an allowed method`)
      const allowedHeaders = headerList(response, 'access-control-allow-headers')
      for (const name of ['authorization', 'content-type', 'if-match']) t.ok(allowedHeaders.includes(name), `${name} may be sent`, { allowedHeaders })
      t.ok(headerList(response, 'vary').includes('origin'), 'the answer varies by Origin')
    }
  })

  t.test('the listed origin\'s write is answered with its origin allowed and Location exposed', async (t) => {
    const response = await request(app, t, { method: 'POST', url: '/v1/articles', headers: { origin: allowed, ...bearer(adminSecret) }, payload: { title: 'From the blog', authorId: author.id } })
    t.equal(response.statusCode, 201)
    t.equal(response.headers['access-control-allow-origin'], allowed)
    t.ok(headerList(response, 'access-control-expose-headers').includes('location'))
    t.ok(headerList(response, 'vary').includes('origin'), 'the answer varies by Origin')
  })

  t.test('another origin may still read but not write', async (t) => {
    const other = 'https://evil.example'
    const preflight = await request(app, t, { method: 'OPTIONS', url: '/v1/articles', headers: { origin: other, 'access-control-request-method': 'POST' } })
    assertRefusal(t, preflight, other, 'POST /v1/articles', 'does not list it')
    const lookalike = await request(app, t, { method: 'OPTIONS', url: '/v1/articles', headers: { origin: 'https://blog.example.org.evil.example', 'access-control-request-method': 'POST' } })
    t.equal(lookalike.headers['access-control-allow-origin'], undefined, 'nor for a look-alike origin')
    const http = await request(app, t, { method: 'OPTIONS', url: '/v1/articles', headers: { origin: 'http://blog.example.org', 'access-control-request-method': 'POST' } })
    t.equal(http.headers['access-control-allow-origin'], undefined, 'nor for the same host over http')
    const read = await request(app, t, { method: 'GET', url: '/v1/articles', headers: { origin: other } })
    t.equal(read.headers['access-control-allow-origin'], '*', 'its GET is still open')
  })
})

t.test('CORS with corsOrigins ["*"]: any origin may write', async (t) => {
  const { app, author } = await setup(t, { corsOrigins: ['*'] })
  for (const origin of ['https://one.example', 'https://two.example.net']) {
    const preflight = await request(app, t, { method: 'OPTIONS', url: '/v1/articles', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' } })
    t.ok(preflight.statusCode === 204 || preflight.statusCode === 200, `the preflight from ${origin} succeeds`)
    t.ok([origin, '*'].includes(String(preflight.headers['access-control-allow-origin'])), `${origin} may POST`, { allowOrigin: preflight.headers['access-control-allow-origin'] })
    const write = await request(app, t, { method: 'POST', url: '/v1/articles', headers: { origin, ...bearer(adminSecret) }, payload: { title: `From ${origin}`, authorId: author.id } })
    t.equal(write.statusCode, 201)
    t.ok([origin, '*'].includes(String(write.headers['access-control-allow-origin'])))
    t.not(write.headers['access-control-allow-credentials'], 'true', 'no credentialed CORS: tokens travel in Authorization')
  }
})

t.test('CORS lets scripts send the conditional and idempotency headers and read the answers\' headers', async (t) => {
  const allowed = 'https://blog.example.org'
  const { app, author } = await setup(t, { corsOrigins: [allowed] })
  const asked = ['authorization', 'content-type', 'idempotency-key', 'if-match', 'if-none-match']
  const preflight = await request(app, t, {
    method: 'OPTIONS',
    url: '/v1/articles',
    headers: { origin: allowed, 'access-control-request-method': 'POST', 'access-control-request-headers': asked.join(', ') }
  })
  t.equal(preflight.headers['access-control-allow-origin'], allowed)
  const allowedHeaders = headerList(preflight, 'access-control-allow-headers')
  for (const name of asked) t.ok(allowedHeaders.includes(name), `${name} may be sent`, { allowedHeaders })

  const headers = { origin: allowed, ...bearer(adminSecret), 'idempotency-key': 'cors-exposed-0f8a3c' }
  const payload = { title: 'Sent twice from a page', authorId: author.id }
  await request(app, t, { method: 'POST', url: '/v1/articles', headers, payload })
  const replay = await request(app, t, { method: 'POST', url: '/v1/articles', headers, payload })
  t.equal(replay.headers['idempotent-replayed'], 'true')
  const exposed = headerList(replay, 'access-control-expose-headers')
  for (const name of ['idempotent-replayed', 'etag', 'location', 'retry-after']) t.ok(exposed.includes(name), `${name} is exposed to the page`, { exposed })
  const read = await request(app, t, { method: 'GET', url: '/v1/articles', headers: { origin: 'https://reader.example.net' } })
  t.ok(headerList(read, 'access-control-expose-headers').includes('idempotent-replayed'), 'the same list for readers')
})

t.test('readers\' comments may be posted from any origin without a token, by default', async (t) => {
  const { app, article } = await setup(t)
  const origin = 'https://reader.example.net'
  const asked = ['content-type', 'idempotency-key']

  t.test('the preflight is allowed for any origin, without Authorization', async (t) => {
    for (const url of [`/v1/articles/${article.id}/comments`, `/v1/articles/${article.slug}/comments`, `/v1/articles/${article.id}/comments/`]) {
      const preflight = await request(app, t, {
        method: 'OPTIONS',
        url,
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': asked.join(', ') }
      })
      t.equal(preflight.statusCode, 204, `the preflight of POST ${url} succeeds`)
      t.equal(preflight.headers['access-control-allow-origin'], '*', 'any origin')
      t.not(preflight.headers['access-control-allow-credentials'], 'true', 'no credentials')
      t.ok(headerList(preflight, 'access-control-allow-methods').includes('post'), 'POST is allowed')
      const allowedHeaders = headerList(preflight, 'access-control-allow-headers')
      for (const name of asked) t.ok(allowedHeaders.includes(name), `${name} may be sent`, { allowedHeaders })
      t.notOk(allowedHeaders.includes('authorization'), 'a token may not')
    }
  })

  t.test('the comment is taken, and the page may read what the answer says', async (t) => {
    const headers = { origin, 'idempotency-key': 'comment-from-a-page-7d1e' }
    const payload = { authorName: 'Lena from Mill Lane', body: 'Posted from the blog\'s own pages.' }
    const posted = await request(app, t, { method: 'POST', url: `/v1/articles/${article.id}/comments`, headers, payload })
    t.equal(posted.statusCode, 201)
    t.equal(posted.headers['access-control-allow-origin'], '*')
    const exposed = headerList(posted, 'access-control-expose-headers')
    for (const name of ['location', 'etag', 'idempotent-replayed', 'retry-after', 'x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset']) {
      t.ok(exposed.includes(name), `${name} is exposed`, { exposed })
    }
    t.ok(posted.headers['x-ratelimit-remaining'] !== undefined, 'the rate limit headers are there to read')
    const replay = await request(app, t, { method: 'POST', url: `/v1/articles/${article.id}/comments`, headers, payload })
    t.equal(replay.statusCode, 201)
    t.equal(replay.headers['idempotent-replayed'], 'true', 'a retry is a replay')
    t.equal(replay.headers['access-control-allow-origin'], '*')
    t.equal(replay.headers.location, posted.headers.location)
  })

  t.test('with a token, the comment route is like any write: only from DATELINE_CORS_ORIGINS', async (t) => {
    const url = `/v1/articles/${article.id}/comments`
    const preflight = await request(app, t, {
      method: 'OPTIONS',
      url,
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'Authorization, Content-Type' }
    })
    assertRefusal(t, preflight, origin, `POST ${url}`, 'is not set')
    t.match(preflight.json().detail, /without a token/, 'it says the route is open without one')
    const sent = await request(app, t, { method: 'POST', url, headers: { origin, ...bearer(adminSecret) }, payload: { authorName: 'Editor', body: 'With a token.' } })
    t.equal(sent.statusCode, 201, 'a write sent anyway is answered (CORS binds browsers)')
    t.equal(sent.headers['access-control-allow-origin'], undefined, 'but the page may not read it')
  })

  t.test('other writes stay closed to other origins', async (t) => {
    for (const [method, url] of [['PATCH', `/v1/articles/${article.id}`], ['POST', '/v1/authors'], ['DELETE', `/v1/articles/${article.id}/comments`]] as const) {
      const preflight = await request(app, t, { method: 'OPTIONS', url, headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': 'content-type' } })
      assertRefusal(t, preflight, origin, `${method} ${url}`, 'is not set')
    }
  })
})

t.test('a listed origin may post comments with a token', async (t) => {
  const allowed = 'https://blog.example.org'
  const { app, article } = await setup(t, { corsOrigins: [allowed] })
  const preflight = await request(app, t, {
    method: 'OPTIONS',
    url: `/v1/articles/${article.id}/comments`,
    headers: { origin: allowed, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' }
  })
  t.equal(preflight.statusCode, 204)
  t.equal(preflight.headers['access-control-allow-origin'], allowed)
  t.ok(headerList(preflight, 'access-control-allow-headers').includes('authorization'))
  const posted = await request(app, t, { method: 'POST', url: `/v1/articles/${article.id}/comments`, headers: { origin: allowed, ...bearer(adminSecret) }, payload: { authorName: 'The editor', body: 'From the newsroom.' } })
  t.equal(posted.statusCode, 201)
  t.equal(posted.headers['access-control-allow-origin'], allowed)
})

// What a browser lets a script read without being told: the CORS-safelisted response headers
// (Fetch standard), and what only the browser itself acts on.
const readableOrBrowsers = new Set([
  'cache-control', 'content-language', 'content-length', 'content-type', 'expires', 'last-modified', 'pragma',
  'content-security-policy', 'cross-origin-resource-policy', 'referrer-policy', 'strict-transport-security',
  'x-content-type-options', 'x-frame-options', 'vary', 'date', 'connection', 'keep-alive', 'transfer-encoding'
])

t.test('every header the API answers with that a client acts on is exposed to scripts', async (t) => {
  const origin = 'https://blog.example.org'
  const { app, article, author } = await setup(t, { corsOrigins: [origin], commentRateLimit: 1 })
  for (let n = 0; n < 3; n++) await createArticle(app, t, { title: `Filler ${n}`, authorId: author.id, status: 'published' })
  const withOrigin = { origin }
  const idempotent = { ...withOrigin, ...bearer(adminSecret), 'idempotency-key': 'exposed-headers-9c2b' }
  const answers = [
    await request(app, t, { method: 'GET', url: '/v1/articles?limit=1', headers: withOrigin }),
    await request(app, t, { method: 'GET', url: '/v1/nothing', headers: withOrigin }),
    await request(app, t, { method: 'PUT', url: '/v1/articles', headers: withOrigin }),
    await request(app, t, { method: 'GET', url: '/v1/articles', headers: { ...withOrigin, ...bearer('dl_not-a-real-token-at-all') } }),
    await request(app, t, { method: 'POST', url: '/v1/authors', headers: idempotent, payload: { name: 'Exposed' } }),
    await request(app, t, { method: 'POST', url: '/v1/authors', headers: idempotent, payload: { name: 'Exposed' } }),
    await request(app, t, { method: 'POST', url: `/v1/articles/${article.id}/comments`, headers: withOrigin, payload: { authorName: 'One', body: 'First.' } }),
    await request(app, t, { method: 'POST', url: `/v1/articles/${article.id}/comments`, headers: withOrigin, payload: { authorName: 'Two', body: 'Second.' } }),
    await request(app, t, { method: 'GET', url: '/v1/export', headers: { ...withOrigin, ...bearer(adminSecret) } })
  ]
  t.same(answers.map((answer) => answer.statusCode), [200, 404, 405, 401, 201, 201, 201, 429, 200], 'the answers this test reads')
  const sent = new Set(answers.flatMap((answer) => Object.keys(answer.headers)))
  for (const name of ['link', 'etag', 'location', 'idempotent-replayed', 'retry-after', 'x-ratelimit-limit', 'www-authenticate', 'allow', 'content-disposition']) {
    t.ok(sent.has(name), `the answers include ${name}`)
  }
  for (const answer of answers) {
    const exposed = headerList(answer, 'access-control-expose-headers')
    for (const name of Object.keys(answer.headers)) {
      if (readableOrBrowsers.has(name) || name.startsWith('access-control-')) continue
      t.ok(exposed.includes(name), `${name} (in a ${answer.statusCode}) is exposed`, { exposed })
    }
  }
})
