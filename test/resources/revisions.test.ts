import t from 'tap'
import { adminSecret, bearer, build, createArticle, createAuthor, request, tokenFor } from '../helper.js'
import { rowsOf } from '../inspect.js'

const admin = bearer(adminSecret)

t.test('every update keeps the version it replaced: listed newest first, each readable in full', async (t) => {
  const app = await build(t)
  const author = await createAuthor(app, t, { name: 'Rhea Vision' })
  const article = await createArticle(app, t, { authorId: author.id, title: 'First title', body: '<p>First body.</p>', excerpt: 'First excerpt', labels: ['Council'] })
  const editor = await tokenFor(app, 'editor')
  const second = await request(app, t, { method: 'PATCH', url: `/v1/articles/${article.id}`, headers: bearer(editor), payload: { title: 'Second title', labels: ['Transport'] } })
  t.equal(second.statusCode, 200)
  await request(app, t, { method: 'PATCH', url: `/v1/articles/${article.id}`, headers: admin, payload: { body: '<p>Third body.</p>', excerpt: null } })

  const list = await request(app, t, { method: 'GET', url: `/v1/articles/${article.slug}/revisions`, headers: admin })
  t.equal(list.statusCode, 200)
  const { data, meta } = list.json()
  t.equal(meta.total, 2, 'two updates, two revisions')
  t.same(data.map((revision: { number: number }) => revision.number), [2, 1], 'newest first')
  t.same(data.map((revision: { title: string }) => revision.title), ['Second title', 'First title'])
  t.same(data.map((revision: { version: number }) => revision.version), [2, 1], 'the article version each one was')
  t.match(data[1].replacedBy, /^editor token \d+$/, 'who replaced the first: the editor\'s token, never its secret')
  t.equal(data[0].replacedBy, 'admin')
  t.equal(data[1].writtenAt, article.createdAt, 'when the first version was written')

  const first = await request(app, t, { method: 'GET', url: `/v1/articles/${article.id}/revisions/1`, headers: admin })
  t.match(first.json(), { number: 1, title: 'First title', body: '<p>First body.</p>', excerpt: 'First excerpt', labels: ['Council'], status: 'draft' })
  const revisionTwo = await request(app, t, { method: 'GET', url: `/v1/articles/${article.id}/revisions/2`, headers: admin })
  t.match(revisionTwo.json(), { number: 2, title: 'Second title', labels: ['Transport'], excerpt: 'First excerpt' })
})

t.test('restoring a revision is an update: guarded by If-Match, and itself kept as a revision', async (t) => {
  const app = await build(t)
  const author = await createAuthor(app, t, { name: 'Rhea Vision' })
  const article = await createArticle(app, t, { authorId: author.id, title: 'Original', body: '<p>Original body.</p>', labels: ['Council'] })
  const changed = await request(app, t, { method: 'PATCH', url: `/v1/articles/${article.id}`, headers: admin, payload: { title: 'Vandalised', body: '<p>Oops.</p>', labels: [] } })
  const staleEtag = String((await request(app, t, { method: 'GET', url: `/v1/articles/${article.id}`, headers: admin })).headers.etag)
  await request(app, t, { method: 'PATCH', url: `/v1/articles/${article.id}`, headers: admin, payload: { title: 'Vandalised again' } })

  const stale = await request(app, t, { method: 'POST', url: `/v1/articles/${article.id}/revisions/1/restore`, headers: { ...admin, 'if-match': staleEtag } })
  t.equal(stale.statusCode, 412, 'a stale ETag is refused')
  t.equal((await request(app, t, { method: 'GET', url: `/v1/articles/${article.id}`, headers: admin })).json().title, 'Vandalised again', 'and nothing changed')

  const current = String((await request(app, t, { method: 'GET', url: `/v1/articles/${article.id}`, headers: admin })).headers.etag)
  const restored = await request(app, t, { method: 'POST', url: `/v1/articles/${article.id}/revisions/1/restore`, headers: { ...admin, 'if-match': current } })
  t.equal(restored.statusCode, 200)
  t.match(restored.json(), { title: 'Original', body: '<p>Original body.</p>', labels: ['Council'] })
  t.match(String(restored.headers.etag), new RegExp(`^"article-${article.id}-v4\\.`), 'a new version')
  t.not(changed.json().title, restored.json().title)

  const list = (await request(app, t, { method: 'GET', url: `/v1/articles/${article.id}/revisions`, headers: admin })).json()
  t.equal(list.meta.total, 3, 'the version the restore replaced is kept too')
  t.equal(list.data[0].title, 'Vandalised again')
})

t.test('only the newest revisions are kept, as many as DATELINE_REVISIONS_KEPT', async (t) => {
  const app = await build(t, { revisionsKept: 3 })
  const author = await createAuthor(app, t, { name: 'Rhea Vision' })
  const article = await createArticle(app, t, { authorId: author.id, title: 'Edit 0' })
  for (let n = 1; n <= 5; n++) {
    await request(app, t, { method: 'PATCH', url: `/v1/articles/${article.id}`, headers: admin, payload: { title: `Edit ${n}` } })
  }
  const list = (await request(app, t, { method: 'GET', url: `/v1/articles/${article.id}/revisions`, headers: admin })).json()
  t.equal(list.meta.total, 3)
  t.same(list.data.map((revision: { number: number, title: string }) => [revision.number, revision.title]), [[5, 'Edit 4'], [4, 'Edit 3'], [3, 'Edit 2']])
  const pruned = await request(app, t, { method: 'GET', url: `/v1/articles/${article.id}/revisions/2`, headers: admin })
  t.equal(pruned.statusCode, 404, 'the oldest are gone')
})

t.test('an unknown revision is a 404; a deleted article takes its revisions with it', async (t) => {
  const app = await build(t)
  const author = await createAuthor(app, t, { name: 'Rhea Vision' })
  const article = await createArticle(app, t, { authorId: author.id, title: 'Short-lived' })
  await request(app, t, { method: 'PATCH', url: `/v1/articles/${article.id}`, headers: admin, payload: { title: 'Short-lived, edited' } })
  const missing = await request(app, t, { method: 'GET', url: `/v1/articles/${article.id}/revisions/9`, headers: admin })
  t.equal(missing.statusCode, 404)
  t.equal(missing.json().type, 'https://dateline.dev/problems/not-found')
  const restoreMissing = await request(app, t, { method: 'POST', url: `/v1/articles/${article.id}/revisions/9/restore`, headers: admin })
  t.equal(restoreMissing.statusCode, 404)
  // PostgreSQL hands a bigint over as text.
  const revisionRows = async () => (await rowsOf(app.store, 'article_revisions')).filter((row) => Number(row.article_id) === article.id)
  t.equal((await revisionRows()).length, 1, 'the edit kept one revision row')
  t.equal((await request(app, t, { method: 'DELETE', url: `/v1/articles/${article.id}`, headers: admin })).statusCode, 204)
  t.equal((await request(app, t, { method: 'GET', url: `/v1/articles/${article.id}/revisions/1`, headers: admin })).statusCode, 404)
  t.same(await revisionRows(), [], 'no revision row is left behind')
})

t.test('a revision number that is not a positive integer is a 400 naming params.number', async (t) => {
  const app = await build(t)
  const author = await createAuthor(app, t, { name: 'Rhea Vision' })
  const article = await createArticle(app, t, { authorId: author.id, title: 'Numbers' })
  for (const number of ['0', '-1', 'first', '1.5']) {
    const response = await request(app, t, { method: 'GET', url: `/v1/articles/${article.id}/revisions/${number}`, headers: admin })
    t.equal(response.statusCode, 400, `revisions/${number}`)
    t.equal(response.json().errors[0].path, 'params.number')
  }
})
