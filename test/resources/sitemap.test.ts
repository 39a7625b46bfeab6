import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { XMLParser, XMLValidator } from 'fast-xml-parser'
import t, { type Test } from 'tap'
import { adminSecret, bearer, build, createArticle, createAuthor, request, tokenFor } from '../helper.js'
import { assertProblem } from '../problems.js'

// /sitemap.xml and /sitemap-{page}.xml (issue 6): the front end's published pages with when
// each last changed, read back with an independent parser; the index above the page size.

type Item = Record<string, any>

const site = 'https://blog.example.org/news'
const namespace = 'http://www.sitemaps.org/schemas/sitemap/0.9'
const rfc3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/
const jazz = 'Rock \'n\' roll & <jazz>'

async function get (app: FastifyInstance, t: Test, url: string, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
  return request(app, t, { method: 'GET', url, headers })
}

const parser = new XMLParser({ ignoreAttributes: false, parseTagValue: false, htmlEntities: true, isArray: (name) => name === 'url' || name === 'sitemap' })

/** The document at `url`, checked to be well-formed XML served as application/xml, parsed. */
async function xmlAt (app: FastifyInstance, t: Test, url: string): Promise<Item> {
  const response = await get(app, t, url)
  t.equal(response.statusCode, 200, `GET ${url}`)
  t.match(String(response.headers['content-type']), /^application\/xml; charset=utf-8$/)
  t.equal(XMLValidator.validate(response.body), true, `${url} is well-formed XML`)
  return parser.parse(response.body)
}

/** `[loc, lastmod]` of every URL of the urlset at `url`. */
async function urlsAt (app: FastifyInstance, t: Test, url: string): Promise<Array<[string, string | undefined]>> {
  const xml = await xmlAt(app, t, url)
  t.ok(xml.urlset, `${url} is a urlset`)
  t.equal(xml.urlset['@_xmlns'], namespace, 'in the sitemap namespace')
  return (xml.urlset.url ?? []).map((entry: Item) => [entry.loc, entry.lastmod])
}

function newest (...timestamps: string[]): string {
  return timestamps.reduce((latest, at) => (at > latest ? at : latest))
}

/**
 * Three published articles on two days (two on 2025-04-12), a draft and a scheduled one with
 * labels of their own, and a day an editor created with a note and no articles.
 */
async function blog (t: Test, overrides: Parameters<typeof build>[1] = {}) {
  const app = await build(t, { siteUrl: `${site}/`, ...overrides })
  const ada = await createAuthor(app, t, { name: 'Ada Reporter' })
  const harbour = await createArticle(app, t, { title: 'Harbour wall repairs begin', authorId: ada.id, status: 'published', publishedAt: '2025-03-10T09:00:00.000Z', labels: ['Harbour', 'Council'] })
  const footbridge = await createArticle(app, t, { title: 'Council approves footbridge', authorId: ada.id, status: 'published', publishedAt: '2025-04-12T15:30:00.000Z', labels: ['Council'] })
  const festival = await createArticle(app, t, { title: 'Jazz festival line-up', authorId: ada.id, status: 'published', publishedAt: '2025-04-12T08:00:00.000Z', labels: [jazz] })
  const draft = await createArticle(app, t, { title: 'Secret draft', authorId: ada.id, labels: ['Secret'] })
  const scheduled = await createArticle(app, t, { title: 'Embargoed story', authorId: ada.id, status: 'scheduled', publishedAt: '2999-01-01T00:00:00.000Z', labels: ['Embargoed'] })
  const note = await request(app, t, { method: 'POST', url: '/v1/dates', headers: bearer(adminSecret), payload: { date: '2024-12-24', note: 'Christmas Eve: no paper tomorrow.' } })
  if (note.statusCode !== 201) throw new Error(`creating a day failed: ${note.statusCode} ${note.body}`)
  return { app, ada, harbour, footbridge, festival, draft, scheduled }
}

const shared = await blog(t)

/** Every URL the shared blog's sitemap should list, in order (the noted day's lastmod is not known here). */
function expectedUrls ({ harbour, footbridge, festival }: typeof shared): Array<[string, string | undefined]> {
  return [
    [`${site}/`, newest(harbour.updatedAt, footbridge.updatedAt, festival.updatedAt)],
    [`${site}/articles/${footbridge.slug}`, footbridge.updatedAt],
    [`${site}/articles/${festival.slug}`, festival.updatedAt],
    [`${site}/articles/${harbour.slug}`, harbour.updatedAt],
    [`${site}/dates/2025-04-12`, newest(footbridge.updatedAt, festival.updatedAt)],
    [`${site}/dates/2025-03-10`, harbour.updatedAt],
    [`${site}/dates/2024-12-24`, undefined],
    [`${site}/labels/Council`, newest(harbour.updatedAt, footbridge.updatedAt)],
    [`${site}/labels/Harbour`, harbour.updatedAt],
    [`${site}/labels/${encodeURIComponent(jazz)}`, festival.updatedAt]
  ]
}

/** The URLs with the noted day's lastmod checked and blanked, for comparing with expectedUrls. */
function withNotedDayChecked (t: Test, urls: Array<[string, string | undefined]>): Array<[string, string | undefined]> {
  return urls.map(([loc, lastmod]) => {
    if (loc !== `${site}/dates/2024-12-24`) return [loc, lastmod]
    t.match(lastmod, rfc3339, 'the noted day\'s lastmod is when its note was written')
    return [loc, undefined]
  })
}

t.test('the sitemap lists the home page, published articles, days and labels, absolute, each with its lastmod', async (t) => {
  const urls = await urlsAt(shared.app, t, '/sitemap.xml')
  t.same(withNotedDayChecked(t, urls), expectedUrls(shared))
  for (const [loc, lastmod] of urls) {
    t.ok(loc.startsWith(`${site}/`), `${loc} is absolute, on the site`)
    t.match(lastmod, rfc3339, `${loc} has a W3C datetime lastmod`)
  }
})

t.test('drafts and scheduled articles are left out, and so are the days and labels only they have', async (t) => {
  const { body } = await get(shared.app, t, '/sitemap.xml')
  for (const absent of [shared.draft.slug, shared.scheduled.slug, '/labels/Secret', '/labels/Embargoed', '/dates/2999-01-01']) {
    t.notOk(body.includes(absent), `${absent} is not listed`)
  }
})

t.test('URLs are percent-encoded and XML-escaped, and read back exactly', async (t) => {
  const response = await get(shared.app, t, '/sitemap.xml')
  t.ok(response.body.includes('/labels/Rock%20&apos;n&apos;%20roll%20%26%20%3Cjazz%3E</loc>'), 'the apostrophes are entity-escaped, the rest percent-encoded')
  const urls = await urlsAt(shared.app, t, '/sitemap.xml')
  t.ok(urls.some(([loc]) => loc === `${site}/labels/Rock%20'n'%20roll%20%26%20%3Cjazz%3E`), 'the parsed loc is the URL')
})

t.test('below the page size /sitemap-1.xml is the same sitemap, and there is no page 2', async (t) => {
  const whole = await get(shared.app, t, '/sitemap.xml')
  const first = await get(shared.app, t, '/sitemap-1.xml')
  t.equal(first.statusCode, 200)
  t.equal(first.body, whole.body)
  assertProblem(t, await request(shared.app, t, { method: 'GET', url: '/sitemap-2.xml' }), 404, 'not-found')
  t.equal(shared.app.settings.sitemapPageSize, 50_000, 'the page size is the protocol\'s cap by default')
})

t.test('above the page size /sitemap.xml is an index of pages that list every URL once, in order', async (t) => {
  const paged = await blog(t, { sitemapPageSize: 3 })
  const index = await xmlAt(paged.app, t, '/sitemap.xml')
  t.notOk(index.urlset, 'not a urlset any more')
  t.equal(index.sitemapindex['@_xmlns'], namespace)
  const pages = index.sitemapindex.sitemap.map((entry: Item) => entry.loc)
  t.same(pages, [1, 2, 3, 4].map((page) => `${site}/sitemap-${page}.xml`), '10 URLs, 3 a page: 4 absolute page links')
  const listed: Array<[string, string | undefined]> = []
  for (const page of pages) {
    const urls = await urlsAt(paged.app, t, new URL(page).pathname.replace('/news', ''))
    t.ok(urls.length >= 1 && urls.length <= 3, `${page} has 1 to 3 URLs`)
    listed.push(...urls)
  }
  t.same(withNotedDayChecked(t, listed), expectedUrls(paged), 'together, the whole sitemap')
  assertProblem(t, await request(paged.app, t, { method: 'GET', url: '/sitemap-5.xml' }), 404, 'not-found')
})

t.test('a page number that is not one is refused', async (t) => {
  assertProblem(t, await request(shared.app, t, { method: 'GET', url: '/sitemap-0.xml' }), 400, 'validation', 'params.page')
  assertProblem(t, await request(shared.app, t, { method: 'GET', url: '/sitemap-x.xml' }), 404, 'not-found')
  assertProblem(t, await request(shared.app, t, { method: 'GET', url: '/sitemap-999999999.xml' }), 400, 'validation', 'params.page')
})

t.test('an unknown query parameter is a 400 problem', async (t) => {
  assertProblem(t, await request(shared.app, t, { method: 'GET', url: '/sitemap.xml?page=2' }), 400, 'validation', 'querystring.page')
  assertProblem(t, await request(shared.app, t, { method: 'GET', url: '/sitemap-1.xml?x=1' }), 400, 'validation', 'querystring.x')
})

t.test('the sitemap is public and cacheable: the same with a token, ETag and Last-Modified give 304s', async (t) => {
  const { app } = shared
  const anonymous = await get(app, t, '/sitemap.xml')
  t.equal(anonymous.headers['cache-control'], 'public, max-age=300')
  for (const role of ['editor', 'admin'] as const) {
    const withToken = await get(app, t, '/sitemap.xml', bearer(await tokenFor(app, role)))
    t.equal(withToken.body, anonymous.body, `the same for an ${role}`)
    t.equal(withToken.headers['cache-control'], 'public, max-age=300')
  }
  const etag = String(anonymous.headers.etag)
  t.match(etag, /^"[^"]+"$/)
  const byEtag = await get(app, t, '/sitemap.xml', { 'if-none-match': etag })
  t.equal(byEtag.statusCode, 304)
  t.equal(byEtag.body, '')
  const lastModified = String(anonymous.headers['last-modified'])
  const newestUrl = Math.max(...expectedUrls(shared).map(([, lastmod]) => lastmod === undefined ? 0 : Date.parse(lastmod)))
  t.ok(Date.parse(lastModified) >= Math.floor(newestUrl / 1000) * 1000, 'Last-Modified is the newest change (or later: the noted day)')
  t.equal((await get(app, t, '/sitemap.xml', { 'if-modified-since': lastModified })).statusCode, 304)
  t.equal((await get(app, t, '/sitemap-1.xml', { 'if-modified-since': lastModified })).statusCode, 304)
  t.equal((await get(app, t, '/sitemap.xml', { 'if-modified-since': 'Thu, 01 Jan 1970 00:00:00 GMT' })).statusCode, 200)
  t.equal((await get(app, t, '/sitemap.xml', { 'if-none-match': '"stale"', 'if-modified-since': lastModified })).statusCode, 200, 'If-None-Match wins')
})

t.test('publishing and unpublishing change the sitemap and its ETag', async (t) => {
  const { app, draft, harbour } = await blog(t)
  const before = await get(app, t, '/sitemap.xml')
  const published = await request(app, t, { method: 'PATCH', url: `/v1/articles/${draft.id}`, headers: bearer(adminSecret), payload: { status: 'published', publishedAt: '2025-05-01T10:00:00.000Z' } })
  t.equal(published.statusCode, 200)
  const withDraft = await urlsAt(app, t, '/sitemap.xml')
  t.ok(withDraft.some(([loc, lastmod]) => loc === `${site}/articles/${draft.slug}` && lastmod === published.json().updatedAt), 'the newly published article, with its lastmod')
  t.ok(withDraft.some(([loc]) => loc === `${site}/labels/Secret`), 'its label')
  t.ok(withDraft.some(([loc]) => loc === `${site}/dates/2025-05-01`), 'its day')
  t.not((await get(app, t, '/sitemap.xml')).headers.etag, before.headers.etag, 'a new ETag')

  const unpublished = await request(app, t, { method: 'PATCH', url: `/v1/articles/${harbour.id}`, headers: bearer(adminSecret), payload: { status: 'draft' } })
  t.equal(unpublished.statusCode, 200)
  const without = (await urlsAt(app, t, '/sitemap.xml')).map(([loc]) => loc)
  t.notOk(without.includes(`${site}/articles/${harbour.slug}`), 'an article back to draft leaves')
  t.notOk(without.includes(`${site}/labels/Harbour`), 'with the label only it had')
  t.notOk(without.includes(`${site}/dates/2025-03-10`), 'and the day only it was on')
})

t.test('an empty blog has a sitemap with just the home page', async (t) => {
  const app = await build(t)
  t.same(await urlsAt(app, t, '/sitemap.xml'), [['http://localhost/', undefined]], 'no site URL: this server\'s root, at the address asked; no lastmod')
})

t.test('DATELINE_ARTICLE_PATH says where article URLs point', async (t) => {
  const app = await build(t, { siteUrl: 'https://example.org', articlePath: '/story/{id}' })
  const author = await createAuthor(app, t)
  const article = await createArticle(app, t, { title: 'Harbour reopens', authorId: author.id, status: 'published' })
  const urls = (await urlsAt(app, t, '/sitemap.xml')).map(([loc]) => loc)
  t.ok(urls.includes(`https://example.org/story/${article.id}`))
})
