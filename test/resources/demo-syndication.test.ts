import { Readable } from 'node:stream'
import { decodeHTML } from 'entities'
import FeedParser from 'feedparser'
import t from 'tap'
import { build, request } from '../helper.js'

// What issue 6 promises on the demo blog a fresh install starts with: search finds an
// article by a word of its body, first and highlighted; the feeds open in a feed reader's parser.

interface DemoArticle { id: number, title: string, excerpt: string, body: string, labels: string[] }

function words (text: string): Set<string> {
  return new Set(text.toLowerCase().match(/\p{L}{8,}/gu) ?? [])
}

async function parseFeed (xml: string): Promise<{ meta: FeedParser.Meta, items: FeedParser.Item[] }> {
  const items: FeedParser.Item[] = []
  const parser = new FeedParser({ addmeta: false })
  return await new Promise((resolve, reject) => {
    parser.on('error', reject)
    parser.on('readable', () => {
      let item: FeedParser.Item | null
      while ((item = parser.read() as FeedParser.Item | null) !== null) items.push(item)
    })
    parser.on('end', () => { resolve({ meta: parser.meta, items }) })
    Readable.from([xml]).pipe(parser)
  })
}

t.test('searching the demo blog for a word found in one article\'s body returns that article first, highlighted', async (t) => {
  const app = await build(t, { demo: true })
  const articles: DemoArticle[] = (await request(app, t, { method: 'GET', url: '/v1/articles?limit=100' })).json().data
  t.ok(articles.length >= 5, 'the demo blog has articles')
  const bodyText = (article: DemoArticle): string => article.body.replace(/<[^>]*>/g, ' ')
  // Words in exactly one article, and only in its body: a body-only match must still rank first.
  const elsewhere = new Map<string, number>()
  for (const article of articles) {
    for (const word of new Set([...words(bodyText(article)), ...words(`${article.title} ${article.excerpt} ${article.labels.join(' ')}`)])) {
      elsewhere.set(word, (elsewhere.get(word) ?? 0) + 1)
    }
  }
  const probes = articles.flatMap((article) => {
    const own = [...words(bodyText(article))].filter((word) => elsewhere.get(word) === 1 && !words(`${article.title} ${article.excerpt}`).has(word))
    return own.length === 0 ? [] : [{ article, word: own[0]! }]
  })
  t.ok(probes.length >= 3, `found words that only one body has (${probes.map((probe) => probe.word).join(', ')})`)
  for (const { article, word } of probes) {
    const found = (await request(app, t, { method: 'GET', url: `/v1/articles?q=${encodeURIComponent(word)}%20` })).json()
    t.equal(found.data[0]?.id, article.id, `"${word}" finds "${article.title}" first`)
    t.match(found.data[0]?.snippet, new RegExp(`<mark>${word}</mark>`, 'i'), `with "${word}" marked in its snippet`)
  }
})

t.test('the demo blog\'s Atom and RSS feeds open in a feed parser with every published article\'s title, link and date', async (t) => {
  const app = await build(t, { demo: true, siteUrl: 'https://news.example.org' })
  const latest: DemoArticle[] = (await request(app, t, { method: 'GET', url: '/v1/articles?limit=20' })).json().data
  for (const path of ['/feed.atom', '/feed.rss']) {
    const response = await request(app, t, { method: 'GET', url: path })
    t.equal(response.statusCode, 200)
    const feed = await parseFeed(response.body)
    t.equal(feed.meta.title, 'Dateline', `${path}: the site title`)
    // Atom titles are declared type="html": the parser hands over the HTML, which reads as the title.
    const titles = feed.items.map((item) => path === '/feed.atom' ? decodeHTML(item.title) : item.title)
    t.same(titles, latest.map((article) => article.title), `${path}: the latest articles, newest first`)
    for (const item of feed.items) {
      t.match(item.link, /^https:\/\/news\.example\.org\/articles\/[\p{Ll}\d-]+$/u, `${path}: an absolute link`)
      t.ok(item.pubdate instanceof Date && !Number.isNaN(item.pubdate.getTime()), `${path}: a readable date`)
      t.ok((item.description ?? '').length > 0, `${path}: a body`)
    }
  }
})
