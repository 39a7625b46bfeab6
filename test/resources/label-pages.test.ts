import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import t, { type Test } from 'tap'
import { adminSecret, bearer, build, createArticle, createAuthor, request, tokenFor } from '../helper.js'
import { assertProblem } from '../problems.js'
import { maxLabelDepth } from '../../src/resources/labels/schemas.js'

// Label pages (issue 22, part 8): a label's slug, description and parent; GET /v1/labels/{id|slug}
// with its parent and children; the tree's rules (no cycles, bounded depth, children moved up
// when their parent goes); the articles' `label` filter by slug.

type Item = Record<string, any>

async function get (app: FastifyInstance, t: Test, url: string, secret?: string, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
  return await request(app, t, { method: 'GET', url, headers: { ...headers, ...(secret === undefined ? {} : bearer(secret)) } })
}

async function send (app: FastifyInstance, t: Test, method: string, url: string, payload?: object, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
  return await request(app, t, { method, url, headers: { ...bearer(adminSecret), ...headers }, ...(payload === undefined ? {} : { payload }) })
}

async function createLabel (app: FastifyInstance, t: Test, body: object): Promise<Item> {
  const response = await send(app, t, 'POST', '/v1/labels', body)
  t.equal(response.statusCode, 201, `POST /v1/labels ${JSON.stringify(body)}`, { body: response.body })
  return response.json()
}

/** A label's page, as an admin reads it, or a reader without a token (`secret` null). */
async function readLabel (app: FastifyInstance, t: Test, idOrSlug: string | number, secret: string | null = adminSecret): Promise<Item> {
  const response = await get(app, t, `/v1/labels/${encodeURIComponent(idOrSlug)}`, secret ?? undefined)
  t.equal(response.statusCode, 200, `GET /v1/labels/${idOrSlug}`)
  return response.json()
}

t.test('a label gets a slug from its name, or the one asked for', async (t) => {
  const app = await build(t)
  const weather = await createLabel(app, t, { name: 'Météo & Climate' })
  t.equal(weather.slug, 'meteo-climate', 'accents folded, punctuation a hyphen')
  t.equal(weather.description, '')
  t.equal(weather.parentId, null)
  const greek = await createLabel(app, t, { name: 'Ειδήσεις' })
  t.equal(greek.slug, 'ειδησεις', 'letters of any script kept')
  const year = await createLabel(app, t, { name: '2015' })
  t.equal(year.slug, 'label-2015', 'never only digits, which would read as an id')
  const again = await createLabel(app, t, { name: 'Meteo climate' })
  t.equal(again.slug, 'meteo-climate-2', 'a slug taken gets a number')
  const chosen = await createLabel(app, t, { name: 'Elections', slug: 'votes', description: 'Ballots and counts.' })
  t.match(chosen, { slug: 'votes', description: 'Ballots and counts.' })

  assertProblem(t, await send(app, t, 'POST', '/v1/labels', { name: 'Polls', slug: 'votes' }), 409, 'slug-taken')
  assertProblem(t, await send(app, t, 'POST', '/v1/labels', { name: 'Polls', slug: 'Not A Slug' }), 400, 'validation', 'body.slug')
  assertProblem(t, await send(app, t, 'POST', '/v1/labels', { name: 'Polls', slug: '2016' }), 400, 'validation', 'body.slug')
  assertProblem(t, await send(app, t, 'POST', '/v1/labels', { name: 'Polls', description: 'x'.repeat(501) }), 400, 'validation', 'body.description')
  assertProblem(t, await send(app, t, 'POST', '/v1/labels', { name: 'Polls', description: 'bell\u0007' }), 400, 'validation', 'body.description')
  assertProblem(t, await send(app, t, 'POST', '/v1/labels', { name: 'Polls', parentId: 'votes' }), 400, 'validation', 'body.parentId')
  assertProblem(t, await send(app, t, 'POST', '/v1/labels', { name: 'Polls', parentId: 999999 }), 400, 'validation', 'body.parentId')

  const article = await createArticle(app, t, { title: 'Rain again', authorId: (await createAuthor(app, t)).id, labels: ['Storms'] })
  const storms = (await get(app, t, '/v1/labels?sort=slug', adminSecret)).json().data.find((label: Item) => label.name === 'Storms')
  t.equal(storms.slug, 'storms', 'a label an article brings in gets a slug too')
  t.same(article.labels, ['Storms'], 'articles still read label names')
})

t.test('GET /v1/labels/{idOrSlug}: the label, its count, its parent and its children', async (t) => {
  const app = await build(t)
  const ann = await createAuthor(app, t)
  const news = await createLabel(app, t, { name: 'News', description: 'Everything that happened.' })
  const council = await createLabel(app, t, { name: 'City council', parentId: news.id })
  const hidden = await createLabel(app, t, { name: 'Budget leaks', parentId: news.id })
  await createArticle(app, t, { title: 'Vote on Thursday', authorId: ann.id, status: 'published', publishedAt: '2015-06-25T10:00:00.000Z', labels: ['City council'] })
  await createArticle(app, t, { title: 'Overview', authorId: ann.id, status: 'published', publishedAt: '2015-06-26T10:00:00.000Z', labels: ['News'] })

  const bySlug = await readLabel(app, t, 'news', null)
  t.same(bySlug, {
    id: news.id,
    slug: 'news',
    name: 'News',
    description: 'Everything that happened.',
    parentId: null,
    articleCount: 1,
    parent: null,
    children: [{ id: council.id, slug: 'city-council', name: 'City council', articleCount: 1 }]
  }, 'readers see the children in use only')
  const editors = await readLabel(app, t, news.id)
  t.same(editors.children.map((child: Item) => child.slug), ['budget-leaks', 'city-council'], 'editors see every child, by name')
  t.same(await readLabel(app, t, 'city-council', null), {
    id: council.id, slug: 'city-council', name: 'City council', description: '', parentId: news.id, articleCount: 1,
    parent: { id: news.id, slug: 'news', name: 'News', articleCount: 1 },
    children: []
  })
  const byId = await get(app, t, `/v1/labels/${news.id}`)
  const byName = await get(app, t, '/v1/labels/news')
  t.equal(byId.headers.etag, byName.headers.etag, 'one label, one ETag, whichever way it is named')
  t.equal((await get(app, t, '/v1/labels/news', undefined, { 'if-none-match': String(byName.headers.etag) })).statusCode, 304)
  assertProblem(t, await get(app, t, '/v1/labels/budget-leaks'), 404, 'not-found')
  assertProblem(t, await get(app, t, '/v1/labels/no-such-label', adminSecret), 404, 'not-found')
  t.equal((await get(app, t, `/v1/labels/${hidden.slug as string}`, adminSecret)).statusCode, 200, 'editors see an unused label by slug')

  t.same((await get(app, t, '/v1/labels?parent=news', adminSecret)).json().data.map((label: Item) => label.slug), ['budget-leaks', 'city-council'], '?parent= lists the children')
  t.same((await get(app, t, `/v1/labels?parent=${news.id as number}`)).json().data.map((label: Item) => label.slug), ['city-council'])
  t.same((await get(app, t, '/v1/labels?parent=none', adminSecret)).json().data.map((label: Item) => label.slug), ['news'], '?parent=none, the top level')
  assertProblem(t, await get(app, t, '/v1/labels?parent=budget-leaks'), 404, 'not-found')
  assertProblem(t, await get(app, t, '/v1/labels?parent=nothing-here', adminSecret), 404, 'not-found')
})

t.test('the tree refuses cycles and more than the levels kept, naming body.parentId', async (t) => {
  const app = await build(t)
  const chain: Item[] = []
  for (let level = 1; level <= maxLabelDepth; level++) {
    chain.push(await createLabel(app, t, { name: `Level ${level}`, ...(level === 1 ? {} : { parentId: chain.at(-1)!.id }) }))
  }
  const [top, second] = [chain[0]!, chain[1]!]
  const bottom = chain.at(-1)!
  assertProblem(t, await send(app, t, 'POST', '/v1/labels', { name: 'Too deep', parentId: bottom.id }), 409, 'conflict', 'body.parentId')
  assertProblem(t, await send(app, t, 'PATCH', `/v1/labels/${top.id as number}`, { parentId: top.id }), 409, 'conflict', 'body.parentId')
  assertProblem(t, await send(app, t, 'PATCH', `/v1/labels/${top.id as number}`, { parentId: bottom.id }), 409, 'conflict', 'body.parentId')
  assertProblem(t, await send(app, t, 'PATCH', `/v1/labels/${second.id as number}`, { parentId: 999999 }), 400, 'validation', 'body.parentId')
  const loose = await createLabel(app, t, { name: 'Loose' })
  const looser = await createLabel(app, t, { name: 'Looser', parentId: loose.id })
  assertProblem(t, await send(app, t, 'PATCH', `/v1/labels/${second.id as number}`, { parentId: looser.id }), 409, 'conflict', 'body.parentId')
  t.equal((await send(app, t, 'PATCH', `/v1/labels/${second.id as number}`, { parentId: loose.id })).statusCode, 200, 'the same subtree fits one level up')
  t.equal((await send(app, t, 'PATCH', `/v1/labels/${second.id as number}`, { parentId: top.id })).statusCode, 200, 'and back')
  t.equal((await readLabel(app, t, second.id)).parentId, top.id, 'a refused move leaves the label where it was')

  const moved = await send(app, t, 'PATCH', `/v1/labels/${bottom.slug as string}`, { parentId: null })
  t.equal(moved.statusCode, 200)
  t.equal(moved.json().parentId, null, 'parentId null: to the top level')
  t.equal((await send(app, t, 'PATCH', `/v1/labels/${looser.id as number}`, { parentId: chain.at(-2)!.id })).statusCode, 200, 'a free place at the last level')
})

t.test('PATCH changes the slug, the description and the parent, with If-Match', async (t) => {
  const app = await build(t)
  const label = await createLabel(app, t, { name: 'Sport' })
  const parent = await createLabel(app, t, { name: 'Leisure' })
  const read = await get(app, t, `/v1/labels/${label.id as number}`, adminSecret)
  const changed = await send(app, t, 'PATCH', '/v1/labels/sport', { slug: 'sports', description: 'Matches and results.', parentId: parent.id }, { 'if-match': String(read.headers.etag) })
  t.equal(changed.statusCode, 200)
  t.match(changed.json(), { id: label.id, slug: 'sports', name: 'Sport', description: 'Matches and results.', parentId: parent.id })
  t.not(changed.headers.etag, read.headers.etag, 'a new ETag')
  assertProblem(t, await send(app, t, 'PATCH', '/v1/labels/sports', { description: 'Stale.' }, { 'if-match': String(read.headers.etag) }), 412, 'precondition-failed')
  assertProblem(t, await get(app, t, '/v1/labels/sport', adminSecret), 404, 'not-found')
  const renamed = await send(app, t, 'PATCH', '/v1/labels/sports', { name: 'Sports news' })
  t.equal(renamed.json().slug, 'sports', 'a rename keeps the slug')
  assertProblem(t, await send(app, t, 'PATCH', '/v1/labels/sports', { slug: 'leisure' }), 409, 'slug-taken')
  assertProblem(t, await send(app, t, 'PATCH', '/v1/labels/sports', { description: 'y'.repeat(501) }), 400, 'validation', 'body.description')
  const unchanged = await send(app, t, 'PATCH', '/v1/labels/sports', { slug: 'sports' })
  t.equal(unchanged.statusCode, 200, 'its own slug is not taken')
  t.equal((await send(app, t, 'PATCH', '/v1/labels/sports', { description: '' })).json().description, '', 'a description removed')
})

t.test('deleting a parent moves its children up to its own parent', async (t) => {
  const app = await build(t)
  const top = await createLabel(app, t, { name: 'World' })
  const middle = await createLabel(app, t, { name: 'Europe', parentId: top.id })
  const leaf = await createLabel(app, t, { name: 'France', parentId: middle.id })
  const other = await createLabel(app, t, { name: 'Spain', parentId: middle.id })
  const since = (await get(app, t, '/v1/changes?limit=1', adminSecret)).json().meta.head as number
  t.equal((await send(app, t, 'DELETE', '/v1/labels/europe')).statusCode, 204)
  t.equal((await readLabel(app, t, leaf.id)).parentId, top.id, 'a child goes to its grandparent')
  t.equal((await readLabel(app, t, other.id)).parentId, top.id)
  t.equal((await send(app, t, 'DELETE', '/v1/labels/world')).statusCode, 204)
  t.equal((await readLabel(app, t, leaf.id)).parentId, null, 'and to the top level when its parent was there')

  const log = (await get(app, t, `/v1/changes?resource=label&since=${since}`, adminSecret)).json().data as Item[]
  const moves = log.filter((entry) => entry.kind === 'updated').map((entry) => [entry.id, entry.fields])
  t.same(moves, [[String(leaf.id), ['parentId']], [String(other.id), ['parentId']], [String(leaf.id), ['parentId']], [String(other.id), ['parentId']]], 'each move is in the change log, naming parentId')
})

t.test('a label outlives its last article when it has a description or children', async (t) => {
  const app = await build(t)
  const ann = await createAuthor(app, t)
  const article = await createArticle(app, t, { title: 'Tides', authorId: ann.id, labels: ['Plain', 'Described', 'Parent'] })
  await send(app, t, 'PATCH', '/v1/labels/described', { description: 'Kept for its page.' })
  await createLabel(app, t, { name: 'Child', parentId: (await readLabel(app, t, 'parent')).id })
  t.equal((await send(app, t, 'PATCH', `/v1/articles/${article.id as number}`, { labels: [] })).statusCode, 200)
  const left = (await get(app, t, '/v1/labels', adminSecret)).json().data.map((label: Item) => label.slug)
  t.same(left, ['child', 'described', 'parent'], 'the plain label went with its last article; the others stay')
})

t.test('the articles filter takes a label\'s name or its slug', async (t) => {
  const app = await build(t)
  const ann = await createAuthor(app, t)
  await createArticle(app, t, { title: 'One', authorId: ann.id, status: 'published', publishedAt: '2015-06-24T10:00:00.000Z', labels: ['Town hall'] })
  await createArticle(app, t, { title: 'Two', authorId: ann.id, status: 'published', publishedAt: '2015-06-25T10:00:00.000Z', labels: ['Harbour'] })
  await send(app, t, 'PATCH', '/v1/labels/harbour', { slug: 'town-hall-2' })
  const titles = async (query: string): Promise<string[]> => (await get(app, t, `/v1/articles?${query}`)).json().data.map((row: Item) => row.title)
  t.same(await titles('label=town-hall'), ['One'], 'by slug')
  t.same(await titles('label=Town%20Hall'), ['One'], 'by name, case aside')
  t.same(await titles('label=town-hall-2'), ['Two'], 'another label\'s slug')
  t.same(await titles('label=town-hall&label=harbour'), [], 'repeated: all of them')
  t.same(await titles('label=no-such-thing'), [], 'neither: nothing')
  await createLabel(app, t, { name: 'town-hall-2' })
  t.same(await titles('label=town-hall-2'), [], 'a name wins over another label\'s slug')
  const long = `harbour-${'x'.repeat(90)}`
  await send(app, t, 'PATCH', '/v1/labels/town-hall-2', { slug: long })
  t.same(await titles(`label=${long}`), ['Two'], 'a slug longer than any name')
  assertProblem(t, await get(app, t, `/v1/articles?label=${'x'.repeat(121)}`), 400, 'validation', 'querystring.label.0')
})

t.test('only editors and admins change labels; authors and readers get 401/403', async (t) => {
  const app = await build(t)
  const ann = await createAuthor(app, t)
  const author = await tokenFor(app, 'author', ann.id)
  await createLabel(app, t, { name: 'Guarded' })
  assertProblem(t, await request(app, t, { method: 'PATCH', url: '/v1/labels/guarded', headers: bearer(author), payload: { description: 'Mine now.' } }), 403, 'forbidden')
  assertProblem(t, await request(app, t, { method: 'PATCH', url: '/v1/labels/guarded', payload: { description: 'Mine now.' } }), 401, 'unauthorized')
  assertProblem(t, await request(app, t, { method: 'DELETE', url: '/v1/labels/guarded', headers: bearer(author) }), 403, 'forbidden')
  t.equal((await readLabel(app, t, 'guarded')).description, '', 'unchanged')
})
