import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import t, { type Test } from 'tap'
import { adminSecret, bearer, build, createArticle, createAuthor, request, tokenFor } from '../helper.js'
import { assertProblem } from '../problems.js'
import { createToken, revokeToken } from '../../src/resources/tokens/service.js'

// Who sees which articles, and who may write which: anonymous readers, author tokens, editors.

type Tap = Test
type Item = Record<string, any>


async function get (app: FastifyInstance, t: Tap, url: string, secret?: string): Promise<LightMyRequestResponse> {
  return request(app, t, { method: 'GET', url, headers: secret === undefined ? {} : bearer(secret) })
}

async function ids (app: FastifyInstance, t: Tap, url: string, secret?: string): Promise<number[]> {
  const response = await get(app, t, url, secret)
  t.equal(response.statusCode, 200, `GET ${url}`)
  return response.json().data.map((item: Item) => item.id)
}

async function post (app: FastifyInstance, t: Tap, payload: Record<string, unknown>, secret: string): Promise<LightMyRequestResponse> {
  return request(app, t, { method: 'POST', url: '/v1/articles', headers: bearer(secret), payload })
}

async function patch (app: FastifyInstance, t: Tap, id: string | number, payload: Record<string, unknown>, secret: string): Promise<LightMyRequestResponse> {
  return request(app, t, { method: 'PATCH', url: `/v1/articles/${id}`, headers: bearer(secret), payload })
}

async function remove (app: FastifyInstance, t: Tap, id: string | number, secret: string): Promise<LightMyRequestResponse> {
  return request(app, t, { method: 'DELETE', url: `/v1/articles/${id}`, headers: bearer(secret) })
}

/** The article as an editor sees it now. */
async function current (app: FastifyInstance, t: Tap, id: number): Promise<Item> {
  const response = await get(app, t, `/v1/articles/${id}`, adminSecret)
  t.equal(response.statusCode, 200)
  return response.json()
}

/** Two authors, each with a draft and a published article; Ben also has a scheduled one. */
async function newsroom (t: Tap) {
  const app = await build(t)
  const ann = await createAuthor(app, t, { name: 'Ann Archer', email: 'ann@example.org' })
  const ben = await createAuthor(app, t, { name: 'Ben Bower', email: 'ben@example.org' })
  const annToken = await tokenFor(app, 'author', ann.id)
  const benToken = await tokenFor(app, 'author', ben.id)
  const editor = await tokenFor(app, 'editor')
  const annPublished = await createArticle(app, t, { title: 'Ann published', authorId: ann.id, status: 'published', publishedAt: '2015-06-25T10:00:00.000Z' })
  const benPublished = await createArticle(app, t, { title: 'Ben published', authorId: ben.id, status: 'published', publishedAt: '2015-06-26T10:00:00.000Z' })
  const annDraft = await createArticle(app, t, { title: 'Ann draft', authorId: ann.id })
  const benDraft = await createArticle(app, t, { title: 'Ben draft', authorId: ben.id })
  const benScheduled = await createArticle(app, t, { title: 'Ben scheduled', authorId: ben.id, status: 'scheduled', publishedAt: new Date(Date.now() + 86_400_000).toISOString() })
  return { app, ann, ben, annToken, benToken, editor, annPublished, benPublished, annDraft, benDraft, benScheduled }
}

t.test('visibility', async (t) => {
  const n = await newsroom(t)
  const { app } = n

  t.test('anonymous readers see only published articles whose time has come', async (t) => {
    t.same(await ids(app, t, '/v1/articles'), [n.benPublished.id, n.annPublished.id])
    t.equal((await get(app, t, '/v1/articles')).json().meta.total, 2)
    for (const hidden of [n.annDraft, n.benDraft, n.benScheduled]) {
      assertProblem(t, await get(app, t, `/v1/articles/${hidden.id}`), 404, 'not-found')
      assertProblem(t, await get(app, t, `/v1/articles/${hidden.slug}`), 404, 'not-found')
    }
    t.equal((await get(app, t, `/v1/articles/${n.annPublished.slug}`)).statusCode, 200)
  })

  t.test('a hidden article and a missing one answer alike for anonymous readers', async (t) => {
    const hidden = await get(app, t, `/v1/articles/${n.benDraft.id}`)
    const missing = await get(app, t, '/v1/articles/9999')
    t.equal(hidden.statusCode, missing.statusCode)
    t.equal(hidden.json().type, missing.json().type)
  })

  t.test('an author token sees published articles and its own drafts, not other authors\' drafts', async (t) => {
    const list = await ids(app, t, '/v1/articles', n.annToken)
    t.same(list.sort((x, y) => x - y), [n.annPublished.id, n.benPublished.id, n.annDraft.id].sort((x, y) => x - y))
    t.equal((await get(app, t, `/v1/articles/${n.annDraft.id}`, n.annToken)).json().status, 'draft')
    t.equal((await get(app, t, `/v1/articles/${n.annDraft.slug}`, n.annToken)).statusCode, 200)
    assertProblem(t, await get(app, t, `/v1/articles/${n.benDraft.id}`, n.annToken), 404, 'not-found')
    assertProblem(t, await get(app, t, `/v1/articles/${n.benDraft.slug}`, n.annToken), 404, 'not-found')
    assertProblem(t, await get(app, t, `/v1/articles/${n.benScheduled.id}`, n.annToken), 404, 'not-found')
    t.same(await ids(app, t, '/v1/articles?status=draft', n.annToken), [n.annDraft.id])
    t.same(await ids(app, t, `/v1/articles?status=draft&author=${n.ben.slug}`, n.annToken), [])
  })

  t.test('an author token sees its own scheduled article', async (t) => {
    t.equal((await get(app, t, `/v1/articles/${n.benScheduled.id}`, n.benToken)).json().status, 'scheduled')
    t.ok((await ids(app, t, '/v1/articles', n.benToken)).includes(n.benScheduled.id))
  })

  t.test('an editor and an admin see every article', async (t) => {
    const all = [n.annPublished, n.benPublished, n.annDraft, n.benDraft, n.benScheduled].map((article) => article.id).sort((x, y) => x - y)
    for (const secret of [n.editor, adminSecret]) {
      t.same((await ids(app, t, '/v1/articles', secret)).sort((x, y) => x - y), all)
      t.equal((await get(app, t, `/v1/articles/${n.benDraft.slug}`, secret)).statusCode, 200)
    }
  })

  t.test('the author\'s email shows to editors and to the author themself only', async (t) => {
    const url = (id: number) => `/v1/articles/${id}?include=author`
    t.notOk('email' in (await get(app, t, url(n.annPublished.id))).json().author, 'anonymous: no email')
    t.equal((await get(app, t, url(n.annPublished.id), n.editor)).json().author.email, 'ann@example.org')
    t.equal((await get(app, t, url(n.annDraft.id), n.annToken)).json().author.email, 'ann@example.org', 'Ann sees her own email')
    t.notOk('email' in (await get(app, t, url(n.annPublished.id), n.benToken)).json().author, 'Ben does not see Ann\'s email')
  })

  t.test('answers to a token are private, anonymous ones public', async (t) => {
    t.equal((await get(app, t, `/v1/articles/${n.annDraft.id}`, n.annToken)).headers['cache-control'], 'private, no-cache')
    t.equal((await get(app, t, `/v1/articles/${n.annPublished.id}`)).headers['cache-control'], 'public, max-age=0, s-maxage=60')
  })

  t.test('a revoked or expired token is a 401, not anonymous access', async (t) => {
    const revoked = await createToken(app.store, { role: 'editor' })
    t.equal((await get(app, t, '/v1/articles', revoked.secret)).statusCode, 200)
    await revokeToken(app.store, revoked.token.id)
    const afterRevoke = await get(app, t, `/v1/articles/${n.annPublished.id}`, revoked.secret)
    assertProblem(t, afterRevoke, 401, 'unauthorized')
    t.ok(afterRevoke.headers['www-authenticate'])
    const expired = await createToken(app.store, { role: 'editor', expiresAt: '2020-01-01T00:00:00.000Z' })
    assertProblem(t, await get(app, t, '/v1/articles', expired.secret), 401, 'unauthorized')
    const malformed = await request(app, t, { method: 'GET', url: '/v1/articles', headers: { authorization: 'Basic dXNlcjpwYXNz' } })
    assertProblem(t, malformed, 401, 'unauthorized')
  })
})

t.test('what an author token may write', async (t) => {
  const n = await newsroom(t)
  const { app } = n

  t.test('an author creates a draft as themself without giving authorId', async (t) => {
    const response = await post(app, t, { title: 'Ann writes', body: '<p>Notes.</p>' }, n.annToken)
    t.equal(response.statusCode, 201)
    t.match(response.json(), { authorId: n.ann.id, status: 'draft', publishedAt: null })
    t.equal(response.headers.location, `/v1/articles/${response.json().id}`)
    t.equal((await current(app, t, response.json().id)).authorId, n.ann.id)
  })

  t.test('an author may name themself as authorId and status draft', async (t) => {
    const response = await post(app, t, { title: 'Ann writes again', authorId: n.ann.id, status: 'draft' }, n.annToken)
    t.equal(response.statusCode, 201)
    t.equal(response.json().authorId, n.ann.id)
  })

  t.test('an author cannot write as another author', async (t) => {
    const before = (await get(app, t, '/v1/articles?limit=1', adminSecret)).json().meta.total
    assertProblem(t, await post(app, t, { title: 'Posing as Ben', authorId: n.ben.id }, n.annToken), 403, 'forbidden')
    t.equal((await get(app, t, '/v1/articles?limit=1', adminSecret)).json().meta.total, before)
  })

  t.test('an author cannot publish or schedule a new article', async (t) => {
    const before = (await get(app, t, '/v1/articles?limit=1', adminSecret)).json().meta.total
    assertProblem(t, await post(app, t, { title: 'Straight to print', status: 'published' }, n.annToken), 403, 'forbidden')
    assertProblem(t, await post(app, t, { title: 'Later to print', status: 'scheduled', publishedAt: new Date(Date.now() + 86_400_000).toISOString() }, n.annToken), 403, 'forbidden')
    t.equal((await get(app, t, '/v1/articles?limit=1', adminSecret)).json().meta.total, before)
  })

  t.test('an author edits their own draft', async (t) => {
    const response = await patch(app, t, n.annDraft.id, { title: 'Ann draft, revised', labels: ['Notes'] }, n.annToken)
    t.equal(response.statusCode, 200)
    t.match(response.json(), { title: 'Ann draft, revised', labels: ['Notes'], status: 'draft' })
    t.equal((await current(app, t, n.annDraft.id)).title, 'Ann draft, revised')
  })

  t.test('an author cannot publish their own draft', async (t) => {
    assertProblem(t, await patch(app, t, n.annDraft.id, { status: 'published' }, n.annToken), 403, 'forbidden')
    assertProblem(t, await patch(app, t, n.annDraft.id, { status: 'scheduled', publishedAt: new Date(Date.now() + 86_400_000).toISOString() }, n.annToken), 403, 'forbidden')
    t.equal((await current(app, t, n.annDraft.id)).status, 'draft')
  })

  t.test('an author cannot hand their draft to another author', async (t) => {
    assertProblem(t, await patch(app, t, n.annDraft.id, { authorId: n.ben.id }, n.annToken), 403, 'forbidden')
    t.equal((await current(app, t, n.annDraft.id)).authorId, n.ann.id)
  })

  t.test('an author cannot edit their own published article', async (t) => {
    assertProblem(t, await patch(app, t, n.annPublished.id, { title: 'Quietly changed' }, n.annToken), 403, 'forbidden')
    t.equal((await current(app, t, n.annPublished.id)).title, 'Ann published')
  })

  t.test('an author cannot edit another author\'s published article', async (t) => {
    assertProblem(t, await patch(app, t, n.benPublished.id, { title: 'Ann was here' }, n.annToken), 403, 'forbidden')
    t.equal((await current(app, t, n.benPublished.id)).title, 'Ben published')
  })

  t.test('another author\'s draft is a 404 to an author: they cannot see it, so cannot edit or delete it', async (t) => {
    assertProblem(t, await patch(app, t, n.benDraft.id, { title: 'Ann was here' }, n.annToken), 404, 'not-found')
    assertProblem(t, await remove(app, t, n.benDraft.id, n.annToken), 404, 'not-found')
    t.equal((await current(app, t, n.benDraft.id)).title, 'Ben draft')
  })

  t.test('an author cannot delete a published article, theirs or another\'s', async (t) => {
    assertProblem(t, await remove(app, t, n.annPublished.id, n.annToken), 403, 'forbidden')
    assertProblem(t, await remove(app, t, n.benPublished.id, n.annToken), 403, 'forbidden')
    t.equal((await get(app, t, `/v1/articles/${n.annPublished.id}`)).statusCode, 200)
    t.equal((await get(app, t, `/v1/articles/${n.benPublished.id}`)).statusCode, 200)
  })

  t.test('an author deletes their own draft', async (t) => {
    const draft = await createArticle(app, t, { title: 'Short-lived', authorId: undefined }, n.annToken)
    t.equal((await remove(app, t, draft.id, n.annToken)).statusCode, 204)
    assertProblem(t, await get(app, t, `/v1/articles/${draft.id}`, adminSecret), 404, 'not-found')
  })

  t.test('once an editor publishes an author\'s draft, the author can no longer change it', async (t) => {
    const draft = await createArticle(app, t, { title: 'Going to print', authorId: undefined }, n.annToken)
    const published = await patch(app, t, draft.id, { status: 'published' }, n.editor)
    t.equal(published.statusCode, 200)
    t.equal(published.json().status, 'published')
    assertProblem(t, await patch(app, t, draft.id, { title: 'Too late' }, n.annToken), 403, 'forbidden')
    assertProblem(t, await remove(app, t, draft.id, n.annToken), 403, 'forbidden')
    t.equal((await current(app, t, draft.id)).title, 'Going to print')
  })
})

t.test('what an editor may write', async (t) => {
  const n = await newsroom(t)
  const { app } = n

  t.test('an editor creates a published article for any author', async (t) => {
    const response = await post(app, t, { title: 'Editor files for Ben', authorId: n.ben.id, status: 'published' }, n.editor)
    t.equal(response.statusCode, 201)
    t.match(response.json(), { authorId: n.ben.id, status: 'published' })
    t.equal((await get(app, t, `/v1/articles/${response.json().id}`)).statusCode, 200)
  })

  t.test('an editor publishes another author\'s draft', async (t) => {
    const response = await patch(app, t, n.benDraft.id, { status: 'published' }, n.editor)
    t.equal(response.statusCode, 200)
    t.equal(response.json().status, 'published')
    t.equal((await get(app, t, `/v1/articles/${n.benDraft.id}`)).json().status, 'published')
  })

  t.test('an editor edits a published article and moves it to another author', async (t) => {
    const response = await patch(app, t, n.annPublished.id, { title: 'Corrected headline', authorId: n.ben.id }, n.editor)
    t.equal(response.statusCode, 200)
    t.match(response.json(), { title: 'Corrected headline', authorId: n.ben.id })
    t.match(await current(app, t, n.annPublished.id), { title: 'Corrected headline', authorId: n.ben.id })
  })

  t.test('an editor deletes a published article', async (t) => {
    t.equal((await remove(app, t, n.benPublished.id, n.editor)).statusCode, 204)
    assertProblem(t, await get(app, t, `/v1/articles/${n.benPublished.id}`), 404, 'not-found')
  })

  t.test('an editor deletes another author\'s draft and a scheduled article', async (t) => {
    t.equal((await remove(app, t, n.annDraft.slug, n.editor)).statusCode, 204)
    t.equal((await remove(app, t, n.benScheduled.id, n.editor)).statusCode, 204)
    assertProblem(t, await get(app, t, `/v1/articles/${n.annDraft.id}`, adminSecret), 404, 'not-found')
    assertProblem(t, await get(app, t, `/v1/articles/${n.benScheduled.id}`, adminSecret), 404, 'not-found')
  })

  t.test('an admin may do what an editor does', async (t) => {
    const created = await post(app, t, { title: 'Admin files', authorId: n.ann.id, status: 'published' }, adminSecret)
    t.equal(created.statusCode, 201)
    const changed = await patch(app, t, created.json().id, { title: 'Admin files, revised' }, adminSecret)
    t.equal(changed.statusCode, 200)
    t.equal((await remove(app, t, created.json().id, adminSecret)).statusCode, 204)
  })
})
