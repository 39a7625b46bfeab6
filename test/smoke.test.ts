import t from 'tap'
import { adminSecret, bearer, build, createArticle, createAuthor, request } from './helper.js'

t.test('an editor publishes an article and an anonymous reader reads it with its author', async (t) => {
  const app = await build(t)
  const author = await createAuthor(app, t, { name: 'Zoë Lindqvist', email: 'zoe@example.org' })
  const article = await createArticle(app, t, { title: 'Café reopens', authorId: author.id, status: 'published', labels: ['Culture'] })
  t.equal(article.slug, 'cafe-reopens')
  const list = await request(app, t, { method: 'GET', url: '/v1/articles?include=author' })
  t.equal(list.statusCode, 200)
  const body = list.json()
  t.equal(body.data.length, 1)
  t.equal(body.data[0].author.name, 'Zoë Lindqvist')
  t.notOk('email' in body.data[0].author)
  const sparse = await request(app, t, { method: 'GET', url: '/v1/articles?fields=title' })
  t.same(sparse.json().data[0], { id: article.id, title: 'Café reopens' })
  const bad = await request(app, t, { method: 'POST', url: '/v1/articles', headers: bearer(adminSecret), payload: { title: 'x', authorId: author.id, tilte: 'y' } })
  t.equal(bad.statusCode, 400)
  t.same(bad.json().errors, [{ path: 'body.tilte', message: 'is not a known field' }])
})
