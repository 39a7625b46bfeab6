import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import t, { type Test } from 'tap'
import { adminSecret, bearer, build, createArticle, createAuthor, request, tokenFor } from '../helper.js'
import { assertProblem } from '../problems.js'
import { maxPageDepth } from '../../src/resources/pages/schemas.js'

// /v1/pages (issue 22, part 5): static pages with a parent and an order, drafts for editors
// only, no date, not in the feeds or the archive.

type Item = Record<string, any>

async function send (app: FastifyInstance, t: Test, method: string, url: string, payload?: object, headers: Record<string, string> = {}, secret = adminSecret): Promise<LightMyRequestResponse> {
  return await request(app, t, { method, url, headers: { ...bearer(secret), ...headers }, ...(payload === undefined ? {} : { payload }) })
}

async function get (app: FastifyInstance, t: Test, url: string, secret?: string): Promise<LightMyRequestResponse> {
  return await request(app, t, { method: 'GET', url, headers: secret === undefined ? {} : bearer(secret) })
}

async function createPage (app: FastifyInstance, t: Test, body: object): Promise<Item> {
  const response = await send(app, t, 'POST', '/v1/pages', body)
  t.equal(response.statusCode, 201, `POST /v1/pages ${JSON.stringify(body)}`, { body: response.body })
  return response.json()
}

const slugs = (response: LightMyRequestResponse): string[] => response.json().data.map((page: Item) => page.slug)

/** About (with Masthead, Ethics and a draft Staff under it, out of order), Contact, and a draft Jobs. */
async function site (t: Test) {
  const app = await build(t)
  const about = await createPage(app, t, { title: 'About us', slug: 'about', markdown: 'We are **local**.', status: 'published', position: 0 })
  const contact = await createPage(app, t, { title: 'Contact', body: '<p>Write to us.</p><script>alert(1)</script>', status: 'published', position: 1 })
  const jobs = await createPage(app, t, { title: 'Jobs', position: 2 })
  const ethics = await createPage(app, t, { title: 'Ethics policy', parentId: about.id, position: 2, status: 'published' })
  const masthead = await createPage(app, t, { title: 'Masthead', parentId: about.id, position: 1, status: 'published' })
  const staff = await createPage(app, t, { title: 'Staff', parentId: about.id, position: 1 })
  return { app, about, contact, jobs, ethics, masthead, staff }
}

t.test('an editor creates pages: the body is sanitised, Markdown rendered, the slug derived, the excerpt derived', async (t) => {
  const { app, about, contact, masthead } = await site(t)
  t.equal(about.body, '<p>We are <strong>local</strong>.</p>')
  t.equal(about.excerpt, 'We are local.')
  t.equal(contact.slug, 'contact')
  t.notMatch(contact.body, /script/, 'sanitised as an article body is')
  t.same({ status: masthead.status, parentId: masthead.parentId, position: masthead.position }, { status: 'published', parentId: about.id, position: 1 })
  t.equal((await createPage(app, t, { title: 'Draft' })).status, 'draft', 'a draft unless published')
  const read = await get(app, t, `/v1/pages/${about.id}`)
  t.equal(read.statusCode, 200)
  t.ok(read.headers.etag, 'with an ETag')
  t.equal(read.json().title, 'About us')
})

t.test('readers see published pages in tree order; editors see drafts too', async (t) => {
  const { app } = await site(t)
  t.same(slugs(await get(app, t, '/v1/pages')), ['about', 'contact', 'masthead', 'ethics-policy'], 'top level, then each parent\'s by position')
  const editor = await tokenFor(app, 'editor')
  t.same(slugs(await get(app, t, '/v1/pages', editor)), ['about', 'contact', 'jobs', 'masthead', 'staff', 'ethics-policy'], 'same position: by title')
  t.same(slugs(await get(app, t, '/v1/pages?parent=none')), ['about', 'contact'])
  t.same(slugs(await get(app, t, '/v1/pages?parent=about', editor)), ['masthead', 'staff', 'ethics-policy'])
  assertProblem(t, await get(app, t, '/v1/pages/jobs'), 404, 'not-found')
  assertProblem(t, await get(app, t, '/v1/pages?parent=jobs'), 404, 'not-found')
  t.equal((await get(app, t, '/v1/pages/jobs', editor)).statusCode, 200)
  const author = await createAuthor(app, t)
  t.same(slugs(await get(app, t, '/v1/pages', await tokenFor(app, 'author', author.id))), ['about', 'contact', 'masthead', 'ethics-policy'], 'authors read as readers do')
})

t.test('a page answers with its parent and its children in order, drafts hidden from readers', async (t) => {
  const { app, about } = await site(t)
  const page = (await get(app, t, '/v1/pages/about')).json()
  t.equal(page.parent, null)
  t.same(page.children.map((child: Item) => child.slug), ['masthead', 'ethics-policy'])
  t.same(page.children[0], { id: page.children[0].id, slug: 'masthead', title: 'Masthead', status: 'published', position: 1 })
  const editor = await tokenFor(app, 'editor')
  t.same((await get(app, t, '/v1/pages/about', editor)).json().children.map((child: Item) => child.slug), ['masthead', 'staff', 'ethics-policy'])
  const masthead = (await get(app, t, '/v1/pages/masthead')).json()
  t.same(masthead.parent, { id: about.id, slug: 'about', title: 'About us', status: 'published', position: 0 })
  t.same(masthead.children, [])
})

t.test('the list pages by offset and by cursor in the same order', async (t) => {
  const { app } = await site(t)
  const editor = await tokenFor(app, 'editor')
  const all = slugs(await get(app, t, '/v1/pages', editor))
  const seen: string[] = []
  let url = '/v1/pages?limit=4'
  for (let i = 0; i < 5; i++) {
    const response = await get(app, t, url, editor)
    seen.push(...slugs(response))
    const next = response.json().meta.nextCursor
    if (next === null) break
    url = `/v1/pages?limit=4&cursor=${next}`
  }
  t.same(seen, all)
  t.same(slugs(await get(app, t, '/v1/pages?limit=2&offset=2', editor)), all.slice(2, 4))
  assertProblem(t, await get(app, t, '/v1/pages?cursor=bm9wZQ'), 400, 'validation', 'querystring.cursor')
})

t.test('bad input is a 400 naming the field', async (t) => {
  const { app, about } = await site(t)
  assertProblem(t, await send(app, t, 'POST', '/v1/pages', { title: '' }), 400, 'validation', 'body.title')
  assertProblem(t, await send(app, t, 'POST', '/v1/pages', { title: 'X', position: -1 }), 400, 'validation', 'body.position')
  assertProblem(t, await send(app, t, 'POST', '/v1/pages', { title: 'X', status: 'scheduled' }), 400, 'validation', 'body.status')
  assertProblem(t, await send(app, t, 'POST', '/v1/pages', { title: 'X', body: '<p>a</p>', markdown: 'a' }), 400, 'validation', 'body.markdown')
  assertProblem(t, await send(app, t, 'POST', '/v1/pages', { title: 'X', parentId: 999 }), 400, 'validation', 'body.parentId')
  assertProblem(t, await send(app, t, 'POST', '/v1/pages', { title: 'X', author: 1 }), 400, 'validation', 'body.author')
  assertProblem(t, await send(app, t, 'PATCH', `/v1/pages/${about.id}`, {}), 400, 'validation')
  assertProblem(t, await send(app, t, 'POST', '/v1/pages', { title: 'Other', slug: 'about' }), 409, 'slug-taken')
  t.equal((await createPage(app, t, { title: 'About us' })).slug, 'about-us', 'a derived slug is made unique')
  t.equal((await createPage(app, t, { title: 'About' })).slug, 'about-2')
})

t.test('a parent may not be the page itself or under it, nor nest too deep', async (t) => {
  const { app, about, masthead } = await site(t)
  assertProblem(t, await send(app, t, 'PATCH', `/v1/pages/${about.id}`, { parentId: about.id }), 409, 'conflict', 'body.parentId')
  assertProblem(t, await send(app, t, 'PATCH', `/v1/pages/${about.id}`, { parentId: masthead.id }), 409, 'conflict', 'body.parentId')
  let parent = masthead
  for (let level = 3; level <= maxPageDepth; level++) parent = await createPage(app, t, { title: `Level ${level}`, parentId: parent.id })
  assertProblem(t, await send(app, t, 'POST', '/v1/pages', { title: 'Too deep', parentId: parent.id }), 409, 'conflict', 'body.parentId')
  const other = await createPage(app, t, { title: 'Other' })
  await createPage(app, t, { title: 'Under other', parentId: other.id })
  assertProblem(t, await send(app, t, 'PATCH', `/v1/pages/${other.id}`, { parentId: parent.id }), 409, 'conflict', 'body.parentId')
})

t.test('an edit keeps the slug, moves the version on and refuses a stale If-Match', async (t) => {
  const { app, contact } = await site(t)
  const read = await get(app, t, '/v1/pages/contact')
  const changed = await send(app, t, 'PATCH', '/v1/pages/contact', { title: 'Contact the newsroom', markdown: 'Call *us*.', position: 5 }, { 'if-match': String(read.headers.etag) })
  t.equal(changed.statusCode, 200, 'changed', { body: changed.body })
  t.same([changed.json().slug, changed.json().title, changed.json().body, changed.json().excerpt, changed.json().position], ['contact', 'Contact the newsroom', '<p>Call <em>us</em>.</p>', 'Call us.', 5])
  t.not(changed.headers.etag, read.headers.etag)
  assertProblem(t, await send(app, t, 'PATCH', `/v1/pages/${contact.id}`, { title: 'Stale' }, { 'if-match': String(read.headers.etag) }), 412, 'precondition-failed')
  const excerpted = (await send(app, t, 'PATCH', '/v1/pages/contact', { excerpt: 'Our numbers.' })).json()
  t.equal(excerpted.excerpt, 'Our numbers.')
  t.equal((await send(app, t, 'PATCH', '/v1/pages/contact', { markdown: 'New.' })).json().excerpt, 'Our numbers.', 'an excerpt of one\'s own stays')
  t.equal((await send(app, t, 'PATCH', '/v1/pages/contact', { excerpt: null })).json().excerpt, 'New.', 'null derives it again')
})

t.test('deleting a page (to the trash) moves its children up to its parent', async (t) => {
  const { app, about, masthead } = await site(t)
  const chief = await createPage(app, t, { title: 'Editor in chief', parentId: masthead.id, status: 'published' })
  t.equal((await send(app, t, 'DELETE', `/v1/pages/${masthead.id}`)).statusCode, 204)
  assertProblem(t, await get(app, t, `/v1/pages/${masthead.id}`), 404, 'not-found')
  t.equal((await get(app, t, `/v1/pages/${chief.id}`)).json().parentId, about.id)
  t.equal((await send(app, t, 'DELETE', '/v1/pages/about')).statusCode, 204)
  t.equal((await get(app, t, `/v1/pages/${chief.id}`)).json().parentId, null, 'to the top level')
})

t.test('only editors write pages', async (t) => {
  const { app, about } = await site(t)
  const author = await createAuthor(app, t)
  const authorToken = await tokenFor(app, 'author', author.id)
  assertProblem(t, await send(app, t, 'POST', '/v1/pages', { title: 'Mine' }, {}, authorToken), 403, 'forbidden')
  assertProblem(t, await send(app, t, 'PATCH', `/v1/pages/${about.id}`, { title: 'Mine' }, {}, authorToken), 403, 'forbidden')
  assertProblem(t, await send(app, t, 'DELETE', `/v1/pages/${about.id}`, undefined, {}, authorToken), 403, 'forbidden')
  assertProblem(t, await request(app, t, { method: 'POST', url: '/v1/pages', payload: { title: 'Anon' } }), 401, 'unauthorized')
  const editor = await tokenFor(app, 'editor')
  t.equal((await send(app, t, 'POST', '/v1/pages', { title: 'By an editor' }, {}, editor)).statusCode, 201)
})

t.test('every change to a page is in the change log, public while it is published', async (t) => {
  const app = await build(t)
  const start = (await get(app, t, '/v1/changes', adminSecret)).json().meta.head
  const page = await createPage(app, t, { title: 'Corrections policy' })
  await send(app, t, 'PATCH', `/v1/pages/${page.id}`, { status: 'published' })
  await send(app, t, 'PATCH', `/v1/pages/${page.id}`, { title: 'Our corrections policy' })
  await send(app, t, 'PATCH', `/v1/pages/${page.id}`, { status: 'draft' })
  await send(app, t, 'DELETE', `/v1/pages/${page.id}`)
  await send(app, t, 'POST', `/v1/trash/pages/${page.id}/restore`)
  await send(app, t, 'DELETE', `/v1/pages/${page.id}`)
  await send(app, t, 'DELETE', `/v1/trash/pages/${page.id}`)
  const entries = (await get(app, t, `/v1/changes?since=${start}&resource=page`, adminSecret)).json().data
  t.same(entries.map((entry: Item) => [entry.resource, entry.kind, entry.id]), [
    ['page', 'created', String(page.id)], ['page', 'published', String(page.id)], ['page', 'updated', String(page.id)],
    ['page', 'unpublished', String(page.id)], ['page', 'trashed', String(page.id)], ['page', 'restored', String(page.id)],
    ['page', 'trashed', String(page.id)], ['page', 'purged', String(page.id)]
  ])
  const publicKinds = (await get(app, t, `/v1/changes?since=${start}&resource=page`)).json().data.map((entry: Item) => entry.kind)
  t.same(publicKinds, ['created', 'updated', 'removed'], 'readers see it appear, change and go')
})

t.test('pages have no date: not in the archive, the days or the feeds', async (t) => {
  const app = await build(t)
  const author = await createAuthor(app, t)
  await createArticle(app, t, { title: 'A story', authorId: author.id, status: 'published', publishedAt: '2024-03-01T10:00:00.000Z' })
  await createPage(app, t, { title: 'About', status: 'published', markdown: 'About us.' })
  const archive = (await get(app, t, '/v1/archive')).json()
  t.match(JSON.stringify(archive), /2024/)
  t.notMatch(JSON.stringify(archive), /About/)
  t.notMatch((await get(app, t, '/v1/dates')).body, /About/)
  const feed = await app.inject({ method: 'GET', url: '/feed.json' })
  t.same(JSON.parse(feed.body).items.map((item: Item) => item.title), ['A story'])
  t.notMatch((await app.inject({ method: 'GET', url: '/feed.atom' })).body, /About/)
})

t.test('published pages are in the sitemap, in menu order, at DATELINE_PAGE_PATH', async (t) => {
  const app = await build(t, { siteUrl: 'https://news.example', pagePath: '/info/{slug}/' })
  const contact = await createPage(app, t, { title: 'Contact', status: 'published', position: 1 })
  const about = await createPage(app, t, { title: 'About', status: 'published' })
  await createPage(app, t, { title: 'Masthead', status: 'published', parentId: about.id })
  await createPage(app, t, { title: 'Jobs' })
  const sitemap = (await app.inject({ method: 'GET', url: '/sitemap.xml' })).body
  const locs = [...sitemap.matchAll(/<loc>([^<]+)<\/loc>/g)].map((match) => match[1])
  t.same(locs, ['https://news.example/', 'https://news.example/info/about/', 'https://news.example/info/contact/', 'https://news.example/info/masthead/'], 'drafts left out')
  t.match(sitemap, `<lastmod>${contact.updatedAt}</lastmod>`)
  const apiOnly = await build(t)
  await createPage(apiOnly, t, { title: 'About', status: 'published' })
  t.match((await apiOnly.inject({ method: 'GET', url: '/sitemap.xml' })).body, /<loc>http:\/\/localhost(:\d+)?\/v1\/pages\/about<\/loc>/, 'without a front end: the API\'s own address')
})
