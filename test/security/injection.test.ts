import { createHash } from 'node:crypto'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import t, { type Test } from 'tap'
import { adminSecret, bearer, build, createArticle, createAuthor, request, tokenFor } from '../helper.js'
import { rowsOf, tableNames } from '../inspect.js'

// SQL injection: payloads in every query parameter of every list, in path ids and slugs,
// inside cursors, and in string fields of bodies. Each answer must be a 4xx problem or a
// 200 that shows nothing the caller couldn't see anyway — never a 5xx — and the database
// must be exactly as it was (every table's rows hashed before and after).

type Tap = Test

const sqlPayloads: string[] = [
  "' OR 1=1 --",
  "' OR '1'='1",
  '1 OR 1=1',
  '1; DROP TABLE articles',
  "'; DROP TABLE tokens; --",
  '") UNION SELECT * FROM tokens --',
  "' UNION SELECT secret_hash, 1, 1 FROM tokens --",
  "1' AND (SELECT count(*) FROM sqlite_master) > 0 --",
  "'; ATTACH DATABASE '/tmp/pwned.db' AS pwned; --",
  '-publishedAt,(select 1)',
  'title desc; DELETE FROM articles',
  'published\' OR status=\'draft',
  '%27',
  '\u2019 OR 1=1 --', // right single quotation mark
  '\uff07 OR 1=1 --', // fullwidth apostrophe
  'a\u0000b',
  "\u0000' OR 1=1 --",
  '*',
  '%',
  '\\',
  "\\' OR 1=1 --",
  'x'.repeat(10_000),
  "'".repeat(3000)
]

// Put into the URL as they are (not encoded again), for the server's own decoding to meet.
const rawQueryValues = ['%27', '%27%20OR%20%271%27%3D%271', '%00', '%C0%A7', '%E2%80%99%20OR%201=1', '%ff%fe', '%', '%%27', "'--"]

// Integer and boolean parameters are validated before any query: fewer payloads suffice there.
const numericParams = new Set(['limit', 'offset', 'year', 'month', 'thread'])
const numericPayloads = ["' OR 1=1 --", '1; DROP TABLE articles', '1 OR 1=1', '1 UNION SELECT 1', 'a\u0000b', '\u2019 OR 1=1 --', '1e3', '-1', "'".repeat(3000)]

// --- The database, fingerprinted -------------------------------------------------------

interface Snapshot { counts: Record<string, number>, hashes: Record<string, string>, rows: Record<string, Set<string>> }

function withoutLastUse ({ last_used_at: _lastUse, ...token }: Record<string, unknown>): Record<string, unknown> {
  return token
}

async function snapshot (app: FastifyInstance): Promise<Snapshot> {
  const result: Snapshot = { counts: {}, hashes: {}, rows: {} }
  for (const table of await tableNames(app.store)) {
    // A token's last use is noted after the answer, whenever the database is free: when, is no
    // part of what a probe may change.
    const rows = (await rowsOf(app.store, table)).map((row) => JSON.stringify(table === 'tokens' ? withoutLastUse(row) : row)).sort()
    result.counts[table] = rows.length
    result.rows[table] = new Set(rows)
    result.hashes[table] = createHash('sha256').update(rows.join('\n')).digest('hex')
  }
  return result
}

async function assertUnchanged (t: Tap, app: FastifyInstance, before: Snapshot, what: string): Promise<void> {
  const after = await snapshot(app)
  t.same(Object.keys(after.counts), Object.keys(before.counts), `${what}: no table was created or dropped`)
  t.same(after.counts, before.counts, `${what}: every table has as many rows as before`)
  t.same(after.hashes, before.hashes, `${what}: every row of every table is as it was`)
  t.equal(after.hashes.tokens, before.hashes.tokens, `${what}: the tokens table is unchanged`)
}

// --- Answers -----------------------------------------------------------------------------

/** How a payload is named in test messages: never the whole 10 000 characters. */
function shown (text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…(${text.length} chars)` : text)
}

/** What is wrong with an answer to a hostile request: it must be a 4xx problem document or a 2xx; never a 5xx. */
function answerIssues (response: LightMyRequestResponse): string[] {
  const status = response.statusCode
  if (status >= 500) return [`answered ${status}: ${response.body.slice(0, 300)}`]
  if (status >= 400) {
    const issues: string[] = []
    if (!/^application\/problem\+json/.test(String(response.headers['content-type']))) issues.push(`a ${status} that is not problem+json`)
    else if (response.json().status !== status) issues.push(`a ${status} problem saying status ${response.json().status}`)
    return issues
  }
  return status >= 200 && status < 300 ? [] : [`answered ${status}`]
}

interface Fixture {
  app: FastifyInstance
  editor: string
  authorToken: string
  alice: Record<string, any>
  bob: Record<string, any>
  published: Record<string, any>
  draft: Record<string, any>
  approved: Record<string, any>
}

async function setup (t: Tap): Promise<Fixture> {
  const app = await build(t, { commentRateLimit: 100_000 })
  const alice = await createAuthor(app, t, { name: 'Alice Archer', email: 'alice@example.org' })
  const bob = await createAuthor(app, t, { name: 'Bob Baker', email: 'bob@example.org' })
  const published = await createArticle(app, t, { title: 'Council approves footbridge', authorId: alice.id, status: 'published', publishedAt: '2026-01-15T10:00:00.000Z', labels: ['Council', 'Transport'] })
  await createArticle(app, t, { title: 'Market stays open', authorId: alice.id, status: 'published', publishedAt: '2026-02-03T09:00:00.000Z', labels: ['Culture'] })
  await createArticle(app, t, { title: 'Rowing club wins', authorId: alice.id, status: 'published', publishedAt: '2026-02-04T09:00:00.000Z' })
  const draft = await createArticle(app, t, { title: 'Secret draft', authorId: bob.id, labels: ['Embargoed'] })
  await createArticle(app, t, { title: 'Far future', authorId: bob.id, status: 'scheduled', publishedAt: '2099-01-01T00:00:00.000Z' })
  const editor = await tokenFor(app, 'editor')
  const authorToken = await tokenFor(app, 'author', alice.id)
  const approved = (await request(app, t, { method: 'POST', url: `/v1/articles/${published.id}/comments`, headers: bearer(editor), payload: { authorName: 'Desk', body: 'Approved.' } })).json()
  await request(app, t, { method: 'POST', url: `/v1/articles/${published.id}/comments`, payload: { authorName: 'Reader', body: 'Pending.', authorEmail: 'reader@example.net' } })
  await request(app, t, { method: 'POST', url: `/v1/articles/${published.id}/comments`, headers: bearer(editor), payload: { authorName: 'Desk', body: 'A reply.', parentId: approved.id } })
  const day = await request(app, t, { method: 'POST', url: '/v1/dates', headers: bearer(editor), payload: { date: '2026-03-01', note: 'A quiet day' } })
  if (day.statusCode !== 201) throw new Error(`creating a day failed: ${day.body}`)
  // Tokens record their last use (at most once a minute): use each once before any snapshot.
  for (const secret of [editor, authorToken]) await request(app, t, { method: 'GET', url: '/v1/articles', headers: bearer(secret) })
  // The use is written just after the answer, off the request path: wait until it is.
  const unrecorded = async (): Promise<boolean> => (await rowsOf(app.store, 'tokens')).some((row) => row.last_used_at === null)
  for (let tries = 0; await unrecorded() && tries < 200; tries++) await new Promise((resolve) => setTimeout(resolve, 10))
  return { app, editor, authorToken, alice, bob, published, draft, approved }
}

// --- Lists -----------------------------------------------------------------------------------

interface ListSpec {
  name: string
  path: string
  params: string[]
  key: string
  secret?: string
  /** The sort signature and arity of this list's cursors. */
  cursorSort: string
  cursorArity: number
}

function listSpecs (fixture: Fixture): ListSpec[] {
  return [
    { name: 'articles', path: '/v1/articles', params: ['status', 'author', 'label', 'date', 'from', 'to', 'sort', 'fields', 'include', 'cursor', 'limit', 'offset', 'q'], key: 'id', cursorSort: '-publishedAt', cursorArity: 2 },
    { name: 'authors', path: '/v1/authors', params: ['sort', 'fields', 'include', 'cursor', 'limit', 'offset'], key: 'id', cursorSort: 'name', cursorArity: 2 },
    { name: 'dates', path: '/v1/dates', params: ['sort', 'year', 'month', 'from', 'to', 'include', 'cursor', 'limit', 'offset'], key: 'date', cursorSort: '-date', cursorArity: 2 },
    { name: 'labels', path: '/v1/labels', params: ['sort', 'cursor', 'limit', 'offset'], key: 'id', cursorSort: 'name', cursorArity: 2 },
    { name: 'an article\'s comments', path: `/v1/articles/${fixture.published.slug}/comments`, params: ['thread', 'cursor', 'limit', 'offset'], key: 'id', cursorSort: 'createdAt', cursorArity: 2 },
    { name: 'comments (moderation)', path: '/v1/comments', params: ['sort', 'status', 'article', 'cursor', 'limit', 'offset'], key: 'id', secret: fixture.editor, cursorSort: '-createdAt', cursorArity: 2 },
    { name: 'tokens', path: '/v1/tokens', params: ['cursor', 'limit', 'offset'], key: 'id', secret: adminSecret, cursorSort: '', cursorArity: 1 },
    { name: 'archive', path: '/v1/archive', params: ['year', 'sort'], key: 'year', cursorSort: '', cursorArity: 1 }
  ]
}

function cursorOf (sort: string, values: unknown[]): string {
  return Buffer.from(JSON.stringify({ s: sort, v: values })).toString('base64url')
}

/** Cursors that decode to JSON with SQL in their sort signature or values. */
function sqlCursors (spec: ListSpec): string[] {
  const cursors = [
    cursorOf("' OR 1=1 --", Array(spec.cursorArity).fill(1)),
    cursorOf(`${spec.cursorSort}; DROP TABLE articles`, Array(spec.cursorArity).fill(1)),
    cursorOf(spec.cursorSort, [...Array(spec.cursorArity - 1).fill("' OR 1=1 --"), "1 OR 1=1"]),
    cursorOf(spec.cursorSort, [...Array(spec.cursorArity - 1).fill('x'), { $gt: '' }]),
    Buffer.from("{\"s\":\"' OR 1=1 --\",\"v\":[1,1]}; DROP TABLE articles").toString('base64url'),
    Buffer.from("' OR 1=1 --").toString('base64url')
  ]
  if (spec.cursorArity > 1) {
    // Well-formed but for the SQL in a value: the value must only ever be a bound parameter.
    const key = spec.key === 'date' ? '2026-12-31' : 1
    cursors.push(cursorOf(spec.cursorSort, ["' OR 1=1 --", key]))
    cursors.push(cursorOf(spec.cursorSort, ['") UNION SELECT * FROM tokens --', key]))
    cursors.push(cursorOf(spec.cursorSort, ["2026-01-01' OR '1'='1", key]))
  }
  return cursors
}

interface Baseline { keys: Set<unknown>, total: number }

/** Everything the list shows this caller without any parameter. */
async function baseline (app: FastifyInstance, t: Tap, spec: ListSpec): Promise<Baseline> {
  const headers = spec.secret === undefined ? {} : bearer(spec.secret)
  if (spec.name === 'archive') {
    const response = await request(app, t, { method: 'GET', url: spec.path, headers })
    return { keys: new Set(response.json().years.map((year: { year: number }) => year.year)), total: response.json().years.length }
  }
  const response = await request(app, t, { method: 'GET', url: `${spec.path}${spec.path.includes('?') ? '&' : '?'}limit=100`, headers })
  t.equal(response.statusCode, 200, `${spec.name}: the baseline list answers 200`)
  const body = response.json()
  return { keys: new Set(body.data.map((item: Record<string, unknown>) => item[spec.key])), total: body.meta.total }
}

async function probe (app: FastifyInstance, t: Tap, spec: ListSpec, base: Baseline, query: string, what: string): Promise<number> {
  const headers = spec.secret === undefined ? {} : bearer(spec.secret)
  const response = await request(app, t, { method: 'GET', url: `${spec.path}?${query}`, headers })
  const issues = answerIssues(response)
  if (response.statusCode === 200) {
    const body = response.json()
    const items: Array<Record<string, unknown>> = spec.name === 'archive' ? body.years.map((year: { year: number }) => ({ year: year.year })) : body.data
    for (const item of items) {
      if (!base.keys.has(item[spec.key])) issues.push(`an extra row: ${JSON.stringify(item).slice(0, 200)}`)
      if (spec.name === 'articles' && spec.secret === undefined && item.status !== undefined && item.status !== 'published') issues.push(`a ${String(item.status)} article shown to an anonymous reader`)
    }
    if (body.meta !== undefined && body.meta.total > base.total) issues.push(`total ${body.meta.total} > ${base.total}`)
  }
  t.same(issues, [], `${what}: ${response.statusCode}`)
  return response.statusCode
}

t.test('SQL in every query parameter of every list: 4xx or an answer with no extra rows, and the database is unchanged', async (t) => {
  const fixture = await setup(t)
  const { app } = fixture
  const before = await snapshot(app)
  for (const spec of listSpecs(fixture)) {
    t.test(spec.name, async (t) => {
      const base = await baseline(app, t, spec)
      let probes = 0
      for (const param of spec.params) {
        for (const payload of numericParams.has(param) ? numericPayloads : sqlPayloads) {
          await probe(app, t, spec, base, new URLSearchParams({ [param]: payload }).toString(), `${spec.name} ?${param}=${shown(payload)}`)
          probes++
        }
        for (const raw of numericParams.has(param) ? rawQueryValues.slice(0, 3) : rawQueryValues) {
          await probe(app, t, spec, base, `${param}=${raw}`, `${spec.name} ?${param}=${raw} (raw)`)
          probes++
        }
        // Alongside a valid first value (repeated parameters arrive as arrays).
        await probe(app, t, spec, base, `${param}=1&${new URLSearchParams({ [param]: "' OR 1=1 --" })}`, `${spec.name} ?${param} repeated`)
        probes++
      }
      if (spec.params.includes('cursor')) {
        for (const cursor of sqlCursors(spec)) {
          await probe(app, t, spec, base, `cursor=${cursor}`, `${spec.name} with a cursor carrying SQL (${Buffer.from(cursor, 'base64url').toString().slice(0, 60)})`)
          probes++
        }
      }
      if (spec.name === 'articles') {
        // A label that doesn't exist is a filter that matches nothing: a 200, and empty.
        const empty = await request(app, t, { method: 'GET', url: `${spec.path}?${new URLSearchParams({ label: "Council' OR 1=1 --" })}` })
        t.equal(empty.statusCode, 200)
        t.same(empty.json().data, [], 'a label holding SQL matches no article')
        t.equal(empty.json().meta.total, 0)
        // Several labels, one of them SQL: still only published articles carrying all of them.
        await probe(app, t, spec, base, `label=Council&label=${encodeURIComponent("Transport' OR 1=1 --")}`, 'articles with a label list holding SQL')
        await probe(app, t, spec, base, `author=${fixture.alice.slug}&status=${encodeURIComponent("published' OR '1'='1")}`, 'articles with SQL after a valid author')
        probes += 2
      }
      t.ok(probes >= spec.params.length * 10, `${probes} probes`)
    })
  }
  t.test('as an editor, article filters with SQL find nothing extra either', async (t) => {
    const spec = { ...listSpecs(fixture)[0]!, secret: fixture.editor }
    const base = await baseline(app, t, spec)
    for (const param of ['status', 'author', 'label', 'sort', 'fields', 'include']) {
      for (const payload of sqlPayloads.slice(0, 12)) await probe(app, t, spec, base, new URLSearchParams({ [param]: payload }).toString(), `editor: articles ?${param}=${shown(payload)}`)
    }
  })
  t.test('the database is unchanged afterwards', async (t) => {
    await assertUnchanged(t, app, before, 'after the list probes')
    const articles = await request(app, t, { method: 'GET', url: '/v1/articles?limit=100', headers: bearer(adminSecret) })
    t.equal(articles.json().meta.total, 5, 'every article is still there')
  })
})

/** Every route with an id or slug in its path, for `id`. */
function pathRoutes (fixture: Fixture, id: string): Array<{ method: string, url: string, secret?: string, payload?: Record<string, unknown> }> {
  return [
    { method: 'GET', url: `/v1/articles/${id}` },
    { method: 'GET', url: `/v1/articles/${id}`, secret: fixture.editor },
    { method: 'GET', url: `/v1/authors/${id}` },
    { method: 'GET', url: `/v1/articles/${id}/comments` },
    { method: 'POST', url: `/v1/articles/${id}/comments`, payload: { authorName: 'Mallory', body: 'Hello' } },
    { method: 'GET', url: `/v1/comments/${id}`, secret: fixture.editor },
    { method: 'GET', url: `/v1/dates/${id}` },
    { method: 'PATCH', url: `/v1/articles/${id}`, secret: adminSecret, payload: { title: 'Hacked' } },
    { method: 'PATCH', url: `/v1/articles/${id}`, secret: fixture.authorToken, payload: { title: 'Hacked' } },
    { method: 'PATCH', url: `/v1/authors/${id}`, secret: adminSecret, payload: { name: 'Hacked' } },
    { method: 'PATCH', url: `/v1/comments/${id}`, secret: adminSecret, payload: { status: 'approved' } },
    { method: 'PATCH', url: `/v1/dates/${id}`, secret: adminSecret, payload: { note: 'Hacked' } },
    { method: 'DELETE', url: `/v1/articles/${id}`, secret: adminSecret },
    { method: 'DELETE', url: `/v1/authors/${id}`, secret: adminSecret },
    { method: 'DELETE', url: `/v1/authors/${fixture.bob.id}?reassignTo=${id}`, secret: adminSecret },
    { method: 'DELETE', url: `/v1/comments/${id}`, secret: adminSecret },
    { method: 'DELETE', url: `/v1/dates/${id}`, secret: adminSecret },
    { method: 'DELETE', url: `/v1/tokens/${id}`, secret: adminSecret }
  ]
}

async function assertRefused (app: FastifyInstance, t: Tap, routes: ReturnType<typeof pathRoutes>, what: string): Promise<void> {
  for (const route of routes) {
    const response = await request(app, t, {
      method: route.method,
      url: route.url,
      headers: route.secret === undefined ? {} : bearer(route.secret),
      ...(route.payload === undefined ? {} : { payload: route.payload })
    })
    const issues = answerIssues(response)
    if (response.statusCode < 400) issues.push(`not refused: ${response.statusCode}`)
    t.same(issues, [], `${route.method} ${route.url.split('/').slice(0, 3).join('/')}/… with ${what}: ${response.statusCode}`)
  }
}

t.test('SQL in path ids and slugs: 4xx on every route, and the database is unchanged', async (t) => {
  const fixture = await setup(t)
  const { app, editor } = fixture
  const before = await snapshot(app)
  // Ids and slugs up to the documented 120 characters; longer ones have a test of their own.
  const ids = sqlPayloads.filter((payload) => payload.length <= 120)
  for (const payload of ids) await assertRefused(app, t, pathRoutes(fixture, encodeURIComponent(payload)), `id ${shown(payload)}`)
  for (const raw of ["'", '%27', '1%20OR%201=1', '1%00', '1.0', '0x1', '1e0', '%201', '-1', '1%27--']) await assertRefused(app, t, pathRoutes(fixture, raw), `raw id ${raw}`)
  await assertUnchanged(t, app, before, 'after the path probes')
  // The real records are all still reachable.
  t.equal((await request(app, t, { method: 'GET', url: `/v1/articles/${fixture.published.slug}` })).statusCode, 200)
  t.equal((await request(app, t, { method: 'GET', url: `/v1/articles/${fixture.draft.id}`, headers: bearer(editor) })).json().title, 'Secret draft')
  t.equal((await request(app, t, { method: 'GET', url: `/v1/comments/${fixture.approved.id}`, headers: bearer(editor) })).statusCode, 200)
})

t.test('an over-long id or slug in a path is a documented 4xx problem, and changes nothing', async (t) => {
  const fixture = await setup(t)
  const { app } = fixture
  const before = await snapshot(app)
  // Over-long (more than the documented 120 characters), but short enough to keep
  // failure messages, which print the URL, readable.
  await assertRefused(app, t, pathRoutes(fixture, encodeURIComponent(`' OR 1=1 --${'a'.repeat(120)}`)), 'a 131-character SQL id')
  await assertUnchanged(t, app, before, 'after the over-long ids')
})

t.test('a slug of the documented maximum length (120) works in every path', async (t) => {
  const fixture = await setup(t)
  const { app, alice } = fixture
  const slug = `long-${'a'.repeat(115)}`
  t.equal(slug.length, 120)
  const article = await createArticle(app, t, { title: 'A long slug', slug, authorId: alice.id, status: 'published' })
  t.equal(article.slug, slug)
  const read = await request(app, t, { method: 'GET', url: `/v1/articles/${slug}` })
  t.equal(read.statusCode, 200, 'GET by the 120-character slug')
  t.equal(read.json().id, article.id)
  const comments = await request(app, t, { method: 'GET', url: `/v1/articles/${slug}/comments` })
  t.equal(comments.statusCode, 200, 'its comments by slug')
  const author = await createAuthor(app, t, { name: 'Long Slug', slug })
  const readAuthor = await request(app, t, { method: 'GET', url: `/v1/authors/${slug}` })
  t.equal(readAuthor.statusCode, 200, 'an author by a 120-character slug')
  t.equal(readAuthor.json().id, author.id)
})

t.test('SQL in body fields that must be refused: 4xx, and the database is unchanged', async (t) => {
  const fixture = await setup(t)
  const { app, published, approved } = fixture
  const before = await snapshot(app)
  const payloads = [...sqlPayloads.slice(0, 8), '\u2019 OR 1=1 --', 'a\u0000b', "'".repeat(3000)]
  for (const payload of payloads) {
    const cases: Array<{ method: string, url: string, body: Record<string, unknown>, secret?: string }> = [
      { method: 'POST', url: '/v1/articles', body: { title: 'x', authorId: payload } },
      { method: 'POST', url: '/v1/articles', body: { title: 'x', authorId: fixture.alice.id, status: payload } },
      { method: 'POST', url: '/v1/articles', body: { title: 'x', authorId: fixture.alice.id, slug: payload } },
      { method: 'POST', url: '/v1/articles', body: { title: 'x', authorId: fixture.alice.id, publishedAt: payload } },
      { method: 'POST', url: '/v1/articles', body: { title: 'x', authorId: fixture.alice.id, [payload]: 'x' } },
      { method: 'PATCH', url: `/v1/articles/${published.id}`, body: { status: payload } },
      { method: 'PATCH', url: `/v1/articles/${published.id}`, body: { slug: payload } },
      { method: 'PATCH', url: `/v1/articles/${published.id}`, body: { authorId: payload } },
      { method: 'POST', url: '/v1/authors', body: { name: 'x', email: payload } },
      { method: 'POST', url: '/v1/authors', body: { name: 'x', slug: payload } },
      { method: 'POST', url: '/v1/authors', body: { name: 'x', url: payload } },
      { method: 'POST', url: '/v1/tokens', body: { role: payload } },
      { method: 'POST', url: '/v1/tokens', body: { role: 'author', author: payload } },
      { method: 'POST', url: '/v1/tokens', body: { role: 'editor', expiresAt: payload } },
      { method: 'POST', url: '/v1/dates', body: { date: payload } },
      { method: 'POST', url: `/v1/articles/${published.id}/comments`, body: { authorName: 'x', body: 'y', parentId: payload } },
      { method: 'POST', url: `/v1/articles/${published.id}/comments`, body: { authorName: 'x', body: 'y', authorEmail: payload } },
      { method: 'POST', url: `/v1/articles/${published.id}/comments`, body: { authorName: 'x', body: 'y', authorUrl: payload } },
      { method: 'POST', url: `/v1/articles/${published.id}/comments`, body: { authorName: 'x', body: 'y', formStartedAt: payload } },
      { method: 'PATCH', url: `/v1/comments/${approved.id}`, body: { status: payload } }
    ]
    for (const item of cases) {
      const response = await request(app, t, { method: item.method, url: item.url, headers: bearer(item.secret ?? adminSecret), payload: item.body })
      const issues = answerIssues(response)
      if (response.statusCode < 400) issues.push(`not refused: ${response.statusCode}`)
      t.same(issues, [], `${item.method} ${item.url} ${JSON.stringify(item.body).slice(0, 80)}: ${response.statusCode}`)
    }
  }
  await assertUnchanged(t, app, before, 'after the refused bodies')
})

t.test('SQL in free-text body fields is stored as text, verbatim, and touches nothing else', async (t) => {
  const fixture = await setup(t)
  const { app, alice, published, editor } = fixture
  const before = await snapshot(app)
  // Texts every field takes as they are (no surrounding or repeated whitespace, short enough for a label).
  const texts = sqlPayloads.filter((text) => text.length <= 60 && text === text.replace(/\s+/g, ' ').trim() && /\S/.test(text) && !text.includes('\u0000'))
  t.ok(texts.length >= 15, `${texts.length} texts`)
  const created = { articles: 0, authors: 0, comments: 0, days: 0, tokens: 0, labels: 0 }
  for (const [i, text] of texts.entries()) {
    const article = await request(app, t, { method: 'POST', url: '/v1/articles', headers: bearer(adminSecret), payload: { title: text, excerpt: text, labels: [`L${i} ${text}`], authorId: alice.id, body: `<p>${text.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</p>` } })
    t.equal(article.statusCode, 201, `article titled ${text}`)
    created.articles++
    created.labels++
    const read = (await request(app, t, { method: 'GET', url: `/v1/articles/${article.json().id}`, headers: bearer(adminSecret) })).json()
    t.equal(read.title, text)
    t.equal(read.excerpt, text)
    t.same(read.labels, [`L${i} ${text}`])

    const label = await request(app, t, { method: 'POST', url: '/v1/labels', headers: bearer(adminSecret), payload: { name: `M${i} ${text}` } })
    t.equal(label.statusCode, 201, `label named ${text}`)
    created.labels++
    t.equal((await request(app, t, { method: 'GET', url: `/v1/labels/${label.json().id}`, headers: bearer(adminSecret) })).json().name, `M${i} ${text}`)

    const author = await request(app, t, { method: 'POST', url: '/v1/authors', headers: bearer(adminSecret), payload: { name: text, bio: text } })
    t.equal(author.statusCode, 201, `author named ${text}`)
    created.authors++
    const readAuthor = (await request(app, t, { method: 'GET', url: `/v1/authors/${author.json().id}` })).json()
    t.equal(readAuthor.name, text)
    t.equal(readAuthor.bio, text)

    const comment = await request(app, t, { method: 'POST', url: `/v1/articles/${published.id}/comments`, payload: { authorName: text, body: `Says ${text}` } })
    t.equal(comment.statusCode, 201, `comment by ${text}`)
    created.comments++
    const readComment = (await request(app, t, { method: 'GET', url: `/v1/comments/${comment.json().id}`, headers: bearer(editor) })).json()
    t.equal(readComment.authorName, text)

    const date = `2030-01-${String(i + 1).padStart(2, '0')}`
    const day = await request(app, t, { method: 'POST', url: '/v1/dates', headers: bearer(adminSecret), payload: { date, note: text } })
    t.equal(day.statusCode, 201, `day noted ${text}`)
    created.days++
    t.equal((await request(app, t, { method: 'GET', url: `/v1/dates/${date}` })).json().note, text)

    const token = await request(app, t, { method: 'POST', url: '/v1/tokens', headers: bearer(adminSecret), payload: { role: 'editor', name: text } })
    t.equal(token.statusCode, 201, `token named ${text}`)
    created.tokens++
  }
  const after = await snapshot(app)
  // Every label is new: one made with each article, one by POST /v1/labels.
  const grew: Record<string, number> = { changes: created.articles + created.labels + created.authors + created.comments + created.days, articles: created.articles, articles_text: created.articles, articles_search: created.articles, articles_words: created.articles, search_documents: created.articles, article_labels: created.articles, labels: created.labels, authors: created.authors, comments: created.comments, days: created.days, tokens: created.tokens }
  for (const [table, count] of Object.entries(before.counts)) {
    // sqlite_sequence, the full-text indexes' own storage (articles_search_*, articles_words_*) and
    // PostgreSQL's write stamp change with any write.
    if (table === 'sqlite_sequence' || table === 'write_stamp' || /^articles_(search|words)_/.test(table)) continue
    t.equal(after.counts[table], count + (grew[table] ?? 0), `${table}: ${grew[table] ?? 0} rows more, no fewer`)
    const lost = [...before.rows[table]!].filter((row) => !after.rows[table]!.has(row))
    t.same(lost, [], `${table}: every row that was there is unchanged`)
  }
  // The tokens made with SQL names are listed by their names, and the old ones still work.
  const tokens = await request(app, t, { method: 'GET', url: '/v1/tokens?limit=100', headers: bearer(adminSecret) })
  const names = new Set(tokens.json().data.map((token: { name: string }) => token.name))
  for (const text of texts) t.ok(names.has(text), `token ${text} listed by name`)
  t.equal((await request(app, t, { method: 'GET', url: '/v1/comments', headers: bearer(editor) })).statusCode, 200, 'the editor token still works')
})
