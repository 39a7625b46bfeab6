import { decodeHTML } from 'entities'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { XMLParser, XMLValidator } from 'fast-xml-parser'
import t, { type Test } from 'tap'
import { adminSecret, bearer, build, createArticle, createAuthor, request, tokenFor } from '../helper.js'
import { assertProblem } from '../problems.js'

// /feed.atom, /feed.rss and /feed.json (issue 6): each feed read back with an independent
// parser (fast-xml-parser), checked for what its format requires, for escaping round trips,
// for what it includes, and for conditional GETs.

type Item = Record<string, any>

const site = 'https://blog.example.org/news'
const rfc3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/
const rfc822 = /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} (?:GMT|[+-]\d{4})$/
const tricky = 'Café & <Bar> "quoted" – Straße ✓'

async function get (app: FastifyInstance, t: Test, url: string, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
  return request(app, t, { method: 'GET', url, headers })
}

const parser = new XMLParser({
  ignoreAttributes: false,
  parseTagValue: false,
  htmlEntities: true,
  isArray: (name, path) => ['entry', 'item', 'category', 'author', 'atom:link'].includes(name) || (name === 'link' && String(path).startsWith('feed.'))
})

/** The feed at `url`, checked to be well-formed and of `mediaType`, parsed. */
async function xmlAt (app: FastifyInstance, t: Test, url: string, mediaType: string, headers: Record<string, string> = {}): Promise<{ response: LightMyRequestResponse, xml: Item }> {
  const response = await get(app, t, url, headers)
  t.equal(response.statusCode, 200, `GET ${url}`)
  t.match(String(response.headers['content-type']), new RegExp(`^${mediaType.replace('+', '\\+')}; charset=utf-8$`), `served as ${mediaType}`)
  t.equal(XMLValidator.validate(response.body), true, `${url} is well-formed XML`)
  return { response, xml: parser.parse(response.body) }
}

async function atom (app: FastifyInstance, t: Test, url = '/feed.atom'): Promise<Item> {
  return (await xmlAt(app, t, url, 'application/atom+xml')).xml.feed
}

async function rss (app: FastifyInstance, t: Test, url = '/feed.rss'): Promise<Item> {
  const { xml } = await xmlAt(app, t, url, 'application/rss+xml')
  t.equal(xml.rss['@_version'], '2.0')
  return xml.rss.channel
}

async function json (app: FastifyInstance, t: Test, url = '/feed.json'): Promise<Item> {
  const response = await request(app, t, { method: 'GET', url })
  t.equal(response.statusCode, 200, `GET ${url}`)
  t.match(String(response.headers['content-type']), /^application\/feed\+json; charset=utf-8$/)
  return response.json()
}

/** An Atom text construct as a reader shows it: `type="html"` is HTML, decoded to its text. */
function atomText (node: unknown): string {
  if (typeof node === 'string') return node
  const element = node as Item
  const text = String(element['#text'] ?? '')
  return element['@_type'] === 'html' ? decodeHTML(text) : text
}

function linkTo (links: Item[], rel: string): string | undefined {
  return links.find((link) => (link['@_rel'] ?? 'alternate') === rel)?.['@_href']
}

/**
 * Ada (with a private e-mail) wrote two published articles, a draft and a scheduled one;
 * Ben wrote one published article.
 */
async function blog (t: Test, overrides: Parameters<typeof build>[1] = {}) {
  const app = await build(t, { siteUrl: `${site}/`, siteTitle: 'The Vell Courier', siteDescription: 'News & views from the <Vell>', ...overrides })
  const ada = await createAuthor(app, t, { name: 'Ada Reporter', email: 'ada.private@example.org', url: 'https://ada.example.org/about', avatarUrl: 'https://ada.example.org/me.png' })
  const ben = await createAuthor(app, t, { name: 'Ben Writer', email: 'ben.private@example.org' })
  const older = await createArticle(app, t, { title: 'Harbour wall repairs begin', authorId: ada.id, status: 'published', publishedAt: '2025-03-10T09:00:00.000Z', labels: ['Harbour', 'Council'], body: '<p>Work on the <strong>north wall</strong> starts.</p>' })
  const newer = await createArticle(app, t, { title: 'Council approves footbridge', authorId: ada.id, status: 'published', publishedAt: '2025-04-12T15:30:00.000Z', labels: ['Council'], body: '<p>The council voted 7 to 2.</p>' })
  const bens = await createArticle(app, t, { title: 'Ferry timetable changes', authorId: ben.id, status: 'published', publishedAt: '2025-04-01T08:15:00.000Z', labels: ['Transport'] })
  const draft = await createArticle(app, t, { title: 'Secret draft', authorId: ada.id, labels: ['Council'] })
  const scheduled = await createArticle(app, t, { title: 'Embargoed story', authorId: ada.id, status: 'scheduled', publishedAt: '2999-01-01T00:00:00.000Z', labels: ['Council'] })
  return { app, ada, ben, older, newer, bens, draft, scheduled }
}

// Read-only tests share one blog. Tests that add one article (published now, so it is the
// newest: tap runs them one after the other) share another; the rest make their own.
const shared = await blog(t)
const scratch = await blog(t)

t.test('the Atom feed has what Atom 1.0 requires, absolute links, and the published articles newest first', async (t) => {
  const { app, ada, older, newer, bens } = shared
  const feed = await atom(app, t)
  t.equal(feed['@_xmlns'], 'http://www.w3.org/2005/Atom')
  t.equal(atomText(feed.title), 'The Vell Courier')
  t.equal(atomText(feed.subtitle), 'News & views from the <Vell>')
  t.equal(feed.id, `${site}/feed.atom`)
  t.match(feed.updated, rfc3339)
  t.equal(linkTo(feed.link, 'self'), `${site}/feed.atom`, 'the self link is absolute')
  t.equal(linkTo(feed.link, 'alternate'), `${site}/`, 'the alternate link is the site')

  t.same(feed.entry.map((entry: Item) => atomText(entry.title)), [newer.title, bens.title, older.title], 'published articles only, newest first')
  const entry = feed.entry[0] as Item
  t.match(entry.id, /^tag:blog\.example\.org,\d{4}-\d{2}-\d{2}:news\/article-\d+$/, 'a tag: URI')
  t.equal(linkTo(entry.link, 'alternate'), `${site}/articles/${newer.slug}`)
  t.match(entry.updated, rfc3339)
  t.equal(Date.parse(entry.updated), Date.parse(newer.updatedAt), 'updated is the article\'s updatedAt')
  t.equal(entry.published, newer.publishedAt)
  t.equal(entry.content['@_type'], 'html')
  t.equal(entry.content['#text'], newer.body, 'the sanitised body, as HTML')
  t.equal(atomText(entry.summary), newer.excerpt)
  t.same(entry.author.map((author: Item) => [author.name, author.uri]), [[ada.name, 'https://ada.example.org/about']])
  t.same(entry.category.map((category: Item) => category['@_term']), ['Council'])
  t.equal(Date.parse(feed.updated), Math.max(...[older, newer, bens].map((article) => Date.parse(article.updatedAt))), 'the feed changed when its newest article did')
})

t.test('the RSS feed has what RSS 2.0 requires, content:encoded, and dc:creator instead of an e-mail', async (t) => {
  const { app, ada, older, newer, bens } = shared
  const { response, xml } = await xmlAt(app, t, '/feed.rss', 'application/rss+xml')
  t.equal(xml.rss['@_xmlns:content'], 'http://purl.org/rss/1.0/modules/content/')
  t.equal(xml.rss['@_xmlns:dc'], 'http://purl.org/dc/elements/1.1/')
  const channel = xml.rss.channel
  t.equal(channel.title, 'The Vell Courier')
  t.equal(channel.link, `${site}/`)
  t.equal(channel.description, 'News & views from the <Vell>')
  t.equal(channel.language, 'en-US')
  t.match(channel.lastBuildDate, rfc822)
  t.same(channel['atom:link'].map((link: Item) => [link['@_rel'], link['@_href']]), [['self', `${site}/feed.rss`]])

  t.same(channel.item.map((item: Item) => item.title), [newer.title, bens.title, older.title])
  const item = channel.item[0] as Item
  t.equal(item.link, `${site}/articles/${newer.slug}`)
  t.match(item.guid['#text'], /^tag:blog\.example\.org,/)
  t.equal(item.guid['@_isPermaLink'], 'false')
  t.match(item.pubDate, rfc822, 'pubDate is an RFC 822 date')
  t.equal(Date.parse(item.pubDate), Date.parse(newer.publishedAt), 'pubDate is publishedAt')
  t.equal(decodeHTML(item.description), newer.excerpt)
  t.equal(item['content:encoded'], newer.body)
  t.equal(item['dc:creator'], ada.name)
  t.equal(item.author, undefined, 'no <author>: RSS wants an e-mail there')
  t.same(item.category, ['Council'])
  t.notOk(response.body.includes('private@example.org'), 'no author\'s e-mail')
})

t.test('the JSON feed is JSON Feed 1.1, served as application/feed+json', async (t) => {
  const { app, ada, ben, older, newer, bens } = shared
  const feed = await json(app, t)
  t.equal(feed.version, 'https://jsonfeed.org/version/1.1')
  t.equal(feed.title, 'The Vell Courier')
  t.equal(feed.description, 'News & views from the <Vell>')
  t.equal(feed.home_page_url, `${site}/`)
  t.equal(feed.feed_url, `${site}/feed.json`)
  t.equal(feed.language, 'en-US')
  t.same(feed.items.map((item: Item) => item.title), [newer.title, bens.title, older.title])
  const item = feed.items[0] as Item
  const second = feed.items[1] as Item
  t.same(item, {
    id: item.id,
    url: `${site}/articles/${newer.slug}`,
    title: newer.title,
    content_html: newer.body,
    summary: newer.excerpt,
    date_published: newer.publishedAt,
    date_modified: newer.updatedAt,
    authors: [{ name: ada.name, url: 'https://ada.example.org/about', avatar: 'https://ada.example.org/me.png' }],
    tags: ['Council']
  })
  t.match(item.id, /^tag:blog\.example\.org,/)
  t.match(item.date_published, rfc3339)
  t.match(item.date_modified, rfc3339)
  t.same(second.authors, [{ name: ben.name }], 'an author without url or avatar is just a name')
  t.notOk(JSON.stringify(feed).includes('private@example.org'), 'no author\'s e-mail')
})

t.test('no feed ever shows an author\'s e-mail, whoever asks', async (t) => {
  const { app } = shared
  for (const url of ['/feed.atom', '/feed.rss', '/feed.json']) {
    for (const headers of [{}, bearer(adminSecret)]) {
      const response = await get(app, t, url, headers)
      t.equal(response.statusCode, 200)
      t.notOk(response.body.includes('private@example.org'), `${url} ${'authorization' in headers ? 'as admin' : 'anonymously'}`)
    }
  }
})

t.test('titles, names, labels and bodies with markup characters and non-ASCII round-trip exactly', async (t) => {
  const app = await build(t, { siteUrl: site, siteTitle: 'Fish & <Chips> "Daily"', siteDescription: 'Tom &amp; Jerry\'s ]]> news' })
  const author = await createAuthor(app, t, { name: 'Zoë & <Co> "Ltd" O\'Brien', email: 'zoe.private@example.org' })
  const titles = [
    tricky,
    'Tom &amp; Jerry: a literal &amp; and &lt;tag&gt;',
    'Nested ]]> CDATA ]]> ends ]]>',
    'Apostrophes \'n\' "quotes" <script>alert(1)</script>'
  ]
  const created = []
  for (const [index, title] of titles.entries()) {
    created.push(await createArticle(app, t, {
      title,
      authorId: author.id,
      status: 'published',
      publishedAt: `2025-05-0${index + 1}T12:00:00.000Z`,
      labels: ['R&D "lab"', 'Straße ✓'],
      excerpt: `Summary of ${title}`,
      body: `<p>Fish &amp; chips &lt;tonight&gt; ]]&gt; <a href="https://example.org/?a=1&amp;b=2">“here”</a> ✓</p><blockquote>${index}</blockquote>`
    }))
  }
  const newestFirst = [...created].reverse()

  const feed = await atom(app, t)
  t.equal(atomText(feed.title), 'Fish & <Chips> "Daily"')
  t.equal(atomText(feed.subtitle), 'Tom &amp; Jerry\'s ]]> news')
  t.same(feed.entry.map((entry: Item) => atomText(entry.title)), newestFirst.map((article) => article.title), 'Atom titles (type="html") decode to the original')
  t.same(feed.entry.map((entry: Item) => atomText(entry.summary)), newestFirst.map((article) => article.excerpt))
  t.same(feed.entry.map((entry: Item) => entry.content['#text']), newestFirst.map((article) => article.body), 'bodies round-trip')
  t.same(feed.entry.map((entry: Item) => entry.author[0].name), newestFirst.map(() => author.name))
  t.same(feed.entry[0].category.map((category: Item) => category['@_term']), ['R&D "lab"', 'Straße ✓'])

  const channel = await rss(app, t)
  t.equal(channel.title, 'Fish & <Chips> "Daily"')
  t.equal(channel.description, 'Tom &amp; Jerry\'s ]]> news')
  t.same(channel.item.map((item: Item) => item.title), newestFirst.map((article) => article.title), 'RSS titles are the plain text')
  t.same(channel.item.map((item: Item) => decodeHTML(item.description)), newestFirst.map((article) => article.excerpt))
  t.same(channel.item.map((item: Item) => item['content:encoded']), newestFirst.map((article) => article.body))
  t.same(channel.item.map((item: Item) => item['dc:creator']), newestFirst.map(() => author.name))
  t.same(channel.item[0].category, ['R&D "lab"', 'Straße ✓'])

  const jsonFeed = await json(app, t)
  t.equal(jsonFeed.title, 'Fish & <Chips> "Daily"')
  t.same(jsonFeed.items.map((item: Item) => [item.title, item.summary, item.content_html, item.authors[0].name, item.tags]),
    newestFirst.map((article) => [article.title, article.excerpt, article.body, author.name, ['R&D "lab"', 'Straße ✓']]))
})

t.test('a label with "<" is carried by RSS and JSON Feed; Atom leaves it out of its categories', async (t) => {
  const { app, ada } = scratch
  await createArticle(app, t, { title: 'Hearts', authorId: ada.id, status: 'published', labels: ['I <3 Vell', 'Plain'] })
  const feed = await atom(app, t)
  t.same(feed.entry[0].category.map((category: Item) => category['@_term']), ['Plain'], 'feed 6 cannot write "<" in an attribute, so that label is left out')
  t.same((await rss(app, t)).item[0].category, ['I <3 Vell', 'Plain'])
  t.same((await json(app, t)).items[0].tags, ['I <3 Vell', 'Plain'])
})

t.test('characters XML cannot carry are dropped from the XML feeds, which stay well-formed', async (t) => {
  const { app, ada } = scratch
  // Control characters are refused on the way in; noncharacters are not, and XML cannot carry them.
  await createArticle(app, t, { title: 'Bell\uFFFE rings\uFFFF twice', authorId: ada.id, status: 'published', labels: ['Bell\uFFFF tower'], excerpt: 'Tab\uFFFEbed' })
  t.equal(atomText((await atom(app, t)).entry[0].title), 'Bell rings twice')
  const channel = await rss(app, t)
  t.equal(channel.item[0].title, 'Bell rings twice')
  t.same(channel.item[0].category, ['Bell tower'])
  t.equal((await json(app, t)).items[0].title, 'Bell\uFFFE rings\uFFFF twice', 'JSON carries them as they are')
})

t.test('an article with an empty body is still a complete entry in every format', async (t) => {
  const { app, ada } = scratch
  const empty = await createArticle(app, t, { title: 'Just a headline', authorId: ada.id, status: 'published', body: '' })
  const entry = (await atom(app, t)).entry[0]
  t.equal(atomText(entry.title), empty.title)
  t.equal(entry.content['@_type'], 'html')
  const item = (await rss(app, t)).item[0]
  t.equal(item.title, empty.title)
  t.ok('content:encoded' in item, 'content:encoded is there')
  t.equal(item['dc:creator'], ada.name)
  t.equal((await json(app, t)).items[0].content_html, '')
})

t.test('a feed has the 20 newest published articles, drafts and scheduled ones never', async (t) => {
  const { app, ada } = await blog(t)
  const published = []
  for (let day = 1; day <= 22; day++) {
    published.push(await createArticle(app, t, { title: `Day ${day} story`, authorId: ada.id, status: 'published', publishedAt: `2026-01-${String(day).padStart(2, '0')}T10:00:00.000Z` }))
  }
  const expected = published.slice(-20).reverse().map((article) => article.title)
  t.same((await json(app, t)).items.map((item: Item) => item.title), expected, 'JSON Feed: 20, newest first')
  t.same((await atom(app, t)).entry.map((entry: Item) => atomText(entry.title)), expected, 'Atom: the same')
  t.same((await rss(app, t)).item.map((item: Item) => item.title), expected, 'RSS: the same')
  const body = (await get(app, t, '/feed.atom')).body
  t.notOk(body.includes('Secret draft'), 'no draft')
  t.notOk(body.includes('Embargoed story'), 'no scheduled article')
})

t.test('a scheduled article joins the feeds once its time has come', async (t) => {
  const { app, ada } = scratch
  const soon = await createArticle(app, t, { title: 'Due in a moment', authorId: ada.id, status: 'scheduled', publishedAt: new Date(Date.now() + 1200).toISOString() })
  t.equal(soon.status, 'scheduled')
  t.notOk((await json(app, t)).items.some((item: Item) => item.title === 'Due in a moment'), 'not before its time')
  await new Promise((resolve) => setTimeout(resolve, 1300))
  const items = (await json(app, t)).items
  t.equal(items[0].title, 'Due in a moment', 'then first, as the newest')
  const article = await request(app, t, { method: 'GET', url: `/v1/articles/${soon.id}` })
  t.equal(article.json().status, 'published', 'and it is published')
})

t.test('label filters a feed as on the articles list: case-insensitive, repeatable; a label nobody uses gives an empty feed', async (t) => {
  const { app, older, newer } = shared
  const council = await json(app, t, '/feed.json?label=council')
  t.same(council.items.map((item: Item) => item.title), [newer.title, older.title], 'published articles labelled Council')
  t.equal(council.title, 'The Vell Courier: Council', 'the title names the label as the blog spells it')
  t.equal(council.feed_url, `${site}/feed.json?label=council`, 'the self link keeps the query')
  t.same((await json(app, t, '/feed.json?label=Council&label=HARBOUR')).items.map((item: Item) => item.title), [older.title], 'repeated: all of them')

  const atomFeed = await atom(app, t, '/feed.atom?label=%20Harbour%20')
  t.same(atomFeed.entry.map((entry: Item) => atomText(entry.title)), [older.title], 'trimmed like the list filter')
  t.equal(linkTo(atomFeed.link, 'self'), `${site}/feed.atom?label=+Harbour+`)
  t.same((await rss(app, t, '/feed.rss?label=transport')).item.map((item: Item) => item.title), ['Ferry timetable changes'])

  const nobody = await json(app, t, '/feed.json?label=Nobody')
  t.same(nobody.items, [], 'an unknown label: an empty feed, not an error')
  const emptyAtom = await atom(app, t, '/feed.atom?label=Nobody')
  t.equal(emptyAtom.entry, undefined, 'no Atom entries')
  t.equal((await rss(app, t, '/feed.rss?label=Nobody')).item, undefined, 'no RSS items')
})

t.test('author filters a feed by id or slug; an unknown author is an empty feed, as an unknown label is', async (t) => {
  const { app, ada, ben, older, newer, bens } = shared
  t.same((await json(app, t, `/feed.json?author=${ada.id}`)).items.map((item: Item) => item.title), [newer.title, older.title])
  const bySlug = await json(app, t, `/feed.json?author=${ben.slug}`)
  t.same(bySlug.items.map((item: Item) => item.title), [bens.title])
  t.equal(bySlug.title, 'The Vell Courier: Ben Writer')
  t.same((await json(app, t, `/feed.json?author=${ada.slug}&label=harbour`)).items.map((item: Item) => item.title), [older.title], 'with a label too')
  const channel = await rss(app, t, `/feed.rss?author=${ada.slug}`)
  t.same(channel['atom:link'][0]['@_href'], `${site}/feed.rss?author=${ada.slug}`)
  const nobody = await json(app, t, '/feed.json?author=nobody-at-all')
  t.same(nobody.items, [], 'no items')
  t.equal(nobody.title, 'The Vell Courier: nobody-at-all', 'titled with what was asked, as for a label')
  t.equal((await atom(app, t, '/feed.atom?author=nobody-at-all')).entry, undefined, 'no Atom entries')
  t.equal((await rss(app, t, '/feed.rss?author=9999')).item, undefined, 'no RSS items')
  const unknownLabel = await request(app, t, { method: 'GET', url: '/feed.json?label=Nobody' })
  const unknownAuthor = await request(app, t, { method: 'GET', url: '/feed.json?author=nobody-at-all' })
  t.equal(unknownAuthor.statusCode, unknownLabel.statusCode, 'the same status as an unknown label')
  t.equal(unknownAuthor.statusCode, 200)
})

t.test('an unknown or malformed query parameter is a 400 problem', async (t) => {
  const { app } = shared
  for (const path of ['/feed.atom', '/feed.rss', '/feed.json']) {
    assertProblem(t, await request(app, t, { method: 'GET', url: `${path}?limit=5` }), 400, 'validation', 'querystring.limit')
    assertProblem(t, await request(app, t, { method: 'GET', url: `${path}?label=` }), 400, 'validation')
  }
})

t.test('feeds are public: the same document with or without a token, cacheable by anyone', async (t) => {
  const { app, ada } = shared
  const tokens = { editor: await tokenFor(app, 'editor'), author: await tokenFor(app, 'author', ada.id) }
  for (const url of ['/feed.atom', '/feed.rss', '/feed.json']) {
    const anonymous = await get(app, t, url)
    t.equal(anonymous.statusCode, 200)
    t.equal(anonymous.headers['cache-control'], 'public, max-age=300', `${url}: public caching`)
    for (const [role, secret] of Object.entries(tokens)) {
      const withToken = await get(app, t, url, bearer(secret))
      t.equal(withToken.body, anonymous.body, `${url}: the same for an ${role}`)
      t.equal(withToken.headers.etag, anonymous.headers.etag)
      t.equal(withToken.headers['cache-control'], 'public, max-age=300')
    }
    t.notOk(anonymous.body.includes('Secret draft'), `${url}: Ada's draft is not in it, even for Ada`)
    const badToken = await request(app, t, { method: 'GET', url, headers: bearer('not-a-real-token') })
    assertProblem(t, badToken, 401, 'unauthorized')
  }
})

t.test('an ETag and If-None-Match give a 304 with no body', async (t) => {
  const { app } = shared
  for (const url of ['/feed.atom', '/feed.rss', '/feed.json', '/feed.atom?label=council']) {
    const first = await get(app, t, url)
    const etag = String(first.headers.etag)
    t.match(etag, /^"[^"]+"$/, `${url} has an ETag`)
    const again = await get(app, t, url, { 'if-none-match': etag })
    t.equal(again.statusCode, 304)
    t.equal(again.body, '')
    t.equal(again.headers.etag, etag)
    t.equal(again.headers['cache-control'], 'public, max-age=300')
    t.equal((await get(app, t, url, { 'if-none-match': '"something-else"' })).statusCode, 200, 'another ETag: the feed')
  }
})

t.test('Last-Modified is when the newest article changed, and If-Modified-Since gives a 304', async (t) => {
  const { app, older, newer, bens } = shared
  const newest = Math.max(...[older, newer, bens].map((article) => Date.parse(article.updatedAt)))
  for (const url of ['/feed.atom', '/feed.rss', '/feed.json']) {
    const first = await get(app, t, url)
    const lastModified = String(first.headers['last-modified'])
    t.match(lastModified, rfc822, `${url}: an HTTP date`)
    t.equal(Date.parse(lastModified), Math.floor(newest / 1000) * 1000)
    const same = await get(app, t, url, { 'if-modified-since': lastModified })
    t.equal(same.statusCode, 304, 'not modified since then')
    t.equal(same.body, '')
    t.equal(same.headers['cache-control'], 'public, max-age=300')
    t.equal((await get(app, t, url, { 'if-modified-since': new Date(newest + 3_600_000).toUTCString() })).statusCode, 304, 'nor since later')
    t.equal((await get(app, t, url, { 'if-modified-since': new Date(newest - 3_600_000).toUTCString() })).statusCode, 200, 'modified since an hour before')
    t.equal((await get(app, t, url, { 'if-modified-since': 'not a date' })).statusCode, 200, 'a date that is not one is ignored')
  }
})

t.test('If-None-Match wins over If-Modified-Since (RFC 9110 §13.2.2)', async (t) => {
  const { app } = shared
  const first = await get(app, t, '/feed.json')
  const etag = String(first.headers.etag)
  const lastModified = String(first.headers['last-modified'])
  const stale = await get(app, t, '/feed.json', { 'if-none-match': '"stale"', 'if-modified-since': lastModified })
  t.equal(stale.statusCode, 200, 'a stale ETag: the feed, whatever the date says')
  const current = await get(app, t, '/feed.json', { 'if-none-match': etag, 'if-modified-since': 'Thu, 01 Jan 1970 00:00:00 GMT' })
  t.equal(current.statusCode, 304, 'a current ETag: 304, whatever the date says')
})

t.test('a new article, or an author\'s new name, changes the ETag and Last-Modified of the feeds showing them', async (t) => {
  const { app, ada, ben } = await blog(t)
  const before = await get(app, t, '/feed.atom')
  const councilBefore = await get(app, t, '/feed.atom?label=council')
  const adasBefore = await get(app, t, `/feed.rss?author=${ada.slug}`)
  // Last-Modified has whole seconds.
  await new Promise((resolve) => setTimeout(resolve, 1000))
  await createArticle(app, t, { title: 'Breaking: ferry strike', authorId: ben.id, status: 'published', labels: ['Transport'] })
  const after = await get(app, t, '/feed.atom')
  t.not(after.headers.etag, before.headers.etag, 'a new ETag')
  t.ok(Date.parse(String(after.headers['last-modified'])) > Date.parse(String(before.headers['last-modified'])), 'a later Last-Modified')
  t.equal((await get(app, t, '/feed.atom', { 'if-none-match': String(before.headers.etag) })).statusCode, 200, 'the old ETag no longer matches')
  t.equal((await get(app, t, '/feed.atom', { 'if-modified-since': String(before.headers['last-modified']) })).statusCode, 200, 'modified since the old date')
  t.equal(atomText((await atom(app, t)).entry[0].title), 'Breaking: ferry strike')
  const councilAfter = await get(app, t, '/feed.atom?label=council')
  t.equal(councilAfter.headers.etag, councilBefore.headers.etag, 'a feed it is not in keeps its ETag')

  const renamed = await request(app, t, { method: 'PATCH', url: `/v1/authors/${ada.id}`, headers: bearer(adminSecret), payload: { name: 'Ada Q. Reporter' } })
  t.equal(renamed.statusCode, 200)
  const adasAfter = await get(app, t, `/feed.rss?author=${ada.slug}`, { 'if-modified-since': String(adasBefore.headers['last-modified']) })
  t.equal(adasAfter.statusCode, 200, 'Ada\'s feed was modified since: her name changed')
  t.ok(adasAfter.body.includes('<dc:creator>Ada Q. Reporter</dc:creator>'))
})

t.test('an empty blog has valid, empty feeds', async (t) => {
  const startedBefore = Date.now() - 1000
  const app = await build(t)
  const feed = await atom(app, t)
  t.equal(feed.entry, undefined)
  t.equal(atomText(feed.title), 'Dateline', 'the default site title')
  t.equal(linkTo(feed.link, 'self'), 'http://localhost/feed.atom', 'no site URL: this server, at the address asked')
  t.equal((await rss(app, t)).item, undefined)
  const jsonFeed = await json(app, t)
  t.same(jsonFeed.items, [])
  t.equal(jsonFeed.description, undefined, 'no description by default')
  const response = await get(app, t, '/feed.json')
  const lastModified = Date.parse(String(response.headers['last-modified']))
  t.ok(lastModified >= startedBefore && lastModified <= Date.now(), 'Last-Modified: when the app started')
})

t.test('without DATELINE_SITE_URL, feeds and the sitemap link to the API\'s JSON at the address asked, and every link answers', async (t) => {
  const app = await build(t)
  const author = await createAuthor(app, t, { name: 'Ada Reporter' })
  const article = await createArticle(app, t, { title: 'Harbour reopens', authorId: author.id, status: 'published', publishedAt: '2025-03-10T09:00:00.000Z', labels: ['Harbour Works'] })
  const host = { host: 'api.example.net:8443' }
  const feed = await request(app, t, { method: 'GET', url: '/feed.json', headers: host })
  const items = feed.json().items as Item[]
  t.equal(items[0]!.url, `http://api.example.net:8443/v1/articles/${article.slug}`, 'the article\'s JSON')
  t.equal(feed.json().feed_url, 'http://api.example.net:8443/feed.json', 'the self link: this server')
  t.equal(feed.json().home_page_url, 'http://api.example.net:8443/', 'home: this server\'s root')
  const sitemapBody = (await request(app, t, { method: 'GET', url: '/sitemap.xml', headers: host })).body
  const locs = [...sitemapBody.matchAll(/<loc>([^<]*)<\/loc>/g)].map((match) => match[1]!.replaceAll('&amp;', '&'))
  t.same(locs, [
    'http://api.example.net:8443/',
    `http://api.example.net:8443/v1/articles/${article.slug}`,
    'http://api.example.net:8443/v1/dates/2025-03-10',
    'http://api.example.net:8443/v1/articles?label=Harbour%20Works'
  ])
  for (const loc of locs.slice(1)) {
    const url = new URL(loc)
    const answer = await app.inject({ method: 'GET', url: `${url.pathname}${url.search}`, headers: host })
    t.equal(answer.statusCode, 200, `${url.pathname}${url.search} answers 200`)
  }
  const labelled = await app.inject({ method: 'GET', url: '/v1/articles?label=Harbour%20Works' })
  t.same(labelled.json().data.map((item: Item) => item.id), [article.id], 'the label\'s link lists its articles')
})

t.test('DATELINE_ARTICLE_PATH says where article links point', async (t) => {
  const app = await build(t, { siteUrl: 'http://example.org:8080', articlePath: '/{id}/{slug}.html' })
  const author = await createAuthor(app, t)
  const article = await createArticle(app, t, { title: 'Harbour reopens', authorId: author.id, status: 'published' })
  t.equal((await json(app, t)).items[0].url, `http://example.org:8080/${article.id}/harbour-reopens.html`)
  t.equal(linkTo((await atom(app, t)).entry[0].link, 'alternate'), `http://example.org:8080/${article.id}/harbour-reopens.html`)
})

t.test('RSS carries titles, categories and dc:creator as escaped plain text, never markup in CDATA', async (t) => {
  const app = await build(t)
  const author = await createAuthor(app, t, { name: 'Ann <b>x</b> & ]]> Co' })
  const title = 'Bold <b>x</b> & ]]> then &amp; <i>'
  const label = 'Lab <b>x</b> & ]]> q'
  await createArticle(app, t, { title, authorId: author.id, status: 'published', labels: [label] })
  const body = (await get(app, t, '/feed.rss')).body
  t.equal(XMLValidator.validate(body), true)
  // CDATA kept apart, no HTML decoding: what an XML reader gets is exactly the text.
  const strict = new XMLParser({ ignoreAttributes: false, parseTagValue: false, htmlEntities: false, cdataPropName: '#cdata', isArray: (name) => ['item', 'category'].includes(name) })
  const item = strict.parse(body).rss.channel.item[0]
  t.equal(item.title, title, 'the title is the text, not a CDATA section')
  t.same(item.category, [label])
  t.equal(item['dc:creator'], author.name)
  t.notOk(/<(?:title|category|dc:creator)><!\[CDATA\[/.test(body), 'no CDATA in plain-text elements')
  t.notOk(body.includes('<b>'), 'no raw markup anywhere but in HTML content')
})

t.test('a label only drafts or trashed articles carry reads in a feed as one nobody uses', async (t) => {
  const { app, ada } = await blog(t)
  await createArticle(app, t, { title: 'Takeover talks', authorId: ada.id, labels: ['Acme Takeover'] })
  const trashed = await createArticle(app, t, { title: 'Merger off', authorId: ada.id, status: 'published', labels: ['Beta Merger'] })
  t.equal((await request(app, t, { method: 'DELETE', url: `/v1/articles/${trashed.id}`, headers: bearer(adminSecret) })).statusCode, 204)
  for (const [used, unused] of [['acme takeover', 'acme takeovers'], ['beta merger', 'beta mergers']]) {
    const hidden = await json(app, t, `/feed.json?label=${encodeURIComponent(used!)}`)
    const nothing = await json(app, t, `/feed.json?label=${encodeURIComponent(unused!)}`)
    t.equal(hidden.title, `The Vell Courier: ${used}`, 'spelled as asked, like a label nobody uses')
    t.equal(nothing.title, `The Vell Courier: ${unused}`)
    t.same(hidden.items, [])
    t.equal(atomText((await atom(app, t, `/feed.atom?label=${encodeURIComponent(used!)}`)).title), `The Vell Courier: ${used}`)
  }
  await createArticle(app, t, { title: 'Takeover agreed', authorId: ada.id, status: 'published', labels: ['Acme Takeover'] })
  t.equal((await json(app, t, '/feed.json?label=acme%20takeover')).title, 'The Vell Courier: Acme Takeover', 'once published, the blog\'s spelling')
})
