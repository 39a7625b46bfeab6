import t from 'tap'
import { adminSecret, bearer, build, request } from './helper.js'

// The demo blog tells one story in time: rows written when their articles were, not when the
// demo was installed, so the feeds' `updated`, Last-Modified and comment dates look real.

type Item = Record<string, any>

const hour = 60 * 60 * 1000
const ms = (iso: string): number => Date.parse(iso)

t.test('the demo blog\'s rows are dated on its own timeline, not at install time', async (t) => {
  const app = await build(t, { demo: true })
  const admin = bearer(adminSecret)
  const installedAt = Date.now()
  const articles = (await request(app, t, { method: 'GET', url: '/v1/articles?limit=100', headers: admin })).json().data as Item[]
  const published = articles.filter((article) => article.status === 'published')
  t.ok(published.length >= 5, `published articles (${published.length})`)
  const lastPublished = Math.max(...published.map((article) => ms(article.publishedAt)))

  for (const article of published) {
    t.ok(ms(article.createdAt) <= ms(article.publishedAt), `${article.slug}: written before it was published`)
    t.ok(ms(article.updatedAt) >= ms(article.createdAt) && ms(article.updatedAt) - ms(article.publishedAt) < 24 * hour, `${article.slug}: last changed around its publication`)
  }
  for (const article of articles.filter((candidate) => candidate.status === 'draft')) {
    t.ok(ms(article.createdAt) > lastPublished && ms(article.updatedAt) - lastPublished < 7 * 24 * hour, `draft ${article.slug}: worked on after the last article, not at install time`)
    t.ok(ms(article.updatedAt) >= ms(article.createdAt))
  }
  const scheduled = articles.filter((candidate) => candidate.status === 'scheduled')
  t.equal(scheduled.length, 1)
  t.ok(ms(scheduled[0]!.publishedAt) > installedAt, 'the scheduled article is still ahead')

  const authors = (await request(app, t, { method: 'GET', url: '/v1/authors', headers: admin })).json().data as Item[]
  for (const author of authors) {
    const theirs = published.filter((article) => article.authorId === author.id).map((article) => ms(article.createdAt))
    t.ok(theirs.every((createdAt) => ms(author.createdAt) < createdAt), `${author.slug} joined before writing`)
  }

  const comments = (await request(app, t, { method: 'GET', url: '/v1/comments?limit=100&sort=createdAt', headers: admin })).json().data as Item[]
  t.ok(comments.length >= 5, `comments (${comments.length})`)
  const byId = new Map(comments.map((comment) => [comment.id, comment]))
  for (const comment of comments) {
    const article = articles.find((candidate) => candidate.id === comment.articleId)!
    const after = ms(comment.createdAt) - ms(article.publishedAt)
    t.ok(after > 0 && after < 2 * 24 * hour, `comment ${comment.id}: posted within two days of its article (${Math.round(after / hour)} h)`)
    t.ok(ms(comment.updatedAt) >= ms(comment.createdAt), `comment ${comment.id}: moderated after it was posted`)
    if (comment.parentId !== null) t.ok(ms(comment.createdAt) > ms(byId.get(comment.parentId)!.createdAt), `comment ${comment.id}: after what it answers`)
  }
})

t.test('the demo feeds are as old as the newest demo article', async (t) => {
  const app = await build(t, { demo: true })
  const articles = (await request(app, t, { method: 'GET', url: '/v1/articles?limit=100' })).json().data as Item[]
  const newest = articles.map((article) => article.updatedAt as string).sort().at(-1)!
  const feed = await request(app, t, { method: 'GET', url: '/feed.json' })
  t.equal(feed.headers['last-modified'], new Date(newest).toUTCString(), 'Last-Modified: the newest article\'s change')
  const atom = await request(app, t, { method: 'GET', url: '/feed.atom' })
  t.match(atom.body, `<updated>${newest}</updated>`, 'the Atom feed\'s updated, too')
  t.ok(Date.now() - ms(newest) > 24 * hour, 'not the install time')
})
