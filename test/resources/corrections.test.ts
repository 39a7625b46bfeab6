import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import t, { type Test } from 'tap'
import { adminSecret, bearer, build, createArticle, createAuthor, request, tokenFor } from '../helper.js'
import { assertProblem } from '../problems.js'

// An article's public corrections log (issue 22, part 6): notes filed through the API, shown in
// the article's reads, listed site-wide and fed as Atom.

async function blog (t: Test): Promise<{ app: FastifyInstance, authorId: number }> {
  const app = await build(t)
  const author = await createAuthor(app, t)
  return { app, authorId: author.id }
}

async function correct (app: FastifyInstance, t: Test, articleId: number | string, payload: Record<string, unknown>, secret = adminSecret): Promise<LightMyRequestResponse> {
  return await request(app, t, { method: 'POST', url: `/v1/articles/${articleId}/corrections`, headers: bearer(secret), payload })
}

async function filed (app: FastifyInstance, t: Test, articleId: number, payload: Record<string, unknown>): Promise<Record<string, any>> {
  const response = await correct(app, t, articleId, payload)
  t.equal(response.statusCode, 201, 'filed', { body: response.body })
  return response.json()
}

async function read (app: FastifyInstance, t: Test, url: string, secret?: string): Promise<LightMyRequestResponse> {
  return await request(app, t, { method: 'GET', url, ...(secret === undefined ? {} : { headers: bearer(secret) }) })
}

t.test('a correction filed on a published article answers 201 with its Location, and the article shows it', async (t) => {
  const { app, authorId } = await blog(t)
  const article = await createArticle(app, t, { title: 'Footbridge approved', authorId, status: 'published' })
  const before = await read(app, t, `/v1/articles/${article.id}`)
  t.same(before.json().corrections, [], 'no corrections yet')
  t.equal(before.json().correctedAt, null)

  const response = await correct(app, t, article.slug, { note: '  The bridge is 104 metres long, not 140.\nWe regret the error.  ' })
  t.equal(response.statusCode, 201)
  const correction = response.json()
  t.equal(response.headers.location, `/v1/articles/${article.id}/corrections/${correction.id}`)
  t.match(String(response.headers.etag), new RegExp(`^"correction-${correction.id}-v1\\.`))
  t.equal(correction.note, 'The bridge is 104 metres long, not 140.\nWe regret the error.', 'trimmed, its line break kept')
  t.equal(correction.articleId, article.id)
  t.ok(Date.parse(correction.correctedAt) <= Date.now(), 'corrected now')

  const followed = await read(app, t, response.headers.location as string)
  t.equal(followed.statusCode, 200)
  t.same(followed.json(), correction, 'the Location reads it back')

  const after = await read(app, t, `/v1/articles/${article.id}`)
  t.same(after.json().corrections, [{ id: correction.id, note: correction.note, correctedAt: correction.correctedAt }])
  t.equal(after.json().correctedAt, correction.correctedAt)
  t.equal(after.json().updatedAt, before.json().updatedAt, 'updatedAt is the last edit of its content, not the correction')
  t.not(after.headers.etag, before.headers.etag, 'the article\'s ETag changed')
  const stale = await request(app, t, { method: 'GET', url: `/v1/articles/${article.id}`, headers: { 'if-none-match': String(before.headers.etag) } })
  t.equal(stale.statusCode, 200, 'a cache holding the article before the correction gets it anew')
})

t.test('corrections come oldest first; correctedAt may be given but not in the future, and is the latest', async (t) => {
  const { app, authorId } = await blog(t)
  const article = await createArticle(app, t, { title: 'Weir works begin', authorId, status: 'published', publishedAt: '2025-01-10T09:00:00.000Z' })
  const later = await filed(app, t, article.id, { note: 'The contractor is Vell Civil, not Vell Construction.' })
  const earlier = await filed(app, t, article.id, { note: 'The works start on Monday.', correctedAt: '2025-01-11T08:00:00+01:00' })
  t.equal(earlier.correctedAt, '2025-01-11T07:00:00.000Z', 'in UTC')

  const listed = await read(app, t, `/v1/articles/${article.id}/corrections`)
  t.same(listed.json().data.map((item: { id: number }) => item.id), [earlier.id, later.id], 'oldest first')
  t.same(listed.json().meta, { total: 2, limit: 50, offset: 0, nextCursor: null })
  const body = (await read(app, t, `/v1/articles/${article.id}`)).json()
  t.same(body.corrections.map((item: { id: number }) => item.id), [earlier.id, later.id])
  t.equal(body.correctedAt, later.correctedAt, 'correctedAt is the latest correction\'s')

  const summaries = (await read(app, t, `/v1/authors/${authorId}?include=articles`)).json()
  t.equal(summaries.articles?.[0]?.correctedAt, later.correctedAt, 'summaries carry correctedAt')
  const listItem = (await read(app, t, '/v1/articles?limit=1')).json().data[0]
  t.equal(listItem.correctedAt, later.correctedAt, 'list items too')
  t.equal(listItem.corrections.length, 2)
  const uncorrected = await createArticle(app, t, { title: 'Quiet news', authorId, status: 'published', publishedAt: '2025-01-09T09:00:00.000Z' })
  t.same((await read(app, t, '/v1/articles?corrected=true')).json().data.map((item: { id: number }) => item.id), [article.id], 'corrected=true: the corrected ones')
  t.same((await read(app, t, '/v1/articles?corrected=false')).json().data.map((item: { id: number }) => item.id), [uncorrected.id], 'corrected=false: the others')
  t.equal((await read(app, t, '/v1/articles?corrected=true&q=weir')).json().meta.total, 1, 'with a search too')
  assertProblem(t, await read(app, t, '/v1/articles?corrected=maybe'), 400, 'validation', 'querystring.corrected')
  const sparse = (await read(app, t, `/v1/articles/${article.id}?fields=correctedAt`)).json()
  t.same(sparse, { id: article.id, correctedAt: later.correctedAt }, 'fields= names it')

  const future = await correct(app, t, article.id, { note: 'Too soon.', correctedAt: new Date(Date.now() + 3_600_000).toISOString() })
  assertProblem(t, future, 400, 'validation', { path: 'body.correctedAt', message: 'is in the future' })
  const unstorable = await correct(app, t, article.id, { note: 'Too early.', correctedAt: '0000-01-01T00:00:00Z' })
  assertProblem(t, unstorable, 400, 'validation', 'body.correctedAt')
})

t.test('bad notes and bodies answer 400 naming the field', async (t) => {
  const { app, authorId } = await blog(t)
  const article = await createArticle(app, t, { title: 'Market hours', authorId, status: 'published' })
  assertProblem(t, await correct(app, t, article.id, {}), 400, 'validation', 'body.note')
  assertProblem(t, await correct(app, t, article.id, { note: '' }), 400, 'validation', 'body.note')
  assertProblem(t, await correct(app, t, article.id, { note: '   ' }), 400, 'validation', 'body.note')
  assertProblem(t, await correct(app, t, article.id, { note: 'x'.repeat(2001) }), 400, 'validation', 'body.note')
  assertProblem(t, await correct(app, t, article.id, { note: 'A bell\u0007' }), 400, 'validation', 'body.note')
  assertProblem(t, await correct(app, t, article.id, { note: 42 }), 400, 'validation', 'body.note')
  assertProblem(t, await correct(app, t, article.id, { note: 'Fine.', correctedAt: 'yesterday' }), 400, 'validation', 'body.correctedAt')
  assertProblem(t, await correct(app, t, article.id, { note: 'Fine.', by: 'me' }), 400, 'validation', 'body.by')
  const noPatch = await request(app, t, { method: 'PATCH', url: `/v1/articles/${article.id}/corrections/1`, headers: bearer(adminSecret), payload: {} })
  assertProblem(t, noPatch, 400, 'validation')
  const badId = await read(app, t, `/v1/articles/${article.id}/corrections/abc`)
  assertProblem(t, badId, 400, 'validation', 'params.correctionId')
  t.same((await read(app, t, `/v1/articles/${article.id}/corrections`)).json().data, [], 'nothing was filed')
})

t.test('PATCH fixes a note under If-Match, DELETE removes one; neither changes updatedAt, both the article\'s ETag', async (t) => {
  const { app, authorId } = await blog(t)
  const article = await createArticle(app, t, { title: 'Library reopens', authorId, status: 'published' })
  const correction = await filed(app, t, article.id, { note: 'The library reopens on Tuesday, not Thursady.' })
  const url = `/v1/articles/${article.id}/corrections/${correction.id}`
  const etag = String((await read(app, t, url)).headers.etag)
  const articleTag = String((await read(app, t, `/v1/articles/${article.id}`)).headers.etag)

  const fixed = await request(app, t, { method: 'PATCH', url, headers: { ...bearer(adminSecret), 'if-match': etag }, payload: { note: 'The library reopens on Tuesday, not Thursday.' } })
  t.equal(fixed.statusCode, 200)
  t.equal(fixed.json().note, 'The library reopens on Tuesday, not Thursday.')
  t.equal(fixed.json().correctedAt, correction.correctedAt, 'the time of the correction is kept')
  t.ok(fixed.json().updatedAt >= correction.updatedAt)
  const stale = await request(app, t, { method: 'PATCH', url, headers: { ...bearer(adminSecret), 'if-match': etag }, payload: { note: 'Lost update.' } })
  assertProblem(t, stale, 412, 'precondition-failed')
  const articleNow = await read(app, t, `/v1/articles/${article.id}`)
  t.not(articleNow.headers.etag, articleTag, 'the article\'s ETag moved')
  t.equal(articleNow.json().corrections[0].note, 'The library reopens on Tuesday, not Thursday.')
  t.equal(articleNow.json().updatedAt, article.updatedAt)

  const other = await createArticle(app, t, { title: 'Other story', authorId, status: 'published' })
  assertProblem(t, await read(app, t, `/v1/articles/${other.id}/corrections/${correction.id}`), 404, 'not-found')
  const elsewhere = await request(app, t, { method: 'DELETE', url: `/v1/articles/${other.id}/corrections/${correction.id}`, headers: bearer(adminSecret) })
  assertProblem(t, elsewhere, 404, 'not-found')

  const removed = await request(app, t, { method: 'DELETE', url, headers: bearer(adminSecret) })
  t.equal(removed.statusCode, 204)
  assertProblem(t, await read(app, t, url), 404, 'not-found')
  const cleared = (await read(app, t, `/v1/articles/${article.id}`)).json()
  t.same(cleared.corrections, [])
  t.equal(cleared.correctedAt, null)
})

t.test('a draft may carry corrections: readers see them once it is published', async (t) => {
  const { app, authorId } = await blog(t)
  const draft = await createArticle(app, t, { title: 'Embargoed budget', authorId })
  const correction = await filed(app, t, draft.id, { note: 'The budget is £4m.' })
  assertProblem(t, await read(app, t, `/v1/articles/${draft.id}/corrections`), 404, 'not-found')
  assertProblem(t, await read(app, t, `/v1/articles/${draft.id}/corrections/${correction.id}`), 404, 'not-found')
  t.same((await read(app, t, '/v1/corrections')).json().data, [], 'not in the public log')
  t.equal((await read(app, t, '/v1/corrections', adminSecret)).json().data.length, 1, 'editors see it there')
  assertProblem(t, await correct(app, t, 999_999, { note: 'Nowhere.' }), 404, 'not-found')

  await request(app, t, { method: 'PATCH', url: `/v1/articles/${draft.id}`, headers: bearer(adminSecret), payload: { status: 'published' } })
  t.same((await read(app, t, `/v1/articles/${draft.id}/corrections`)).json().data.map((item: { id: number }) => item.id), [correction.id])
  t.same((await read(app, t, '/v1/corrections')).json().data.map((item: { id: number }) => item.id), [correction.id])
})

t.test('an author token corrects its own drafts only; readers may not write', async (t) => {
  const { app, authorId } = await blog(t)
  const own = await tokenFor(app, 'author', authorId)
  const other = await tokenFor(app, 'author', (await createAuthor(app, t, { name: 'Bea Other' })).id)
  const draft = await createArticle(app, t, { title: 'Own draft', authorId })
  const published = await createArticle(app, t, { title: 'Own story', authorId, status: 'published' })
  t.equal((await correct(app, t, draft.id, { note: 'A fix.' }, own)).statusCode, 201, 'its own draft')
  assertProblem(t, await correct(app, t, published.id, { note: 'A fix.' }, own), 403, 'forbidden')
  assertProblem(t, await correct(app, t, draft.id, { note: 'A fix.' }, other), 404, 'not-found')
  assertProblem(t, await correct(app, t, published.id, { note: 'A fix.' }, other), 403, 'forbidden')
  const anonymous = await request(app, t, { method: 'POST', url: `/v1/articles/${published.id}/corrections`, payload: { note: 'A fix.' } })
  assertProblem(t, anonymous, 401, 'unauthorized')
  t.equal((await correct(app, t, published.id, { note: 'A fix.' }, await tokenFor(app, 'editor'))).statusCode, 201, 'an editor')
})

t.test('an article carries at most 50 corrections', async (t) => {
  const { app, authorId } = await blog(t)
  const article = await createArticle(app, t, { title: 'Much corrected', authorId, status: 'published' })
  for (let i = 1; i <= 50; i++) t.equal((await correct(app, t, article.id, { note: `Fix ${i}.` })).statusCode, 201)
  assertProblem(t, await correct(app, t, article.id, { note: 'One too many.' }), 409, 'conflict')
  t.equal((await read(app, t, `/v1/articles/${article.id}`)).json().corrections.length, 50)
})

t.test('the site-wide log lists corrections newest first with their article, a page at a time', async (t) => {
  const { app, authorId } = await blog(t)
  const first = await createArticle(app, t, { title: 'First story', authorId, status: 'published', publishedAt: '2025-02-01T09:00:00.000Z' })
  const second = await createArticle(app, t, { title: 'Second story', authorId, status: 'published', publishedAt: '2025-02-02T09:00:00.000Z' })
  const draft = await createArticle(app, t, { title: 'Hidden draft', authorId })
  const made = [
    await filed(app, t, first.id, { note: 'One.', correctedAt: '2025-03-01T10:00:00.000Z' }),
    await filed(app, t, second.id, { note: 'Two.', correctedAt: '2025-03-02T10:00:00.000Z' }),
    await filed(app, t, first.id, { note: 'Three.', correctedAt: '2025-03-02T10:00:00.000Z' }),
    await filed(app, t, draft.id, { note: 'Draft.' })
  ]
  const seen: number[] = []
  let url: string | null = '/v1/corrections?limit=2'
  while (url !== null) {
    const page: LightMyRequestResponse = await read(app, t, url)
    t.equal(page.statusCode, 200)
    const body = page.json()
    t.equal(body.meta.total, 3, 'the draft\'s correction is left out for readers')
    seen.push(...body.data.map((item: { id: number }) => item.id))
    url = body.meta.nextCursor === null ? null : `/v1/corrections?limit=2&cursor=${encodeURIComponent(body.meta.nextCursor)}`
  }
  t.same(seen, [made[2]!.id, made[1]!.id, made[0]!.id], 'newest first, the later id first on a tie')
  const entry = (await read(app, t, '/v1/corrections?limit=1')).json().data[0]
  t.same(entry.article, { id: first.id, slug: first.slug, title: 'First story' })
  t.equal(entry.note, 'Three.')
  const editors = (await read(app, t, '/v1/corrections', adminSecret)).json()
  t.equal(editors.data[0].id, made[3]!.id, 'editors see the draft\'s, corrected now')
  assertProblem(t, await read(app, t, '/v1/corrections?cursor=nonsense'), 400, 'validation', 'querystring.cursor')
  assertProblem(t, await read(app, t, '/v1/corrections?limit=0'), 400, 'validation', 'querystring.limit')
})

t.test('the corrections feed is Atom, links each entry to its article, and leaves drafts out', async (t) => {
  const app = await build(t, { siteUrl: 'https://blog.example.org', articlePath: '/articles/{slug}' })
  const authorId = (await createAuthor(app, t)).id
  const article = await createArticle(app, t, { title: 'Tide <times> & tables', authorId, status: 'published' })
  const draft = await createArticle(app, t, { title: 'Secret draft', authorId })
  await filed(app, t, article.id, { note: 'High tide is at 6.14 <not 6.41> & low at noon.\nIt is fixed.' })
  await filed(app, t, draft.id, { note: 'Unseen.' })
  const feed = await app.inject({ method: 'GET', url: '/corrections.atom' })
  t.equal(feed.statusCode, 200)
  t.match(String(feed.headers['content-type']), /^application\/atom\+xml/)
  t.match(String(feed.headers['cache-control']), /public/)
  t.ok(feed.headers['last-modified'])
  t.match(feed.body, '<title type="html"><![CDATA[Correction: Tide &lt;times&gt; &amp; tables]]></title>', 'the title as escaped HTML')
  t.match(feed.body, `<link href="https://blog.example.org/articles/${article.slug}"/>`)
  t.match(feed.body, /:correction-\d+<\/id>/)
  t.match(feed.body, '<content type="html"><![CDATA[High tide is at 6.14 &lt;not 6.41&gt; &amp; low at noon.<br>It is fixed.]]></content>', 'the note as escaped HTML, its line breaks kept')
  t.notMatch(feed.body, /Unseen|Secret draft/, 'no draft')
  const again = await app.inject({ method: 'GET', url: '/corrections.atom', headers: { 'if-none-match': String(feed.headers.etag) } })
  t.equal(again.statusCode, 304)
  assertProblem(t, await app.inject({ method: 'GET', url: '/corrections.atom?x=1' }), 400, 'validation')
})

t.test('a correction notes an update of the article\'s corrections in the change log', async (t) => {
  const { app, authorId } = await blog(t)
  const article = await createArticle(app, t, { title: 'Ferry returns', authorId, status: 'published' })
  const head = (await read(app, t, '/v1/changes', adminSecret)).json().meta.head
  const correction = await filed(app, t, article.id, { note: 'The ferry runs hourly.' })
  await request(app, t, { method: 'PATCH', url: `/v1/articles/${article.id}/corrections/${correction.id}`, headers: bearer(adminSecret), payload: { note: 'The ferry runs every half hour.' } })
  const changes = (await read(app, t, `/v1/changes?since=${head}`)).json().data
  t.match(changes, [
    { resource: 'article', id: String(article.id), kind: 'updated', fields: ['corrections', 'correctedAt'] },
    { resource: 'article', id: String(article.id), kind: 'updated', fields: ['corrections'] }
  ], 'readers see them: the article is public')
})

t.test('the trash keeps an article\'s corrections, ids included, and a restore brings them back', async (t) => {
  const { app, authorId } = await blog(t)
  const article = await createArticle(app, t, { title: 'Bus lanes', authorId, status: 'published' })
  const correction = await filed(app, t, article.id, { note: 'The lanes open in May.' })
  t.equal((await request(app, t, { method: 'DELETE', url: `/v1/articles/${article.id}`, headers: bearer(adminSecret) })).statusCode, 204)
  t.same((await read(app, t, '/v1/corrections', adminSecret)).json().data, [], 'gone from the log with it')
  const restored = await request(app, t, { method: 'POST', url: `/v1/trash/${article.id}/restore`, headers: bearer(adminSecret) })
  t.equal(restored.statusCode, 200)
  t.same(restored.json().corrections, [{ id: correction.id, note: correction.note, correctedAt: correction.correctedAt }])
  t.equal((await read(app, t, `/v1/articles/${article.id}/corrections/${correction.id}`)).json().createdAt, correction.createdAt)
})

t.test('export → import into an empty database keeps corrections, ids included; new ones follow them; a version 3 file imports without any', async (t) => {
  const { app, authorId } = await blog(t)
  const article = await createArticle(app, t, { title: 'Harbour dredging', authorId, status: 'published' })
  const first = await filed(app, t, article.id, { note: 'The dredger is Dutch.', correctedAt: '2025-05-01T10:00:00.000Z' })
  const second = await filed(app, t, article.id, { note: 'Work ends in June.\nNot July.' })
  const text = (await request(app, t, { method: 'GET', url: '/v1/export', headers: bearer(adminSecret) })).body
  const line = text.split('\n').map((candidate) => candidate === '' ? {} : JSON.parse(candidate)).find((candidate) => candidate.type === 'article')
  t.same(line.corrections, [first, second].map(({ id, note, correctedAt, createdAt, updatedAt }) => ({ id, note, correctedAt, createdAt, updatedAt })))

  const fresh = await build(t)
  const imported = await request(fresh, t, { method: 'POST', url: '/v1/import', headers: { ...bearer(adminSecret), 'content-type': 'application/x-ndjson' }, payload: text })
  t.equal(imported.statusCode, 200, 'imports', { body: imported.body.slice(0, 500) })
  const again = (await read(fresh, t, `/v1/articles/${article.id}`)).json()
  t.same(again.corrections, (await read(app, t, `/v1/articles/${article.id}`)).json().corrections, 'the same corrections, ids and times')
  t.equal(again.correctedAt, second.correctedAt)
  const next = await correct(fresh, t, article.id, { note: 'A third.' })
  t.equal(next.statusCode, 201, 'a new correction takes an id after the imported ones')
  t.ok(next.json().id > second.id)

  const older = text.split('\n').map((candidate) => {
    if (candidate === '') return candidate
    const parsed = JSON.parse(candidate)
    if (parsed.type === 'header') return JSON.stringify({ ...parsed, version: 3 })
    if (parsed.type === 'article') return JSON.stringify({ ...parsed, corrections: undefined })
    return candidate
  }).join('\n')
  const oldBlog = await build(t)
  const fromOlder = await request(oldBlog, t, { method: 'POST', url: '/v1/import', headers: { ...bearer(adminSecret), 'content-type': 'application/x-ndjson' }, payload: older })
  t.equal(fromOlder.statusCode, 200, 'a version 3 file imports')
  t.same((await read(oldBlog, t, `/v1/articles/${article.id}`)).json().corrections, [], 'without corrections')
})
