import type { FastifyInstance } from 'fastify'
import t, { type Test } from 'tap'
import { adminSecret, bearer, build, createArticle, createAuthor, request, tokenFor } from '../helper.js'

// Headlines are rewritten after publication, and links to the old slug are out there: a slug
// an article had before a rename answers 301 to the slug it has now (issue 22, part 2).

async function rename (app: FastifyInstance, t: Test, id: number, slug: string, secret = adminSecret): Promise<void> {
  const renamed = await request(app, t, { method: 'PATCH', url: `/v1/articles/${id}`, headers: bearer(secret), payload: { slug } })
  t.equal(renamed.statusCode, 200, `renamed to ${slug}`)
}

async function blog (t: Test): Promise<{ app: FastifyInstance, authorId: number }> {
  const app = await build(t)
  const author = await createAuthor(app, t)
  return { app, authorId: author.id }
}

t.test('a renamed article\'s old slug answers 301 to its slug now, with the query string', async (t) => {
  const { app, authorId } = await blog(t)
  const article = await createArticle(app, t, { title: 'Council weighs footbridge', slug: 'council-weighs-footbridge', authorId, status: 'published' })
  await rename(app, t, article.id, 'council-approves-footbridge')

  const moved = await request(app, t, { method: 'GET', url: '/v1/articles/council-weighs-footbridge?include=author&fields=title' })
  t.equal(moved.statusCode, 301)
  t.equal(moved.headers.location, '/v1/articles/council-approves-footbridge?include=author&fields=title')
  t.same(moved.json(), { slug: 'council-approves-footbridge' })
  const followed = await request(app, t, { method: 'GET', url: moved.headers.location as string })
  t.equal(followed.statusCode, 200)
  t.equal(followed.json().id, article.id)
  t.equal((await request(app, t, { method: 'GET', url: `/v1/articles/${article.id}` })).statusCode, 200, 'by id as ever')
})

t.test('every old slug of a twice-renamed article goes to its slug now in one hop; renamed back, a slug is its own again', async (t) => {
  const { app, authorId } = await blog(t)
  const article = await createArticle(app, t, { title: 'Weir works', slug: 'weir-works', authorId, status: 'published' })
  await rename(app, t, article.id, 'weir-works-begin')
  await rename(app, t, article.id, 'weir-works-delayed')
  for (const old of ['weir-works', 'weir-works-begin']) {
    const moved = await request(app, t, { method: 'GET', url: `/v1/articles/${old}` })
    t.equal(moved.headers.location, '/v1/articles/weir-works-delayed', `${old}: straight to the slug now`)
  }
  await rename(app, t, article.id, 'weir-works')
  t.equal((await request(app, t, { method: 'GET', url: '/v1/articles/weir-works' })).statusCode, 200, 'its first slug is its own again: no redirect to itself')
  t.equal((await request(app, t, { method: 'GET', url: '/v1/articles/weir-works-delayed' })).headers.location, '/v1/articles/weir-works')
})

t.test('another article may take an old slug: then that article answers to it', async (t) => {
  const { app, authorId } = await blog(t)
  const first = await createArticle(app, t, { title: 'Market hours', slug: 'market-hours', authorId, status: 'published' })
  await rename(app, t, first.id, 'market-hours-2025')
  const second = await createArticle(app, t, { title: 'Market hours', slug: 'market-hours', authorId, status: 'published' })
  t.equal(second.slug, 'market-hours', 'the old slug was free to take')
  const read = await request(app, t, { method: 'GET', url: '/v1/articles/market-hours' })
  t.equal(read.statusCode, 200)
  t.equal(read.json().id, second.id, 'the live article, not a redirect')
  await request(app, t, { method: 'DELETE', url: `/v1/articles/${second.id}`, headers: bearer(adminSecret) })
  t.equal((await request(app, t, { method: 'GET', url: '/v1/articles/market-hours' })).statusCode, 404, 'nor does the first article take it back when the second goes')
})

t.test('a redirect shows where an article went only to whoever may read it', async (t) => {
  const { app, authorId } = await blog(t)
  const draft = await createArticle(app, t, { title: 'Embargoed budget', slug: 'budget-leak', authorId })
  await rename(app, t, draft.id, 'budget-2027')
  const anonymous = await request(app, t, { method: 'GET', url: '/v1/articles/budget-leak' })
  t.equal(anonymous.statusCode, 404, 'a reader gets 404, as for the draft itself')
  t.notMatch(anonymous.body, /budget-2027/, 'and does not learn its new slug')
  const editor = await request(app, t, { method: 'GET', url: '/v1/articles/budget-leak', headers: bearer(await tokenFor(app, 'editor')) })
  t.equal(editor.statusCode, 301, 'an editor is sent on')
  const author = await request(app, t, { method: 'GET', url: '/v1/articles/budget-leak', headers: bearer(await tokenFor(app, 'author', authorId)) })
  t.equal(author.statusCode, 301, 'so is its author')
})

t.test('only reads are redirected: a write by an old slug is a 404', async (t) => {
  const { app, authorId } = await blog(t)
  const article = await createArticle(app, t, { title: 'Ferry timetable', slug: 'ferry-timetable', authorId, status: 'published' })
  await rename(app, t, article.id, 'ferry-timetable-winter')
  const patched = await request(app, t, { method: 'PATCH', url: '/v1/articles/ferry-timetable', headers: bearer(adminSecret), payload: { title: 'Changed' } })
  t.equal(patched.statusCode, 404)
})

t.test('old slugs go to the trash with their article and come back with it', async (t) => {
  const { app, authorId } = await blog(t)
  const article = await createArticle(app, t, { title: 'Mill fire', slug: 'mill-fire', authorId, status: 'published' })
  await rename(app, t, article.id, 'mill-fire-investigation')
  await request(app, t, { method: 'DELETE', url: `/v1/articles/${article.id}`, headers: bearer(adminSecret) })
  t.equal((await request(app, t, { method: 'GET', url: '/v1/articles/mill-fire' })).statusCode, 404, 'trashed: nothing to go to')
  const restored = await request(app, t, { method: 'POST', url: `/v1/trash/${article.id}/restore`, headers: bearer(adminSecret) })
  t.equal(restored.statusCode, 200)
  t.equal((await request(app, t, { method: 'GET', url: '/v1/articles/mill-fire' })).headers.location, '/v1/articles/mill-fire-investigation', 'restored: the old link works again')
})

t.test('the export carries old slugs, and importing it keeps them', async (t) => {
  const { app, authorId } = await blog(t)
  const article = await createArticle(app, t, { title: 'Quay lights', slug: 'quay-lights', authorId, status: 'published' })
  await rename(app, t, article.id, 'quay-lights-switched-on')
  const exported = await app.inject({ method: 'GET', url: '/v1/export', headers: bearer(adminSecret) })
  const lines = exported.body.trim().split('\n').map((line) => JSON.parse(line) as Record<string, any>)
  t.match(lines[0], { type: 'header', version: 5 })
  t.same(lines.find((line) => line.type === 'article')?.oldSlugs, ['quay-lights'])

  const copy = await build(t)
  const imported = await request(copy, t, { method: 'POST', url: '/v1/import', headers: { ...bearer(adminSecret), 'content-type': 'application/x-ndjson' }, payload: exported.body })
  t.equal(imported.statusCode, 200)
  t.equal((await request(copy, t, { method: 'GET', url: '/v1/articles/quay-lights' })).headers.location, '/v1/articles/quay-lights-switched-on')
})
