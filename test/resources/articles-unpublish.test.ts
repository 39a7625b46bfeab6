import type { FastifyInstance } from 'fastify'
import t, { type Test } from 'tap'
import { assertProblem } from '../problems.js'
import { adminSecret, bearer, build, createArticle, createAuthor, request, tokenFor } from '../helper.js'

// Articles come down on their own at `unpublishAt` (issue 22, part 7): embargoes end, rights
// run out, lawyers call. As lazily and as exactly as scheduled articles go up: the first read
// after the moment finds a draft.

const sleep = async (ms: number) => await new Promise((resolve) => setTimeout(resolve, ms))
const inMs = (ms: number) => new Date(Date.now() + ms).toISOString()

async function blog (t: Test): Promise<{ app: FastifyInstance, authorId: number }> {
  const app = await build(t)
  return { app, authorId: (await createAuthor(app, t)).id }
}

async function publicSlugs (app: FastifyInstance, t: Test, url: string): Promise<string[]> {
  const response = await request(app, t, { method: 'GET', url })
  t.equal(response.statusCode, 200)
  return response.json().data.map((article: { slug: string }) => article.slug)
}

async function patch (app: FastifyInstance, t: Test, id: number, payload: Record<string, unknown>, secret = adminSecret) {
  return await request(app, t, { method: 'PATCH', url: `/v1/articles/${id}`, headers: bearer(secret), payload })
}

t.test('a published article comes down when its unpublishAt comes: a draft again, gone for readers at the first read after', async (t) => {
  const { app, authorId } = await blog(t)
  const unpublishAt = inMs(700)
  const article = await createArticle(app, t, { title: 'Embargoed figures', authorId, status: 'published', unpublishAt })
  t.equal(article.unpublishAt, unpublishAt, 'shown, like publishedAt')
  const read = await request(app, t, { method: 'GET', url: `/v1/articles/${article.slug}` })
  t.equal(read.json().unpublishAt, unpublishAt, 'to readers too: a page may say how long it stays up')

  await sleep(900)
  // The first request after the moment is a read of the article itself: no list has run the schedule.
  assertProblem(t, await request(app, t, { method: 'GET', url: `/v1/articles/${article.slug}` }), 404, 'not-found')
  t.same(await publicSlugs(app, t, '/v1/articles'), [])
  const editorRead = await request(app, t, { method: 'GET', url: `/v1/articles/${article.id}`, headers: bearer(adminSecret) })
  t.match(editorRead.json(), { status: 'draft', unpublishAt: null, publishedAt: article.publishedAt }, 'a draft, its publishedAt kept for when it goes up again')
  t.notOk((await request(app, t, { method: 'GET', url: '/feed.atom' })).body.includes('Embargoed figures'), 'out of the feed')

  const changes = await request(app, t, { method: 'GET', url: `/v1/changes?resource=article`, headers: bearer(adminSecret) })
  t.match(changes.json().data.at(-1), { kind: 'unpublished', id: String(article.id), fields: ['status', 'unpublishAt'] }, 'the change log (and webhooks) say so')
  const seenByReader = await request(app, t, { method: 'GET', url: `/v1/changes?resource=article` })
  t.match(seenByReader.json().data.at(-1), { kind: 'removed', id: String(article.id) }, 'a reader is told it is gone')
})

t.test('a scheduled article with an unpublishAt goes up, then comes down', async (t) => {
  const { app, authorId } = await blog(t)
  const article = await createArticle(app, t, { title: 'Weekend offer', authorId, status: 'scheduled', publishedAt: inMs(800), unpublishAt: inMs(2600) })
  t.equal(article.status, 'scheduled')
  t.same(await publicSlugs(app, t, '/v1/articles'), [], 'not before its time')
  await sleep(1300)
  t.same(await publicSlugs(app, t, '/v1/articles'), [article.slug], 'up')
  await sleep(1700)
  t.same(await publicSlugs(app, t, '/v1/articles'), [], 'and down')
  const kinds = (await request(app, t, { method: 'GET', url: `/v1/changes?resource=article`, headers: bearer(adminSecret) })).json().data.map((change: Record<string, string>) => change.kind)
  t.same(kinds, ['created', 'published', 'unpublished'])
})

t.test('unpublishAt is in the future and after publishedAt, for an article that is or will be up', async (t) => {
  const { app, authorId } = await blog(t)
  const refused = async (payload: Record<string, unknown>) => {
    assertProblem(t, await request(app, t, { method: 'POST', url: '/v1/articles', headers: bearer(adminSecret), payload: { title: 'Refused', authorId, ...payload } }), 400, 'validation', 'body.unpublishAt')
  }
  await refused({ status: 'published', unpublishAt: '2020-01-01T00:00:00Z' })
  await refused({ status: 'scheduled', publishedAt: '2099-06-01T00:00:00Z', unpublishAt: '2099-05-01T00:00:00Z' })
  await refused({ status: 'published', unpublishAt: 'next tuesday' })

  const draft = await createArticle(app, t, { title: 'Held back', authorId, unpublishAt: '2020-01-01T00:00:00+02:00' })
  t.equal(draft.unpublishAt, '2019-12-31T22:00:00.000Z', 'a draft keeps one, in UTC: it counts once the draft is published')
  assertProblem(t, await patch(app, t, draft.id, { status: 'published' }), 400, 'validation', 'body.unpublishAt')
  const published = await patch(app, t, draft.id, { status: 'published', unpublishAt: null })
  t.match(published.json(), { status: 'published', unpublishAt: null }, 'cleared, it goes up and stays')
  const later = await patch(app, t, draft.id, { unpublishAt: '2099-01-01T00:00:00Z' })
  t.equal(later.json().unpublishAt, '2099-01-01T00:00:00.000Z')
  assertProblem(t, await patch(app, t, draft.id, { publishedAt: '2099-02-01T00:00:00Z' }), 400, 'validation', 'body.unpublishAt')
})

t.test('editors list what will come down; an author sets it on its own draft', async (t) => {
  const { app, authorId } = await blog(t)
  const author = await tokenFor(app, 'author', authorId)
  const draft = await createArticle(app, t, { title: 'Licensed photos', authorId, unpublishAt: '2099-03-01T00:00:00Z' }, author)
  t.equal(draft.unpublishAt, '2099-03-01T00:00:00.000Z')
  await createArticle(app, t, { title: 'Here to stay', authorId, status: 'published' })
  const coming = await request(app, t, { method: 'GET', url: '/v1/articles?unpublishing=true', headers: bearer(adminSecret) })
  t.same(coming.json().data.map((article: Record<string, unknown>) => article.slug), [draft.slug])
  t.equal(coming.json().meta.total, 1)
  assertProblem(t, await request(app, t, { method: 'GET', url: '/v1/articles?unpublishing=maybe' }), 400, 'validation', 'querystring.unpublishing')
})

t.test('unpublishAt goes to the trash and back, and through export and import', async (t) => {
  const { app, authorId } = await blog(t)
  const article = await createArticle(app, t, { title: 'Rights until 2099', authorId, status: 'published', unpublishAt: '2099-12-31T23:00:00Z' })
  t.equal((await request(app, t, { method: 'DELETE', url: `/v1/articles/${article.id}`, headers: bearer(adminSecret) })).statusCode, 204)
  t.equal((await request(app, t, { method: 'POST', url: `/v1/trash/${article.id}/restore`, headers: bearer(adminSecret) })).statusCode, 200)
  t.equal((await request(app, t, { method: 'GET', url: `/v1/articles/${article.id}` })).json().unpublishAt, '2099-12-31T23:00:00.000Z', 'restored with it')

  const exported = await request(app, t, { method: 'GET', url: '/v1/export', headers: bearer(adminSecret) })
  const line = exported.body.split('\n').filter((text) => text !== '').map((text) => JSON.parse(text)).find((entry) => entry.type === 'article')
  t.equal(line.unpublishAt, '2099-12-31T23:00:00.000Z', 'in the export')
  const fresh = await build(t)
  const imported = await request(fresh, t, { method: 'POST', url: '/v1/import', headers: { ...bearer(adminSecret), 'content-type': 'application/x-ndjson' }, payload: exported.body })
  t.equal(imported.statusCode, 200)
  t.equal((await request(fresh, t, { method: 'GET', url: `/v1/articles/${article.slug}` })).json().unpublishAt, '2099-12-31T23:00:00.000Z', 'and back from it')
})
