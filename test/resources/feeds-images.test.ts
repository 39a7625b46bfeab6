import { Readable } from 'node:stream'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { XMLParser, XMLValidator } from 'fast-xml-parser'
import FeedParser from 'feedparser'
import sharp from 'sharp'
import t, { type Test } from 'tap'
import { adminSecret, bearer, build, createArticle, createAuthor, lastingDatabaseUrl, request } from '../helper.js'
import { mediaQueries } from '../../src/resources/media/queries.js'
import { photo, transparentPng, uploaded } from '../media.js'
import { postgresTestUrl } from '../postgres.js'

// Featured images in the feeds and the sitemap (issue 21): each document read back with an
// independent parser (fast-xml-parser, and feedparser as a feed reader would), every image URL
// absolute at the address the API was asked at (the front end's, DATELINE_SITE_URL, serves no
// /media) and fetched from the app, its type and size the file's own.

type Item = Record<string, any>

const site = 'https://blog.example.org/news'
const apiHost = 'api.example.net:8443'
const apiOrigin = `http://${apiHost}`
const asked = { host: apiHost }
const mediaNamespace = 'http://search.yahoo.com/mrss/'
const alt = 'The footbridge & its "quay" <at dawn> – Straße'
const credit = 'Photo: Ana Reyes / Vell Herald & Co'

const parser = new XMLParser({
  ignoreAttributes: false,
  parseTagValue: false,
  htmlEntities: true,
  isArray: (name, path) => ['entry', 'item', 'url', 'media:content', 'enclosure', 'image:image'].includes(name) || (name === 'link' && String(path).startsWith('feed.'))
})

async function get (app: FastifyInstance, t: Test, url: string): Promise<LightMyRequestResponse> {
  const response = await request(app, t, { method: 'GET', url, headers: asked })
  t.equal(response.statusCode, 200, `GET ${url}`)
  return response
}

async function xmlAt (app: FastifyInstance, t: Test, url: string): Promise<{ body: string, xml: Item }> {
  const { body } = await get(app, t, url)
  t.equal(XMLValidator.validate(body), true, `${url} is well-formed XML`)
  return { body, xml: parser.parse(body) }
}

async function readerItems (xml: string): Promise<FeedParser.Item[]> {
  const items: FeedParser.Item[] = []
  const reader = new FeedParser({ addmeta: false })
  return await new Promise((resolve, reject) => {
    reader.on('error', reject)
    reader.on('readable', () => {
      let item: FeedParser.Item | null
      while ((item = reader.read() as FeedParser.Item | null) !== null) items.push(item)
    })
    reader.on('end', () => { resolve(items) })
    Readable.from([xml]).pipe(reader)
  })
}

interface Expected { url: string, type: string, width: number, height: number, bytes: number }

/** The variant of a media item `width` wide in `type`, as a feed should name it. */
function variantOf (media: Item, width: number, type: string): Expected {
  const variant = (media.variants as Item[]).find((candidate) => candidate.width === width && candidate.type === type)
  if (variant === undefined) throw new Error(`media item ${media.id} has no ${type} ${width} wide`)
  return { url: `${apiOrigin}${variant.url}`, type, width: variant.width, height: variant.height, bytes: variant.bytes }
}

/** The image at `url` is served by the app: of `type`, `bytes` long, `width` × `height`. */
async function fetchable (app: FastifyInstance, t: Test, url: string, expected: Omit<Expected, 'url'>): Promise<void> {
  const address = new URL(url)
  t.equal(address.origin, apiOrigin, `${url} is at the address the API was asked at`)
  const response = await app.inject({ method: 'GET', url: address.pathname })
  t.equal(response.statusCode, 200, `GET ${address.pathname}`)
  t.equal(response.headers['content-type'], expected.type, 'served as the type the document gives')
  t.equal(response.rawPayload.length, expected.bytes, 'as many bytes as the document gives')
  const metadata = await sharp(response.rawPayload).metadata()
  t.same([metadata.width, metadata.height], [expected.width, expected.height], 'as wide and high as the document gives')
}

/**
 * Three published articles: one with a photo larger than feeds carry (alt text and credit
 * with markup characters), one with a small PNG without either, one without an image.
 */
async function illustratedBlog (t: Test, overrides: Parameters<typeof build>[1] = {}) {
  const app = await build(t, { siteUrl: `${site}/`, ...overrides })
  const ada = await createAuthor(app, t, { name: 'Ada Reporter' })
  const picture = await uploaded(app, t, { name: 'footbridge.jpg', data: await photo(1800, 1200) }, { alt, credit })
  const chart = await uploaded(app, t, { name: 'tides.png', data: await transparentPng(400, 300) })
  const pictured = await createArticle(app, t, { title: 'Council approves footbridge', authorId: ada.id, status: 'published', publishedAt: '2025-04-12T15:30:00.000Z', featuredImage: picture.id })
  const charted = await createArticle(app, t, { title: 'Spring tides ahead', authorId: ada.id, status: 'published', publishedAt: '2025-04-01T08:15:00.000Z', featuredImage: chart.id })
  const plain = await createArticle(app, t, { title: 'Harbour wall repairs begin', authorId: ada.id, status: 'published', publishedAt: '2025-03-10T09:00:00.000Z' })
  return {
    app,
    picture,
    chart,
    pictured,
    charted,
    plain,
    // Feeds: the largest variant at most 1600 wide in the format every browser shows.
    pictureInFeeds: variantOf(picture, 1600, 'image/jpeg'),
    chartInFeeds: variantOf(chart, 400, 'image/png')
  }
}

const shared = await illustratedBlog(t)

t.test('Atom entries carry the featured image as an enclosure link and media:content, absolute at the API\'s address', async (t) => {
  const { app, pictured, charted, plain, pictureInFeeds, chartInFeeds } = shared
  const { body, xml } = await xmlAt(app, t, '/feed.atom')
  t.equal(xml.feed['@_xmlns:media'], mediaNamespace, 'the Media RSS namespace is declared')
  const entries = new Map((xml.feed.entry as Item[]).map((entry) => [entry.link.find((link: Item) => link['@_rel'] === undefined)['@_href'], entry]))
  const entryOf = (article: Item): Item => entries.get(`${site}/articles/${article.slug}`)!

  for (const [article, expected, about] of [[pictured, pictureInFeeds, { alt, credit }], [charted, chartInFeeds, { alt: '', credit: '' }]] as const) {
    const entry = entryOf(article)
    const enclosures = (entry.link as Item[]).filter((link) => link['@_rel'] === 'enclosure')
    t.same(enclosures.map((link) => [link['@_href'], link['@_type'], Number(link['@_length'])]), [[expected.url, expected.type, expected.bytes]], `${article.title}: one enclosure`)
    const [content, ...more] = entry['media:content'] as Item[]
    t.equal(more.length, 0, 'one media:content')
    t.same(
      [content!['@_url'], content!['@_type'], content!['@_medium'], Number(content!['@_width']), Number(content!['@_height']), Number(content!['@_fileSize'])],
      [expected.url, expected.type, 'image', expected.width, expected.height, expected.bytes],
      `${article.title}: media:content names the file, its type and size`
    )
    t.equal(content!['media:description']?.['#text'], about.alt === '' ? undefined : about.alt, 'the alt text as its description, read back exactly')
    t.equal(content!['media:description']?.['@_type'], about.alt === '' ? undefined : 'plain')
    t.equal(content!['media:credit'], about.credit === '' ? undefined : about.credit, 'the credit, read back exactly')
    await fetchable(app, t, expected.url, expected)
  }
  const bare = entryOf(plain)
  t.notOk((bare.link as Item[]).some((link) => link['@_rel'] === 'enclosure'), 'an article without an image has no enclosure')
  t.equal(bare['media:content'], undefined, 'nor media:content')

  const read = await readerItems(body)
  const byLink = new Map(read.map((item) => [item.link, item]))
  t.same(byLink.get(`${site}/articles/${pictured.slug}`)!.enclosures.map((enclosure) => enclosure.url), [pictureInFeeds.url], 'a feed reader sees the image as the entry\'s enclosure')
  t.same(byLink.get(`${site}/articles/${plain.slug}`)!.enclosures, [], 'and none on the article without one')
})

t.test('RSS items carry the featured image as an enclosure and media:content', async (t) => {
  const { app, pictured, charted, plain, pictureInFeeds, chartInFeeds } = shared
  const { body, xml } = await xmlAt(app, t, '/feed.rss')
  t.equal(xml.rss['@_xmlns:media'], mediaNamespace, 'the Media RSS namespace is declared')
  t.equal(xml.rss['@_version'], '2.0')
  const items = new Map((xml.rss.channel.item as Item[]).map((item) => [item.link, item]))
  const itemOf = (article: Item): Item => items.get(`${site}/articles/${article.slug}`)!

  for (const [article, expected] of [[pictured, pictureInFeeds], [charted, chartInFeeds]] as const) {
    const item = itemOf(article)
    t.same((item.enclosure as Item[]).map((enclosure) => [enclosure['@_url'], enclosure['@_type'], Number(enclosure['@_length'])]), [[expected.url, expected.type, expected.bytes]], `${article.title}: one enclosure, its length in bytes`)
    const content = (item['media:content'] as Item[])[0]!
    t.same([content['@_url'], content['@_type'], content['@_medium'], Number(content['@_width']), Number(content['@_height'])], [expected.url, expected.type, 'image', expected.width, expected.height])
    await fetchable(app, t, expected.url, expected)
  }
  t.equal(itemOf(pictured)['media:content'][0]['media:description']['#text'], alt, 'the alt text, read back exactly')
  t.equal(itemOf(pictured)['media:content'][0]['media:credit'], credit, 'the credit, read back exactly')
  t.equal(itemOf(charted)['media:content'][0]['media:description'], undefined, 'no empty description')
  t.equal(itemOf(plain).enclosure, undefined, 'an article without an image has no enclosure')
  t.equal(itemOf(plain)['media:content'], undefined, 'nor media:content')
  t.equal(itemOf(pictured).title, pictured.title, 'the rest of the item is as it was')

  const read = await readerItems(body)
  const byLink = new Map(read.map((item) => [item.link, item]))
  const [enclosure] = byLink.get(`${site}/articles/${pictured.slug}`)!.enclosures
  t.same([enclosure?.url, enclosure?.type, Number(enclosure?.length)], [pictureInFeeds.url, pictureInFeeds.type, pictureInFeeds.bytes], 'a feed reader sees the enclosure')
  t.same(byLink.get(`${site}/articles/${plain.slug}`)!.enclosures, [], 'and none on the article without one')
})

t.test('JSON Feed items carry the featured image as image, absolute; items without one have none', async (t) => {
  const { app, pictured, charted, plain, pictureInFeeds, chartInFeeds } = shared
  const feed = (await get(app, t, '/feed.json')).json()
  const items = new Map((feed.items as Item[]).map((item) => [item.url, item]))
  t.equal(items.get(`${site}/articles/${pictured.slug}`)!.image, pictureInFeeds.url)
  t.equal(items.get(`${site}/articles/${charted.slug}`)!.image, chartInFeeds.url)
  t.notOk('image' in items.get(`${site}/articles/${plain.slug}`)!, 'no image on the article without one')
  t.notOk('banner_image' in items.get(`${site}/articles/${pictured.slug}`)!, 'no banner: a featured image is not one')
  await fetchable(app, t, pictureInFeeds.url, pictureInFeeds)
})

t.test('the sitemap gives each article\'s featured image with the image extension: its largest variant, absolute', async (t) => {
  const { app, picture, chart, pictured, charted, plain } = shared
  const { xml } = await xmlAt(app, t, '/sitemap.xml')
  t.equal(xml.urlset['@_xmlns'], 'http://www.sitemaps.org/schemas/sitemap/0.9')
  t.equal(xml.urlset['@_xmlns:image'], 'http://www.google.com/schemas/sitemap-image/1.1', 'the image namespace is declared')
  const images = new Map((xml.urlset.url as Item[]).map((url) => [url.loc, (url['image:image'] as Item[] | undefined)?.map((image) => image['image:loc'])]))
  t.same(images.get(`${site}/articles/${pictured.slug}`), [`${apiOrigin}${picture.url}`], 'the photo: the article\'s featuredImage.url, absolute')
  t.same(images.get(`${site}/articles/${charted.slug}`), [`${apiOrigin}${chart.url}`])
  t.equal(images.get(`${site}/articles/${plain.slug}`), undefined, 'no image for the article without one')
  t.equal(images.get(`${site}/`), undefined, 'nor for pages that are not articles')
  t.equal([...images.values()].filter((value) => value !== undefined).length, 2, 'two images in all')
  const largest = (picture.variants as Item[]).filter((variant) => variant.type === 'image/jpeg').at(-1)!
  t.equal(largest.width, 1800, 'the photo\'s largest JPEG is its own width')
  await fetchable(app, t, `${apiOrigin}${picture.url}`, { type: 'image/jpeg', width: largest.width, height: largest.height, bytes: largest.bytes })
})

// The last test of the shared blog (tap runs them one after the other): it changes the photo.
t.test('a new alt text on the image changes the feeds that carry it, and their Last-Modified', async (t) => {
  const { app, picture, pictureInFeeds } = shared
  const before = await get(app, t, '/feed.rss')
  await new Promise((resolve) => setTimeout(resolve, 1_100))
  const patched = await request(app, t, { method: 'PATCH', url: `/v1/media/${picture.id}`, headers: bearer(adminSecret), payload: { alt: 'The footbridge from the north bank' } })
  t.equal(patched.statusCode, 200)
  const after = await get(app, t, '/feed.rss')
  t.not(after.headers.etag, before.headers.etag, 'a new ETag')
  t.ok(Date.parse(String(after.headers['last-modified'])) > Date.parse(String(before.headers['last-modified'])), 'a later Last-Modified')
  const item = (parser.parse(after.body).rss.channel.item as Item[]).find((candidate) => candidate.enclosure?.[0]?.['@_url'] === pictureInFeeds.url)
  t.equal(item?.['media:content'][0]['media:description']['#text'], 'The footbridge from the north bank')
})

t.test('from read workers on an SQLite file, feeds and the sitemap carry the same images as from the server\'s thread', async (t) => {
  const databaseUrl = await lastingDatabaseUrl(t)
  const { app: workers, pictured, pictureInFeeds, picture } = await illustratedBlog(t, { databaseUrl, readWorkers: 1 })
  t.equal(workers.heavyReads.workers, postgresTestUrl() === undefined ? 1 : 0, 'a file database reads in a worker (PostgreSQL in the server\'s thread)')
  const inThread = await build(t, { databaseUrl, siteUrl: `${site}/`, readWorkers: 0 })
  for (const url of ['/feed.atom', '/feed.rss', '/feed.json', '/sitemap.xml']) {
    const [fromWorker, fromThread] = [await get(workers, t, url), await get(inThread, t, url)]
    t.equal(fromWorker.body, fromThread.body, `${url}: the same document`)
  }
  const feed = (await get(workers, t, '/feed.json')).json()
  t.equal((feed.items as Item[]).find((item) => item.url === `${site}/articles/${pictured.slug}`)?.image, pictureInFeeds.url, 'the JSON feed has the image')
  t.match((await get(workers, t, '/sitemap.xml')).body, `<image:loc>${apiOrigin}${picture.url}</image:loc>`, 'the sitemap has the image')
  await fetchable(workers, t, pictureInFeeds.url, pictureInFeeds)
})

t.test('an imported image not fetched yet is given by its own address, without type, size or enclosure', async (t) => {
  const app = await build(t, { siteUrl: `${site}/` })
  const external = 'https://images.example.com/photo.jpg?w=1200&h=800'
  // No route makes an imported image until the importer brings them (issue 21): the row is
  // written as the importer will write it, and attached through the API.
  const now = new Date().toISOString()
  const row = await mediaQueries(app.store).insertMedia({
    key: 'a1b2c3d4e5f6a7b8c9d0', source: 'external', ownerAuthorId: null, fileName: 'photo.jpg', format: null, width: null, height: null, bytes: null,
    animated: false, alt: 'Boats & <nets>', caption: '', credit: '', focalX: 0.5, focalY: 0.5, dominantColor: null, placeholder: null,
    variants: '[]', externalUrl: external, version: 1, createdAt: now, updatedAt: now
  })
  const ada = await createAuthor(app, t, { name: 'Ada Reporter' })
  const article = await createArticle(app, t, { title: 'Fishing fleet returns', authorId: ada.id, status: 'published', publishedAt: '2025-04-12T15:30:00.000Z', featuredImage: row.id })
  t.equal(article.featuredImage.url, external, 'the article embeds it by its own address')

  const entry = (await xmlAt(app, t, '/feed.atom')).xml.feed.entry[0] as Item
  t.same(entry['media:content'].map((content: Item) => Object.keys(content).filter((key) => key.startsWith('@_')).sort()), [['@_medium', '@_url']], 'media:content has only its URL and medium')
  t.equal(entry['media:content'][0]['@_url'], external, 'the URL, read back exactly')
  t.equal(entry['media:content'][0]['media:description']['#text'], 'Boats & <nets>')
  t.notOk((entry.link as Item[]).some((link) => link['@_rel'] === 'enclosure'), 'no Atom enclosure')
  const item = (await xmlAt(app, t, '/feed.rss')).xml.rss.channel.item[0] as Item
  t.equal(item['media:content'][0]['@_url'], external)
  t.equal(item.enclosure, undefined, 'no RSS enclosure: it needs a type and a length')
  t.equal((await get(app, t, '/feed.json')).json().items[0].image, external)
  const url = (await xmlAt(app, t, '/sitemap.xml')).xml.urlset.url.find((candidate: Item) => candidate.loc === `${site}/articles/${article.slug}`)
  t.same(url['image:image'].map((image: Item) => image['image:loc']), [external])
})
