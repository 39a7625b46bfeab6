import type { FastifyInstance } from 'fastify'
import t, { type Test } from 'tap'
import { adminSecret as adminSecretForTest, build, createArticle, createAuthor, request } from '../helper.js'

// A read takes one view of the database (src/resources/articles/view.ts): due articles
// published, then the write stamp read once and handed to everything cached against it.
// On PostgreSQL each read of the stamp is a round trip, so they are counted here.

const sleep = async (ms: number) => await new Promise((resolve) => setTimeout(resolve, ms))

/** Counts the app's reads of the write stamp. */
function countStampReads (app: FastifyInstance): { reads: number } {
  const counter = { reads: 0 }
  const read = app.store.writeStamp.bind(app.store)
  app.store.writeStamp = async () => {
    counter.reads += 1
    return await read()
  }
  return counter
}

async function site (t: Test): Promise<{ app: FastifyInstance, stamps: { reads: number }, slug: string }> {
  const app = await build(t)
  const author = await createAuthor(app, t)
  let slug = ''
  for (const day of ['01', '02', '03']) {
    slug = (await createArticle(app, t, { authorId: author.id, title: `Story ${day}`, status: 'published', publishedAt: `2026-01-${day}T10:00:00Z`, labels: ['News'] })).slug
  }
  await createArticle(app, t, { authorId: author.id, title: 'Later', status: 'scheduled', publishedAt: '2099-01-01T10:00:00Z' })
  return { app, stamps: countStampReads(app), slug }
}

const reads = [
  '/v1/articles/{slug}',
  '/v1/articles/{slug}?include=author,comments',
  '/v1/articles',
  '/v1/articles?include=author',
  '/v1/articles?q=story',
  '/v1/articles/{slug}/related',
  '/v1/articles/{slug}/comments',
  '/v1/articles/{slug}/comments/thread',
  '/v1/authors',
  '/v1/authors/1?include=articles',
  '/v1/dates?include=articles',
  '/v1/dates/2026-01-01',
  '/v1/archive',
  '/v1/labels',
  '/v1/search/suggest?q=sto',
  '/feed.json',
  '/sitemap.xml'
]

// One article without embeds follows from its own row (its ETag from its version): it needs
// the stamp only when the article itself is due to be published (service.ts, articleToRead).
const readsWithoutStamp = new Set(['/v1/articles/{slug}'])

t.test('every read asks for the write stamp once, cached values and ETags included', async (t) => {
  const { app, stamps, slug } = await site(t)
  for (const template of reads) {
    const url = template.replace('{slug}', slug)
    const expected = readsWithoutStamp.has(template) ? 0 : 1
    for (const pass of ['first', 'cached']) {
      stamps.reads = 0
      const response = await request(app, t, { method: 'GET', url })
      t.equal(response.statusCode, 200, `${url} (${pass})`)
      t.equal(stamps.reads, expected, `${url} (${pass}): the stamp read ${expected === 0 ? 'not at all' : 'once'}`)
    }
  }
})

t.test('an article read by id or slug the moment it is due is published first, whoever reads it', async (t) => {
  const { app, stamps } = await site(t)
  const author = await createAuthor(app, t, { name: 'Just In Time' })
  const publishedAt = new Date(Date.now() + 600).toISOString()
  const bySlug = await createArticle(app, t, { authorId: author.id, title: 'Due by slug', status: 'scheduled', publishedAt })
  const byId = await createArticle(app, t, { authorId: author.id, title: 'Due by id', status: 'scheduled', publishedAt })
  t.equal((await request(app, t, { method: 'GET', url: `/v1/articles/${bySlug.slug}` })).statusCode, 404, 'not before its time')
  await sleep(800)
  stamps.reads = 0
  const first = await request(app, t, { method: 'GET', url: `/v1/articles/${bySlug.slug}` })
  t.equal(first.statusCode, 200, 'no list was read first: the read itself publishes it')
  t.equal(first.json().status, 'published')
  t.ok(stamps.reads >= 1, 'a due article takes the view (view.ts), which publishes it')
  t.match(String(first.headers.etag), /^"article-\d+-v2\./, 'its version moved on when it was published')
  const other = await request(app, t, { method: 'GET', url: `/v1/articles/${byId.id}`, headers: { authorization: `Bearer ${adminSecretForTest}` } })
  t.equal(other.statusCode, 200)
  t.equal(other.json().status, 'published', 'an editor, who sees it either way, sees it published too')
})

t.test('a list answered 304 read the stamp once, and the ETag moves when a due article is published', async (t) => {
  const { app, stamps, slug } = await site(t)
  for (const url of ['/v1/articles', `/v1/articles/${slug}/comments`]) {
    const first = await request(app, t, { method: 'GET', url })
    stamps.reads = 0
    const again = await request(app, t, { method: 'GET', url, headers: { 'if-none-match': first.headers.etag as string } })
    t.equal(again.statusCode, 304, `${url} is unchanged`)
    t.equal(stamps.reads, 1, `${url}: its 304 read the stamp once`)
  }

  const before = await request(app, t, { method: 'GET', url: '/v1/articles' })
  const author = await createAuthor(app, t, { name: 'Bea Soon' })
  await createArticle(app, t, { authorId: author.id, title: 'Due shortly', status: 'scheduled', publishedAt: new Date(Date.now() + 500).toISOString() })
  const scheduled = await request(app, t, { method: 'GET', url: '/v1/articles' })
  await sleep(700)
  stamps.reads = 0
  const due = await request(app, t, { method: 'GET', url: '/v1/articles', headers: { 'if-none-match': scheduled.headers.etag as string } })
  t.equal(due.statusCode, 200, 'the article that fell due changes the list')
  t.equal(due.json().data[0].title, 'Due shortly', 'which shows it first')
  t.equal(due.json().meta.total, before.json().meta.total + 1, 'and counts it (the total cached before is not reused)')
  t.equal(stamps.reads, 2, 'the stamp read before publishing and once after, not again')
  t.not(due.headers.etag, scheduled.headers.etag)
  const after = await request(app, t, { method: 'GET', url: '/v1/articles', headers: { 'if-none-match': due.headers.etag as string } })
  t.equal(after.statusCode, 304, 'the ETag made after publishing is the current one')
})
