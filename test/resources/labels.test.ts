import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import t, { type Test } from 'tap'
import { adminSecret, bearer, build, createArticle, createAuthor, request, tokenFor } from '../helper.js'
import { assertProblem } from '../problems.js'
import * as articles from '../../src/resources/articles/service.js'
import { maxCarriersChanged } from '../../src/resources/labels/service.js'

// GET /v1/labels: the label cloud with published-article counts, sorting, paging,
// what anonymous readers and editors see, and labels following their articles.

type Tap = Test
type Item = Record<string, any>


async function get (app: FastifyInstance, t: Tap, url: string, secret?: string, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
  return request(app, t, { method: 'GET', url, headers: { ...headers, ...(secret === undefined ? {} : bearer(secret)) } })
}

/** `[name, articleCount]` of every label on the page at `url`. */
async function cloud (app: FastifyInstance, t: Tap, url: string, secret?: string): Promise<Array<[string, number]>> {
  const response = await get(app, t, url, secret)
  t.equal(response.statusCode, 200, `GET ${url}`)
  return response.json().data.map((label: Item) => [label.name, label.articleCount])
}

async function patchArticle (app: FastifyInstance, t: Tap, id: number, payload: object): Promise<Item> {
  const response = await request(app, t, { method: 'PATCH', url: `/v1/articles/${id}`, headers: bearer(adminSecret), payload })
  t.equal(response.statusCode, 200, `PATCH /v1/articles/${id}`)
  return response.json()
}

/** The targets of a Link header, by rel. */
function links (response: LightMyRequestResponse): Record<string, string> {
  const header = response.headers.link
  if (header === undefined) return {}
  const found: Record<string, string> = {}
  for (const part of String(header).split(/,\s*(?=<)/)) {
    const match = /^<([^>]+)>;\s*rel="([^"]+)"$/.exec(part.trim())
    if (match !== null) found[match[2]!] = match[1]!
  }
  return found
}

/**
 * Published: Politics ×3, apple ×2, weather ×1 (spelled differently on some articles).
 * Secret is only on a draft, Future only on a scheduled article.
 */
async function blog (t: Tap) {
  const app = await build(t)
  const ann = await createAuthor(app, t, { name: 'Ann Archer' })
  const p1 = await createArticle(app, t, { title: 'One', authorId: ann.id, status: 'published', publishedAt: '2015-06-24T10:00:00.000Z', labels: ['Politics', 'apple', 'weather'] })
  const p2 = await createArticle(app, t, { title: 'Two', authorId: ann.id, status: 'published', publishedAt: '2015-06-25T10:00:00.000Z', labels: ['politics', ' Apple '] })
  const p3 = await createArticle(app, t, { title: 'Three', authorId: ann.id, status: 'published', publishedAt: '2015-06-26T10:00:00.000Z', labels: ['POLITICS'] })
  const draft = await createArticle(app, t, { title: 'Four', authorId: ann.id, labels: ['Secret', 'apple'] })
  const scheduled = await createArticle(app, t, { title: 'Five', authorId: ann.id, status: 'scheduled', publishedAt: new Date(Date.now() + 7 * 86_400_000).toISOString(), labels: ['Future', 'weather'] })
  const editor = await tokenFor(app, 'editor')
  const author = await tokenFor(app, 'author', ann.id)
  return { app, ann, p1, p2, p3, draft, scheduled, editor, author }
}

const publicCloud: Array<[string, number]> = [['apple', 2], ['Politics', 3], ['weather', 1]]
const editorCloud: Array<[string, number]> = [['apple', 2], ['Future', 0], ['Politics', 3], ['Secret', 0], ['weather', 1]]

t.test('the label cloud', async (t) => {
  const b = await blog(t)

  t.test('anonymous readers get labels of published articles with exact counts, by name', async (t) => {
    const response = await get(b.app, t, '/v1/labels')
    t.equal(response.statusCode, 200)
    const body = response.json()
    t.same(body.data.map((l: Item) => [l.name, l.articleCount]), publicCloud, 'case-insensitive name order, first spelling kept')
    t.same(body.meta, { total: 3, limit: 20, offset: 0, nextCursor: null })
    for (const label of body.data) {
      t.same(Object.keys(label).sort(), ['articleCount', 'description', 'id', 'name', 'parentId', 'slug'])
      t.ok(Number.isInteger(label.id) && label.id > 0)
    }
    t.equal(response.headers['cache-control'], 'public, max-age=0, s-maxage=60')
  })

  t.test('counts agree with the article list filtered by label', async (t) => {
    for (const [name, count] of publicCloud) {
      const articles = await get(b.app, t, `/v1/articles?label=${encodeURIComponent(name)}`)
      t.equal(articles.json().meta.total, count, `${name}: ${count}`)
    }
  })

  t.test('labels no published article carries are hidden from anonymous readers and author tokens', async (t) => {
    t.same(await cloud(b.app, t, '/v1/labels'), publicCloud)
    t.same(await cloud(b.app, t, '/v1/labels', b.author), publicCloud, 'even the draft\'s own author')
    t.equal((await get(b.app, t, '/v1/labels', b.author)).json().meta.total, 3)
  })

  t.test('editors and admins see every label, unused ones with articleCount 0', async (t) => {
    t.same(await cloud(b.app, t, '/v1/labels', b.editor), editorCloud)
    t.same(await cloud(b.app, t, '/v1/labels', adminSecret), editorCloud)
    const response = await get(b.app, t, '/v1/labels', b.editor)
    t.equal(response.json().meta.total, 5)
    t.equal(response.headers['cache-control'], 'private, no-cache')
  })

  t.test('sort=-name is reverse name order', async (t) => {
    t.same(await cloud(b.app, t, '/v1/labels?sort=-name'), [...publicCloud].reverse())
    t.same(await cloud(b.app, t, '/v1/labels?sort=name'), publicCloud)
    t.same(await cloud(b.app, t, '/v1/labels?sort=-name', b.editor), [...editorCloud].reverse())
  })

  t.test('sort=articleCount and -articleCount order by count', async (t) => {
    t.same(await cloud(b.app, t, '/v1/labels?sort=articleCount'), [['weather', 1], ['apple', 2], ['Politics', 3]])
    t.same(await cloud(b.app, t, '/v1/labels?sort=-articleCount'), [['Politics', 3], ['apple', 2], ['weather', 1]])
    const ascending = await cloud(b.app, t, '/v1/labels?sort=articleCount', b.editor)
    t.same(ascending.map(([, count]) => count), [0, 0, 1, 2, 3])
    t.same(ascending.slice(0, 2).map(([name]) => name).sort(), ['Future', 'Secret'])
    const descending = await cloud(b.app, t, '/v1/labels?sort=-articleCount', b.editor)
    t.same(descending.slice(0, 3), [['Politics', 3], ['apple', 2], ['weather', 1]])
    t.same(descending.map(([, count]) => count), [3, 2, 1, 0, 0])
  })

  t.test('an unknown sort, an unknown parameter or a bad token is refused', async (t) => {
    assertProblem(t, await get(b.app, t, '/v1/labels?sort=id'), 400, 'validation', 'querystring.sort')
    assertProblem(t, await get(b.app, t, '/v1/labels?sort=title'), 400, 'validation', 'querystring.sort')
    assertProblem(t, await get(b.app, t, '/v1/labels?sort=name,name'), 400, 'validation', 'querystring.sort')
    assertProblem(t, await get(b.app, t, '/v1/labels?q=apple'), 400, 'validation')
    assertProblem(t, await get(b.app, t, '/v1/labels', 'no-such-token'), 401, 'unauthorized')
  })

  t.test('answers 304 to its ETag, and 200 once a count changed', async (t) => {
    const first = await get(b.app, t, '/v1/labels')
    const etag = String(first.headers.etag)
    t.ok(etag.length > 2)
    t.match(String(first.headers.vary), /Authorization/)
    const again = await get(b.app, t, '/v1/labels', undefined, { 'if-none-match': etag })
    t.equal(again.statusCode, 304)
    t.equal(again.body, '')
    await createArticle(b.app, t, { title: 'Six', authorId: b.ann.id, status: 'published', publishedAt: '2015-06-27T10:00:00.000Z', labels: ['Weather'] })
    const changed = await get(b.app, t, '/v1/labels', undefined, { 'if-none-match': etag })
    t.equal(changed.statusCode, 200)
    const body = changed.body === '' ? { data: [] } : changed.json()
    t.same(body.data.map((l: Item) => [l.name, l.articleCount]), [['apple', 2], ['Politics', 3], ['weather', 2]])
  })
})

t.test('labels follow their articles', async (t) => {
  const b = await blog(t)

  t.test('publishing a draft makes its labels public and counts them', async (t) => {
    await patchArticle(b.app, t, b.draft.id, { status: 'published', publishedAt: '2015-06-28T10:00:00.000Z' })
    t.same(await cloud(b.app, t, '/v1/labels'), [['apple', 3], ['Politics', 3], ['Secret', 1], ['weather', 1]])
  })

  t.test('unpublishing an article hides labels only it carried and lowers the counts', async (t) => {
    await patchArticle(b.app, t, b.draft.id, { status: 'draft' })
    await patchArticle(b.app, t, b.p1.id, { status: 'draft' })
    t.same(await cloud(b.app, t, '/v1/labels'), [['apple', 1], ['Politics', 2]], 'weather is only on the draft and the scheduled one now')
    t.same(await cloud(b.app, t, '/v1/labels', b.editor), [['apple', 1], ['Future', 0], ['Politics', 2], ['Secret', 0], ['weather', 0]])
    await patchArticle(b.app, t, b.p1.id, { status: 'published' })
    t.same(await cloud(b.app, t, '/v1/labels'), publicCloud)
  })

  t.test('changing an article\'s labels moves the counts', async (t) => {
    await patchArticle(b.app, t, b.p3.id, { labels: ['Apple', 'Weather'] })
    t.same(await cloud(b.app, t, '/v1/labels'), [['apple', 3], ['Politics', 2], ['weather', 2]])
  })

  t.test('a label no article carries any more is deleted, even for editors', async (t) => {
    await patchArticle(b.app, t, b.draft.id, { labels: ['apple'] })
    const names = (await cloud(b.app, t, '/v1/labels', b.editor)).map(([name]) => name)
    t.notOk(names.includes('Secret'))
    const removed = await request(b.app, t, { method: 'DELETE', url: `/v1/articles/${b.scheduled.id}`, headers: bearer(adminSecret) })
    t.equal(removed.statusCode, 204)
    t.same(await cloud(b.app, t, '/v1/labels', b.editor), [['apple', 3], ['Politics', 2], ['weather', 2]], 'Future went with its only article')
  })

  t.test('a label deleted and made again starts afresh, with the new spelling', async (t) => {
    await patchArticle(b.app, t, b.p3.id, { labels: ['Apple'] })
    await patchArticle(b.app, t, b.p1.id, { labels: ['Politics', 'apple'] })
    t.same(await cloud(b.app, t, '/v1/labels', b.editor), [['apple', 3], ['Politics', 2]], 'weather is gone')
    await patchArticle(b.app, t, b.p2.id, { labels: ['WEATHER'] })
    t.same(await cloud(b.app, t, '/v1/labels'), [['apple', 2], ['Politics', 1], ['WEATHER', 1]])
  })
})

t.test('paging through labels', async (t) => {
  const app = await build(t)
  const ann = await createAuthor(app, t)
  // Label k carries k articles: Label 1 ×1 … Label 5 ×5; names sort as Label 1 … Label 5.
  for (let article = 1; article <= 5; article++) {
    const names = [1, 2, 3, 4, 5].filter((k) => k >= article).map((k) => `Label ${k}`)
    await createArticle(app, t, { title: `Article ${article}`, authorId: ann.id, status: 'published', publishedAt: `2015-06-0${article}T10:00:00.000Z`, labels: names })
  }
  const byName = ['Label 1', 'Label 2', 'Label 3', 'Label 4', 'Label 5']

  t.test('counts are exact', async (t) => {
    t.same(await cloud(app, t, '/v1/labels'), byName.map((name, i) => [name, i + 1]))
  })

  t.test('limit gives a page with a next cursor and a Link to it', async (t) => {
    const response = await get(app, t, '/v1/labels?limit=2')
    const body = response.json()
    t.same(body.data.map((l: Item) => l.name), byName.slice(0, 2))
    t.equal(body.meta.total, 5)
    t.equal(body.meta.limit, 2)
    t.type(body.meta.nextCursor, 'string')
    const found = links(response)
    t.ok(found.next)
    t.notOk(found.prev)
    t.ok(found.next!.startsWith('/v1/labels?'))
    const next = await get(app, t, found.next!)
    t.same(next.json().data.map((l: Item) => l.name), byName.slice(2, 4))
    t.equal(next.json().meta.offset, 2)
  })

  t.test('walking the cursor visits every label once, in each sort', async (t) => {
    const expectations: Array<[string, string[]]> = [
      ['name', byName],
      ['-name', [...byName].reverse()],
      ['articleCount', byName],
      ['-articleCount', [...byName].reverse()]
    ]
    for (const [sort, expected] of expectations) {
      const seen: string[] = []
      let url: string | null = `/v1/labels?limit=2&sort=${sort}`
      let pages = 0
      while (url !== null && pages < 10) {
        const response = await get(app, t, url)
        t.equal(response.statusCode, 200)
        const body = response.json()
        seen.push(...body.data.map((l: Item) => l.name))
        url = body.meta.nextCursor === null ? null : `/v1/labels?limit=2&sort=${sort}&cursor=${encodeURIComponent(body.meta.nextCursor)}`
        pages++
      }
      t.same(seen, expected, `sort=${sort}`)
      t.equal(pages, 3)
    }
  })

  t.test('offset pages have a Link to the previous page', async (t) => {
    const response = await get(app, t, '/v1/labels?limit=2&offset=2')
    t.same(response.json().data.map((l: Item) => l.name), byName.slice(2, 4))
    const found = links(response)
    t.ok(found.prev)
    const prev = await get(app, t, found.prev!)
    t.same(prev.json().data.map((l: Item) => l.name), byName.slice(0, 2))
  })

  t.test('bad paging parameters are a 400', async (t) => {
    assertProblem(t, await get(app, t, '/v1/labels?limit=0'), 400, 'validation', 'querystring.limit')
    assertProblem(t, await get(app, t, '/v1/labels?limit=101'), 400, 'validation', 'querystring.limit')
    assertProblem(t, await get(app, t, '/v1/labels?cursor=garbage'), 400, 'validation', 'querystring.cursor')
    const cursor = (await get(app, t, '/v1/labels?limit=2')).json().meta.nextCursor
    assertProblem(t, await get(app, t, `/v1/labels?limit=2&offset=2&cursor=${encodeURIComponent(cursor)}`), 400, 'validation', 'querystring.cursor')
    assertProblem(t, await get(app, t, `/v1/labels?limit=2&sort=-articleCount&cursor=${encodeURIComponent(cursor)}`), 400, 'validation', 'querystring.cursor')
  })
})

t.test('the demo blog has a label cloud', async (t) => {
  const app = await build(t, { demo: true })
  const response = await get(app, t, '/v1/labels?sort=-articleCount')
  t.equal(response.statusCode, 200)
  const labels = response.json().data as Item[]
  t.ok(labels.length > 0)
  t.ok(labels.every((l) => l.articleCount > 0), 'no unused label for anonymous readers')
  for (let i = 1; i < labels.length; i++) t.ok(labels[i - 1]!.articleCount >= labels[i]!.articleCount, 'counts descend')
  const transport = labels.find((l) => l.name === 'Transport')
  t.ok(transport)
  const articles = await get(app, t, '/v1/articles?label=Transport&limit=100')
  t.equal(transport!.articleCount, articles.json().meta.total)
})

// --- Writing labels: POST, GET by id, PATCH (rename), DELETE --------------------------

async function send (app: FastifyInstance, t: Tap, method: string, url: string, payload?: object, headers: Record<string, string> = {}, secret: string = adminSecret): Promise<LightMyRequestResponse> {
  return request(app, t, { method, url, headers: { ...bearer(secret), ...headers }, ...(payload === undefined ? {} : { payload }) })
}

/** The label named `name` as an editor sees it in the list. */
async function labelNamed (app: FastifyInstance, t: Tap, name: string): Promise<Item> {
  const found = (await get(app, t, '/v1/labels?limit=100', adminSecret)).json().data.find((label: Item) => label.name === name)
  t.ok(found, `a label named ${name}`)
  return found
}

async function labelsOf (app: FastifyInstance, t: Tap, id: number): Promise<string[]> {
  return (await get(app, t, `/v1/articles/${id}`, adminSecret)).json().labels
}

t.test('creating a label', async (t) => {
  const b = await blog(t)

  t.test('an editor creates an unused label: 201, Location, ETag, shown to editors only', async (t) => {
    const response = await send(b.app, t, 'POST', '/v1/labels', { name: '  Local   elections ' }, {}, b.editor)
    t.equal(response.statusCode, 201)
    const label = response.json()
    t.match(label, { name: 'Local elections', articleCount: 0 }, 'trimmed, inner spaces collapsed')
    t.equal(response.headers.location, `/v1/labels/${label.id}`)
    t.match(String(response.headers.etag), /^"label-/)
    const read = await get(b.app, t, `/v1/labels/${label.id}`, b.editor)
    t.equal(read.statusCode, 200)
    t.same(read.json(), { ...label, parent: null, children: [] }, 'its page: the label, no parent, no children')
    assertProblem(t, await get(b.app, t, `/v1/labels/${label.id}`), 404, 'not-found')
    assertProblem(t, await get(b.app, t, `/v1/labels/${label.id}`, b.author), 404, 'not-found')
    t.notOk((await cloud(b.app, t, '/v1/labels')).some(([name]) => name === 'Local elections'), 'not in the public cloud')
  })

  t.test('articles then use it under its id and spelling', async (t) => {
    const label = await labelNamed(b.app, t, 'Local elections')
    const article = await createArticle(b.app, t, { title: 'Polls open', authorId: b.ann.id, status: 'published', publishedAt: '2015-06-29T10:00:00.000Z', labels: ['LOCAL ELECTIONS'] })
    t.same(article.labels, ['Local elections'])
    const read = await get(b.app, t, `/v1/labels/${label.id}`)
    t.equal(read.statusCode, 200, 'public once a published article carries it')
    t.same(read.json(), { id: label.id, slug: 'local-elections', name: 'Local elections', description: '', parentId: null, articleCount: 1, parent: null, children: [] })
  })

  t.test('a name taken, case aside, is a 409 naming body.name', async (t) => {
    assertProblem(t, await send(b.app, t, 'POST', '/v1/labels', { name: 'POLITICS' }), 409, 'conflict', 'body.name')
    assertProblem(t, await send(b.app, t, 'POST', '/v1/labels', { name: 'secret' }), 409, 'conflict', 'body.name')
  })

  t.test('bad bodies are a 400 naming the field', async (t) => {
    assertProblem(t, await send(b.app, t, 'POST', '/v1/labels', { name: '' }), 400, 'validation', 'body.name')
    assertProblem(t, await send(b.app, t, 'POST', '/v1/labels', { name: 'x'.repeat(61) }), 400, 'validation', 'body.name')
    assertProblem(t, await send(b.app, t, 'POST', '/v1/labels', { name: '   ' }), 400, 'validation', 'body.name')
    assertProblem(t, await send(b.app, t, 'POST', '/v1/labels', {}), 400, 'validation', 'body.name')
    assertProblem(t, await send(b.app, t, 'POST', '/v1/labels', { name: 'Ok', colour: 'red' }), 400, 'validation', 'body.colour')
  })

  t.test('authors and anonymous callers may not create labels', async (t) => {
    assertProblem(t, await send(b.app, t, 'POST', '/v1/labels', { name: 'Mine' }, {}, b.author), 403, 'forbidden')
    assertProblem(t, await request(b.app, t, { method: 'POST', url: '/v1/labels', payload: { name: 'Mine' } }), 401, 'unauthorized')
  })

  t.test('an Idempotency-Key replays the first answer instead of a 409', async (t) => {
    const headers = { 'idempotency-key': 'label-create-1' }
    const first = await send(b.app, t, 'POST', '/v1/labels', { name: 'Harbour' }, headers)
    t.equal(first.statusCode, 201)
    const again = await send(b.app, t, 'POST', '/v1/labels', { name: 'Harbour' }, headers)
    t.equal(again.statusCode, 201)
    t.same(again.json(), first.json())
    t.equal(again.headers.location, first.headers.location)
  })

  t.test('an unknown id is a 404, a bad one a 400', async (t) => {
    assertProblem(t, await get(b.app, t, '/v1/labels/999999', adminSecret), 404, 'not-found')
    assertProblem(t, await get(b.app, t, '/v1/labels/abc', adminSecret), 404, 'not-found')
    assertProblem(t, await get(b.app, t, '/v1/labels/0', adminSecret), 400, 'validation', 'params.id')
  })
})

t.test('renaming a label', async (t) => {
  const b = await blog(t)
  const apple = await labelNamed(b.app, t, 'apple')

  t.test('every article carrying it shows the new name, and finds it by the new name', async (t) => {
    const before = await get(b.app, t, `/v1/articles/${b.p1.id}`)
    const response = await send(b.app, t, 'PATCH', `/v1/labels/${apple.id}`, { name: 'Apples' }, {}, b.editor)
    t.equal(response.statusCode, 200)
    t.same(response.json(), { id: apple.id, slug: 'apple', name: 'Apples', description: '', parentId: null, articleCount: 2 }, 'the slug stays')
    t.same(await labelsOf(b.app, t, b.p1.id), ['Politics', 'Apples', 'weather'], 'in its place among the others')
    t.same(await labelsOf(b.app, t, b.p2.id), ['Politics', 'Apples'])
    t.same(await labelsOf(b.app, t, b.draft.id), ['Secret', 'Apples'])
    t.equal((await get(b.app, t, '/v1/articles?label=apples')).json().meta.total, 2)
    t.equal((await get(b.app, t, '/v1/articles?label=apple')).json().meta.total, 2, 'the old name is still its slug, which the filter takes too')
    t.equal((await get(b.app, t, '/v1/articles?label=pear')).json().meta.total, 0, 'a value neither a name nor a slug matches nothing')
    t.equal((await get(b.app, t, '/v1/articles?q=apples')).json().meta.total, 2, 'searchable under the new name')
    const after = await get(b.app, t, `/v1/articles/${b.p1.id}`, undefined, { 'if-none-match': String(before.headers.etag) })
    t.equal(after.statusCode, 200, 'an article\'s old ETag no longer matches')
    t.not(after.headers.etag, before.headers.etag)
  })

  t.test('a change of case alone is a rename', async (t) => {
    const response = await send(b.app, t, 'PATCH', `/v1/labels/${apple.id}`, { name: 'APPLES' })
    t.equal(response.statusCode, 200)
    t.equal(response.json().name, 'APPLES')
    t.same(await labelsOf(b.app, t, b.p2.id), ['Politics', 'APPLES'])
  })

  t.test('the name of another label is a 409: labels are not merged', async (t) => {
    const problem = assertProblem(t, await send(b.app, t, 'PATCH', `/v1/labels/${apple.id}`, { name: ' weather' }), 409, 'conflict', 'body.name')
    t.match(problem.detail, /not merged/)
    t.same(await labelsOf(b.app, t, b.p2.id), ['Politics', 'APPLES'], 'nothing changed')
  })

  t.test('If-Match: the current ETag passes, an old one is a 412', async (t) => {
    const read = await get(b.app, t, `/v1/labels/${apple.id}`, adminSecret)
    const etag = String(read.headers.etag)
    const renamed = await send(b.app, t, 'PATCH', `/v1/labels/${apple.id}`, { name: 'Fruit' }, { 'if-match': etag })
    t.equal(renamed.statusCode, 200)
    assertProblem(t, await send(b.app, t, 'PATCH', `/v1/labels/${apple.id}`, { name: 'Pears' }, { 'if-match': etag }), 412, 'precondition-failed')
    assertProblem(t, await send(b.app, t, 'DELETE', `/v1/labels/${apple.id}`, undefined, { 'if-match': etag }), 412, 'precondition-failed')
    t.equal((await get(b.app, t, `/v1/labels/${apple.id}`)).json().name, 'Fruit')
  })

  t.test('authors may not rename; bad bodies and unknown labels are refused', async (t) => {
    assertProblem(t, await send(b.app, t, 'PATCH', `/v1/labels/${apple.id}`, { name: 'Mine' }, {}, b.author), 403, 'forbidden')
    assertProblem(t, await send(b.app, t, 'PATCH', `/v1/labels/${apple.id}`, {}), 400, 'validation', 'body')
    assertProblem(t, await send(b.app, t, 'PATCH', `/v1/labels/${apple.id}`, { name: 'Ok', colour: 'red' }), 400, 'validation', 'body.colour')
    assertProblem(t, await send(b.app, t, 'PATCH', '/v1/labels/999999', { name: 'Nobody' }), 404, 'not-found')
  })
})

t.test('deleting a label', async (t) => {
  const b = await blog(t)
  const politics = await labelNamed(b.app, t, 'Politics')

  t.test('takes it off every article carrying it, keeping the others in order', async (t) => {
    const response = await send(b.app, t, 'DELETE', `/v1/labels/${politics.id}`, undefined, {}, b.editor)
    t.equal(response.statusCode, 204)
    t.equal(response.body, '')
    t.same(await labelsOf(b.app, t, b.p1.id), ['apple', 'weather'])
    t.same(await labelsOf(b.app, t, b.p2.id), ['apple'])
    t.same(await labelsOf(b.app, t, b.p3.id), [])
    assertProblem(t, await get(b.app, t, `/v1/labels/${politics.id}`, adminSecret), 404, 'not-found')
    t.same(await cloud(b.app, t, '/v1/labels'), [['apple', 2], ['weather', 1]])
    t.equal((await get(b.app, t, '/v1/articles?q=politics')).json().meta.total, 0, 'no longer found by it')
    assertProblem(t, await send(b.app, t, 'DELETE', `/v1/labels/${politics.id}`), 404, 'not-found')
  })

  t.test('a label nobody uses can be deleted too; authors may not delete', async (t) => {
    const created = (await send(b.app, t, 'POST', '/v1/labels', { name: 'Spare' })).json()
    assertProblem(t, await send(b.app, t, 'DELETE', `/v1/labels/${created.id}`, undefined, {}, b.author), 403, 'forbidden')
    const etag = String((await get(b.app, t, `/v1/labels/${created.id}`, adminSecret)).headers.etag)
    t.equal((await send(b.app, t, 'DELETE', `/v1/labels/${created.id}`, undefined, { 'if-match': etag })).statusCode, 204)
    assertProblem(t, await get(b.app, t, `/v1/labels/${created.id}`, adminSecret), 404, 'not-found')
  })
})

t.test('a label on more articles than one request may change is neither renamed nor deleted', async (t) => {
  const app = await build(t)
  const author = await createAuthor(app, t)
  const staff = { role: 'admin' as const, authorId: null, tokenId: null }
  // Written in one unit: the quickest way to 2,001 carriers on either database.
  await app.store.transaction(async (tx) => {
    for (let i = 0; i <= maxCarriersChanged; i++) {
      await articles.createOne(tx, app.settings, { title: `Bulletin ${i}`, body: '<p>Short.</p>', authorId: author.id, labels: ['Bulletins'] }, staff)
    }
  })
  const [label] = (await request(app, t, { method: 'GET', url: '/v1/labels?limit=1', headers: bearer(adminSecret) })).json().data
  t.match(label, { name: 'Bulletins' })
  const renamed = assertProblem(t, await request(app, t, { method: 'PATCH', url: `/v1/labels/${label.id}`, headers: bearer(adminSecret), payload: { name: 'News bulletins' } }), 409, 'conflict')
  t.match(renamed.detail, `is on ${maxCarriersChanged + 1} articles`)
  assertProblem(t, await request(app, t, { method: 'DELETE', url: `/v1/labels/${label.id}`, headers: bearer(adminSecret) }), 409, 'conflict')
  const after = (await request(app, t, { method: 'GET', url: `/v1/labels/${label.id}`, headers: bearer(adminSecret) })).json()
  t.equal(after.name, 'Bulletins', 'unchanged')
})
