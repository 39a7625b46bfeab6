import t from 'tap'
import { adminSecret, bearer, build, createAuthor, request, tokenFor } from '../helper.js'

const key = (name: string): Record<string, string> => ({ 'idempotency-key': `test-${name}-0f8a3c` })

t.test('a POST retried with the same Idempotency-Key gets the first answer and creates nothing twice', async (t) => {
  const app = await build(t)
  const author = await createAuthor(app, t, { name: 'Ida Empotent' })
  const editor = await tokenFor(app, 'editor')
  const payload = { authorId: author.id, title: 'Retried after a timeout', body: '<p>Once.</p>', status: 'published' }
  const first = await request(app, t, { method: 'POST', url: '/v1/articles', headers: { ...bearer(editor), ...key('article') }, payload })
  t.equal(first.statusCode, 201)
  t.notOk(first.headers['idempotent-replayed'])
  const retry = await request(app, t, { method: 'POST', url: '/v1/articles', headers: { ...bearer(editor), ...key('article') }, payload })
  t.equal(retry.statusCode, 201, 'the same status')
  t.equal(retry.headers['idempotent-replayed'], 'true', 'marked as a replay')
  t.equal(retry.headers.location, first.headers.location, 'the same Location')
  t.equal(retry.headers.etag, first.headers.etag, 'the same ETag')
  t.same(retry.json(), first.json(), 'the same body')
  const list = await request(app, t, { method: 'GET', url: '/v1/articles', headers: bearer(editor) })
  t.equal(list.json().meta.total, 1, 'one article, not two')
})

t.test('the same key with a different body is a 422 and changes nothing', async (t) => {
  const app = await build(t)
  const author = await createAuthor(app, t, { name: 'Ida Empotent' })
  const editor = await tokenFor(app, 'editor')
  const headers = { ...bearer(editor), ...key('reuse') }
  await request(app, t, { method: 'POST', url: '/v1/articles', headers, payload: { authorId: author.id, title: 'First use' } })
  const reused = await request(app, t, { method: 'POST', url: '/v1/articles', headers, payload: { authorId: author.id, title: 'Another article' } })
  t.equal(reused.statusCode, 422)
  t.equal(reused.json().type, 'https://dateline.dev/problems/idempotency-key-reused')
  const list = await request(app, t, { method: 'GET', url: '/v1/articles', headers: bearer(editor) })
  t.same(list.json().data.map((article: { title: string }) => article.title), ['First use'])
})

t.test('keys belong to one client: another token with the same key creates its own', async (t) => {
  const app = await build(t)
  const author = await createAuthor(app, t, { name: 'Ida Empotent' })
  const [one, two] = [await tokenFor(app, 'editor'), await tokenFor(app, 'editor')]
  const payload = { authorId: author.id, title: 'Same key, two clients' }
  const first = await request(app, t, { method: 'POST', url: '/v1/articles', headers: { ...bearer(one), ...key('shared') }, payload })
  const second = await request(app, t, { method: 'POST', url: '/v1/articles', headers: { ...bearer(two), ...key('shared') }, payload })
  t.equal(first.statusCode, 201)
  t.equal(second.statusCode, 201)
  t.notOk(second.headers['idempotent-replayed'])
  t.not(second.json().id, first.json().id)
})

t.test('a failed request is not remembered: fixed and sent again with its key, it runs', async (t) => {
  const app = await build(t)
  const author = await createAuthor(app, t, { name: 'Ida Empotent' })
  const headers = { ...bearer(adminSecret), ...key('fixed') }
  const failed = await request(app, t, { method: 'POST', url: '/v1/articles', headers, payload: { authorId: author.id, title: '' } })
  t.equal(failed.statusCode, 400)
  const fixed = await request(app, t, { method: 'POST', url: '/v1/articles', headers, payload: { authorId: author.id, title: 'Fixed' } })
  t.equal(fixed.statusCode, 201)
  t.equal(fixed.json().title, 'Fixed')
})

t.test('anonymous comment posts are deduplicated per client too', async (t) => {
  const app = await build(t)
  const author = await createAuthor(app, t, { name: 'Ida Empotent' })
  const article = await request(app, t, { method: 'POST', url: '/v1/articles', headers: bearer(adminSecret), payload: { authorId: author.id, title: 'Open for comments', status: 'published' } })
  const comment = { authorName: 'Reader', body: 'Posted once, sent twice.', formStartedAt: new Date(Date.now() - 60_000).toISOString() }
  const url = `/v1/articles/${article.json().id}/comments`
  const first = await request(app, t, { method: 'POST', url, headers: key('comment'), payload: comment })
  const retry = await request(app, t, { method: 'POST', url, headers: key('comment'), payload: comment })
  t.equal(first.statusCode, 201)
  t.equal(retry.headers['idempotent-replayed'], 'true')
  const queue = await request(app, t, { method: 'GET', url: '/v1/comments', headers: bearer(adminSecret) })
  t.equal(queue.json().meta.total, 1)
})

t.test('a malformed key is a 400 naming the header', async (t) => {
  const app = await build(t)
  const response = await request(app, t, { method: 'POST', url: '/v1/authors', headers: { ...bearer(adminSecret), 'idempotency-key': 'has spaces in it' }, payload: { name: 'Nobody' } })
  t.equal(response.statusCode, 400)
  t.equal(response.json().errors[0].path, 'headers.idempotency-key')
})
