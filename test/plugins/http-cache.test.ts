import t from 'tap'
import { adminSecret, bearer, build, createArticle, createAuthor, lastingDatabaseUrl, request } from '../helper.js'

// The ETags of lists, which are made from the database's write stamp before the page is built.

t.test('a list\'s ETag is opaque: it shows no write counter, however many writes there were', async (t) => {
  const app = await build(t)
  const author = await createAuthor(app, t)
  await createArticle(app, t, { authorId: author.id, title: 'Out in the open', status: 'published' })
  const draft = await createArticle(app, t, { authorId: author.id, title: 'Held back', status: 'draft' })
  const before = String((await request(app, t, { method: 'GET', url: '/v1/articles' })).headers.etag)
  for (let n = 1; n <= 5; n++) {
    const edit = await request(app, t, { method: 'PATCH', url: `/v1/articles/${draft.id}`, headers: bearer(adminSecret), payload: { title: `Held back ${n}` } })
    t.equal(edit.statusCode, 200)
  }
  const after = String((await request(app, t, { method: 'GET', url: '/v1/articles' })).headers.etag)
  const [changes, version] = (await app.store.writeStamp()).split('.')
  for (const tag of [before, after]) {
    t.match(tag, /^"[\w-]+"$/, 'one opaque token')
    t.notMatch(tag, /\d+\.\d+/, 'no counters joined by a dot')
    t.notMatch(tag, new RegExp(`(^|\\D)${changes}\\.${version}(\\D|$)`), 'not the write stamp')
  }
})

t.test('two instances on one database: a list ETag from one is current on the other on PostgreSQL, never on SQLite', async (t) => {
  const databaseUrl = await lastingDatabaseUrl(t)
  const first = await build(t, { databaseUrl })
  const second = await build(t, { databaseUrl })
  const author = await createAuthor(first, t)
  await createArticle(first, t, { authorId: author.id, title: 'Seen from both', status: 'published' })
  const tag = String((await request(first, t, { method: 'GET', url: '/v1/articles' })).headers.etag)
  const elsewhere = await request(second, t, { method: 'GET', url: '/v1/articles', headers: { 'if-none-match': tag } })
  if (first.store.dialect === 'postgres') {
    // One write counter in the database, and the scope kept beside it: a load balancer may send
    // the revalidation to any instance.
    t.equal(elsewhere.statusCode, 304, 'the other instance knows the tag')
    await createArticle(second, t, { authorId: author.id, title: 'Written on the second', status: 'published' })
    t.equal((await request(first, t, { method: 'GET', url: '/v1/articles', headers: { 'if-none-match': tag } })).statusCode, 200, 'a write on either makes it stale on both')
  } else {
    // Each connection counts its own writes (db/client.ts writeStamp): equal counters in two
    // processes can name different states, so a tag is only this process's.
    t.equal(elsewhere.statusCode, 200, 'the other connection answers the page')
    t.not(String(elsewhere.headers.etag), tag, 'with its own tag')
  }
})

// What each kind of answer tells caches (README, Caching): browsers revalidate every read, so a
// reader sees their own writes at once; a CDN keeps published content a minute, but revalidates
// comment lists, which readers' writes change.
const published = 'public, max-age=0, s-maxage=60'
const revalidated = 'public, no-cache'
const privately = 'private, no-cache'

async function blog (t: Parameters<typeof build>[0], overrides: Parameters<typeof build>[1] = {}) {
  const app = await build(t, overrides)
  const author = await createAuthor(app, t, { name: 'Cass Cache' })
  const article = await createArticle(app, t, { authorId: author.id, title: 'Ferry timetable changes', status: 'published', labels: ['Transport'] })
  return { app, author, article }
}

t.test('Cache-Control by kind of answer', async (t) => {
  const { app, author, article } = await blog(t)
  const date = String(article.publishedAt).slice(0, 10)

  t.test('published content: browsers revalidate, shared caches keep it a minute', async (t) => {
    for (const url of ['/v1/articles', `/v1/articles/${article.id}`, `/v1/articles/${article.slug}?include=author`, '/v1/dates', `/v1/dates/${date}`,
      '/v1/archive', '/v1/labels', '/v1/authors', `/v1/authors/${author.id}`, '/v1/articles?q=ferry', '/openapi.json']) {
      const response = await request(app, t, { method: 'GET', url })
      t.equal(response.statusCode, 200, url)
      t.equal(response.headers['cache-control'], published, `${url}: ${published}`)
      t.match(String(response.headers.vary), /Authorization/, `${url} varies by Authorization`)
      t.ok(response.headers.etag, `${url} has an ETag`)
    }
  })

  t.test('a comment list: every cache revalidates it', async (t) => {
    for (const url of [`/v1/articles/${article.id}/comments`, `/v1/articles/${article.slug}/comments/thread`]) {
      const response = await request(app, t, { method: 'GET', url })
      t.equal(response.statusCode, 200)
      t.equal(response.headers['cache-control'], revalidated, url)
      t.match(String(response.headers.etag), /^"[\w-]+"$/, 'an opaque ETag, known before the page is built')
      const head = await request(app, t, { method: 'HEAD', url })
      t.equal(head.headers['cache-control'], revalidated, `HEAD ${url} says the same`)
    }
  })

  t.test('a 304 says what its 200 says', async (t) => {
    for (const [url, expected] of [[`/v1/articles/${article.id}`, published], ['/v1/articles', published], [`/v1/articles/${article.id}/comments`, revalidated]] as const) {
      const first = await request(app, t, { method: 'GET', url })
      const again = await request(app, t, { method: 'GET', url, headers: { 'if-none-match': String(first.headers.etag) } })
      t.equal(again.statusCode, 304, url)
      t.equal(again.headers['cache-control'], expected)
      t.equal(again.headers.etag, first.headers.etag)
    }
  })

  t.test('anything answered to a token is private', async (t) => {
    for (const url of ['/v1/articles', `/v1/articles/${article.id}/comments`, '/v1/comments', '/v1/tokens']) {
      const response = await request(app, t, { method: 'GET', url, headers: bearer(adminSecret) })
      t.equal(response.statusCode, 200, url)
      t.equal(response.headers['cache-control'], privately, url)
    }
  })

  t.test('errors, probes and the answers to writes are kept by no cache', async (t) => {
    const gone = await createArticle(app, t, { authorId: author.id, title: 'Gone' })
    const asked: Array<Parameters<typeof request>[2]> = [
      { method: 'GET', url: '/v1/articles/not-published-yet' },
      { method: 'GET', url: '/v1/articles?limit=0' },
      { method: 'GET', url: '/v1/articles', headers: bearer('dl_not-a-real-token-at-all') },
      { method: 'GET', url: '/v1/articles/999999/comments' },
      { method: 'GET', url: '/healthz' },
      { method: 'GET', url: '/readyz' },
      { method: 'POST', url: `/v1/articles/${article.id}/comments`, payload: { authorName: 'A reader', body: 'Cached?' } },
      { method: 'PATCH', url: `/v1/articles/${article.id}`, headers: bearer(adminSecret), payload: { excerpt: 'Changes from Monday.' } },
      { method: 'DELETE', url: `/v1/articles/${gone.id}`, headers: bearer(adminSecret) }
    ]
    const answers = []
    for (const options of asked) answers.push(await request(app, t, options))
    t.same(answers.map((answer) => answer.statusCode), [404, 400, 401, 404, 200, 200, 201, 200, 204])
    answers.forEach((answer, n) => {
      t.equal(answer.headers['cache-control'], 'no-store', `a ${answer.statusCode} to ${asked[n]!.method} ${asked[n]!.url}`)
      if (answer.statusCode >= 400) t.notOk(answer.headers.etag, 'an error has no ETag')
    })
    t.ok(answers[6]!.headers.etag, 'a write answer still carries the new version\'s ETag')
  })
})

t.test('a conditional re-read after a comment is posted and approved sees it, not a 304', async (t) => {
  const { app, article } = await blog(t)
  const url = `/v1/articles/${article.id}/comments`
  const first = await request(app, t, { method: 'GET', url })
  t.same(first.json().data, [], 'no comments yet')
  const etag = String(first.headers.etag)
  const unchanged = await request(app, t, { method: 'GET', url, headers: { 'if-none-match': etag } })
  t.equal(unchanged.statusCode, 304, 'nothing changed: a 304')
  const articleTag = String((await request(app, t, { method: 'GET', url: `/v1/articles/${article.id}` })).headers.etag)

  const posted = await request(app, t, { method: 'POST', url, payload: { authorName: 'Lena from Mill Lane', body: 'Will the late ferry stay?' } })
  t.equal(posted.statusCode, 201)
  t.equal(posted.json().status, 'pending')
  const approved = await request(app, t, { method: 'PATCH', url: `/v1/comments/${posted.json().id}`, headers: bearer(adminSecret), payload: { status: 'approved' } })
  t.equal(approved.statusCode, 200)

  const reread = await request(app, t, { method: 'GET', url, headers: { 'if-none-match': etag } })
  t.equal(reread.statusCode, 200, 'the client\'s copy is out of date')
  t.same(reread.json().data.map((comment: { body: string }) => comment.body), ['<p>Will the late ferry stay?</p>'])
  t.not(reread.headers.etag, etag)
  t.equal(reread.headers['cache-control'], revalidated, 'and the next read revalidates again')
  const count = await request(app, t, { method: 'GET', url: `/v1/articles/${article.id}`, headers: { 'if-none-match': articleTag } })
  t.equal(count.statusCode, 200, 'the article\'s comment count changed with it')
  t.equal(count.json().commentCount, 1)
})

t.test('with comments approved at once, the poster\'s next conditional read shows the comment', async (t) => {
  const { app, article } = await blog(t, { commentsAutoApprove: true })
  const url = `/v1/articles/${article.slug}/comments/thread`
  const etag = String((await request(app, t, { method: 'GET', url })).headers.etag)
  const posted = await request(app, t, { method: 'POST', url: `/v1/articles/${article.id}/comments`, payload: { authorName: 'A reader', body: 'First!' } })
  t.equal(posted.json().status, 'approved')
  const reread = await request(app, t, { method: 'GET', url, headers: { 'if-none-match': etag } })
  t.equal(reread.statusCode, 200)
  t.equal(reread.json().meta.total, 1)
})
