import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import t, { type Test } from 'tap'
import { adminSecret, bearer, build, createArticle, createAuthor, request, tokenFor } from '../helper.js'
import { assertProblem } from '../problems.js'

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
      t.same(Object.keys(label).sort(), ['articleCount', 'id', 'name'])
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
