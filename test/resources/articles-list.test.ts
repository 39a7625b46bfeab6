import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import t, { type Test } from 'tap'
import { openDatabase } from '../../src/db/client.js'
import { SqliteStore } from '../../src/db/sqlite-store.js'
import { createOne } from '../../src/resources/articles/service.js'
import { adminSecret, bearer, build, createArticle, createAuthor, request, tempDatabase, tokenFor } from '../helper.js'
import { assertProblem } from '../problems.js'

// GET /v1/articles: filters, sorting, offset and keyset pagination, Link, fields, include.

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

/** Follows meta.nextCursor from `url` to the end; returns every page's ids. */
async function walk (app: FastifyInstance, t: Tap, url: string, secret?: string): Promise<number[][]> {
  const pages: number[][] = []
  let next: string | null = url
  while (next !== null && pages.length < 50) {
    const response = await get(app, t, next, secret)
    t.equal(response.statusCode, 200)
    const body = response.json()
    pages.push(body.data.map((item: Item) => item.id))
    const cursor: string | null = body.meta.nextCursor
    next = cursor === null ? null : `${url}&cursor=${encodeURIComponent(cursor)}`
  }
  return pages
}

/**
 * A small blog: five published articles by two authors over a few days, a draft and a
 * scheduled one. Created in this order, so createdAt follows a1..a5.
 */
async function blog (t: Tap) {
  const app = await build(t)
  const ann = await createAuthor(app, t, { name: 'Ann Archer', email: 'ann@example.org' })
  const bert = await createAuthor(app, t, { name: 'Bert Baker', email: 'bert@example.org' })
  const a1 = await createArticle(app, t, { title: 'Bravo', authorId: ann.id, status: 'published', publishedAt: '2015-06-24T10:00:00.000Z', labels: ['Politics', 'Transport'] })
  const a2 = await createArticle(app, t, { title: 'Alpha', authorId: ann.id, status: 'published', publishedAt: '2015-06-25T09:00:00.000Z', labels: ['Politics'] })
  const a3 = await createArticle(app, t, { title: 'Charlie', authorId: bert.id, status: 'published', publishedAt: '2015-06-25T14:00:00.000Z', labels: ['Transport'] })
  const a4 = await createArticle(app, t, { title: 'Delta', authorId: bert.id, status: 'published', publishedAt: '2015-06-26T08:00:00.000Z', labels: ['Politics', 'Transport', 'Weather'] })
  const a5 = await createArticle(app, t, { title: 'Echo', authorId: ann.id, status: 'published', publishedAt: '2015-07-01T00:00:00.000Z' })
  const draft = await createArticle(app, t, { title: 'Foxtrot', authorId: ann.id })
  const scheduled = await createArticle(app, t, { title: 'Golf', authorId: bert.id, status: 'scheduled', publishedAt: new Date(Date.now() + 7 * 86_400_000).toISOString() })
  const editor = await tokenFor(app, 'editor')
  return { app, ann, bert, a1, a2, a3, a4, a5, draft, scheduled, editor }
}

t.test('listing, filtering and sorting', async (t) => {
  const b = await blog(t)
  const { app } = b
  const newestFirst = [b.a5.id, b.a4.id, b.a3.id, b.a2.id, b.a1.id]

  t.test('an anonymous list is published articles, newest first, with meta', async (t) => {
    const response = await get(app, t, '/v1/articles')
    t.equal(response.statusCode, 200)
    const body = response.json()
    t.same(body.data.map((item: Item) => item.id), newestFirst)
    t.same(body.meta, { total: 5, limit: 20, offset: 0, nextCursor: null })
    t.match(body.data[0], { slug: 'echo', title: 'Echo', status: 'published', date: '2015-07-01', authorId: b.ann.id })
    t.type(body.data[0].body, 'string')
    t.notOk(response.headers.link, 'no Link header when everything is on one page')
    t.ok(response.headers.etag)
  })

  t.test('an editor sees every status: scheduled first, drafts (no publishedAt) last', async (t) => {
    const list = await ids(app, t, '/v1/articles', b.editor)
    t.same(list, [b.scheduled.id, ...newestFirst, b.draft.id])
  })

  t.test('status filters by status; anonymous readers asking for drafts get none', async (t) => {
    t.same(await ids(app, t, '/v1/articles?status=draft', b.editor), [b.draft.id])
    t.same(await ids(app, t, '/v1/articles?status=scheduled', b.editor), [b.scheduled.id])
    t.same(await ids(app, t, '/v1/articles?status=published', b.editor), newestFirst)
    const anonymous = await get(app, t, '/v1/articles?status=draft')
    t.equal(anonymous.statusCode, 200)
    t.same(anonymous.json().data, [])
    t.equal(anonymous.json().meta.total, 0)
    assertProblem(t, await get(app, t, '/v1/articles?status=live'), 400, 'validation', 'querystring.status')
  })

  t.test('author filters by the author\'s id or slug', async (t) => {
    t.same(await ids(app, t, `/v1/articles?author=${b.ann.id}`), [b.a5.id, b.a2.id, b.a1.id])
    t.same(await ids(app, t, `/v1/articles?author=${b.bert.slug}`), [b.a4.id, b.a3.id])
    t.same(await ids(app, t, `/v1/articles?author=${b.ann.slug}`, b.editor), [b.a5.id, b.a2.id, b.a1.id, b.draft.id])
  })

  t.test('an unknown author is a 400 naming querystring.author', async (t) => {
    assertProblem(t, await get(app, t, '/v1/articles?author=nobody-at-all'), 400, 'validation', 'querystring.author')
    assertProblem(t, await get(app, t, '/v1/articles?author=999'), 400, 'validation', 'querystring.author')
  })

  t.test('label filters by a label, case-insensitively; repeated means all of them', async (t) => {
    t.same(await ids(app, t, '/v1/articles?label=Politics'), [b.a4.id, b.a2.id, b.a1.id])
    t.same(await ids(app, t, '/v1/articles?label=politics'), [b.a4.id, b.a2.id, b.a1.id])
    t.same(await ids(app, t, '/v1/articles?label=politics&label=TRANSPORT'), [b.a4.id, b.a1.id])
    t.same(await ids(app, t, '/v1/articles?label=Weather&label=Politics&label=Transport'), [b.a4.id])
    t.same(await ids(app, t, '/v1/articles?label=Politics&label=Nowhere'), [])
    t.same(await ids(app, t, '/v1/articles?label=Transport&author=' + b.bert.slug), [b.a4.id, b.a3.id])
    const counted = await get(app, t, '/v1/articles?label=Politics&label=Transport')
    t.equal(counted.json().meta.total, 2)
  })

  t.test('date filters by the day of publication', async (t) => {
    t.same(await ids(app, t, '/v1/articles?date=2015-06-25'), [b.a3.id, b.a2.id])
    t.same(await ids(app, t, '/v1/articles?date=2015-06-27'), [])
  })

  t.test('an impossible or malformed date is a 400 naming querystring.date', async (t) => {
    assertProblem(t, await get(app, t, '/v1/articles?date=2015-02-30'), 400, 'validation', 'querystring.date')
    assertProblem(t, await get(app, t, '/v1/articles?date=2015-6-5'), 400, 'validation', 'querystring.date')
    assertProblem(t, await get(app, t, '/v1/articles?date=yesterday'), 400, 'validation', 'querystring.date')
  })

  t.test('from and to take days (inclusive) or timestamps', async (t) => {
    t.same(await ids(app, t, '/v1/articles?from=2015-06-25&to=2015-06-26'), [b.a4.id, b.a3.id, b.a2.id])
    t.same(await ids(app, t, '/v1/articles?from=2015-06-26'), [b.a5.id, b.a4.id])
    t.same(await ids(app, t, '/v1/articles?to=2015-06-25'), [b.a3.id, b.a2.id, b.a1.id])
    t.same(await ids(app, t, '/v1/articles?from=2015-06-25T12:00:00.000Z'), [b.a5.id, b.a4.id, b.a3.id])
    t.same(await ids(app, t, '/v1/articles?to=2015-06-25T09:00:00.000Z'), [b.a2.id, b.a1.id], 'to is inclusive')
    t.same(await ids(app, t, `/v1/articles?to=${encodeURIComponent('2015-06-25T11:00:00+02:00')}`), [b.a2.id, b.a1.id], 'an offset is honoured')
  })

  t.test('a bad from or to is a 400 naming it', async (t) => {
    assertProblem(t, await get(app, t, '/v1/articles?from=2015-13-01'), 400, 'validation', 'querystring.from')
    assertProblem(t, await get(app, t, '/v1/articles?to=soon'), 400, 'validation', 'querystring.to')
  })

  t.test('sort by title, ascending and descending', async (t) => {
    t.same(await ids(app, t, '/v1/articles?sort=title'), [b.a2.id, b.a1.id, b.a3.id, b.a4.id, b.a5.id])
    t.same(await ids(app, t, '/v1/articles?sort=-title'), [b.a5.id, b.a4.id, b.a3.id, b.a1.id, b.a2.id])
  })

  t.test('sort by publishedAt ascending, createdAt, commentCount with a second key', async (t) => {
    t.same(await ids(app, t, '/v1/articles?sort=publishedAt'), [...newestFirst].reverse())
    t.same(await ids(app, t, '/v1/articles?sort=createdAt'), [b.a1.id, b.a2.id, b.a3.id, b.a4.id, b.a5.id])
    t.same(await ids(app, t, '/v1/articles?sort=-createdAt'), [b.a5.id, b.a4.id, b.a3.id, b.a2.id, b.a1.id])
    t.same(await ids(app, t, '/v1/articles?sort=-commentCount,-publishedAt'), newestFirst)
  })

  t.test('sort by updatedAt follows the latest change', async (t) => {
    await new Promise((resolve) => setTimeout(resolve, 5))
    const changed = await request(app, t, { method: 'PATCH', url: `/v1/articles/${b.a3.id}`, headers: bearer(b.editor), payload: { labels: ['Transport', 'Rail'] } })
    t.equal(changed.statusCode, 200)
    const list = await ids(app, t, '/v1/articles?sort=-updatedAt')
    t.equal(list[0], b.a3.id)
    t.equal(list.length, 5)
  })

  t.test('an unknown or repeated sort field is a 400 naming querystring.sort', async (t) => {
    assertProblem(t, await get(app, t, '/v1/articles?sort=popularity'), 400, 'validation', 'querystring.sort')
    assertProblem(t, await get(app, t, '/v1/articles?sort=-body'), 400, 'validation', 'querystring.sort')
    assertProblem(t, await get(app, t, '/v1/articles?sort=title,-title'), 400, 'validation', 'querystring.sort')
  })

  t.test('fields= returns only those fields plus id', async (t) => {
    const response = await get(app, t, '/v1/articles?fields=title,slug&limit=2')
    t.equal(response.statusCode, 200)
    t.same(response.json().data, [{ id: b.a5.id, title: 'Echo', slug: 'echo' }, { id: b.a4.id, title: 'Delta', slug: 'delta' }])
    t.same(response.json().meta, { total: 5, limit: 2, offset: 0, nextCursor: response.json().meta.nextCursor })
  })

  t.test('fields= may name id, as in the contract\'s own example', async (t) => {
    const response = await get(app, t, '/v1/articles?fields=id,title,slug&limit=1')
    t.equal(response.statusCode, 200, 'fields=id,title,slug is accepted')
    t.same(response.json().data, [{ id: b.a5.id, title: 'Echo', slug: 'echo' }])
  })

  t.test('an unknown name in fields= is a 400 naming querystring.fields', async (t) => {
    assertProblem(t, await get(app, t, '/v1/articles?fields=title,secret'), 400, 'validation', 'querystring.fields')
  })

  t.test('include=author embeds one author object per article, without email for anonymous readers', async (t) => {
    const response = await get(app, t, '/v1/articles?include=author')
    t.equal(response.statusCode, 200)
    const data: Item[] = response.json().data
    t.equal(data.length, 5)
    for (const item of data) {
      t.equal(typeof item.author, 'object')
      t.notOk(Array.isArray(item.author))
      t.equal(item.author.id, item.authorId)
      t.notOk('email' in item.author, `no email on article ${item.id}`)
    }
    t.equal(data[0]!.author.name, 'Ann Archer')
    t.equal(data[1]!.author.name, 'Bert Baker')
  })

  t.test('include=author shows the email to an editor', async (t) => {
    const data: Item[] = (await get(app, t, '/v1/articles?include=author', b.editor)).json().data
    const emails = new Set(data.map((item) => item.author.email))
    t.same([...emails].sort(), ['ann@example.org', 'bert@example.org'])
  })

  t.test('include=author works together with fields=', async (t) => {
    const response = await get(app, t, '/v1/articles?include=author&fields=title&limit=1')
    t.equal(response.statusCode, 200)
    const [item] = response.json().data
    t.same(Object.keys(item).sort(), ['author', 'id', 'title'])
    t.equal(item.author.id, b.ann.id)
  })

  t.test('an unknown include is a 400 naming querystring.include', async (t) => {
    assertProblem(t, await get(app, t, '/v1/articles?include=editor'), 400, 'validation', 'querystring.include')
  })

  t.test('an unknown query parameter is a 400 naming it', async (t) => {
    assertProblem(t, await get(app, t, '/v1/articles?page=2'), 400, 'validation', 'querystring.page')
  })

  t.test('a list with a token is private; without one, public', async (t) => {
    t.equal((await get(app, t, '/v1/articles')).headers['cache-control'], 'public, max-age=0, s-maxage=60')
    t.equal((await get(app, t, '/v1/articles', b.editor)).headers['cache-control'], 'private, no-cache')
  })
})

t.test('offset pagination and Link', async (t) => {
  const b = await blog(t)
  const { app } = b

  t.test('limit must be 1 to 100 and offset not negative: otherwise 400', async (t) => {
    assertProblem(t, await get(app, t, '/v1/articles?limit=0'), 400, 'validation', 'querystring.limit')
    assertProblem(t, await get(app, t, '/v1/articles?limit=101'), 400, 'validation', 'querystring.limit')
    assertProblem(t, await get(app, t, '/v1/articles?limit=ten'), 400, 'validation', 'querystring.limit')
    assertProblem(t, await get(app, t, '/v1/articles?offset=-1'), 400, 'validation', 'querystring.offset')
    t.equal((await get(app, t, '/v1/articles?limit=100')).json().meta.limit, 100)
    t.equal((await get(app, t, '/v1/articles?limit=1')).json().data.length, 1)
  })

  t.test('the first page has a next link with a cursor and no prev link', async (t) => {
    const response = await get(app, t, '/v1/articles?limit=2')
    const body = response.json()
    t.same(body.data.map((item: Item) => item.id), [b.a5.id, b.a4.id])
    t.equal(body.meta.total, 5)
    t.equal(body.meta.limit, 2)
    t.equal(body.meta.offset, 0)
    t.type(body.meta.nextCursor, 'string')
    const rel = links(response)
    t.ok(rel.next, 'rel="next"')
    t.notOk(rel.prev, 'no rel="prev" on the first page')
    const next = new URL(rel.next!, 'http://localhost')
    t.equal(next.pathname, '/v1/articles')
    t.equal(next.searchParams.get('cursor'), body.meta.nextCursor)
    t.equal(next.searchParams.get('limit'), '2')
  })

  t.test('following the next link gives the second page, which links back', async (t) => {
    const first = await get(app, t, '/v1/articles?limit=2&label=Politics')
    t.same(first.json().data.map((item: Item) => item.id), [b.a4.id, b.a2.id])
    const second = await get(app, t, links(first).next!)
    t.equal(second.statusCode, 200)
    t.same(second.json().data.map((item: Item) => item.id), [b.a1.id])
    t.equal(second.json().meta.offset, 2)
    t.equal(second.json().meta.nextCursor, null)
    const rel = links(second)
    t.notOk(rel.next, 'no next on the last page')
    t.ok(rel.prev, 'a prev link')
    const back = await get(app, t, rel.prev!)
    t.same(back.json().data.map((item: Item) => item.id), [b.a4.id, b.a2.id])
    t.equal(new URL(rel.prev!, 'http://localhost').searchParams.get('label'), 'Politics', 'filters are kept in links')
  })

  t.test('offset skips items; the middle page has both links', async (t) => {
    const response = await get(app, t, '/v1/articles?limit=2&offset=2')
    const body = response.json()
    t.same(body.data.map((item: Item) => item.id), [b.a3.id, b.a2.id])
    t.equal(body.meta.offset, 2)
    const rel = links(response)
    t.ok(rel.next)
    t.ok(rel.prev)
    t.same(await ids(app, t, rel.prev!), [b.a5.id, b.a4.id])
    t.same(await ids(app, t, rel.next!), [b.a1.id])
  })

  t.test('the last page by offset has no next link and a null nextCursor', async (t) => {
    const response = await get(app, t, '/v1/articles?limit=2&offset=4')
    t.same(response.json().data.map((item: Item) => item.id), [b.a1.id])
    t.equal(response.json().meta.nextCursor, null)
    t.notOk(links(response).next)
    t.equal(new URL(links(response).prev!, 'http://localhost').searchParams.get('offset'), '2')
  })

  t.test('an offset past the end gives an empty page with the total', async (t) => {
    const body = (await get(app, t, '/v1/articles?offset=50')).json()
    t.same(body.data, [])
    t.equal(body.meta.total, 5)
    t.equal(body.meta.nextCursor, null)
  })
})

t.test('keyset cursors', async (t) => {
  const b = await blog(t)
  const { app } = b

  t.test('walking every page with nextCursor gives each article exactly once, in order', async (t) => {
    const everything = await ids(app, t, '/v1/articles?limit=100')
    const pages = await walk(app, t, '/v1/articles?limit=2')
    t.same(pages, [everything.slice(0, 2), everything.slice(2, 4), everything.slice(4)])
    t.same(pages.flat(), everything)
  })

  t.test('cursor pages report their offset', async (t) => {
    const first = (await get(app, t, '/v1/articles?limit=2')).json()
    const second = (await get(app, t, `/v1/articles?limit=2&cursor=${first.meta.nextCursor}`)).json()
    t.equal(second.meta.offset, 2)
    t.equal(second.meta.total, 5)
  })

  t.test('an editor walks drafts and scheduled articles too, across the null publishedAt', async (t) => {
    const everything = await ids(app, t, '/v1/articles?limit=100', b.editor)
    t.equal(everything.length, 7)
    for (const limit of [1, 2, 3]) {
      const pages = await walk(app, t, `/v1/articles?limit=${limit}`, b.editor)
      t.same(pages.flat(), everything, `limit=${limit}`)
    }
    const ascending = await ids(app, t, '/v1/articles?limit=100&sort=publishedAt', b.editor)
    t.same((await walk(app, t, '/v1/articles?limit=2&sort=publishedAt', b.editor)).flat(), ascending, 'ascending, nulls first')
  })

  t.test('cursors work with other sorts and with filters', async (t) => {
    for (const query of ['sort=title', 'sort=-title', 'sort=createdAt', 'sort=commentCount,-publishedAt', 'label=Transport', `author=${b.ann.slug}&sort=title`]) {
      const everything = await ids(app, t, `/v1/articles?limit=100&${query}`)
      const pages = await walk(app, t, `/v1/articles?limit=1&${query}`)
      t.same(pages.flat(), everything, query)
      t.equal(pages.length, everything.length, `${query}: one article per page`)
    }
  })

  t.test('cursor together with offset is a 400', async (t) => {
    const cursor = (await get(app, t, '/v1/articles?limit=2')).json().meta.nextCursor
    assertProblem(t, await get(app, t, `/v1/articles?limit=2&offset=2&cursor=${cursor}`), 400, 'validation', 'querystring.cursor')
  })

  t.test('a garbage cursor is a 400 naming querystring.cursor', async (t) => {
    assertProblem(t, await get(app, t, '/v1/articles?cursor=not-a-cursor'), 400, 'validation', 'querystring.cursor')
    const wrongShape = Buffer.from(JSON.stringify({ s: '-publishedAt', v: [{ evil: true }] })).toString('base64url')
    assertProblem(t, await get(app, t, `/v1/articles?cursor=${wrongShape}`), 400, 'validation', 'querystring.cursor')
    const notJson = Buffer.from('{{{').toString('base64url')
    assertProblem(t, await get(app, t, `/v1/articles?cursor=${notJson}`), 400, 'validation', 'querystring.cursor')
  })

  t.test('a cursor made for another sort is a 400', async (t) => {
    const byTitle = (await get(app, t, '/v1/articles?limit=2&sort=title')).json().meta.nextCursor
    t.type(byTitle, 'string')
    assertProblem(t, await get(app, t, `/v1/articles?limit=2&cursor=${byTitle}`), 400, 'validation', 'querystring.cursor')
    assertProblem(t, await get(app, t, `/v1/articles?limit=2&sort=-title&cursor=${byTitle}`), 400, 'validation', 'querystring.cursor')
    const ok = await get(app, t, `/v1/articles?limit=2&sort=title&cursor=${byTitle}`)
    t.equal(ok.statusCode, 200)
    t.same(ok.json().data.map((item: Item) => item.id), [b.a3.id, b.a4.id])
  })
})

t.test('a cursor walk is stable while newer articles are published between pages', async (t) => {
  const app = await build(t)
  const author = await createAuthor(app, t, { name: 'Steady Writer' })
  for (let day = 1; day <= 6; day++) {
    await createArticle(app, t, { title: `Day ${day}`, authorId: author.id, status: 'published', publishedAt: `2015-03-0${day}T12:00:00.000Z` })
  }
  const before = await ids(app, t, '/v1/articles?limit=100')
  t.equal(before.length, 6)

  const first = (await get(app, t, '/v1/articles?limit=2')).json()
  t.same(first.data.map((item: Item) => item.id), before.slice(0, 2))

  // Newer than every page fetched so far: they belong before the cursor.
  const fresh = await createArticle(app, t, { title: 'Breaking now', authorId: author.id, status: 'published' })
  const fresher = await createArticle(app, t, { title: 'Breaking later', authorId: author.id, status: 'published', publishedAt: '2020-01-01T00:00:00.000Z' })

  const second = (await get(app, t, `/v1/articles?limit=2&cursor=${first.meta.nextCursor}`)).json()
  t.same(second.data.map((item: Item) => item.id), before.slice(2, 4), 'the second page is not shifted by the new articles')
  t.equal(second.meta.total, 8)

  // Older than everything: it comes after the cursor, so the walk reaches it.
  const oldest = await createArticle(app, t, { title: 'From the archive', authorId: author.id, status: 'published', publishedAt: '2010-01-01T00:00:00.000Z' })

  const third = (await get(app, t, `/v1/articles?limit=2&cursor=${second.meta.nextCursor}`)).json()
  t.same(third.data.map((item: Item) => item.id), before.slice(4, 6), 'the third page is not shifted either')
  t.type(third.meta.nextCursor, 'string')
  const fourth = (await get(app, t, `/v1/articles?limit=2&cursor=${third.meta.nextCursor}`)).json()
  t.same(fourth.data.map((item: Item) => item.id), [oldest.id])
  t.equal(fourth.meta.nextCursor, null)

  const seen = [first, second, third, fourth].flatMap((page) => page.data.map((item: Item) => item.id))
  t.equal(new Set(seen).size, seen.length, 'no article twice')
  t.notOk(seen.includes(fresh.id) || seen.includes(fresher.id), 'articles newer than the cursor are not in the later pages')
  t.same((await ids(app, t, '/v1/articles?limit=100')).slice(0, 2), [fresh.id, fresher.id], 'a new walk starts with them')
})

t.test('meta.total follows every write, this server\'s and another process\'s on the same file', async (t) => {
  const file = tempDatabase(t)
  const app = await build(t, { databaseUrl: file })
  const author = await createAuthor(app, t)
  const total = async (url = '/v1/articles') => (await get(app, t, url)).json().meta.total
  await createArticle(app, t, { authorId: author.id, title: 'One', status: 'published', labels: ['Weather'] })
  t.equal(await total(), 1)
  t.equal(await total('/v1/articles?label=weather'), 1)
  await createArticle(app, t, { authorId: author.id, title: 'Two', status: 'published' })
  t.equal(await total(), 2, 'a write through the API')
  t.equal(await total('/v1/articles?label=weather'), 1)

  // Another connection, as `dateline import` from the command line would be.
  const other = new SqliteStore(openDatabase(file))
  t.teardown(async () => { await other.close() })
  await createOne(other, { timezone: 'UTC' }, { title: 'Three', authorId: author.id, status: 'published', labels: ['Weather'] }, { role: 'admin', authorId: null, tokenId: null })
  t.equal(await total(), 3, 'a write by another process')
  t.equal(await total('/v1/articles?label=weather'), 2)
  await request(app, t, { method: 'DELETE', url: '/v1/articles/three', headers: bearer(adminSecret) })
  t.equal(await total('/v1/articles?label=weather'), 1, 'and a delete')
})

t.test('a reader\'s cursor walk over articles published at the same instant gives each once', async (t) => {
  const app = await build(t)
  const author = await createAuthor(app, t)
  for (let n = 1; n <= 7; n++) await createArticle(app, t, { authorId: author.id, title: `Same minute ${n}`, status: 'published', publishedAt: '2024-02-02T10:00:00Z' })
  await createArticle(app, t, { authorId: author.id, title: 'Later', status: 'published', publishedAt: '2024-02-02T11:00:00Z' })
  for (const sort of ['-publishedAt', 'publishedAt', 'title', '-createdAt']) {
    const everything = await ids(app, t, `/v1/articles?limit=100&sort=${sort}`)
    t.equal(everything.length, 8)
    for (const limit of [1, 2, 3]) t.same((await walk(app, t, `/v1/articles?limit=${limit}&sort=${sort}`)).flat(), everything, `sort=${sort}, limit=${limit}`)
  }
})

t.test('a list\'s ETag is known before the page is built: 304 until any write, also another process\'s', async (t) => {
  const file = tempDatabase(t)
  const app = await build(t, { databaseUrl: file })
  const author = await createAuthor(app, t)
  await createArticle(app, t, { authorId: author.id, title: 'One', status: 'published' })
  const url = '/v1/articles?include=author'
  const first = await get(app, t, url)
  const etag = String(first.headers.etag)
  const again = await request(app, t, { method: 'GET', url, headers: { 'if-none-match': etag } })
  t.equal(again.statusCode, 304)
  t.equal(again.body, '')
  t.equal(again.headers['cache-control'], first.headers['cache-control'])

  t.not((await get(app, t, '/v1/articles')).headers.etag, etag, 'another URL has another tag')
  const editor = await tokenFor(app, 'editor')
  t.not((await request(app, t, { method: 'GET', url, headers: bearer(editor) })).headers.etag, etag, 'so does another reader')

  await createArticle(app, t, { authorId: author.id, title: 'A draft', status: 'draft' })
  const afterWrite = await request(app, t, { method: 'GET', url, headers: { 'if-none-match': etag } })
  t.equal(afterWrite.statusCode, 200, 'any write moves the tag')
  t.equal(afterWrite.json().data.length, 1)
  const current = String(afterWrite.headers.etag)
  t.equal((await request(app, t, { method: 'GET', url, headers: { 'if-none-match': current } })).statusCode, 304)

  const other = new SqliteStore(openDatabase(file))
  t.teardown(async () => { await other.close() })
  await createOne(other, { timezone: 'UTC' }, { title: 'Two', authorId: author.id, status: 'published' }, { role: 'admin', authorId: null, tokenId: null })
  const afterImport = await request(app, t, { method: 'GET', url, headers: { 'if-none-match': current } })
  t.equal(afterImport.statusCode, 200, 'a write by another process too')
  t.equal(afterImport.json().data.length, 2)
})
