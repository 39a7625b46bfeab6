import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import t, { type Test } from 'tap'
import { adminSecret, bearer, build, createArticle, createAuthor, request, tokenFor } from '../helper.js'
import { assertProblem } from '../problems.js'

// Joint bylines (issue 22, part 4): `authorIds` in order, the first the primary (`authorId`).

type Item = Record<string, any>

async function call (app: FastifyInstance, t: Test, method: string, url: string, secret = adminSecret, payload?: object): Promise<LightMyRequestResponse> {
  return await request(app, t, { method, url, headers: bearer(secret), ...(payload === undefined ? {} : { payload }) })
}

async function read (app: FastifyInstance, t: Test, id: number, query = '', secret = adminSecret): Promise<Item> {
  const response = await call(app, t, 'GET', `/v1/articles/${id}${query}`, secret)
  t.equal(response.statusCode, 200)
  return response.json()
}

async function listedIds (app: FastifyInstance, t: Test, url: string, secret?: string): Promise<number[]> {
  const response = await request(app, t, { method: 'GET', url, headers: secret === undefined ? {} : bearer(secret) })
  t.equal(response.statusCode, 200, `GET ${url}`)
  return response.json().data.map((item: Item) => item.id)
}

/** Three authors and a token for each, and an editor's token. */
async function desk (t: Test) {
  const app = await build(t)
  const ann = await createAuthor(app, t, { name: 'Ann Archer' })
  const ben = await createAuthor(app, t, { name: 'Ben Bower' })
  const cat = await createAuthor(app, t, { name: 'Cat Cole' })
  return {
    app,
    ann,
    ben,
    cat,
    annToken: await tokenFor(app, 'author', ann.id),
    benToken: await tokenFor(app, 'author', ben.id),
    catToken: await tokenFor(app, 'author', cat.id),
    editor: await tokenFor(app, 'editor')
  }
}

t.test('a byline is kept in the order given, the first its primary author', async (t) => {
  const { app, ann, ben, cat } = await desk(t)
  const article = await createArticle(app, t, { title: 'Joint work', authorIds: [ben.id, ann.id, cat.id] })
  t.same(article.authorIds, [ben.id, ann.id, cat.id])
  t.equal(article.authorId, ben.id, 'authorId is the primary')
  const again = await read(app, t, article.id, '?include=authors,author')
  t.same(again.authorIds, [ben.id, ann.id, cat.id], 'read back in the same order')
  t.same(again.authors.map((author: Item) => author.name), ['Ben Bower', 'Ann Archer', 'Cat Cole'], 'include=authors embeds the byline in order')
  t.equal(again.author.id, ben.id, 'include=author embeds the primary, as before')

  const reordered = await call(app, t, 'PATCH', `/v1/articles/${article.id}`, adminSecret, { authorIds: [cat.id, ben.id] })
  t.equal(reordered.statusCode, 200)
  t.same(reordered.json().authorIds, [cat.id, ben.id])
  t.equal(reordered.json().authorId, cat.id, 'a new first author is the primary')
  t.same((await read(app, t, article.id)).authorIds, [cat.id, ben.id], 'ann left the byline')
})

t.test('authorId alone still works: a byline of one, or a new primary in front of the co-authors', async (t) => {
  const { app, ann, ben, cat } = await desk(t)
  const single = await createArticle(app, t, { title: 'Solo', authorId: ann.id })
  t.same(single.authorIds, [ann.id], 'a byline of one')
  const joint = await createArticle(app, t, { title: 'Joint', authorId: ann.id, authorIds: [ann.id, ben.id] })
  t.same(joint.authorIds, [ann.id, ben.id], 'both given and agreeing')
  const same = await call(app, t, 'PATCH', `/v1/articles/${joint.id}`, adminSecret, { authorId: ann.id, title: 'Joint, retitled' })
  t.same(same.json().authorIds, [ann.id, ben.id], 'sending authorId back as it is keeps the co-authors')
  const moved = await call(app, t, 'PATCH', `/v1/articles/${joint.id}`, adminSecret, { authorId: cat.id })
  t.same(moved.json().authorIds, [cat.id, ben.id], 'a new primary takes the front')
  const promoted = await call(app, t, 'PATCH', `/v1/articles/${joint.id}`, adminSecret, { authorId: ben.id })
  t.same(promoted.json().authorIds, [ben.id], 'a co-author made primary is not listed twice')
})

t.test('a bad byline is a 400 naming the field', async (t) => {
  const { app, ann, ben } = await desk(t)
  const cases: Array<[object, string]> = [
    [{ authorId: ann.id, authorIds: [ben.id, ann.id] }, 'body.authorIds'],
    [{ authorIds: [ann.id, ann.id] }, 'body.authorIds'],
    [{ authorIds: [] }, 'body.authorIds'],
    [{ authorIds: [ann.id, 999_999] }, 'body.authorIds'],
    [{ authorIds: Array.from({ length: 11 }, (_, index) => index + 1) }, 'body.authorIds'],
    [{}, 'body.authorId']
  ]
  for (const [byline, field] of cases) {
    const response = await call(app, t, 'POST', '/v1/articles', adminSecret, { title: 'Bad byline', ...byline })
    assertProblem(t, response, 400, 'validation', field)
  }
  const article = await createArticle(app, t, { title: 'Fine', authorId: ann.id })
  assertProblem(t, await call(app, t, 'PATCH', `/v1/articles/${article.id}`, adminSecret, { authorIds: [ann.id, 999_999] }), 400, 'validation', 'body.authorIds')
  t.same((await read(app, t, article.id)).authorIds, [ann.id], 'nothing changed')
})

t.test('the author filter and author pages count co-authored articles', async (t) => {
  const { app, ann, ben, cat } = await desk(t)
  const published = { status: 'published', publishedAt: '2020-01-02T10:00:00.000Z' }
  const joint = await createArticle(app, t, { title: 'Joint', authorIds: [ann.id, ben.id], ...published })
  const annOnly = await createArticle(app, t, { title: 'Ann alone', authorId: ann.id, ...published })
  const benLead = await createArticle(app, t, { title: 'Ben leads', authorIds: [ben.id, cat.id], ...published })
  t.same((await listedIds(app, t, `/v1/articles?author=${ben.id}`)).sort(), [joint.id, benLead.id].sort(), 'as primary or co-author')
  t.same((await listedIds(app, t, `/v1/articles?author=${ann.slug}`)).sort(), [joint.id, annOnly.id].sort())
  t.same(await listedIds(app, t, `/v1/articles?author=${cat.id}`), [benLead.id])
  const page = await call(app, t, 'GET', `/v1/authors/${ben.id}?include=articles`)
  t.equal(page.statusCode, 200)
  t.equal(page.json().articleCount, 2, 'the author page counts co-authored articles')
  t.same(page.json().articles.map((article: Item) => article.id).sort(), [joint.id, benLead.id].sort(), 'and lists them')
})

t.test('feeds name every author on the byline', async (t) => {
  const { app, ann, ben } = await desk(t)
  await createArticle(app, t, { title: 'Joint', authorIds: [ann.id, ben.id], status: 'published', publishedAt: '2020-01-02T10:00:00.000Z' })
  const rss = await request(app, t, { method: 'GET', url: '/feed.rss' })
  t.equal(rss.statusCode, 200)
  t.match(rss.body, /<dc:creator><!\[CDATA\[Ann Archer\]\]><\/dc:creator>\s*<dc:creator><!\[CDATA\[Ben Bower\]\]><\/dc:creator>|<dc:creator>Ann Archer<\/dc:creator>\s*<dc:creator>Ben Bower<\/dc:creator>/)
  const atom = await request(app, t, { method: 'GET', url: '/feed.atom' })
  t.match(atom.body, /<name>Ann Archer<\/name>[\s\S]*<name>Ben Bower<\/name>/)
  const json = await request(app, t, { method: 'GET', url: '/feed.json' })
  t.same(JSON.parse(json.body).items[0].authors.map((author: Item) => author.name), ['Ann Archer', 'Ben Bower'])
})

t.test('an author token edits the drafts it co-authors, and only those', async (t) => {
  const { app, ann, ben, cat, annToken, benToken, catToken } = await desk(t)
  const draft = await createArticle(app, t, { title: 'Shared draft', authorIds: [ann.id, ben.id] })
  const annsOwn = await createArticle(app, t, { title: 'Ann alone', authorId: ann.id })
  t.equal((await call(app, t, 'GET', `/v1/articles/${draft.id}`, benToken)).statusCode, 200, 'a co-author reads the draft')
  t.ok((await listedIds(app, t, '/v1/articles?status=draft', benToken)).includes(draft.id), 'and finds it in lists')
  t.notOk((await listedIds(app, t, '/v1/articles?status=draft', benToken)).includes(annsOwn.id), 'but not another\'s draft')
  t.equal((await call(app, t, 'GET', `/v1/articles/${draft.id}`, catToken)).statusCode, 404, 'someone off the byline does not see it')
  const edited = await call(app, t, 'PATCH', `/v1/articles/${draft.id}`, benToken, { title: 'Shared draft, edited by Ben' })
  t.equal(edited.statusCode, 200, 'a co-author edits the draft')
  t.equal((await call(app, t, 'PATCH', `/v1/articles/${annsOwn.id}`, benToken, { title: 'No' })).statusCode, 404)
  t.equal((await call(app, t, 'PATCH', `/v1/articles/${draft.id}`, benToken, { status: 'published' })).statusCode, 403, 'publishing stays an editor\'s call')
  t.equal((await call(app, t, 'PATCH', `/v1/articles/${draft.id}`, benToken, { authorIds: [ann.id, ben.id, cat.id] })).statusCode, 403, 'a co-author does not change the byline')
  t.equal((await call(app, t, 'DELETE', `/v1/articles/${draft.id}`, benToken)).statusCode, 403, 'nor deletes the article')
  const added = await call(app, t, 'PATCH', `/v1/articles/${draft.id}`, annToken, { authorIds: [ann.id, ben.id, cat.id] })
  t.equal(added.statusCode, 200, 'the primary author adds a co-author to its draft')
  t.equal((await call(app, t, 'PATCH', `/v1/articles/${draft.id}`, annToken, { authorIds: [ben.id, ann.id] })).statusCode, 403, 'but does not hand the lead to another')
  t.equal((await call(app, t, 'GET', `/v1/articles/${draft.id}`, catToken)).statusCode, 200, 'the new co-author sees it')
  const own = await call(app, t, 'POST', '/v1/articles', catToken, { title: 'Cat and Ann', authorIds: [cat.id, ann.id] })
  t.equal(own.statusCode, 201, 'an author token starts a joint draft it leads')
  t.equal((await call(app, t, 'POST', '/v1/articles', catToken, { title: 'Ann and Cat', authorIds: [ann.id, cat.id] })).statusCode, 403, 'not one led by another')
})

t.test('a co-author reads the shared draft\'s revisions and restores one, the byline left as it is', async (t) => {
  const { app, ann, ben, cat, annToken, benToken, catToken } = await desk(t)
  const draft = await createArticle(app, t, { title: 'Shared draft', authorIds: [ann.id, ben.id] })
  t.equal((await call(app, t, 'PATCH', `/v1/articles/${draft.id}`, benToken, { title: 'Shared draft, retitled' })).statusCode, 200)
  t.equal((await call(app, t, 'PATCH', `/v1/articles/${draft.id}`, annToken, { authorIds: [ann.id, ben.id, cat.id] })).statusCode, 200, 'the primary author adds Cat')
  const list = await call(app, t, 'GET', `/v1/articles/${draft.id}/revisions`, benToken)
  t.equal(list.statusCode, 200, 'a co-author lists the revisions')
  t.same(list.json().data.map((revision: Item) => [revision.number, revision.title, revision.authorIds]),
    [[2, 'Shared draft, retitled', [ann.id, ben.id]], [1, 'Shared draft', [ann.id, ben.id]]])
  t.equal((await call(app, t, 'GET', `/v1/articles/${draft.id}/revisions/1`, catToken)).statusCode, 200, 'so does the co-author just added')

  const restored = await call(app, t, 'POST', `/v1/articles/${draft.id}/revisions/1/restore`, benToken)
  t.equal(restored.statusCode, 200, 'a co-author restores one')
  t.equal(restored.json().title, 'Shared draft', 'its content comes back')
  t.same(restored.json().authorIds, [ann.id, ben.id, cat.id], 'the byline is the primary author\'s: it stays')
  const byPrimary = await call(app, t, 'POST', `/v1/articles/${draft.id}/revisions/2/restore`, annToken)
  t.same(byPrimary.json().authorIds, [ann.id, ben.id], 'the primary author\'s restore brings the byline back too')

  const other = await createAuthor(app, t, { name: 'Dan Drake' })
  const outsider = await tokenFor(app, 'author', other.id)
  t.equal((await call(app, t, 'GET', `/v1/articles/${draft.id}/revisions`, outsider)).statusCode, 404, 'someone off the byline does not see the draft at all')
})

t.test('deleting a co-author takes them off bylines; a primary author still needs reassigning', async (t) => {
  const { app, ann, ben } = await desk(t)
  const joint = await createArticle(app, t, { title: 'Joint', authorIds: [ann.id, ben.id] })
  const since = (await call(app, t, 'GET', '/v1/changes')).json().meta.head
  const removed = await call(app, t, 'DELETE', `/v1/authors/${ben.id}`)
  t.equal(removed.statusCode, 204, 'a co-author only is deleted at once')
  t.same((await read(app, t, joint.id)).authorIds, [ann.id])
  const entries = (await call(app, t, 'GET', `/v1/changes?since=${since}`)).json().data as Item[]
  t.ok(entries.some((entry) => entry.resource === 'article' && entry.id === String(joint.id) && entry.fields.includes('authorIds')), 'the byline change is in the change log')
  assertProblem(t, await call(app, t, 'DELETE', `/v1/authors/${ann.id}`), 409, 'conflict')
})

t.test('a byline change is an update in the change log naming authorIds', async (t) => {
  const { app, ann, ben } = await desk(t)
  const article = await createArticle(app, t, { title: 'Joint', authorId: ann.id })
  const since = (await call(app, t, 'GET', '/v1/changes')).json().meta.head
  await call(app, t, 'PATCH', `/v1/articles/${article.id}`, adminSecret, { authorIds: [ann.id, ben.id] })
  await call(app, t, 'PATCH', `/v1/articles/${article.id}`, adminSecret, { authorIds: [ben.id, ann.id] })
  const entries = (await call(app, t, 'GET', `/v1/changes?since=${since}`)).json().data as Item[]
  t.same(entries.map((entry) => [entry.kind, entry.fields]), [['updated', ['authorIds']], ['updated', ['authorId', 'authorIds']]])
})

t.test('a co-author\'s token sees the shared draft\'s entries in the change log, as its primary author\'s does', async (t) => {
  const { app, ann, ben, annToken, benToken, catToken } = await desk(t)
  const since = (await call(app, t, 'GET', '/v1/changes')).json().meta.head
  const draft = await createArticle(app, t, { title: 'Shared draft', authorIds: [ann.id, ben.id] })
  const annsOwn = await createArticle(app, t, { title: 'Ann alone', authorId: ann.id })
  t.equal((await call(app, t, 'PATCH', `/v1/articles/${draft.id}`, benToken, { title: 'Shared draft, retitled' })).statusCode, 200)
  const seen = async (secret: string) => ((await call(app, t, 'GET', `/v1/changes?since=${since}&resource=article`, secret)).json().data as Item[])
    .map((entry) => `${entry.id} ${entry.kind}`)
  const shared = [`${draft.id} created`, `${draft.id} updated`]
  t.same(await seen(benToken), shared, 'the co-author sees the draft made and retitled, not Ann\'s own draft')
  t.same(await seen(annToken), [shared[0], `${annsOwn.id} created`, shared[1]], 'the primary author sees both of hers')
  t.same(await seen(catToken), [], 'someone off the byline sees none of it')
})

t.test('the trash keeps a byline', async (t) => {
  const { app, ann, ben } = await desk(t)
  const article = await createArticle(app, t, { title: 'Joint', authorIds: [ann.id, ben.id] })
  t.equal((await call(app, t, 'DELETE', `/v1/articles/${article.id}`)).statusCode, 204)
  t.equal((await listedIds(app, t, `/v1/articles?author=${ben.id}`, adminSecret)).length, 0, 'gone from lists')
  const restored = await call(app, t, 'POST', `/v1/trash/${article.id}/restore`)
  t.equal(restored.statusCode, 200)
  t.same(restored.json().authorIds, [ann.id, ben.id], 'back with its co-authors')
})

t.test('export → import keeps bylines; a version 3 line imports with its one author', async (t) => {
  const { app, ann, ben, cat } = await desk(t)
  const joint = await createArticle(app, t, { title: 'Joint', authorIds: [cat.id, ann.id, ben.id], status: 'published', publishedAt: '2020-01-02T10:00:00.000Z' })
  const exported = await app.inject({ method: 'GET', url: '/v1/export', headers: bearer(adminSecret) })
  t.equal(exported.statusCode, 200)
  const lines = exported.body.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as Item)
  const line = lines.find((item) => item.type === 'article' && item.id === joint.id)!
  t.same([line.authorId, line.coAuthorIds], [cat.id, [ann.id, ben.id]], 'the article line carries the byline')

  const fresh = await build(t)
  const imported = await request(fresh, t, { method: 'POST', url: '/v1/import', headers: { ...bearer(adminSecret), 'content-type': 'application/x-ndjson' }, payload: exported.body })
  t.equal(imported.statusCode, 200)
  t.same((await read(fresh, t, joint.id)).authorIds, [cat.id, ann.id, ben.id], 'the byline comes back in order')

  const older = lines.map((item) => {
    if (item.type === 'header') return { ...item, version: 3 }
    if (item.type !== 'article') return item
    const { coAuthorIds, unpublishAt, corrections, ...rest } = item
    return rest
  }).filter((item) => item.type !== 'redirect').map((item) => JSON.stringify(item)).join('\n') + '\n'
  const third = await build(t)
  const fromOlder = await request(third, t, { method: 'POST', url: '/v1/import', headers: { ...bearer(adminSecret), 'content-type': 'application/x-ndjson' }, payload: older })
  t.equal(fromOlder.statusCode, 200, 'a version 3 file imports')
  t.same((await read(third, t, joint.id)).authorIds, [cat.id], 'with its one author')
})
