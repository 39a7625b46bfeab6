import type { FastifyInstance } from 'fastify'
import t, { type Test } from 'tap'
import { assertProblem } from '../problems.js'
import { adminSecret, bearer, build, createArticle, createAuthor, request, tokenFor } from '../helper.js'

// A front end asks where a path has moved (issue 22, part 2): an article's path under a slug
// it had before, or a path an editor redirected. Editors keep their redirects in /v1/redirects.

async function blog (t: Test, articlePath?: string): Promise<{ app: FastifyInstance, authorId: number, editor: string }> {
  const app = await build(t, articlePath === undefined ? {} : { articlePath })
  const author = await createAuthor(app, t)
  return { app, authorId: author.id, editor: await tokenFor(app, 'editor') }
}

async function rename (app: FastifyInstance, t: Test, id: number, slug: string): Promise<void> {
  const renamed = await request(app, t, { method: 'PATCH', url: `/v1/articles/${id}`, headers: bearer(adminSecret), payload: { slug } })
  t.equal(renamed.statusCode, 200, `renamed to ${slug}`)
}

async function lookUp (app: FastifyInstance, t: Test, path: string, secret?: string) {
  return await request(app, t, { method: 'GET', url: `/v1/redirects?path=${encodeURIComponent(path)}`, headers: secret === undefined ? {} : bearer(secret) })
}

async function createRedirect (app: FastifyInstance, t: Test, body: Record<string, unknown>, secret = adminSecret): Promise<Record<string, any>> {
  const created = await request(app, t, { method: 'POST', url: '/v1/redirects', headers: bearer(secret), payload: body })
  t.equal(created.statusCode, 201, `redirect from ${String(body.from)} created`)
  return created.json()
}

t.test('an article\'s path under an old slug has moved to its path now, with the query it was asked with', async (t) => {
  const { app, authorId } = await blog(t)
  const article = await createArticle(app, t, { title: 'Harbour plan vote', slug: 'harbour-plan-vote', authorId, status: 'published' })
  await rename(app, t, article.id, 'council-approves-the-harbour-plan')

  const moved = await lookUp(app, t, '/articles/harbour-plan-vote?utm_source=newsletter#comments')
  t.equal(moved.statusCode, 200)
  t.same(moved.json(), { path: '/articles/harbour-plan-vote', location: '/articles/council-approves-the-harbour-plan?utm_source=newsletter', status: 301, redirectId: null })
  t.equal(moved.headers['cache-control'], 'public, max-age=0, s-maxage=60', 'a CDN may keep it like any public read')

  assertProblem(t, await lookUp(app, t, '/articles/council-approves-the-harbour-plan'), 404, 'not-found')
  assertProblem(t, await lookUp(app, t, '/articles/never-was'), 404, 'not-found')
  assertProblem(t, await lookUp(app, t, '/about'), 404, 'not-found', undefined)
})

t.test('a path is matched however it is spelled: escapes, a trailing slash', async (t) => {
  const { app, authorId } = await blog(t)
  const article = await createArticle(app, t, { title: 'Café reopens', slug: 'café-reopens', authorId, status: 'published' })
  await rename(app, t, article.id, 'café-reopens-at-last')
  for (const spelling of ['/articles/café-reopens', '/articles/caf%C3%A9-reopens', '/articles/caf%c3%a9-reopens/']) {
    const moved = await lookUp(app, t, spelling)
    t.equal(moved.statusCode, 200, spelling)
    t.equal(moved.json().path, '/articles/caf%C3%A9-reopens', `${spelling}: one spelling`)
    t.equal(moved.json().location, '/articles/caf%C3%A9-reopens-at-last')
  }
  assertProblem(t, await lookUp(app, t, '/articles/caf%C3%A'), 400, 'validation', 'querystring.path')
  assertProblem(t, await lookUp(app, t, 'articles/cafe'), 400, 'validation', 'querystring.path')
  assertProblem(t, await lookUp(app, t, '//evil.example/x'), 400, 'validation', 'querystring.path')
})

t.test('the site\'s article path decides what an article path is: /{id}/{slug}.html', async (t) => {
  const { app, authorId } = await blog(t, '/{id}/{slug}.html')
  const article = await createArticle(app, t, { title: 'Tram line opens', slug: 'tram-line-opens', authorId, status: 'published' })
  const wrongSlug = await lookUp(app, t, `/${article.id}/tram-line-plans.html?x=1`)
  t.equal(wrongSlug.statusCode, 200, 'the id decides; another slug is sent to the right one')
  t.equal(wrongSlug.json().location, `/${article.id}/tram-line-opens.html?x=1`)
  assertProblem(t, await lookUp(app, t, `/${article.id}/tram-line-opens.html`), 404, 'not-found')
  assertProblem(t, await lookUp(app, t, '/999999/tram-line-opens.html'), 404, 'not-found')
  assertProblem(t, await lookUp(app, t, '/articles/tram-line-opens'), 404, 'not-found', undefined)
})

t.test('a reader is never sent to a draft', async (t) => {
  const { app, authorId, editor } = await blog(t)
  const draft = await createArticle(app, t, { title: 'Budget leak', slug: 'budget-leak', authorId })
  await rename(app, t, draft.id, 'budget-2027')
  assertProblem(t, await lookUp(app, t, '/articles/budget-leak'), 404, 'not-found')
  t.equal((await lookUp(app, t, '/articles/budget-leak', editor)).json().location, '/articles/budget-2027', 'an editor, who may read it, is sent on')

  const redirect = await createRedirect(app, t, { from: '/budget', to: '/articles/budget-2027' })
  const reader = await lookUp(app, t, '/budget')
  assertProblem(t, reader, 404, 'not-found')
  t.notMatch(reader.body, /budget-2027/, 'nor learns where it is')
  t.equal((await lookUp(app, t, '/budget', editor)).json().redirectId, redirect.id)

  const published = await request(app, t, { method: 'PATCH', url: `/v1/articles/${draft.id}`, headers: bearer(adminSecret), payload: { status: 'published' } })
  t.equal(published.statusCode, 200)
  t.same((await lookUp(app, t, '/budget')).json(), { path: '/budget', location: '/articles/budget-2027', status: 301, redirectId: redirect.id }, 'published, it is where the redirect goes')
})

t.test('editors keep redirects: create, read, list, change, delete', async (t) => {
  const { app, editor } = await blog(t)
  const created = await request(app, t, { method: 'POST', url: '/v1/redirects', headers: bearer(editor), payload: { from: '/2019/05/old-story.html', to: '/articles/new-story' } })
  t.equal(created.statusCode, 201)
  const redirect = created.json()
  t.equal(created.headers.location, `/v1/redirects/${redirect.id}`)
  t.match(redirect, { from: '/2019/05/old-story.html', to: '/articles/new-story', status: 301 })

  const read = await request(app, t, { method: 'GET', url: `/v1/redirects/${redirect.id}`, headers: bearer(editor) })
  t.same(read.json(), redirect)
  const list = await request(app, t, { method: 'GET', url: '/v1/redirects', headers: bearer(editor) })
  t.same(list.json().data, [redirect])
  t.equal(list.json().meta.total, 1)

  const stale = await request(app, t, { method: 'PATCH', url: `/v1/redirects/${redirect.id}`, headers: { ...bearer(editor), 'if-match': '"redirect-1-v9"' }, payload: { status: 302 } })
  assertProblem(t, stale, 412, 'precondition-failed')
  const changed = await request(app, t, { method: 'PATCH', url: `/v1/redirects/${redirect.id}`, headers: { ...bearer(editor), 'if-match': read.headers.etag as string }, payload: { status: 302, to: 'https://archive.example.org/old-story' } })
  t.equal(changed.statusCode, 200)
  t.match(changed.json(), { status: 302, to: 'https://archive.example.org/old-story' })
  t.same((await lookUp(app, t, '/2019/05/old-story.html?ref=x')).json(), { path: '/2019/05/old-story.html', location: 'https://archive.example.org/old-story?ref=x', status: 302, redirectId: redirect.id }, 'another site\'s URL, the query carried')

  const removed = await request(app, t, { method: 'DELETE', url: `/v1/redirects/${redirect.id}`, headers: bearer(editor) })
  t.equal(removed.statusCode, 204)
  assertProblem(t, await lookUp(app, t, '/2019/05/old-story.html'), 404, 'not-found')
  assertProblem(t, await request(app, t, { method: 'GET', url: `/v1/redirects/${redirect.id}`, headers: bearer(editor) }), 404, 'not-found')
})

t.test('the list and the redirects themselves are editors\' business; the lookup is anyone\'s', async (t) => {
  const { app, authorId } = await blog(t)
  const redirect = await createRedirect(app, t, { from: '/old', to: '/new' })
  assertProblem(t, await request(app, t, { method: 'GET', url: '/v1/redirects' }), 401, 'unauthorized')
  const author = await tokenFor(app, 'author', authorId)
  assertProblem(t, await request(app, t, { method: 'GET', url: '/v1/redirects', headers: bearer(author) }), 403, 'forbidden')
  assertProblem(t, await request(app, t, { method: 'GET', url: `/v1/redirects/${redirect.id}`, headers: bearer(author) }), 403, 'forbidden')
  assertProblem(t, await request(app, t, { method: 'POST', url: '/v1/redirects', headers: bearer(author), payload: { from: '/a', to: '/b' } }), 403, 'forbidden')
  t.equal((await lookUp(app, t, '/old', author)).json().location, '/new')
  t.equal((await lookUp(app, t, '/old')).json().location, '/new')
})

t.test('a redirect never points at its own path, nor leads back to it', async (t) => {
  const { app } = await blog(t)
  assertProblem(t, await request(app, t, { method: 'POST', url: '/v1/redirects', headers: bearer(adminSecret), payload: { from: '/loop', to: '/loop/?x=1' } }), 400, 'validation', 'body.to')
  const first = await createRedirect(app, t, { from: '/a', to: '/b', status: 308 })
  await createRedirect(app, t, { from: '/b', to: '/c', status: 307 })
  assertProblem(t, await request(app, t, { method: 'POST', url: '/v1/redirects', headers: bearer(adminSecret), payload: { from: '/c', to: '/a' } }), 400, 'validation', 'body.to')
  assertProblem(t, await request(app, t, { method: 'PATCH', url: `/v1/redirects/${first.id}`, headers: bearer(adminSecret), payload: { from: '/c' } }), 400, 'validation', 'body.to')
  assertProblem(t, await request(app, t, { method: 'POST', url: '/v1/redirects', headers: bearer(adminSecret), payload: { from: '/a/', to: '/z' } }), 409, 'conflict', 'body.from')

  const chained = await lookUp(app, t, '/a')
  t.same(chained.json(), { path: '/a', location: '/c', status: 307, redirectId: first.id }, 'the end of the chain; temporary, since one hop is, keeping the method')
})

t.test('a chain through an article\'s old slug ends at the article\'s path now', async (t) => {
  const { app, authorId } = await blog(t, '/articles/{slug}/')
  const article = await createArticle(app, t, { title: 'Flood defences', slug: 'flood-defences', authorId, status: 'published' })
  const redirect = await createRedirect(app, t, { from: '/news/flood', to: '/articles/flood-defences/?from=old-site' })
  t.equal(redirect.to, '/articles/flood-defences/?from=old-site', 'the target keeps its trailing slash')
  await rename(app, t, article.id, 'flood-defences-finished')
  const moved = await lookUp(app, t, '/news/flood?utm_medium=email')
  t.same(moved.json(), { path: '/news/flood', location: '/articles/flood-defences-finished/?utm_medium=email', status: 301, redirectId: redirect.id })
})

t.test('what a redirect is from and to is checked, naming the field', async (t) => {
  const { app } = await blog(t)
  const bad = [
    [{ from: 'old', to: '/new' }, 'body.from'],
    [{ from: '/old?page=2', to: '/new' }, 'body.from'],
    [{ from: '/old%ZZ', to: '/new' }, 'body.from'],
    [{ from: '/old', to: 'new' }, 'body.to'],
    [{ from: '/old', to: 'https://user:secret@example.org/' }, 'body.to'],
    [{ from: '/old', to: 'ftp://example.org/' }, 'body.to'],
    [{ from: '/old', to: '/new', status: 303 }, 'body.status'],
    [{ from: '/old with space', to: '/new' }, 'body.from'],
    [{ from: `/${'x'.repeat(2100)}`, to: '/new' }, 'body.from']
  ] as const
  for (const [payload, field] of bad) {
    assertProblem(t, await request(app, t, { method: 'POST', url: '/v1/redirects', headers: bearer(adminSecret), payload }), 400, 'validation', field)
  }
  assertProblem(t, await request(app, t, { method: 'GET', url: '/v1/redirects?path=%2Fa%00b' }), 400, 'validation', 'querystring.path')
  t.equal((await request(app, t, { method: 'GET', url: '/v1/redirects', headers: bearer(adminSecret) })).json().meta.total, 0, 'nothing was kept')
})

t.test('the change log tells editors of redirects, and readers nothing', async (t) => {
  const { app, editor } = await blog(t)
  const redirect = await createRedirect(app, t, { from: '/old', to: '/new' })
  await request(app, t, { method: 'PATCH', url: `/v1/redirects/${redirect.id}`, headers: bearer(adminSecret), payload: { to: '/newer' } })
  await request(app, t, { method: 'DELETE', url: `/v1/redirects/${redirect.id}`, headers: bearer(adminSecret) })
  const seen = await request(app, t, { method: 'GET', url: '/v1/changes?resource=redirect', headers: bearer(editor) })
  t.same(seen.json().data.map((change: Record<string, unknown>) => [change.kind, change.id, change.fields]), [
    ['created', String(redirect.id), ['from', 'to', 'status']],
    ['updated', String(redirect.id), ['to']],
    ['deleted', String(redirect.id), []]
  ])
  t.same((await request(app, t, { method: 'GET', url: '/v1/changes?resource=redirect' })).json().data, [])
})

t.test('moving a site: a batch of redirects is written whole or not at all', async (t) => {
  const { app, editor } = await blog(t)
  const batch = async (operations: unknown[]) => await request(app, t, { method: 'POST', url: '/v1/batch', headers: bearer(editor), payload: { operations } })
  const done = await batch([
    { method: 'POST', path: '/v1/redirects', body: { from: '/2015/01/first.html', to: '/articles/first' } },
    { method: 'POST', path: '/v1/redirects', body: { from: '/2015/02/second.html', to: '/articles/second' } }
  ])
  t.equal(done.statusCode, 200)
  t.same(done.json().results.map((result: Record<string, any>) => [result.status, result.body.from]), [[201, '/2015/01/first.html'], [201, '/2015/02/second.html']])

  const refused = await batch([
    { method: 'POST', path: '/v1/redirects', body: { from: '/2015/03/third.html', to: '/articles/third' } },
    { method: 'POST', path: '/v1/redirects', body: { from: '/2015/01/first.html', to: '/articles/elsewhere' } }
  ])
  t.equal(refused.statusCode, 422)
  t.match(refused.json(), { failedOperation: 1, results: [{ status: 201 }, { status: 409 }] })
  assertProblem(t, await lookUp(app, t, '/2015/03/third.html'), 404, 'not-found')
  t.equal((await request(app, t, { method: 'GET', url: '/v1/redirects', headers: bearer(editor) })).json().meta.total, 2, 'the first of the failed batch was not kept')
})

function ndjson (lines: Array<Record<string, unknown>>): string {
  const at = '2026-01-02T03:04:05.000Z'
  return [{ type: 'header', format: 'dateline', version: 4, exportedAt: at, counts: {} }, ...lines.map((line) => ({ createdAt: at, updatedAt: at, ...line }))]
    .map((line) => JSON.stringify(line)).join('\n') + '\n'
}

t.test('an import brings redirects, keyed by their path: again, unchanged; changed, updated; refused ones skipped with why', async (t) => {
  const { app, editor } = await blog(t)
  const importFile = async (text: string) => {
    const response = await request(app, t, { method: 'POST', url: '/v1/import', headers: { ...bearer(adminSecret), 'content-type': 'application/x-ndjson' }, payload: text })
    t.equal(response.statusCode, 200, 'imported', { body: response.body })
    return response.json()
  }
  const lines = [
    { type: 'redirect', id: 7, from: '/old-home', to: '/', status: 301 },
    { type: 'redirect', id: 8, from: '/feeds/posts/default', to: 'https://example.org/feed.atom', status: 302 },
    { type: 'redirect', id: 9, from: '/self', to: '/self/', status: 301 },
    { type: 'redirect', id: 10, from: 'no-slash', to: '/x', status: 301 }
  ]
  const first = await importFile(ndjson(lines))
  t.same(first.counts.redirects, { created: 2, updated: 0, unchanged: 0, skipped: 2 })
  t.same(first.skipped, [
    { resource: 'redirect', sourceId: '/self', reason: 'to points at its own path' },
    { resource: 'redirect', sourceId: 'no-slash', reason: 'from must be a path on the front end, starting with a single /' }
  ])
  t.match((await lookUp(app, t, '/old-home')).json(), { location: '/', status: 301 })
  const kept = (await request(app, t, { method: 'GET', url: '/v1/redirects', headers: bearer(editor) })).json().data
  t.match(kept, [{ from: '/old-home', createdAt: '2026-01-02T03:04:05.000Z' }, { from: '/feeds/posts/default' }], 'kept with their times')

  const again = await importFile(ndjson(lines.slice(0, 2)))
  t.same(again.counts.redirects, { created: 0, updated: 0, unchanged: 2, skipped: 0 })
  const changed = await importFile(ndjson([{ ...lines[0]!, to: '/front-page', status: 308 }]))
  t.same(changed.counts.redirects, { created: 0, updated: 1, unchanged: 0, skipped: 0 })
  t.match((await lookUp(app, t, '/old-home')).json(), { location: '/front-page', status: 308 })
})

t.test('the demo blog\'s redirects, as the README looks them up', async (t) => {
  const app = await build(t, { demo: true })
  const moved = await lookUp(app, t, '/2025/06/footbridge-study.html?utm_source=mail')
  t.same(moved.json(), {
    path: '/2025/06/footbridge-study.html',
    location: '/articles/council-approves-study-into-a-footbridge-at-the-old-ferry-crossing?utm_source=mail',
    status: 301,
    redirectId: 1
  }, 'the editor\'s redirect, then the article\'s old slug, in one answer')
  t.equal((await lookUp(app, t, '/articles/council-to-study-footbridge')).json().location, '/articles/council-approves-study-into-a-footbridge-at-the-old-ferry-crossing')
  t.equal((await request(app, t, { method: 'GET', url: '/v1/articles/council-to-study-footbridge' })).statusCode, 301, 'the API\'s own read by the old slug too')
  assertProblem(t, await lookUp(app, t, '/articles/no-such-story'), 404, 'not-found')
  const created = await createRedirect(app, t, { from: '/2019/05/old-story.html', to: '/articles/new-story', status: 301 })
  t.equal(created.id, 2)
})

t.test('a chain of redirects is at most 8 long', async (t) => {
  const { app } = await blog(t)
  for (let n = 1; n <= 8; n++) await createRedirect(app, t, { from: `/c${n}`, to: `/c${n + 1}` })
  t.equal((await lookUp(app, t, '/c1')).json().location, '/c9', 'eight hops, followed to the end')
  assertProblem(t, await request(app, t, { method: 'POST', url: '/v1/redirects', headers: bearer(adminSecret), payload: { from: '/c0', to: '/c1' } }), 400, 'validation', 'body.to')
})
