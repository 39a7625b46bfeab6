import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import t, { type Test } from 'tap'
import { adminSecret, bearer, build, createAuthor, lastingDatabaseUrl, request, tokenFor } from '../helper.js'
import { rowsOf, updateRows } from '../inspect.js'
import { assertProblem } from '../problems.js'
import { quickDeliveries, startReceiver } from '../webhook-receiver.js'

// Pages keep revisions and go to a trash, as articles do: /v1/pages/{id}/revisions and
// /v1/trash/pages.

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

async function patch (app: FastifyInstance, t: Test, id: number, body: object): Promise<Item> {
  const response = await send(app, t, 'PATCH', `/v1/pages/${id}`, body)
  t.equal(response.statusCode, 200, `PATCH /v1/pages/${id} ${JSON.stringify(body)}`, { body: response.body })
  return response.json()
}

const ids = (response: LightMyRequestResponse): number[] => response.json().data.map((item: Item) => item.id)

/** About, with Masthead (and Editor in chief under that) and a published Contact beside it. */
async function site (t: Test, overrides = {}) {
  const app = await build(t, overrides)
  const about = await createPage(app, t, { title: 'About us', slug: 'about', markdown: 'We are **local**.', status: 'published' })
  const masthead = await createPage(app, t, { title: 'Masthead', parentId: about.id, position: 2, status: 'published', excerpt: 'Who makes the paper.', markdown: 'The people.' })
  const chief = await createPage(app, t, { title: 'Editor in chief', parentId: masthead.id, status: 'published' })
  const contact = await createPage(app, t, { title: 'Contact', position: 1, status: 'published' })
  return { app, about, masthead, chief, contact }
}

t.test('every update of a page keeps the version it replaced: listed newest first, each readable whole', async (t) => {
  const { app, about, masthead, contact } = await site(t)
  const editor = await tokenFor(app, 'editor')
  const edited = await send(app, t, 'PATCH', `/v1/pages/${masthead.id}`, { title: 'Our masthead', slug: 'our-masthead', parentId: contact.id, position: 0 }, {}, editor)
  t.equal(edited.statusCode, 200)
  await patch(app, t, masthead.id, { body: '<p>Everyone.</p>', excerpt: null, status: 'draft' })
  const before = (await get(app, t, `/v1/pages/${masthead.id}`, adminSecret)).json()
  t.equal((await patch(app, t, masthead.id, { title: 'Our masthead' })).updatedAt, before.updatedAt, 'a patch that changes nothing…')

  const list = await get(app, t, `/v1/pages/${masthead.id}/revisions`, adminSecret)
  t.equal(list.statusCode, 200)
  t.equal(list.json().meta.total, 2, '…keeps no revision')
  t.same(list.json().data.map((revision: Item) => [revision.number, revision.version, revision.title, revision.slug, revision.status]), [
    [2, 2, 'Our masthead', 'our-masthead', 'published'],
    [1, 1, 'Masthead', 'masthead', 'published']
  ], 'newest first, the page version each one was')
  t.match(list.json().data[1], { replacedBy: /^editor token \d+$/, writtenAt: masthead.createdAt })
  t.equal(list.json().data[0].replacedBy, 'admin')
  t.notOk('body' in list.json().data[0], 'the list leaves bodies out')

  const first = await get(app, t, '/v1/pages/our-masthead/revisions/1', adminSecret)
  t.equal(first.statusCode, 200)
  t.same(first.json(), {
    number: 1,
    version: 1,
    writtenAt: masthead.createdAt,
    replacedAt: list.json().data[1].replacedAt,
    replacedBy: list.json().data[1].replacedBy,
    title: 'Masthead',
    slug: 'masthead',
    status: 'published',
    parentId: about.id,
    position: 2,
    excerpt: 'Who makes the paper.',
    seo: { title: null, description: null, canonicalUrl: null, noindex: false, socialTitle: null, socialDescription: null, socialImage: null },
    body: '<p>The people.</p>'
  }, 'title, slug, status, parent, position, the own excerpt, the search and social metadata and the body')
  t.match((await get(app, t, `/v1/pages/${masthead.id}/revisions/2`, adminSecret)).json(), { parentId: contact.id, position: 0, excerpt: 'Who makes the paper.', body: '<p>The people.</p>' })
})

t.test('restoring a revision is an update: guarded by If-Match, kept as a revision itself', async (t) => {
  const { app, about, masthead, contact } = await site(t)
  await patch(app, t, masthead.id, { title: 'Vandalised', slug: 'vandalised', body: '<p>Oops.</p>', excerpt: null, parentId: contact.id, position: 7 })
  const stale = String((await get(app, t, `/v1/pages/${masthead.id}`, adminSecret)).headers.etag)
  await patch(app, t, masthead.id, { title: 'Vandalised again' })

  assertProblem(t, await send(app, t, 'POST', `/v1/pages/${masthead.id}/revisions/1/restore`, undefined, { 'if-match': stale }), 412, 'precondition-failed')
  t.equal((await get(app, t, `/v1/pages/${masthead.id}`)).json().title, 'Vandalised again', 'a stale ETag changed nothing')

  const current = String((await get(app, t, `/v1/pages/${masthead.id}`, adminSecret)).headers.etag)
  const restored = await send(app, t, 'POST', `/v1/pages/${masthead.id}/revisions/1/restore`, undefined, { 'if-match': current })
  t.equal(restored.statusCode, 200)
  t.match(restored.json(), { id: masthead.id, title: 'Masthead', slug: 'masthead', parentId: about.id, position: 2, excerpt: 'Who makes the paper.', body: '<p>The people.</p>', status: 'published' })
  t.match(String(restored.headers.etag), new RegExp(`^"page-${masthead.id}-v4\\.`), 'a new version')
  t.same(ids(await get(app, t, `/v1/pages?parent=${about.id}`)), [masthead.id], 'back under its parent')

  const list = (await get(app, t, `/v1/pages/${masthead.id}/revisions`, adminSecret)).json()
  t.equal(list.meta.total, 3, 'the version the restore replaced is kept too')
  t.equal(list.data[0].title, 'Vandalised again')
})

t.test('a restored revision whose parent is gone leaves the page where it is; one whose slug is taken is a 409', async (t) => {
  const { app, about, masthead, contact } = await site(t)
  await patch(app, t, masthead.id, { parentId: contact.id, title: 'Staff', slug: 'staff' })
  t.equal((await send(app, t, 'DELETE', `/v1/pages/${about.id}`)).statusCode, 204)
  const restored = await send(app, t, 'POST', `/v1/pages/${masthead.id}/revisions/1/restore`)
  t.equal(restored.statusCode, 200)
  t.match(restored.json(), { title: 'Masthead', slug: 'masthead', parentId: contact.id }, 'its old parent is in the trash: it stays under Contact')

  await patch(app, t, masthead.id, { slug: 'people' })
  await createPage(app, t, { title: 'Masthead', slug: 'masthead' })
  assertProblem(t, await send(app, t, 'POST', `/v1/pages/${masthead.id}/revisions/3/restore`), 409, 'slug-taken')
  t.equal((await get(app, t, `/v1/pages/${masthead.id}`)).json().slug, 'people', 'nothing changed')
})

t.test('only the newest revisions are kept, as many as DATELINE_REVISIONS_KEPT', async (t) => {
  const app = await build(t, { revisionsKept: 3 })
  const page = await createPage(app, t, { title: 'Edit 0' })
  for (let edit = 1; edit <= 5; edit++) await patch(app, t, page.id, { title: `Edit ${edit}` })
  const list = (await get(app, t, `/v1/pages/${page.id}/revisions`, adminSecret)).json()
  t.same(list.data.map((revision: Item) => [revision.number, revision.title]), [[5, 'Edit 4'], [4, 'Edit 3'], [3, 'Edit 2']], 'the three newest, numbers kept')
  t.equal(list.meta.total, 3)
  assertProblem(t, await get(app, t, `/v1/pages/${page.id}/revisions/2`, adminSecret), 404, 'not-found')
  t.equal((await rowsOf(app.store, 'page_revisions')).length, 3, 'pruned from the table')
})

t.test('page revisions are editors\': bad numbers are a 400 naming the field, unknown ones a 404', async (t) => {
  const { app, masthead } = await site(t)
  await patch(app, t, masthead.id, { title: 'Our masthead' })
  const author = await createAuthor(app, t)
  const authorToken = await tokenFor(app, 'author', author.id)
  assertProblem(t, await get(app, t, `/v1/pages/${masthead.id}/revisions`), 401, 'unauthorized')
  assertProblem(t, await get(app, t, `/v1/pages/${masthead.id}/revisions`, authorToken), 403, 'forbidden')
  assertProblem(t, await get(app, t, `/v1/pages/${masthead.id}/revisions/1`, authorToken), 403, 'forbidden')
  assertProblem(t, await send(app, t, 'POST', `/v1/pages/${masthead.id}/revisions/1/restore`, undefined, {}, authorToken), 403, 'forbidden')
  const editor = await tokenFor(app, 'editor')
  t.equal((await get(app, t, `/v1/pages/${masthead.id}/revisions/1`, editor)).statusCode, 200)
  assertProblem(t, await get(app, t, `/v1/pages/${masthead.id}/revisions/0`, adminSecret), 400, 'validation', 'params.number')
  assertProblem(t, await get(app, t, `/v1/pages/${masthead.id}/revisions/two`, adminSecret), 400, 'validation', 'params.number')
  assertProblem(t, await get(app, t, `/v1/pages/${masthead.id}/revisions?limit=0`, adminSecret), 400, 'validation', 'querystring.limit')
  assertProblem(t, await get(app, t, `/v1/pages/${masthead.id}/revisions/9`, adminSecret), 404, 'not-found')
  assertProblem(t, await get(app, t, '/v1/pages/nowhere/revisions', adminSecret), 404, 'not-found')
  assertProblem(t, await send(app, t, 'POST', `/v1/pages/${masthead.id}/revisions/9/restore`), 404, 'not-found')
})

t.test('a deleted page goes to the trash: gone from the pages, the menu and the sitemap, listed under /v1/trash/pages', async (t) => {
  const { app, about, masthead, chief } = await site(t, { siteUrl: 'https://news.example' })
  await patch(app, t, masthead.id, { title: 'Our masthead' })
  t.equal((await send(app, t, 'DELETE', '/v1/pages/masthead')).statusCode, 204)

  for (const url of [`/v1/pages/${masthead.id}`, '/v1/pages/masthead', `/v1/pages/${masthead.id}/revisions`]) {
    assertProblem(t, await get(app, t, url, adminSecret), 404, 'not-found')
  }
  t.notOk(ids(await get(app, t, '/v1/pages?limit=100', adminSecret)).includes(masthead.id), 'not listed, not even for editors')
  t.same((await get(app, t, `/v1/pages/${about.id}`)).json().children.map((page: Item) => page.id), [chief.id], 'its parent lists the page that was under it instead')
  t.equal((await get(app, t, `/v1/pages/${chief.id}`)).json().parentId, about.id, 'which moved up')
  t.notMatch((await app.inject({ method: 'GET', url: '/sitemap.xml' })).body, /masthead/, 'not in the sitemap')
  t.equal((await get(app, t, '/v1/trash', adminSecret)).json().meta.total, 0, 'not among the deleted articles')

  const list = await get(app, t, '/v1/trash/pages', adminSecret)
  t.equal(list.statusCode, 200)
  t.equal(list.json().meta.total, 1)
  const item = list.json().data[0]
  t.match(item, { id: masthead.id, slug: 'masthead', title: 'Our masthead', status: 'published', parentId: about.id, version: 2, trashedBy: 'admin' })
  t.equal(Date.parse(item.purgeAt) - Date.parse(item.trashedAt), 30 * 24 * 3600 * 1000, 'purged 30 days after')

  const one = await get(app, t, '/v1/trash/pages/masthead', adminSecret)
  t.equal(one.statusCode, 200)
  t.match(one.json(), { id: masthead.id, title: 'Our masthead', position: 2, excerpt: 'Who makes the paper.', body: '<p>The people.</p>' })
  t.match(String(one.headers.etag), new RegExp(`^"trashed-page-${masthead.id}-v2\\.`))
})

t.test('restoring puts the page back: id, slug, content, revisions; under its parent if it is still there, without its children', async (t) => {
  const { app, about, masthead, chief } = await site(t)
  await patch(app, t, masthead.id, { title: 'Our masthead' })
  await send(app, t, 'DELETE', `/v1/pages/${masthead.id}`)

  const restored = await send(app, t, 'POST', '/v1/trash/pages/masthead/restore')
  t.equal(restored.statusCode, 200)
  t.match(restored.json(), { id: masthead.id, slug: 'masthead', title: 'Our masthead', status: 'published', parentId: about.id, position: 2, excerpt: 'Who makes the paper.', body: '<p>The people.</p>', createdAt: masthead.createdAt, children: [] })
  t.match(String(restored.headers.etag), new RegExp(`^"page-${masthead.id}-v3\\.`), 'its version one up')
  t.equal((await get(app, t, `/v1/pages/${chief.id}`)).json().parentId, about.id, 'the page that was under it stays where the delete moved it')
  t.same((await get(app, t, `/v1/pages/${masthead.id}/revisions`, adminSecret)).json().data.map((revision: Item) => revision.title), ['Masthead'], 'its revisions came back with it')
  t.equal((await get(app, t, '/v1/trash/pages', adminSecret)).json().meta.total, 0, 'the trash is empty')
  t.equal((await patch(app, t, masthead.id, { title: 'Masthead again' })).title, 'Masthead again', 'an edit after it')
  t.equal((await get(app, t, `/v1/pages/${masthead.id}/revisions`, adminSecret)).json().meta.total, 2, 'numbers its revisions on')

  // Its parent goes to the trash while it is there: it comes back at the top level.
  await send(app, t, 'DELETE', `/v1/pages/${masthead.id}`)
  await send(app, t, 'DELETE', `/v1/pages/${about.id}`)
  t.equal((await send(app, t, 'POST', `/v1/trash/pages/${masthead.id}/restore`)).json().parentId, null, 'at the top level')
})

t.test('If-Match guards restore and purge with the trashed page\'s ETag', async (t) => {
  const { app, contact } = await site(t)
  const livePageTag = String((await get(app, t, `/v1/pages/${contact.id}`, adminSecret)).headers.etag)
  assertProblem(t, await send(app, t, 'DELETE', `/v1/pages/${contact.id}`, undefined, { 'if-match': '"page-1-v9.x"' }), 412, 'precondition-failed')
  t.equal((await send(app, t, 'DELETE', `/v1/pages/${contact.id}`, undefined, { 'if-match': livePageTag })).statusCode, 204, 'the page\'s own ETag deletes it')
  const etag = String((await get(app, t, `/v1/trash/pages/${contact.id}`, adminSecret)).headers.etag)

  for (const method of ['POST', 'DELETE']) {
    const url = method === 'POST' ? `/v1/trash/pages/${contact.id}/restore` : `/v1/trash/pages/${contact.id}`
    assertProblem(t, await send(app, t, method, url, undefined, { 'if-match': livePageTag }), 412, 'precondition-failed')
  }
  t.equal((await get(app, t, `/v1/trash/pages/${contact.id}`, adminSecret)).statusCode, 200, 'still in the trash')
  t.equal((await send(app, t, 'DELETE', `/v1/trash/pages/${contact.id}`, undefined, { 'if-match': etag })).statusCode, 204)
  assertProblem(t, await get(app, t, `/v1/trash/pages/${contact.id}`, adminSecret), 404, 'not-found')
  assertProblem(t, await send(app, t, 'POST', `/v1/trash/pages/${contact.id}/restore`), 404, 'not-found')
})

t.test('a trashed page\'s slug stays reserved until the purge', async (t) => {
  const { app, about, contact } = await site(t)
  await send(app, t, 'DELETE', '/v1/pages/about')
  assertProblem(t, await send(app, t, 'PATCH', `/v1/pages/${contact.id}`, { slug: 'about' }), 409, 'slug-taken')
  assertProblem(t, await send(app, t, 'POST', '/v1/pages', { title: 'About', slug: 'about' }), 409, 'slug-taken')
  const derived = await createPage(app, t, { title: 'About' })
  t.equal(derived.slug, 'about-2', 'a derived slug steps around it')
  t.equal((await send(app, t, 'POST', '/v1/trash/pages/about/restore')).json().slug, 'about', 'so a restore always finds it free')
  await send(app, t, 'DELETE', `/v1/pages/${about.id}`)
  t.equal((await send(app, t, 'DELETE', '/v1/trash/pages/about')).statusCode, 204)
  t.equal((await patch(app, t, contact.id, { slug: 'about' })).slug, 'about', 'purged: free')
})

t.test('the trash of pages is editors\'; emptying the trash empties it too', async (t) => {
  const { app, masthead, contact } = await site(t)
  const author = await createAuthor(app, t)
  const authorToken = await tokenFor(app, 'author', author.id)
  const editor = await tokenFor(app, 'editor')
  t.equal((await send(app, t, 'DELETE', `/v1/pages/${masthead.id}`, undefined, {}, editor)).statusCode, 204)
  await send(app, t, 'DELETE', `/v1/pages/${contact.id}`)

  assertProblem(t, await get(app, t, '/v1/trash/pages'), 401, 'unauthorized')
  for (const [method, url] of [['GET', '/v1/trash/pages'], ['GET', `/v1/trash/pages/${masthead.id}`], ['POST', `/v1/trash/pages/${masthead.id}/restore`], ['DELETE', `/v1/trash/pages/${masthead.id}`]] as const) {
    assertProblem(t, await send(app, t, method, url, undefined, {}, authorToken), 403, 'forbidden')
  }
  t.match((await get(app, t, `/v1/trash/pages/${masthead.id}`, editor)).json(), { trashedBy: /^editor token \d+$/ })
  t.same(ids(await get(app, t, '/v1/trash/pages', editor)), [contact.id, masthead.id], 'most recently deleted first')

  assertProblem(t, await send(app, t, 'DELETE', '/v1/trash', undefined, {}, authorToken), 403, 'forbidden')
  t.equal((await send(app, t, 'DELETE', '/v1/trash', undefined, {}, editor)).statusCode, 204)
  t.equal((await get(app, t, '/v1/trash/pages', editor)).json().meta.total, 0, 'empty')
  t.equal((await createPage(app, t, { title: 'Contact' })).slug, 'contact', 'purged slugs are free')
})

t.test('bad input to the trash of pages is a 4xx naming it', async (t) => {
  const app = await build(t)
  assertProblem(t, await get(app, t, '/v1/trash/pages?limit=0', adminSecret), 400, 'validation', 'querystring.limit')
  assertProblem(t, await get(app, t, '/v1/trash/pages?colour=red', adminSecret), 400, 'validation', 'querystring.colour')
  assertProblem(t, await get(app, t, '/v1/trash/pages/0', adminSecret), 400, 'validation', 'params.id')
  assertProblem(t, await get(app, t, '/v1/trash/pages/nowhere', adminSecret), 404, 'not-found')
})

t.test('after DATELINE_TRASH_DAYS a page is purged: gone from the trash, its slug free, its row deleted at start-up', async (t) => {
  const databaseUrl = await lastingDatabaseUrl(t)
  const first = await build(t, { databaseUrl, trashDays: 7 })
  const page = await createPage(first, t, { title: 'Old notice' })
  await patch(first, t, page.id, { title: 'Old notice, edited' })
  await send(first, t, 'DELETE', `/v1/pages/${page.id}`)
  const item = (await get(first, t, '/v1/trash/pages', adminSecret)).json().data[0]
  t.equal(Date.parse(item.purgeAt) - Date.parse(item.trashedAt), 7 * 24 * 3600 * 1000, 'purged 7 days after')

  t.equal(await updateRows(first.store, 'trashed_pages', { purge_at: new Date(Date.now() - 1000).toISOString() }), 1, 'its purge time has passed')
  t.equal((await get(first, t, '/v1/trash/pages', adminSecret)).json().meta.total, 0, 'no longer listed')
  assertProblem(t, await send(first, t, 'POST', `/v1/trash/pages/${page.id}/restore`), 404, 'not-found')
  t.equal((await createPage(first, t, { title: 'Old notice' })).slug, 'old-notice', 'its slug is free')
  await first.close()

  const second = await build(t, { databaseUrl, trashDays: 7 })
  t.same(await rowsOf(second.store, 'trashed_pages'), [], 'start-up deleted the row')
  const purged = (await get(second, t, '/v1/changes?resource=page&limit=100', adminSecret)).json().data.filter((entry: Item) => entry.kind === 'purged')
  t.same(purged.map((entry: Item) => entry.id), [String(page.id)], 'and logged its purge')
})

t.test('with DATELINE_TRASH_DAYS=0 deleting a page is for good', async (t) => {
  const { app, masthead } = await site(t, { trashDays: 0 })
  await patch(app, t, masthead.id, { title: 'Our masthead' })
  t.equal((await send(app, t, 'DELETE', `/v1/pages/${masthead.id}`)).statusCode, 204)
  t.equal((await get(app, t, '/v1/trash/pages', adminSecret)).json().meta.total, 0)
  t.same(await rowsOf(app.store, 'page_revisions'), [], 'its revisions went with it')
  t.equal((await createPage(app, t, { title: 'Masthead' })).slug, 'masthead')
  const kinds = (await get(app, t, '/v1/changes?resource=page&limit=100', adminSecret)).json().data.map((entry: Item) => entry.kind)
  t.equal(kinds.at(-2), 'deleted')
})

t.test('the change log says trashed, restored and purged of pages', async (t) => {
  const { app, contact } = await site(t)
  const start = (await get(app, t, '/v1/changes', adminSecret)).json().meta.head
  await send(app, t, 'DELETE', `/v1/pages/${contact.id}`)
  await send(app, t, 'POST', `/v1/trash/pages/${contact.id}/restore`)
  await send(app, t, 'DELETE', `/v1/pages/${contact.id}`)
  await send(app, t, 'DELETE', `/v1/trash/pages/${contact.id}`)
  const entries = (await get(app, t, `/v1/changes?since=${start}&resource=page`, adminSecret)).json().data
  t.same(entries.map((entry: Item) => [entry.kind, entry.id]), [['trashed', String(contact.id)], ['restored', String(contact.id)], ['trashed', String(contact.id)], ['purged', String(contact.id)]])
  t.same(entries[1].fields, ['title', 'slug', 'status', 'parentId', 'position', 'excerpt', 'seo', 'body'], 'a restore names every field it brings back')
  const publicKinds = (await get(app, t, `/v1/changes?since=${start}&resource=page`)).json().data.map((entry: Item) => entry.kind)
  t.same(publicKinds, ['removed', 'created', 'removed'], 'readers see a published page go, come back and go')
})

t.test('a webhook subscribed to page.trashed, page.restored and page.purged is told of each', async (t) => {
  const receiver = await startReceiver(t)
  const { app, contact } = await site(t, { webhooks: quickDeliveries })
  const hook = await send(app, t, 'POST', '/v1/webhooks', { url: receiver.url, events: ['page.trashed', 'page.restored', 'page.purged'] })
  t.equal(hook.statusCode, 201)
  receiver.secret = hook.json().secret
  await send(app, t, 'DELETE', `/v1/pages/${contact.id}`)
  await send(app, t, 'POST', `/v1/trash/pages/${contact.id}/restore`)
  await send(app, t, 'DELETE', `/v1/pages/${contact.id}`)
  await send(app, t, 'DELETE', `/v1/trash/pages/${contact.id}`)
  const received = await receiver.waitFor(4)
  t.same(received.map((delivery) => [delivery.body.type, delivery.body.data.id]), [
    ['page.trashed', String(contact.id)], ['page.restored', String(contact.id)], ['page.trashed', String(contact.id)], ['page.purged', String(contact.id)]
  ])
  t.ok(received.every((delivery) => delivery.verified), 'signed')
})

t.test('export leaves trashed pages out; importing again does not bring them back', async (t) => {
  const { app, masthead, contact } = await site(t)
  const exported = (await get(app, t, '/v1/export', adminSecret)).body
  await send(app, t, 'DELETE', `/v1/pages/${contact.id}`)
  const pageLines = (await get(app, t, '/v1/export', adminSecret)).body.split('\n').filter((line) => line.includes('"type":"page"'))
  t.same(pageLines.map((line) => JSON.parse(line).id).sort(), [masthead.id - 1, masthead.id, masthead.id + 1].sort(), 'the trashed page is not exported')

  const again = await request(app, t, { method: 'POST', url: '/v1/import', headers: { ...bearer(adminSecret), 'content-type': 'application/x-ndjson' }, payload: exported })
  t.equal(again.statusCode, 200)
  t.match(again.json().skipped, [{ resource: 'page', sourceId: String(contact.id), reason: `page ${contact.id} is in the trash: restore or purge it to import it again` }])
  t.notOk((await get(app, t, '/v1/pages?limit=100', adminSecret)).json().data.some((page: Item) => page.title === 'Contact'), 'nothing came back')
})
