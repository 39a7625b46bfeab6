// Issue 15: `POST /v1/articles/` answered `Location: /v1/articles//563`.
import t from 'tap'
import { adminSecret, bearer, build, createArticle, createAuthor } from './helper.js'

t.test('Location names the created resource whether or not the request path ends with a slash', async (t) => {
  const app = await build(t, { commentsAutoApprove: true })
  const author = await createAuthor(app, t)
  const article = await createArticle(app, t, { authorId: author.id, status: 'published' })
  const creations = [
    { url: '/v1/articles', body: { title: 'Slash', body: '<p>x</p>', authorId: author.id }, location: /^\/v1\/articles\/\d+$/ },
    { url: '/v1/authors', body: { name: 'Slash Writer' }, location: /^\/v1\/authors\/\d+$/ },
    { url: '/v1/tokens', body: { role: 'editor' }, location: /^\/v1\/tokens\/\d+$/ },
    { url: '/v1/dates', body: { date: '2026-01-0' }, location: /^\/v1\/dates\/2026-01-0\d$/ },
    { url: `/v1/articles/${article.id}/comments`, body: { authorName: 'Reader', body: 'Nice.' }, location: /^\/v1\/comments\/\d+$/ }
  ]
  let day = 1
  for (const { url, body, location } of creations) {
    for (const path of [url, `${url}/`]) {
      const payload = url === '/v1/dates' ? { date: `2026-01-0${day++}` } : url === '/v1/authors' ? { name: `Slash Writer ${day++}` } : body
      const response = await app.inject({ method: 'POST', url: path, headers: bearer(adminSecret), payload })
      t.equal(response.statusCode, 201, `POST ${path} creates`)
      t.match(response.headers.location, location, `POST ${path} answers Location ${String(response.headers.location)}`)
      const read = await app.inject({ method: 'GET', url: String(response.headers.location), headers: bearer(adminSecret) })
      t.equal(read.statusCode, 200, `GET ${String(response.headers.location)} is the resource`)
    }
  }
})
