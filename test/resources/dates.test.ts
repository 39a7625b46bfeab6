import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import t, { type Test } from 'tap'
import { adminSecret, bearer, build, createArticle, createAuthor, request, tempDatabase, tokenFor } from '../helper.js'
import { assertProblem } from '../problems.js'

// /v1/dates: day objects and labels, the list (filters, include, paging), a day's page,
// editors' writes (POST/PATCH/DELETE, If-Match), caching, and days following their articles.

type Tap = Test
type Item = Record<string, any>

const future = () => new Date(Date.now() + 7 * 86_400_000).toISOString()

async function get (app: FastifyInstance, t: Tap, url: string, secret?: string, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
  return request(app, t, { method: 'GET', url, headers: { ...headers, ...(secret === undefined ? {} : bearer(secret)) } })
}

async function dates (app: FastifyInstance, t: Tap, url: string, secret?: string): Promise<string[]> {
  const response = await get(app, t, url, secret)
  t.equal(response.statusCode, 200, `GET ${url}`)
  return response.json().data.map((day: Item) => day.date)
}

async function day (app: FastifyInstance, t: Tap, date: string, secret?: string): Promise<Item> {
  const response = await get(app, t, `/v1/dates/${date}`, secret)
  t.equal(response.statusCode, 200, `GET /v1/dates/${date}`)
  return response.json()
}

async function writeDay (app: FastifyInstance, t: Tap, method: 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object, secret: string | null = adminSecret, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
  return request(app, t, {
    method,
    url,
    headers: { ...headers, ...(secret === null ? {} : bearer(secret)) },
    ...(payload === undefined ? {} : { payload })
  })
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
 * Six published articles on five days (two on 2015-06-25), a draft dated on 2015-06-25,
 * a draft dated on 2015-06-27 (its only article) and a scheduled article.
 */
async function blog (t: Tap, overrides: Parameters<typeof build>[1] = {}) {
  const app = await build(t, overrides)
  const ann = await createAuthor(app, t, { name: 'Ann Archer', email: 'ann@example.org' })
  const bert = await createAuthor(app, t, { name: 'Bert Baker', email: 'bert@example.org' })
  const a1 = await createArticle(app, t, { title: 'Bravo', authorId: ann.id, status: 'published', publishedAt: '2015-06-24T10:00:00.000Z' })
  const a2 = await createArticle(app, t, { title: 'Alpha', authorId: ann.id, status: 'published', publishedAt: '2015-06-25T09:00:00.000Z' })
  const a3 = await createArticle(app, t, { title: 'Charlie', authorId: bert.id, status: 'published', publishedAt: '2015-06-25T14:00:00.000Z' })
  const a4 = await createArticle(app, t, { title: 'Delta', authorId: bert.id, status: 'published', publishedAt: '2015-06-26T08:00:00.000Z' })
  const a5 = await createArticle(app, t, { title: 'Echo', authorId: ann.id, status: 'published', publishedAt: '2015-07-01T00:00:00.000Z' })
  const a6 = await createArticle(app, t, { title: 'Foxtrot', authorId: bert.id, status: 'published', publishedAt: '2016-01-15T12:00:00.000Z' })
  const draft = await createArticle(app, t, { title: 'Golf', authorId: ann.id, status: 'draft', publishedAt: '2015-06-25T20:00:00.000Z' })
  const lonelyDraft = await createArticle(app, t, { title: 'Hotel', authorId: ann.id, status: 'draft', publishedAt: '2015-06-27T20:00:00.000Z' })
  const scheduled = await createArticle(app, t, { title: 'India', authorId: bert.id, status: 'scheduled', publishedAt: future() })
  const editor = await tokenFor(app, 'editor')
  const author = await tokenFor(app, 'author', ann.id)
  return { app, ann, bert, a1, a2, a3, a4, a5, a6, draft, lonelyDraft, scheduled, editor, author }
}

const allDays = ['2016-01-15', '2015-07-01', '2015-06-26', '2015-06-25', '2015-06-24']

t.test('day labels are written out in the site locale', async (t) => {
  t.test('en-US', async (t) => {
    const app = await build(t)
    const ann = await createAuthor(app, t)
    await createArticle(app, t, { authorId: ann.id, status: 'published', publishedAt: '2015-06-25T12:00:00.000Z' })
    const found = await day(app, t, '2015-06-25')
    t.equal(found.label, 'Thursday, June 25, 2015')
    const list = await get(app, t, '/v1/dates')
    t.equal(list.json().data[0].label, 'Thursday, June 25, 2015')
    const created = await writeDay(app, t, 'POST', '/v1/dates', { date: '2016-02-29' })
    t.equal(created.json().label, 'Monday, February 29, 2016')
  })

  t.test('de-DE', async (t) => {
    const app = await build(t, { locale: 'de-DE' })
    const ann = await createAuthor(app, t)
    await createArticle(app, t, { authorId: ann.id, status: 'published', publishedAt: '2015-06-25T12:00:00.000Z' })
    const found = await day(app, t, '2015-06-25')
    t.equal(found.label, 'Donnerstag, 25. Juni 2015')
    const list = await get(app, t, '/v1/dates')
    t.equal(list.json().data[0].label, 'Donnerstag, 25. Juni 2015')
    const created = await writeDay(app, t, 'POST', '/v1/dates', { date: '2016-02-29' })
    t.equal(created.json().label, 'Montag, 29. Februar 2016')
  })
})

t.test('the list of days', async (t) => {
  const b = await blog(t)

  t.test('lists days with published articles, newest first, with exact counts', async (t) => {
    const response = await get(b.app, t, '/v1/dates')
    t.equal(response.statusCode, 200)
    const body = response.json()
    t.same(body.data.map((d: Item) => d.date), allDays)
    t.same(body.data.map((d: Item) => d.articleCount), [1, 1, 1, 2, 1])
    t.same(body.meta, { total: 5, limit: 20, offset: 0, nextCursor: null })
    t.same(body.data[3], { date: '2015-06-25', label: 'Thursday, June 25, 2015', note: null, articleCount: 2 })
    t.notOk(body.data.some((d: Item) => 'articles' in d), 'no articles without include')
  })

  t.test('days with only drafts or scheduled articles are not listed, even to editors', async (t) => {
    const listed = await dates(b.app, t, '/v1/dates', b.editor)
    t.same(listed, allDays)
    t.notOk(listed.includes('2015-06-27'))
    t.notOk(listed.includes(b.scheduled.date))
    const june25 = (await get(b.app, t, '/v1/dates', b.editor)).json().data.find((d: Item) => d.date === '2015-06-25')
    t.equal(june25.articleCount, 2, 'the draft on 2015-06-25 is not counted')
  })

  t.test('sort=date lists oldest first; -date newest first; other sorts are a 400', async (t) => {
    t.same(await dates(b.app, t, '/v1/dates?sort=date'), [...allDays].reverse())
    t.same(await dates(b.app, t, '/v1/dates?sort=-date'), allDays)
    assertProblem(t, await get(b.app, t, '/v1/dates?sort=title'), 400, 'validation', 'querystring.sort')
  })

  t.test('year and month filter the days', async (t) => {
    t.same(await dates(b.app, t, '/v1/dates?year=2015'), ['2015-07-01', '2015-06-26', '2015-06-25', '2015-06-24'])
    t.same(await dates(b.app, t, '/v1/dates?year=2015&month=6'), ['2015-06-26', '2015-06-25', '2015-06-24'])
    t.same(await dates(b.app, t, '/v1/dates?year=2015&month=7'), ['2015-07-01'])
    t.same(await dates(b.app, t, '/v1/dates?year=2016&month=6'), [])
    t.same(await dates(b.app, t, '/v1/dates?year=2014'), [])
    const filtered = await get(b.app, t, '/v1/dates?year=2015&month=6')
    t.equal(filtered.json().meta.total, 3)
  })

  t.test('month without year is a 400 naming querystring.month', async (t) => {
    assertProblem(t, await get(b.app, t, '/v1/dates?month=6'), 400, 'validation', 'querystring.month')
    assertProblem(t, await get(b.app, t, '/v1/dates?year=2015&month=13'), 400, 'validation', 'querystring.month')
    assertProblem(t, await get(b.app, t, '/v1/dates?year=2015&month=0'), 400, 'validation', 'querystring.month')
  })

  t.test('from and to are inclusive days', async (t) => {
    t.same(await dates(b.app, t, '/v1/dates?from=2015-06-25&to=2015-06-26'), ['2015-06-26', '2015-06-25'])
    t.same(await dates(b.app, t, '/v1/dates?from=2015-06-26'), ['2016-01-15', '2015-07-01', '2015-06-26'])
    t.same(await dates(b.app, t, '/v1/dates?to=2015-06-25'), ['2015-06-25', '2015-06-24'])
    t.same(await dates(b.app, t, '/v1/dates?from=2015-06-25&to=2015-06-25&sort=date'), ['2015-06-25'])
    t.same(await dates(b.app, t, '/v1/dates?year=2015&from=2015-06-26'), ['2015-07-01', '2015-06-26'], 'year and from combine')
    t.same(await dates(b.app, t, '/v1/dates?from=2015-06-27&to=2015-06-30'), [])
  })

  t.test('invalid filter values are a 400 naming the parameter', async (t) => {
    assertProblem(t, await get(b.app, t, '/v1/dates?from=2015-02-30'), 400, 'validation', 'querystring.from')
    assertProblem(t, await get(b.app, t, '/v1/dates?to=2015-6-5'), 400, 'validation', 'querystring.to')
    assertProblem(t, await get(b.app, t, '/v1/dates?year=abc'), 400, 'validation', 'querystring.year')
    assertProblem(t, await get(b.app, t, '/v1/dates?include=comments'), 400, 'validation', 'querystring.include')
    assertProblem(t, await get(b.app, t, '/v1/dates?colour=red'), 400, 'validation')
  })

  t.test('include=articles embeds each day\'s published articles, newest first, with their authors', async (t) => {
    const response = await get(b.app, t, '/v1/dates?include=articles')
    t.equal(response.statusCode, 200)
    const body = response.json()
    t.same(body.data.map((d: Item) => d.date), allDays)
    const june25 = body.data.find((d: Item) => d.date === '2015-06-25')
    t.same(june25.articles.map((a: Item) => a.id), [b.a3.id, b.a2.id], 'newest first, no draft')
    t.same(june25.articles.map((a: Item) => a.author.name), ['Bert Baker', 'Ann Archer'])
    t.notOk('email' in june25.articles[0].author, 'no email for anonymous readers')
    t.notOk('body' in june25.articles[0], 'summaries carry no body')
    t.equal(june25.articles[0].commentCount, 0)
    for (const d of body.data) t.equal(d.articles.length, d.articleCount, `${d.date}: articles match the count`)
    const asEditor = (await get(b.app, t, '/v1/dates?include=articles&year=2015&month=6', b.editor)).json()
    const editorJune25 = asEditor.data.find((d: Item) => d.date === '2015-06-25')
    t.same(editorJune25.articles.map((a: Item) => a.id), [b.a3.id, b.a2.id], 'editors get no drafts either')
    t.equal(editorJune25.articles[0].author.email, 'bert@example.org', 'editors see the email')
  })

  t.test('a bad bearer token is a 401 even on a read', async (t) => {
    assertProblem(t, await get(b.app, t, '/v1/dates', 'not-a-real-token'), 401, 'unauthorized')
    t.ok((await get(b.app, t, '/v1/dates', 'not-a-real-token')).headers['www-authenticate'])
  })
})

t.test('a day\'s page', async (t) => {
  const b = await blog(t)
  const comment = await request(b.app, t, { method: 'POST', url: `/v1/articles/${b.a2.id}/comments`, headers: bearer(b.editor), payload: { authorName: 'Reader', body: 'Nice one.' } })
  t.equal(comment.statusCode, 201)
  t.equal(comment.json().status, 'approved', 'an editor\'s comment is approved at once')

  t.test('shows its published articles newest first, with author, excerpt and commentCount', async (t) => {
    const found = await day(b.app, t, '2015-06-25')
    t.equal(found.date, '2015-06-25')
    t.equal(found.label, 'Thursday, June 25, 2015')
    t.equal(found.note, null)
    t.equal(found.articleCount, 2)
    t.same(found.articles.map((a: Item) => a.id), [b.a3.id, b.a2.id])
    t.same(found.articles.map((a: Item) => a.author.name), ['Bert Baker', 'Ann Archer'])
    t.same(found.articles.map((a: Item) => a.commentCount), [0, 1], 'an approved comment is counted')
    t.same(found.articles.map((a: Item) => a.date), ['2015-06-25', '2015-06-25'])
    t.equal(found.articles[1].excerpt, 'Some words.')
    t.notOk('body' in found.articles[0])
    t.notOk('email' in found.articles[0].author)
  })

  t.test('drafts never appear on a day page, even for editors and their own author', async (t) => {
    for (const secret of [b.editor, adminSecret, b.author]) {
      const found = await day(b.app, t, '2015-06-25', secret)
      t.same(found.articles.map((a: Item) => a.id), [b.a3.id, b.a2.id])
      t.equal(found.articleCount, 2)
    }
  })

  t.test('a day with no published articles and no note is a 404', async (t) => {
    assertProblem(t, await get(b.app, t, '/v1/dates/2015-06-27', b.editor), 404, 'not-found')
    assertProblem(t, await get(b.app, t, '/v1/dates/2015-06-27'), 404, 'not-found')
    assertProblem(t, await get(b.app, t, `/v1/dates/${String(b.scheduled.date)}`, b.editor), 404, 'not-found')
    assertProblem(t, await get(b.app, t, '/v1/dates/2015-06-28'), 404, 'not-found')
  })

  t.test('invalid dates are a 400 naming params.date', async (t) => {
    for (const bad of ['2015-02-30', '2015-6-5', '2015-13-01', '2015-06-00', 'yesterday', '20150625']) {
      assertProblem(t, await get(b.app, t, `/v1/dates/${bad}`), 400, 'validation', 'params.date')
    }
    assertProblem(t, await writeDay(b.app, t, 'PATCH', '/v1/dates/2015-02-30', { note: 'x' }), 400, 'validation', 'params.date')
    assertProblem(t, await writeDay(b.app, t, 'DELETE', '/v1/dates/2015-6-5'), 400, 'validation', 'params.date')
  })

  t.test('a leap day is a valid date', async (t) => {
    assertProblem(t, await get(b.app, t, '/v1/dates/2016-02-29'), 404, 'not-found')
    assertProblem(t, await get(b.app, t, '/v1/dates/2015-02-29'), 400, 'validation', 'params.date')
  })
})

t.test('creating a day', async (t) => {
  const b = await blog(t)

  t.test('needs a token (401) of an editor (author 403)', async (t) => {
    const anonymous = await writeDay(b.app, t, 'POST', '/v1/dates', { date: '2015-08-01' }, null)
    assertProblem(t, anonymous, 401, 'unauthorized')
    assertProblem(t, await writeDay(b.app, t, 'POST', '/v1/dates', { date: '2015-08-01' }, b.author), 403, 'forbidden')
    assertProblem(t, await get(b.app, t, '/v1/dates/2015-08-01', b.editor), 404, 'not-found', undefined)
  })

  t.test('an editor creates a day with a note: 201, Location, and the day', async (t) => {
    const response = await writeDay(b.app, t, 'POST', '/v1/dates', { date: '2015-08-01', note: 'Quiet day.' }, b.editor)
    t.equal(response.statusCode, 201)
    t.equal(response.headers.location, '/v1/dates/2015-08-01')
    t.match(String(response.headers.etag), /^"day-2015-08-01-v1\./)
    t.same(response.json(), { date: '2015-08-01', label: 'Saturday, August 1, 2015', note: 'Quiet day.', articleCount: 0 })
    const found = await day(b.app, t, '2015-08-01')
    t.equal(found.note, 'Quiet day.')
    t.same(found.articles, [])
    t.equal(found.articleCount, 0)
    t.same(await dates(b.app, t, '/v1/dates?year=2015&month=8'), ['2015-08-01'])
  })

  t.test('an admin creates a day without a note', async (t) => {
    const response = await writeDay(b.app, t, 'POST', '/v1/dates', { date: '2015-08-02' })
    t.equal(response.statusCode, 201)
    t.equal(response.json().note, null)
    t.equal((await day(b.app, t, '2015-08-02')).note, null)
  })

  t.test('a day that exists is a 409, whether by a row or by its articles', async (t) => {
    assertProblem(t, await writeDay(b.app, t, 'POST', '/v1/dates', { date: '2015-08-01', note: 'Again' }), 409, 'conflict')
    t.equal((await day(b.app, t, '2015-08-01')).note, 'Quiet day.', 'the note is unchanged')
    assertProblem(t, await writeDay(b.app, t, 'POST', '/v1/dates', { date: '2015-06-25', note: 'Busy' }), 409, 'conflict')
    t.equal((await day(b.app, t, '2015-06-25')).note, null)
  })

  t.test('a day with only a draft can be created', async (t) => {
    const response = await writeDay(b.app, t, 'POST', '/v1/dates', { date: '2015-06-27', note: 'Drafts pending' })
    t.equal(response.statusCode, 201)
    const found = await day(b.app, t, '2015-06-27', b.editor)
    t.equal(found.articleCount, 0)
    t.same(found.articles, [], 'the draft stays off the page')
  })

  t.test('bad bodies are a 400 naming the field', async (t) => {
    const missing = await writeDay(b.app, t, 'POST', '/v1/dates', { note: 'x' })
    assertProblem(t, missing, 400, 'validation', 'body.date')
    t.same(missing.json().errors, [{ path: 'body.date', message: 'is required' }])
    const unknown = await writeDay(b.app, t, 'POST', '/v1/dates', { date: '2015-09-01', note: 'x', colour: 'red' })
    t.same(unknown.json().errors, [{ path: 'body.colour', message: 'is not a known field' }])
    assertProblem(t, await writeDay(b.app, t, 'POST', '/v1/dates', { date: '2015-02-30' }), 400, 'validation', 'body.date')
    assertProblem(t, await writeDay(b.app, t, 'POST', '/v1/dates', { date: '2015-6-5' }), 400, 'validation', 'body.date')
    assertProblem(t, await writeDay(b.app, t, 'POST', '/v1/dates', { date: '2015-13-01' }), 400, 'validation', 'body.date')
    assertProblem(t, await writeDay(b.app, t, 'POST', '/v1/dates', { date: '2015-09-01', note: 42 }), 400, 'validation', 'body.note')
    assertProblem(t, await get(b.app, t, '/v1/dates/2015-09-01'), 404, 'not-found')
  })
})

t.test('changing a day\'s note', async (t) => {
  const b = await blog(t)
  await writeDay(b.app, t, 'POST', '/v1/dates', { date: '2015-08-01', note: 'First' })

  t.test('needs a token (401) of an editor (author 403)', async (t) => {
    assertProblem(t, await writeDay(b.app, t, 'PATCH', '/v1/dates/2015-08-01', { note: 'x' }, null), 401, 'unauthorized')
    assertProblem(t, await writeDay(b.app, t, 'PATCH', '/v1/dates/2015-08-01', { note: 'x' }, b.author), 403, 'forbidden')
    t.equal((await day(b.app, t, '2015-08-01')).note, 'First')
  })

  t.test('an editor changes and clears the note', async (t) => {
    const changed = await writeDay(b.app, t, 'PATCH', '/v1/dates/2015-08-01', { note: 'Second' }, b.editor)
    t.equal(changed.statusCode, 200)
    t.same(changed.json(), { date: '2015-08-01', label: 'Saturday, August 1, 2015', note: 'Second', articleCount: 0 })
    t.equal((await day(b.app, t, '2015-08-01')).note, 'Second')
    const cleared = await writeDay(b.app, t, 'PATCH', '/v1/dates/2015-08-01', { note: null }, b.editor)
    t.equal(cleared.json().note, null)
    t.equal((await day(b.app, t, '2015-08-01')).note, null)
  })

  t.test('works on a day that exists only through its articles', async (t) => {
    const response = await writeDay(b.app, t, 'PATCH', '/v1/dates/2015-06-25', { note: 'Flood warnings.' }, b.editor)
    t.equal(response.statusCode, 200)
    t.equal(response.json().note, 'Flood warnings.')
    t.equal(response.json().articleCount, 2)
    const found = await day(b.app, t, '2015-06-25')
    t.equal(found.note, 'Flood warnings.')
    t.same(found.articles.map((a: Item) => a.id), [b.a3.id, b.a2.id])
    const listed = (await get(b.app, t, '/v1/dates?year=2015&month=6')).json().data
    t.equal(listed.find((d: Item) => d.date === '2015-06-25').note, 'Flood warnings.')
  })

  t.test('a day that does not exist is a 404 and is not created', async (t) => {
    assertProblem(t, await writeDay(b.app, t, 'PATCH', '/v1/dates/2015-09-09', { note: 'x' }), 404, 'not-found')
    assertProblem(t, await writeDay(b.app, t, 'PATCH', '/v1/dates/2015-06-27', { note: 'x' }), 404, 'not-found', undefined)
    assertProblem(t, await get(b.app, t, '/v1/dates/2015-09-09'), 404, 'not-found')
  })

  t.test('bad bodies are a 400 naming the field', async (t) => {
    const missing = await writeDay(b.app, t, 'PATCH', '/v1/dates/2015-08-01', {})
    assertProblem(t, missing, 400, 'validation', 'body.note')
    const unknown = await writeDay(b.app, t, 'PATCH', '/v1/dates/2015-08-01', { note: 'x', date: '2015-08-02' })
    t.same(unknown.json().errors, [{ path: 'body.date', message: 'is not a known field' }])
    assertProblem(t, await writeDay(b.app, t, 'PATCH', '/v1/dates/2015-08-01', { note: 'x'.repeat(5001) }), 400, 'validation', 'body.note')
  })
})

t.test('If-Match on PATCH and DELETE', async (t) => {
  const app = await build(t)
  const created = await writeDay(app, t, 'POST', '/v1/dates', { date: '2026-06-25', note: 'One' })
  const first = String((await get(app, t, '/v1/dates/2026-06-25')).headers.etag)
  t.match(first, /^"day-2026-06-25-v1\.[^"]+"$/)
  t.equal(String(created.headers.etag).split('.')[0], first.split('.')[0], 'POST answers with the same version')

  t.test('the current ETag lets the change through and moves the version on', async (t) => {
    const changed = await writeDay(app, t, 'PATCH', '/v1/dates/2026-06-25', { note: 'Two' }, adminSecret, { 'if-match': first })
    t.equal(changed.statusCode, 200)
    t.match(String(changed.headers.etag), /^"day-2026-06-25-v2\./)
    t.equal((await day(app, t, '2026-06-25')).note, 'Two')
  })

  t.test('a stale ETag is a 412 and changes nothing', async (t) => {
    assertProblem(t, await writeDay(app, t, 'PATCH', '/v1/dates/2026-06-25', { note: 'Lost' }, adminSecret, { 'if-match': first }), 412, 'precondition-failed')
    t.equal((await day(app, t, '2026-06-25')).note, 'Two')
    assertProblem(t, await writeDay(app, t, 'DELETE', '/v1/dates/2026-06-25', undefined, adminSecret, { 'if-match': first }), 412, 'precondition-failed')
    t.equal((await day(app, t, '2026-06-25')).note, 'Two', 'still there')
  })

  t.test('* matches any version', async (t) => {
    const changed = await writeDay(app, t, 'PATCH', '/v1/dates/2026-06-25', { note: 'Three' }, adminSecret, { 'if-match': '*' })
    t.equal(changed.statusCode, 200)
    t.equal((await day(app, t, '2026-06-25')).note, 'Three')
  })

  t.test('DELETE with the current ETag removes the day', async (t) => {
    const current = String((await get(app, t, '/v1/dates/2026-06-25')).headers.etag)
    t.match(current, /^"day-2026-06-25-v3\./)
    const removed = await writeDay(app, t, 'DELETE', '/v1/dates/2026-06-25', undefined, adminSecret, { 'if-match': current })
    t.equal(removed.statusCode, 204)
    assertProblem(t, await get(app, t, '/v1/dates/2026-06-25'), 404, 'not-found')
  })

  t.test('PATCH on an article-only day takes its ETag too', async (t) => {
    const ann = await createAuthor(app, t)
    await createArticle(app, t, { authorId: ann.id, status: 'published', publishedAt: '2026-06-20T10:00:00.000Z' })
    const etag = String((await get(app, t, '/v1/dates/2026-06-20')).headers.etag)
    t.match(etag, /^"day-2026-06-20-v\d+\./)
    const changed = await writeDay(app, t, 'PATCH', '/v1/dates/2026-06-20', { note: 'Noted' }, adminSecret, { 'if-match': etag })
    t.equal(changed.statusCode, 200)
    assertProblem(t, await writeDay(app, t, 'PATCH', '/v1/dates/2026-06-20', { note: 'Again' }, adminSecret, { 'if-match': etag }), 412, 'precondition-failed')
    t.equal((await day(app, t, '2026-06-20')).note, 'Noted')
  })
})

t.test('ETags and caching of days', async (t) => {
  const b = await blog(t)

  t.test('a day answers 304 to its own ETag, and 200 once its note changed', async (t) => {
    const first = await get(b.app, t, '/v1/dates/2015-06-25')
    const etag = String(first.headers.etag)
    t.match(etag, /^"day-2015-06-25-v\d+\./)
    t.equal(first.headers['cache-control'], 'public, max-age=0, s-maxage=60')
    t.match(String(first.headers.vary), /Authorization/)
    const again = await get(b.app, t, '/v1/dates/2015-06-25', undefined, { 'if-none-match': etag })
    t.equal(again.statusCode, 304)
    t.equal(again.body, '')
    await writeDay(b.app, t, 'PATCH', '/v1/dates/2015-06-25', { note: 'Now with a note' })
    const changed = await get(b.app, t, '/v1/dates/2015-06-25', undefined, { 'if-none-match': etag })
    t.equal(changed.statusCode, 200)
    t.equal(changed.json().note, 'Now with a note')
  })

  t.test('a day\'s ETag changes when an article is added to it', async (t) => {
    const etag = String((await get(b.app, t, '/v1/dates/2015-06-24')).headers.etag)
    await createArticle(b.app, t, { title: 'Juliet', authorId: b.ann.id, status: 'published', publishedAt: '2015-06-24T18:00:00.000Z' })
    const changed = await get(b.app, t, '/v1/dates/2015-06-24', undefined, { 'if-none-match': etag })
    t.equal(changed.statusCode, 200)
    t.equal(changed.json().articleCount, 2)
  })

  t.test('the list answers 304 to its ETag; with a token it is private', async (t) => {
    const first = await get(b.app, t, '/v1/dates')
    const etag = String(first.headers.etag)
    t.ok(etag.length > 2)
    const again = await get(b.app, t, '/v1/dates', undefined, { 'if-none-match': etag })
    t.equal(again.statusCode, 304)
    t.equal(again.body, '')
    const withToken = await get(b.app, t, '/v1/dates', b.editor)
    t.equal(withToken.headers['cache-control'], 'private, no-cache')
    const dayWithToken = await get(b.app, t, '/v1/dates/2015-06-25', b.editor)
    t.equal(dayWithToken.headers['cache-control'], 'private, no-cache')
  })
})

t.test('deleting a day', async (t) => {
  const b = await blog(t)
  await writeDay(b.app, t, 'POST', '/v1/dates', { date: '2015-08-01', note: 'Only a note' })

  t.test('needs a token (401) of an editor (author 403)', async (t) => {
    assertProblem(t, await writeDay(b.app, t, 'DELETE', '/v1/dates/2015-08-01', undefined, null), 401, 'unauthorized')
    assertProblem(t, await writeDay(b.app, t, 'DELETE', '/v1/dates/2015-08-01', undefined, b.author), 403, 'forbidden')
    t.equal((await day(b.app, t, '2015-08-01')).note, 'Only a note')
  })

  t.test('a day with published articles is a 409 and stays', async (t) => {
    assertProblem(t, await writeDay(b.app, t, 'DELETE', '/v1/dates/2015-06-25', undefined, b.editor), 409, 'conflict')
    t.equal((await day(b.app, t, '2015-06-25')).articleCount, 2)
    await writeDay(b.app, t, 'PATCH', '/v1/dates/2015-06-24', { note: 'Annotated' })
    assertProblem(t, await writeDay(b.app, t, 'DELETE', '/v1/dates/2015-06-24', undefined, b.editor), 409, 'conflict')
    const kept = await day(b.app, t, '2015-06-24')
    t.equal(kept.note, 'Annotated')
    t.equal(kept.articleCount, 1)
  })

  t.test('a day with only a note is deleted: 204, then 404 and gone from the list', async (t) => {
    const response = await writeDay(b.app, t, 'DELETE', '/v1/dates/2015-08-01', undefined, b.editor)
    t.equal(response.statusCode, 204)
    t.equal(response.body, '')
    assertProblem(t, await get(b.app, t, '/v1/dates/2015-08-01'), 404, 'not-found')
    t.notOk((await dates(b.app, t, '/v1/dates', b.editor)).includes('2015-08-01'))
  })

  t.test('a day that does not exist is a 404', async (t) => {
    assertProblem(t, await writeDay(b.app, t, 'DELETE', '/v1/dates/2015-08-01'), 404, 'not-found')
    assertProblem(t, await writeDay(b.app, t, 'DELETE', '/v1/dates/2015-06-27'), 404, 'not-found')
  })
})

t.test('articles moving between days move the counts', async (t) => {
  const b = await blog(t)

  t.test('changing publishedAt moves the article to its new day', async (t) => {
    const moved = await patchArticle(b.app, t, b.a3.id, { publishedAt: '2015-06-26T10:00:00.000Z' })
    t.equal(moved.date, '2015-06-26')
    t.equal((await day(b.app, t, '2015-06-25')).articleCount, 1)
    const june26 = await day(b.app, t, '2015-06-26')
    t.equal(june26.articleCount, 2)
    t.same(june26.articles.map((a: Item) => a.id), [b.a3.id, b.a4.id], 'newest first')
    t.same((await day(b.app, t, '2015-06-25')).articles.map((a: Item) => a.id), [b.a2.id])
  })

  t.test('unpublishing the last article of a day makes the day disappear', async (t) => {
    const unpublished = await patchArticle(b.app, t, b.a2.id, { status: 'draft' })
    t.equal(unpublished.status, 'draft')
    assertProblem(t, await get(b.app, t, '/v1/dates/2015-06-25'), 404, 'not-found')
    assertProblem(t, await get(b.app, t, '/v1/dates/2015-06-25', b.editor), 404, 'not-found')
    t.notOk((await dates(b.app, t, '/v1/dates')).includes('2015-06-25'))
  })

  t.test('publishing it again brings the day back', async (t) => {
    await patchArticle(b.app, t, b.a2.id, { status: 'published' })
    const back = await day(b.app, t, '2015-06-25')
    t.equal(back.articleCount, 1)
    t.same(back.articles.map((a: Item) => a.id), [b.a2.id])
  })

  t.test('publishing a dated draft puts it on its day', async (t) => {
    await patchArticle(b.app, t, b.lonelyDraft.id, { status: 'published' })
    const june27 = await day(b.app, t, '2015-06-27')
    t.equal(june27.articleCount, 1)
    t.same(june27.articles.map((a: Item) => a.id), [b.lonelyDraft.id])
  })

  t.test('moving an article to the future (scheduled) takes it off its day', async (t) => {
    const rescheduled = await patchArticle(b.app, t, b.lonelyDraft.id, { publishedAt: future() })
    t.equal(rescheduled.status, 'scheduled')
    assertProblem(t, await get(b.app, t, '/v1/dates/2015-06-27', b.editor), 404, 'not-found')
  })

  t.test('deleting an article takes it off its day; the last one takes the day', async (t) => {
    const removed = await request(b.app, t, { method: 'DELETE', url: `/v1/articles/${b.a4.id}`, headers: bearer(adminSecret) })
    t.equal(removed.statusCode, 204)
    const june26 = await day(b.app, t, '2015-06-26')
    t.equal(june26.articleCount, 1)
    t.same(june26.articles.map((a: Item) => a.id), [b.a3.id])
    await request(b.app, t, { method: 'DELETE', url: `/v1/articles/${b.a1.id}`, headers: bearer(adminSecret) })
    assertProblem(t, await get(b.app, t, '/v1/dates/2015-06-24'), 404, 'not-found')
    t.same(await dates(b.app, t, '/v1/dates?year=2015&month=6'), ['2015-06-26', '2015-06-25'])
  })

  t.test('the list and the archive agree with the day pages', async (t) => {
    const listed = (await get(b.app, t, '/v1/dates')).json().data
    t.same(listed.map((d: Item) => [d.date, d.articleCount]), [['2016-01-15', 1], ['2015-07-01', 1], ['2015-06-26', 1], ['2015-06-25', 1]])
    const archive = (await get(b.app, t, '/v1/archive')).json()
    t.same(archive, { years: [{ year: 2016, count: 1, months: [{ month: 1, count: 1 }] }, { year: 2015, count: 3, months: [{ month: 7, count: 1 }, { month: 6, count: 2 }] }] })
  })
})

t.test('a day with a note outlives its articles', async (t) => {
  const b = await blog(t)
  await writeDay(b.app, t, 'PATCH', '/v1/dates/2015-06-24', { note: 'Remember this day' })
  const removed = await request(b.app, t, { method: 'DELETE', url: `/v1/articles/${b.a1.id}`, headers: bearer(adminSecret) })
  t.equal(removed.statusCode, 204)
  const kept = await day(b.app, t, '2015-06-24')
  t.equal(kept.note, 'Remember this day')
  t.equal(kept.articleCount, 0)
  t.same(kept.articles, [])
  const listed = (await get(b.app, t, '/v1/dates?year=2015&month=6')).json().data
  t.same(listed.find((d: Item) => d.date === '2015-06-24'), { date: '2015-06-24', label: 'Wednesday, June 24, 2015', note: 'Remember this day', articleCount: 0 })
  const archive = (await get(b.app, t, '/v1/archive')).json()
  t.equal(archive.years.find((y: Item) => y.year === 2015).months.find((m: Item) => m.month === 6).count, 3, 'a note is not an article')
  const deleted = await writeDay(b.app, t, 'DELETE', '/v1/dates/2015-06-24')
  t.equal(deleted.statusCode, 204, 'now it can be deleted')
  assertProblem(t, await get(b.app, t, '/v1/dates/2015-06-24'), 404, 'not-found')
})

t.test('days are calendar days in the site time zone', async (t) => {
  t.test('in Europe/Berlin an article at 23:30 UTC on 25 June is on 26 June', async (t) => {
    const app = await build(t, { timezone: 'Europe/Berlin' })
    const ann = await createAuthor(app, t)
    const late = await createArticle(app, t, { title: 'Late', authorId: ann.id, status: 'published', publishedAt: '2026-06-25T23:30:00.000Z' })
    const evening = await createArticle(app, t, { title: 'Evening', authorId: ann.id, status: 'published', publishedAt: '2026-06-25T21:30:00.000Z' })
    t.equal(late.date, '2026-06-26')
    t.equal(evening.date, '2026-06-25', '23:30 in Berlin is still the 25th')
    const june26 = await day(app, t, '2026-06-26')
    t.same(june26.articles.map((a: Item) => a.id), [late.id])
    t.equal(june26.label, 'Friday, June 26, 2026')
    const june25 = await day(app, t, '2026-06-25')
    t.same(june25.articles.map((a: Item) => a.id), [evening.id])
    t.same(await dates(app, t, '/v1/dates?from=2026-06-26'), ['2026-06-26'])
    t.same(await dates(app, t, '/v1/dates?to=2026-06-25'), ['2026-06-25'])
  })

  t.test('in UTC the same article stays on 25 June', async (t) => {
    const app = await build(t)
    const ann = await createAuthor(app, t)
    const late = await createArticle(app, t, { title: 'Late', authorId: ann.id, status: 'published', publishedAt: '2026-06-25T23:30:00.000Z' })
    t.equal(late.date, '2026-06-25')
    t.same((await day(app, t, '2026-06-25')).articles.map((a: Item) => a.id), [late.id])
    assertProblem(t, await get(app, t, '/v1/dates/2026-06-26'), 404, 'not-found')
  })

  t.test('month boundaries in the archive follow the time zone too', async (t) => {
    const app = await build(t, { timezone: 'Europe/Berlin' })
    const ann = await createAuthor(app, t)
    await createArticle(app, t, { title: 'Midsummer', authorId: ann.id, status: 'published', publishedAt: '2026-06-30T22:30:00.000Z' })
    await createArticle(app, t, { title: 'New year', authorId: ann.id, status: 'published', publishedAt: '2025-12-31T23:15:00.000Z' })
    t.same((await get(app, t, '/v1/archive')).json(), { years: [{ year: 2026, count: 2, months: [{ month: 7, count: 1 }, { month: 1, count: 1 }] }] })
    t.same(await dates(app, t, '/v1/dates?year=2026&month=7'), ['2026-07-01'])
    t.same(await dates(app, t, '/v1/dates?year=2025'), [])
  })

  t.test('changing the site time zone of an existing database moves its days', async (t) => {
    const path = tempDatabase(t)
    const utc = await build(t, { databaseUrl: path })
    const ann = await createAuthor(utc, t)
    const late = await createArticle(utc, t, { authorId: ann.id, status: 'published', publishedAt: '2026-06-25T23:30:00.000Z' })
    t.equal(late.date, '2026-06-25')
    await utc.close()
    const berlin = await build(t, { databaseUrl: path, timezone: 'Europe/Berlin' })
    assertProblem(t, await get(berlin, t, '/v1/dates/2026-06-25'), 404, 'not-found')
    const june26 = await day(berlin, t, '2026-06-26')
    t.same(june26.articles.map((a: Item) => [a.id, a.date]), [[late.id, '2026-06-26']])
  })

  t.test('moving an article across midnight in Berlin moves it between days', async (t) => {
    const app = await build(t, { timezone: 'Europe/Berlin' })
    const ann = await createAuthor(app, t)
    const article = await createArticle(app, t, { authorId: ann.id, status: 'published', publishedAt: '2026-06-25T21:30:00.000Z' })
    const moved = await patchArticle(app, t, article.id, { publishedAt: '2026-06-25T22:30:00.000Z' })
    t.equal(moved.date, '2026-06-26')
    assertProblem(t, await get(app, t, '/v1/dates/2026-06-25'), 404, 'not-found')
    t.equal((await day(app, t, '2026-06-26')).articleCount, 1)
  })
})

t.test('paging through days', async (t) => {
  const b = await blog(t)
  for (const date of ['2015-08-01', '2015-08-02']) await writeDay(b.app, t, 'POST', '/v1/dates', { date, note: `Note for ${date}` })
  const everyDay = ['2016-01-15', '2015-08-02', '2015-08-01', '2015-07-01', '2015-06-26', '2015-06-25', '2015-06-24']

  t.test('limit gives a page with a next cursor and a Link to it', async (t) => {
    const response = await get(b.app, t, '/v1/dates?limit=3')
    t.equal(response.statusCode, 200)
    const body = response.json()
    t.same(body.data.map((d: Item) => d.date), everyDay.slice(0, 3))
    t.equal(body.meta.total, 7)
    t.equal(body.meta.limit, 3)
    t.equal(body.meta.offset, 0)
    t.type(body.meta.nextCursor, 'string')
    const found = links(response)
    t.ok(found.next, 'Link rel="next"')
    t.notOk(found.prev, 'no prev on the first page')
    t.ok(found.next!.startsWith('/v1/dates?'))
    t.equal(new URL(found.next!, 'http://x').searchParams.get('cursor'), body.meta.nextCursor)
    const next = await get(b.app, t, found.next!)
    t.same(next.json().data.map((d: Item) => d.date), everyDay.slice(3, 6), 'the Link leads to the next page')
    t.equal(next.json().meta.offset, 3)
  })

  t.test('walking the cursor visits every day once, in order', async (t) => {
    for (const [sort, expected] of [['-date', everyDay], ['date', [...everyDay].reverse()]] as const) {
      const seen: string[] = []
      let url: string | null = `/v1/dates?limit=2&sort=${sort}`
      let pages = 0
      while (url !== null && pages < 10) {
        const response = await get(b.app, t, url)
        t.equal(response.statusCode, 200)
        const body = response.json()
        seen.push(...body.data.map((d: Item) => d.date))
        url = body.meta.nextCursor === null ? null : `/v1/dates?limit=2&sort=${sort}&cursor=${encodeURIComponent(body.meta.nextCursor)}`
        pages++
      }
      t.same(seen, expected, `sort=${sort}`)
      t.equal(pages, 4)
    }
  })

  t.test('a cursor walk keeps the filters', async (t) => {
    const first = (await get(b.app, t, '/v1/dates?year=2015&limit=4')).json()
    t.same(first.data.map((d: Item) => d.date), everyDay.slice(1, 5))
    t.equal(first.meta.total, 6)
    const second = (await get(b.app, t, `/v1/dates?year=2015&limit=4&cursor=${encodeURIComponent(first.meta.nextCursor)}`)).json()
    t.same(second.data.map((d: Item) => d.date), everyDay.slice(5))
    t.equal(second.meta.nextCursor, null)
  })

  t.test('offset pages have a Link to the previous page', async (t) => {
    const response = await get(b.app, t, '/v1/dates?limit=3&offset=3')
    t.same(response.json().data.map((d: Item) => d.date), everyDay.slice(3, 6))
    const found = links(response)
    t.ok(found.prev)
    const prev = await get(b.app, t, found.prev!)
    t.same(prev.json().data.map((d: Item) => d.date), everyDay.slice(0, 3))
    const last = await get(b.app, t, '/v1/dates?limit=3&offset=6')
    t.same(last.json().data.map((d: Item) => d.date), everyDay.slice(6))
    t.equal(last.json().meta.nextCursor, null)
    t.notOk(links(last).next)
  })

  t.test('bad paging parameters are a 400', async (t) => {
    assertProblem(t, await get(b.app, t, '/v1/dates?limit=0'), 400, 'validation', 'querystring.limit')
    assertProblem(t, await get(b.app, t, '/v1/dates?limit=101'), 400, 'validation', 'querystring.limit')
    assertProblem(t, await get(b.app, t, '/v1/dates?offset=-1'), 400, 'validation', 'querystring.offset')
    assertProblem(t, await get(b.app, t, '/v1/dates?cursor=garbage'), 400, 'validation', 'querystring.cursor')
    const cursor = (await get(b.app, t, '/v1/dates?limit=2')).json().meta.nextCursor
    assertProblem(t, await get(b.app, t, `/v1/dates?limit=2&offset=2&cursor=${encodeURIComponent(cursor)}`), 400, 'validation', 'querystring.cursor')
    assertProblem(t, await get(b.app, t, `/v1/dates?limit=2&sort=date&cursor=${encodeURIComponent(cursor)}`), 400, 'validation', 'querystring.cursor')
  })
})

t.test('the archive tree', async (t) => {
  const b = await blog(t)
  await createArticle(b.app, t, { title: 'Kilo', authorId: b.ann.id, status: 'published', publishedAt: '2014-12-31T12:00:00.000Z' })
  await writeDay(b.app, t, 'POST', '/v1/dates', { date: '2013-05-05', note: 'Only a note' })
  const expected = {
    years: [
      { year: 2016, count: 1, months: [{ month: 1, count: 1 }] },
      { year: 2015, count: 5, months: [{ month: 7, count: 1 }, { month: 6, count: 4 }] },
      { year: 2014, count: 1, months: [{ month: 12, count: 1 }] }
    ]
  }

  t.test('counts published articles by year and month, newest first', async (t) => {
    const response = await get(b.app, t, '/v1/archive')
    t.equal(response.statusCode, 200)
    t.same(response.json(), expected, 'drafts, scheduled articles and note-only days are left out')
    t.equal(response.headers['cache-control'], 'public, max-age=0, s-maxage=60')
  })

  t.test('editors get the same tree: drafts and scheduled articles are never counted', async (t) => {
    t.same((await get(b.app, t, '/v1/archive', b.editor)).json(), expected)
  })

  t.test('answers 304 to its ETag until an article is published', async (t) => {
    const etag = String((await get(b.app, t, '/v1/archive')).headers.etag)
    t.ok(etag.length > 2)
    t.equal((await get(b.app, t, '/v1/archive', undefined, { 'if-none-match': etag })).statusCode, 304)
    await patchArticle(b.app, t, b.draft.id, { status: 'published' })
    const changed = await get(b.app, t, '/v1/archive', undefined, { 'if-none-match': etag })
    t.equal(changed.statusCode, 200)
    t.equal(changed.json().years[1].months[1].count, 5)
    t.equal(changed.json().years[1].count, 6)
  })

  t.test('an empty blog has an empty tree', async (t) => {
    const app = await build(t)
    t.same((await get(app, t, '/v1/archive')).json(), { years: [] })
  })

  t.test('the archive rejects unknown query parameters', async (t) => {
    assertProblem(t, await get(b.app, t, '/v1/archive?year=2015'), 400, 'validation')
  })
})

t.test('a scheduled article appears on its day once its time has come', async (t) => {
  const app = await build(t)
  const ann = await createAuthor(app, t)
  const at = new Date(Date.now() + 1200).toISOString()
  const scheduled = await createArticle(app, t, { authorId: ann.id, status: 'scheduled', publishedAt: at })
  t.equal(scheduled.status, 'scheduled')
  assertProblem(t, await get(app, t, `/v1/dates/${String(scheduled.date)}`), 404, 'not-found')
  await new Promise((resolve) => setTimeout(resolve, 1500))
  const found = await day(app, t, String(scheduled.date))
  t.same(found.articles.map((a: Item) => a.id), [scheduled.id])
  t.equal(found.articles[0].status, 'published')
})

t.test('the demo blog renders the seed\'s page shape from GET /v1/dates/2026-06-03', async (t) => {
  const app = await build(t, { demo: true })
  const response = await get(app, t, '/v1/dates/2026-06-03')
  t.equal(response.statusCode, 200)
  const page = response.json()
  t.equal(page.date, '2026-06-03')
  t.equal(page.label, 'Wednesday, June 3, 2026', 'the day header')
  t.equal(page.note, 'Flood warnings were in force along the Vell all day; several roads by the quay were closed until evening.')
  t.equal(page.articleCount, 2)
  t.same(page.articles.map((a: Item) => a.slug), [
    'council-approves-study-into-a-footbridge-at-the-old-ferry-crossing',
    'river-vell-rises-to-its-highest-june-level-in-a-decade'
  ], 'newest first')
  const [footbridge, river] = page.articles as Item[]
  t.equal(footbridge!.title, 'Council approves study into a footbridge at the old ferry crossing')
  t.equal(footbridge!.author.name, 'Tomas Brennan')
  t.equal(river!.author.name, 'Zoë Lindqvist')
  t.notOk('email' in footbridge!.author)
  t.match(footbridge!.excerpt, /^Kestermouth City Council has agreed to spend £48,000/)
  t.ok(footbridge!.excerpt.length <= 210, 'the excerpt is short')
  t.match(river!.excerpt, /^The River Vell reached 3\.4 metres/)
  t.equal(footbridge!.commentCount, 4, '"4 comments"')
  t.equal(river!.commentCount, 0, '"No comments"')
  t.notOk('body' in footbridge!)
  const comments = await get(app, t, `/v1/articles/${String(footbridge!.slug)}/comments`)
  t.equal(comments.statusCode, 200)
  t.equal(comments.json().meta.total, 4, 'commentCount matches the approved comments listed')
  const list = await get(app, t, '/v1/dates?year=2026&month=6&include=articles')
  const june3 = list.json().data.find((d: Item) => d.date === '2026-06-03')
  t.same(june3.articles.map((a: Item) => a.commentCount), [4, 0])
  t.equal(june3.note, page.note)
})
