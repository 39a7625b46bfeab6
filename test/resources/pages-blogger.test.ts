import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import t, { type Test } from 'tap'
import { apiPages, legacyPages, pages2018 } from '../fixtures/import/blogger-pages.js'
import { adminSecret, bearer, build, request } from '../helper.js'

// Blogger pages through POST /v1/import (issue 22, part 5): the legacy export, the 2018 schema
// and the API dumps each give pages, not articles (readable at /v1/pages/{slug}, bodies
// sanitised, not in the feeds); trashed pages and comments on pages are skipped with their
// reasons; importing the same file again changes no page.

type Item = Record<string, any>

const counts = (created: number, updated = 0, unchanged = 0, skipped = 0) => ({ created, updated, unchanged, skipped })
const none = counts(0)

async function get (app: FastifyInstance, t: Test, url: string, secret: string | null = adminSecret): Promise<LightMyRequestResponse> {
  return await request(app, t, { method: 'GET', url, headers: secret === null ? {} : bearer(secret) })
}

async function imported (app: FastifyInstance, t: Test, payload: string, contentType: string): Promise<Item> {
  const response = await request(app, t, { method: 'POST', url: '/v1/import', headers: { ...bearer(adminSecret), 'content-type': contentType }, payload })
  t.equal(response.statusCode, 200, 'imported', { body: response.body.slice(0, 2000) })
  return response.json()
}

/** The slugs of the pages a reader (no token) and an editor (the admin) see. */
async function pageSlugs (app: FastifyInstance, t: Test): Promise<{ public: string[], all: string[] }> {
  const slugs = async (secret: string | null): Promise<string[]> => (await get(app, t, '/v1/pages?limit=100', secret)).json().data.map((page: Item) => page.slug)
  return { public: await slugs(null), all: await slugs(adminSecret) }
}

/** Neither an article nor in the feeds: only the posts' titles are there. */
async function notArticles (app: FastifyInstance, t: Test, pageSlugs: string[], postTitles: string[]): Promise<void> {
  for (const slug of pageSlugs) t.equal((await get(app, t, `/v1/articles/${slug}`)).statusCode, 404, `${slug} is not an article`)
  t.same((await get(app, t, '/v1/articles?limit=100')).json().data.map((article: Item) => article.title), postTitles, 'the articles are the posts')
  const feed = await app.inject({ method: 'GET', url: '/feed.json' })
  t.same(JSON.parse(feed.body).items.map((item: Item) => item.title), postTitles, 'the feed holds the posts only')
}

/** The import's skip rows of pages and comments, as [resource, source id, reason]. */
const skippedRows = (report: Item): Array<[string, string, string]> =>
  report.skipped.filter((row: Item) => row.resource === 'page' || row.resource === 'comment').map((row: Item) => [row.resource, row.sourceId, row.reason])

t.test('legacy export: a page and a draft page, the body sanitised and its line breaks converted; the page\'s comment skipped', async (t) => {
  const app = await build(t)
  const report = await imported(app, t, legacyPages, 'application/xml')
  t.equal(report.format, 'blogger-legacy')
  t.same(report.counts, { authors: counts(1), articles: counts(1), comments: counts(0, 0, 0, 1), media: none, days: none, redirects: none, pages: counts(2) }, 'exact counts')
  t.same(skippedRows(report), [['comment', 'tag:blogger.com,1999:blog-81.post-4', 'its article was skipped (page)']])
  const about = await get(app, t, '/v1/pages/about-us', null)
  t.equal(about.statusCode, 200, 'a reader reads the published page by its /p/ slug')
  t.match(about.json(), { title: 'About & contact', status: 'published', parentId: null, position: 0, createdAt: '2012-01-05T17:00:00.000Z', updatedAt: '2012-02-01T17:00:00.000Z' })
  t.equal(about.json().body, '<p>Who we are</p><br />\nWrite to the harbour office.', 'no handler, no script; the newline is a line break (BLOG_CONVERT_LINE_BREAKS)')
  t.equal((await get(app, t, '/v1/pages/opening-hours', null)).statusCode, 404, 'the draft is hidden from readers')
  t.match((await get(app, t, '/v1/pages/opening-hours')).json(), { title: 'Opening hours', status: 'draft' }, 'app:draft yes: a draft, its slug from its title')
  await notArticles(app, t, ['about-us', 'opening-hours'], ['Harbour news'])

  const again = await imported(app, t, legacyPages, 'application/xml')
  t.same(again.counts, { authors: counts(0, 0, 1), articles: counts(0, 0, 1), comments: counts(0, 0, 0, 1), media: none, days: none, redirects: none, pages: counts(0, 0, 2) }, 'importing again: every page unchanged')
  t.same(await pageSlugs(app, t), { public: ['about-us'], all: ['about-us', 'opening-hours'] }, 'no page twice')
})

t.test('2018 schema: LIVE and DRAFT pages; trashed ones (blogger:trashed, SOFT_TRASHED) and comments on pages skipped', async (t) => {
  const app = await build(t)
  const report = await imported(app, t, pages2018, 'application/xml')
  t.equal(report.format, 'blogger-2018')
  t.same(report.counts, { authors: counts(1), articles: counts(1), comments: counts(0, 0, 0, 2), media: none, days: none, redirects: none, pages: counts(2, 0, 0, 2) }, 'exact counts: the post\'s author is the importing one')
  const id = (n: string): string => `tag:blogger.com,1999:blog-82.post-${n}`
  t.same(skippedRows(report), [
    ['page', id('4'), 'trashed'],
    ['page', id('5'), 'trashed'],
    ['comment', id('6'), 'its article was skipped (page)'],
    ['comment', id('7'), 'its article was skipped (trashed)']
  ])
  const timetable = await get(app, t, '/v1/pages/ferry-timetable', null)
  t.equal(timetable.statusCode, 200, 'a reader reads the LIVE page by its /p/ slug')
  t.match(timetable.json(), { title: 'Ferry timetable', status: 'published', excerpt: 'When the ferries sail.', parentId: null, position: 0, createdAt: '2023-12-30T08:00:00.000Z' })
  t.equal(timetable.json().body, '<p>Every 40\u00a0minutes.</p><img src="x" />', 'sanitised as an article body: no foreign iframe, no handler')
  t.match((await get(app, t, '/v1/pages/fares-draft')).json(), { title: 'Fares (draft)', status: 'draft' }, 'DRAFT: a draft, its slug from its title')
  for (const slug of ['winter', 'older']) t.equal((await get(app, t, `/v1/pages/${slug}`)).statusCode, 404, `the trashed ${slug} page is not imported`)
  await notArticles(app, t, ['ferry-timetable', 'fares-draft'], ['New ferry'])

  const again = await imported(app, t, pages2018, 'application/xml')
  t.same(again.counts, { authors: counts(0, 0, 1), articles: counts(0, 0, 1), comments: counts(0, 0, 0, 2), media: none, days: none, redirects: none, pages: counts(0, 0, 2, 2) }, 'importing again: every page unchanged')
  t.same(await pageSlugs(app, t), { public: ['ferry-timetable'], all: ['fares-draft', 'ferry-timetable'] }, 'no page twice')
})

t.test('Blogger API dump: a pages.list\'s LIVE and DRAFT pages; SOFT_TRASHED and trashed ones and a comment on a page skipped', async (t) => {
  const app = await build(t)
  const report = await imported(app, t, apiPages, 'application/json')
  t.equal(report.format, 'blogger-api')
  t.same(report.counts, { authors: counts(1), articles: counts(1), comments: counts(0, 0, 0, 1), media: none, days: none, redirects: none, pages: counts(2, 0, 0, 2) }, 'exact counts')
  t.same(skippedRows(report), [
    ['page', '8300000000000000003', 'trashed'],
    ['page', '8300000000000000004', 'trashed'],
    ['comment', '8320000000000000001', 'its article was skipped (page)']
  ])
  const contact = await get(app, t, '/v1/pages/contact', null)
  t.equal(contact.statusCode, 200, 'a reader reads the LIVE page by the slug of its url')
  t.match(contact.json(), { title: 'Contact & tips', status: 'published', parentId: null, position: 0, createdAt: '2016-05-01T17:00:00.000Z', updatedAt: '2016-06-01T17:00:00.000Z' })
  t.equal(contact.json().body, '<p>Call the studio.</p>', 'sanitised as an article body: no style, no handler, no script')
  t.match((await get(app, t, '/v1/pages/advertising')).json(), { title: 'Advertising', status: 'draft' }, 'DRAFT: a draft, its slug from its title')
  for (const slug of ['old', 'older']) t.equal((await get(app, t, `/v1/pages/${slug}`)).statusCode, 404, `the trashed ${slug} page is not imported`)
  await notArticles(app, t, ['contact', 'advertising'], ['On air'])

  const again = await imported(app, t, apiPages, 'application/json')
  t.same(again.counts, { authors: counts(0, 0, 1), articles: counts(0, 0, 1), comments: counts(0, 0, 0, 1), media: none, days: none, redirects: none, pages: counts(0, 0, 2, 2) }, 'importing again: every page unchanged')
  t.same(await pageSlugs(app, t), { public: ['contact'], all: ['advertising', 'contact'] }, 'no page twice')
})

t.test('a page whose Blogger status is neither LIVE nor DRAFT is a draft, and the report says so', async (t) => {
  const app = await build(t)
  const cases: Array<[string, string, string]> = [
    [pages2018.replace('<blogger:status>DRAFT</blogger:status>', '<blogger:status>PENDING</blogger:status>'), 'application/xml', 'tag:blogger.com,1999:blog-82.post-3'],
    [apiPages.replace('"status": "DRAFT"', '"status": "PENDING"'), 'application/json', '8300000000000000002']
  ]
  for (const [document, contentType, sourceId] of cases) {
    t.not(document, contentType === 'application/xml' ? pages2018 : apiPages, 'the status is replaced')
    const report = await imported(app, t, document, contentType)
    const notes = report.notes.filter((note: Item) => note.resource === 'page').map((note: Item) => [note.sourceId, note.note])
    t.same(notes, [[sourceId, 'unknown status "PENDING" in source: imported as a draft']], `${report.format}: noted`)
  }
  t.same((await pageSlugs(app, t)).public, ['contact', 'ferry-timetable'], 'neither is published')
})
