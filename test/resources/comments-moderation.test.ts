import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import t, { type Test } from 'tap'
import { adminSecret, bearer, build, createArticle, createAuthor, request, tokenFor } from '../helper.js'
import { assertProblem } from '../problems.js'

// Comments, moderators' side: the /v1/comments queue, get/patch/delete by role,
// conditional requests, deleting with replies kept, and `commentCount` staying exact
// through sequences of moderation and under concurrent requests.

type Tap = Test


function auth (secret?: string): Record<string, string> {
  return secret === undefined ? {} : bearer(secret)
}

async function get (app: FastifyInstance, t: Tap, url: string, secret?: string, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
  return request(app, t, { method: 'GET', url, headers: { ...auth(secret), ...headers } })
}

async function patch (app: FastifyInstance, t: Tap, id: number | string, payload: Record<string, unknown>, secret?: string, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
  return request(app, t, { method: 'PATCH', url: `/v1/comments/${id}`, headers: { ...auth(secret), ...headers }, payload })
}

async function remove (app: FastifyInstance, t: Tap, id: number | string, secret?: string, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
  return request(app, t, { method: 'DELETE', url: `/v1/comments/${id}`, headers: { ...auth(secret), ...headers } })
}

async function postComment (app: FastifyInstance, t: Tap, article: string | number, payload: Record<string, unknown>, secret?: string): Promise<LightMyRequestResponse> {
  return request(app, t, { method: 'POST', url: `/v1/articles/${article}/comments`, headers: auth(secret), payload: { authorName: 'A reader', body: 'A comment.', ...payload } })
}

/** Posts a comment that must be accepted; returns it. */
async function comment (app: FastifyInstance, t: Tap, article: string | number, payload: Record<string, unknown> = {}, secret?: string): Promise<Record<string, any>> {
  const response = await postComment(app, t, article, payload, secret)
  if (response.statusCode !== 201) throw new Error(`posting a comment failed: ${response.statusCode} ${response.body}`)
  return response.json()
}

async function moderate (app: FastifyInstance, t: Tap, id: number, status: string, secret = adminSecret): Promise<Record<string, any>> {
  const response = await patch(app, t, id, { status }, secret)
  if (response.statusCode !== 200) throw new Error(`moderating comment ${id} failed: ${response.statusCode} ${response.body}`)
  return response.json()
}

/** The comment as an editor reads it, or null when it is gone (404). */
async function stored (app: FastifyInstance, t: Tap, id: number): Promise<Record<string, any> | null> {
  const response = await get(app, t, `/v1/comments/${id}`, adminSecret)
  if (response.statusCode === 404) return null
  t.equal(response.statusCode, 200)
  return response.json()
}

function ids (response: LightMyRequestResponse): number[] {
  return response.json().data.map((item: { id: number }) => item.id)
}

interface Thread { id: number, parentId: number | null, replies: Thread[] }

function shape (threads: Thread[]): unknown[] {
  return threads.map((node) => [node.id, shape(node.replies)])
}

async function setup (t: Tap, overrides: Parameters<typeof build>[1] = {}) {
  // Posting is rate-limited per client and article (5 a minute by default): these tests post more.
  const app = await build(t, { commentRateLimit: 10_000, ...overrides })
  const author = await createAuthor(app, t, { name: 'Zoë Lindqvist', email: 'zoe@example.org' })
  const other = await createAuthor(app, t, { name: 'Omar Haddad', email: 'omar@example.org' })
  const article = await createArticle(app, t, { title: 'Council approves footbridge', authorId: author.id, status: 'published' })
  const otherArticle = await createArticle(app, t, { title: 'Market stays open', authorId: other.id, status: 'published' })
  return {
    app,
    author,
    other,
    article,
    otherArticle,
    editor: await tokenFor(app, 'editor'),
    authorToken: await tokenFor(app, 'author', author.id),
    otherToken: await tokenFor(app, 'author', other.id)
  }
}

t.test('moderation needs a token', async (t) => {
  const { app, article } = await setup(t)
  const pending = await comment(app, t, article.id, { body: 'Waiting.' })

  t.test('anonymous list, get, patch and delete are 401 with WWW-Authenticate, and change nothing', async (t) => {
    const responses = [
      await get(app, t, '/v1/comments'),
      await get(app, t, `/v1/comments/${pending.id}`),
      await patch(app, t, pending.id, { status: 'approved' }),
      await remove(app, t, pending.id)
    ]
    for (const response of responses) {
      assertProblem(t, response, 401, 'unauthorized')
      t.ok(response.headers['www-authenticate'])
    }
    t.match(await stored(app, t, pending.id), { status: 'pending' })
  })

  t.test('an unknown bearer token is a 401 on the queue too', async (t) => {
    assertProblem(t, await get(app, t, '/v1/comments', 'no-such-token'), 401, 'unauthorized')
    assertProblem(t, await patch(app, t, pending.id, { status: 'spam' }, 'no-such-token'), 401, 'unauthorized')
    t.match(await stored(app, t, pending.id), { status: 'pending' })
  })
})

t.test('the editors\' moderation queue', async (t) => {
  const { app, article, otherArticle, editor } = await setup(t)
  const p1 = await comment(app, t, article.id, { authorEmail: 'p1@example.net', body: 'Pending one.' })
  const a1 = await comment(app, t, article.id, { body: 'Approved one.' }, editor)
  const s1 = await comment(app, t, article.id, { body: 'Spam one.' })
  const r1 = await comment(app, t, article.id, { body: 'Rejected one.' })
  const o1 = await comment(app, t, otherArticle.id, { authorEmail: 'o1@example.net', body: 'Elsewhere.' })
  await moderate(app, t, s1.id, 'spam')
  await moderate(app, t, r1.id, 'rejected')

  t.test('lists every status of every article, newest first, with authorEmail, privately cached', async (t) => {
    const response = await get(app, t, '/v1/comments', editor)
    t.equal(response.statusCode, 200)
    t.same(ids(response), [o1.id, r1.id, s1.id, a1.id, p1.id])
    t.same(response.json().meta, { total: 5, limit: 20, offset: 0, nextCursor: null })
    t.same(response.json().data.map((item: { status: string }) => item.status), ['pending', 'rejected', 'spam', 'approved', 'pending'])
    t.equal(response.json().data[0].authorEmail, 'o1@example.net')
    t.ok(response.json().data.every((item: object) => 'authorEmail' in item))
    t.equal(response.headers['cache-control'], 'private, no-cache')
    t.match(String(response.headers.etag), /^".+"$/)
  })

  t.test('an admin token sees the same queue', async (t) => {
    t.same(ids(await get(app, t, '/v1/comments', adminSecret)), [o1.id, r1.id, s1.id, a1.id, p1.id])
  })

  t.test('sort=createdAt is oldest first', async (t) => {
    t.same(ids(await get(app, t, '/v1/comments?sort=createdAt', editor)), [p1.id, a1.id, s1.id, r1.id, o1.id])
  })

  t.test('filters: status, article by id or slug, and both', async (t) => {
    t.same(ids(await get(app, t, '/v1/comments?status=pending', editor)), [o1.id, p1.id])
    t.same(ids(await get(app, t, '/v1/comments?status=spam', editor)), [s1.id])
    t.same(ids(await get(app, t, '/v1/comments?status=rejected', editor)), [r1.id])
    t.same(ids(await get(app, t, '/v1/comments?status=approved', editor)), [a1.id])
    t.same(ids(await get(app, t, `/v1/comments?article=${article.id}`, editor)), [r1.id, s1.id, a1.id, p1.id])
    t.same(ids(await get(app, t, `/v1/comments?article=${otherArticle.slug}`, editor)), [o1.id])
    const both = await get(app, t, `/v1/comments?article=${article.slug}&status=pending`, editor)
    t.same(ids(both), [p1.id])
    t.equal(both.json().meta.total, 1)
  })

  t.test('bad filters and sorts are 400s naming the parameter', async (t) => {
    assertProblem(t, await get(app, t, '/v1/comments?article=no-such-article', editor), 400, 'validation', 'querystring.article')
    assertProblem(t, await get(app, t, '/v1/comments?article=999999', editor), 400, 'validation', 'querystring.article')
    assertProblem(t, await get(app, t, '/v1/comments?status=deleted', editor), 400, 'validation', 'querystring.status')
    assertProblem(t, await get(app, t, '/v1/comments?sort=authorName', editor), 400, 'validation', 'querystring.sort')
    assertProblem(t, await get(app, t, '/v1/comments?articleId=1', editor), 400, 'validation', 'querystring.articleId')
    assertProblem(t, await get(app, t, '/v1/comments?limit=101', editor), 400, 'validation', 'querystring.limit')
  })

  t.test('walking the cursor visits every comment once, with Link headers', async (t) => {
    const seen: number[] = []
    let url: string | null = '/v1/comments?limit=2'
    let pages = 0
    while (url !== null) {
      const response = await get(app, t, url, editor)
      t.equal(response.statusCode, 200)
      const body = response.json()
      t.equal(body.meta.total, 5)
      seen.push(...ids(response))
      const next = /<([^>]+)>; rel="next"/.exec(String(response.headers.link ?? ''))
      if (body.meta.nextCursor === null) {
        t.notOk(next)
        url = null
      } else {
        t.ok(next, 'rel="next" is given')
        url = next![1]!
      }
      if (body.meta.offset > 0) t.match(String(response.headers.link), /rel="prev"/)
      pages++
    }
    t.equal(pages, 3)
    t.same(seen, [o1.id, r1.id, s1.id, a1.id, p1.id])
    const cursor = (await get(app, t, '/v1/comments?limit=2', editor)).json().meta.nextCursor
    assertProblem(t, await get(app, t, `/v1/comments?limit=2&sort=createdAt&cursor=${cursor}`, editor), 400, 'validation', 'querystring.cursor')
  })

  t.test('sort=-updatedAt puts the comment moderated last first', async (t) => {
    await new Promise((resolve) => setTimeout(resolve, 5))
    await moderate(app, t, p1.id, 'approved')
    const response = await get(app, t, '/v1/comments?sort=-updatedAt', editor)
    t.equal(ids(response)[0], p1.id)
    await moderate(app, t, p1.id, 'pending')
  })
})

t.test('an author token moderates comments on its own articles only', async (t) => {
  const { app, article, otherArticle, authorToken, editor } = await setup(t)
  const mine = await comment(app, t, article.id, { authorEmail: 'reader@example.net', body: 'On your article.' })
  const mineToo = await comment(app, t, article.id, { body: 'Also yours.' })
  const theirs = await comment(app, t, otherArticle.id, { authorEmail: 'other@example.net', body: 'On the other article.' })

  t.test('its queue holds only its own articles\' comments, every status, with authorEmail', async (t) => {
    const response = await get(app, t, '/v1/comments', authorToken)
    t.equal(response.statusCode, 200)
    t.same(ids(response), [mineToo.id, mine.id])
    t.equal(response.json().meta.total, 2)
    t.equal(response.json().data[1].authorEmail, 'reader@example.net')
    const filtered = await get(app, t, `/v1/comments?article=${otherArticle.id}`, authorToken)
    t.equal(filtered.statusCode, 200)
    t.same(filtered.json().data, [])
    t.equal(filtered.json().meta.total, 0)
  })

  t.test('it reads its own comment; another article\'s comment is a 404', async (t) => {
    const own = await get(app, t, `/v1/comments/${mine.id}`, authorToken)
    t.equal(own.statusCode, 200)
    t.match(own.json(), { id: mine.id, authorEmail: 'reader@example.net', status: 'pending' })
    assertProblem(t, await get(app, t, `/v1/comments/${theirs.id}`, authorToken), 404, 'not-found')
  })

  t.test('it changes the status of its own article\'s comment, and the count follows', async (t) => {
    const response = await patch(app, t, mine.id, { status: 'approved' }, authorToken)
    t.equal(response.statusCode, 200)
    t.match(response.json(), { id: mine.id, status: 'approved', authorEmail: 'reader@example.net' })
    t.match(await stored(app, t, mine.id), { status: 'approved' })
    t.equal((await get(app, t, `/v1/articles/${article.id}`)).json().commentCount, 1)
  })

  t.test('patching another article\'s comment is a 404 and changes nothing', async (t) => {
    assertProblem(t, await patch(app, t, theirs.id, { status: 'approved' }, authorToken), 404, 'not-found')
    t.match(await stored(app, t, theirs.id), { status: 'pending' })
    t.equal((await get(app, t, `/v1/articles/${otherArticle.id}`)).json().commentCount, 0)
  })

  t.test('editing what the reader wrote is a 403, even with a status, and changes nothing', async (t) => {
    const before = await stored(app, t, mineToo.id)
    assertProblem(t, await patch(app, t, mineToo.id, { body: 'Rewritten.' }, authorToken), 403, 'forbidden')
    assertProblem(t, await patch(app, t, mineToo.id, { authorName: 'Someone else' }, authorToken), 403, 'forbidden')
    assertProblem(t, await patch(app, t, mineToo.id, { authorUrl: 'https://elsewhere.example' }, authorToken), 403, 'forbidden')
    assertProblem(t, await patch(app, t, mineToo.id, { status: 'approved', body: 'Rewritten.' }, authorToken), 403, 'forbidden')
    t.same(await stored(app, t, mineToo.id), before)
  })

  t.test('deleting another article\'s comment is a 404 and it stays', async (t) => {
    assertProblem(t, await remove(app, t, theirs.id, authorToken), 404, 'not-found')
    t.ok(await stored(app, t, theirs.id))
  })

  t.test('deleting its own article\'s comment is a 204 and it is gone', async (t) => {
    const response = await remove(app, t, mineToo.id, authorToken)
    t.equal(response.statusCode, 204)
    t.equal(response.body, '')
    t.equal(await stored(app, t, mineToo.id), null)
    assertProblem(t, await get(app, t, `/v1/comments/${mineToo.id}`, authorToken), 404, 'not-found')
    t.same(ids(await get(app, t, '/v1/comments', editor)), [theirs.id, mine.id])
  })
})

t.test('editors edit comments', async (t) => {
  const { app, article, editor } = await setup(t)
  const target = await comment(app, t, article.id, { authorName: 'Lena', authorUrl: 'https://lena.example.net', authorEmail: 'lena@example.net', body: 'Orginal text.' })

  t.test('an editor edits body (sanitised), authorName (trimmed) and authorUrl, and it reads back', async (t) => {
    await new Promise((resolve) => setTimeout(resolve, 5))
    const response = await patch(app, t, target.id, {
      body: 'Original text, <script>alert(1)</script>corrected. <a href="javascript:alert(2)">x</a> <a href="https://example.org" target="_blank">y</a>',
      authorName: '  Lena M. ',
      authorUrl: null
    }, editor)
    t.equal(response.statusCode, 200)
    const body = response.json()
    t.equal(body.body, '<p>Original text, corrected. <a rel="nofollow ugc noopener">x</a> <a href="https://example.org" rel="nofollow ugc noopener">y</a></p>')
    t.equal(body.authorName, 'Lena M.')
    t.equal(body.authorUrl, null)
    t.equal(body.authorEmail, 'lena@example.net')
    t.equal(body.status, 'pending', 'editing the text leaves the status')
    t.equal(body.createdAt, target.createdAt)
    t.ok(body.updatedAt > target.updatedAt, 'updatedAt moves on')
    t.same(await stored(app, t, target.id), body)
  })

  t.test('a plain-text edit becomes paragraphs, escaped', async (t) => {
    const response = await patch(app, t, target.id, { body: 'One < two\n\nThree' }, editor)
    t.match(response.json().body, /^<p>One &lt; two<\/p>\s*<p>Three<\/p>$/)
  })

  const invalid: Array<[string, Record<string, unknown>, string, string?]> = [
    ['a javascript: authorUrl', { authorUrl: 'javascript:alert(1)' }, 'body.authorUrl'],
    ['an unknown status', { status: 'deleted' }, 'body.status'],
    ['an empty body', { body: '' }, 'body.body'],
    ['a blank authorName', { authorName: ' ' }, 'body.authorName'],
    ['an unknown field', { approved: true }, 'body.approved', 'is not a known field'],
    ['a parentId (not editable)', { parentId: null }, 'body.parentId', 'is not a known field'],
    ['an authorEmail (not editable)', { authorEmail: 'x@example.org' }, 'body.authorEmail', 'is not a known field']
  ]
  for (const [name, payload, path, message] of invalid) {
    t.test(`${name} is a 400 naming ${path}, and nothing changes`, async (t) => {
      const before = await stored(app, t, target.id)
      assertProblem(t, await patch(app, t, target.id, payload, editor), 400, 'validation', { path, message })
      t.same(await stored(app, t, target.id), before)
    })
  }

  t.test('an empty patch is a 400', async (t) => {
    assertProblem(t, await patch(app, t, target.id, {}, editor), 400, 'validation')
  })

  t.test('an unknown comment is a 404 for get, patch and delete', async (t) => {
    assertProblem(t, await get(app, t, '/v1/comments/999999', editor), 404, 'not-found')
    assertProblem(t, await patch(app, t, 999999, { status: 'approved' }, editor), 404, 'not-found')
    assertProblem(t, await remove(app, t, 999999, editor), 404, 'not-found')
  })

  // An id in a path has one spelling: "01" or "1.0" would be another address of comment 1.
  for (const bad of ['abc', '0', '-1', '1.5', '01', '1.0', '0x1', '99999999999999999999']) {
    t.test(`the id "${bad}" is a 400 naming params.id for get, patch and delete`, async (t) => {
      assertProblem(t, await get(app, t, `/v1/comments/${bad}`, editor), 400, 'validation', 'params.id')
      assertProblem(t, await patch(app, t, bad, { status: 'approved' }, editor), 400, 'validation', 'params.id')
      assertProblem(t, await remove(app, t, bad, editor), 400, 'validation', 'params.id')
      t.ok(await stored(app, t, target.id))
    })
  }

  t.test('a wrong method on the comment path is a 405 with Allow', async (t) => {
    const response = await request(app, t, { method: 'PUT', url: `/v1/comments/${target.id}`, headers: bearer(editor), payload: { status: 'approved' } })
    t.equal(response.statusCode, 405)
    t.match(String(response.headers.allow), /PATCH/)
  })
})

t.test('conditional requests on comments', async (t) => {
  const { app, article, editor } = await setup(t)
  const target = await comment(app, t, article.id, { body: 'Versioned.' })

  t.test('a comment has a versioned ETag and If-None-Match gives 304', async (t) => {
    const response = await get(app, t, `/v1/comments/${target.id}`, editor)
    const etag = String(response.headers.etag)
    t.match(etag, new RegExp(`^"comment-${target.id}-v1\\.[^"]+"$`))
    const again = await get(app, t, `/v1/comments/${target.id}`, editor, { 'if-none-match': etag })
    t.equal(again.statusCode, 304)
    t.equal(again.body, '')
  })

  t.test('PATCH with the current ETag succeeds; with the old one it is a 412 and nothing changes', async (t) => {
    const first = String((await get(app, t, `/v1/comments/${target.id}`, editor)).headers.etag)
    const ok = await patch(app, t, target.id, { status: 'approved' }, editor, { 'if-match': first })
    t.equal(ok.statusCode, 200)
    t.match(String(ok.headers.etag), new RegExp(`^"comment-${target.id}-v2\\.`))
    const stale = await patch(app, t, target.id, { status: 'spam' }, editor, { 'if-match': first })
    assertProblem(t, stale, 412, 'precondition-failed')
    t.match(await stored(app, t, target.id), { status: 'approved' })
    t.equal((await get(app, t, `/v1/articles/${article.id}`)).json().commentCount, 1, 'the refused change did not touch the count')
    const star = await patch(app, t, target.id, { status: 'pending' }, editor, { 'if-match': '*' })
    t.equal(star.statusCode, 200)
  })

  t.test('the ETag of the POST answer is a valid If-Match', async (t) => {
    const created = await postComment(app, t, article.id, { body: 'Fresh.' })
    const etag = String(created.headers.etag)
    t.match(etag, new RegExp(`^"comment-${created.json().id}-v1\\.`))
    const response = await patch(app, t, created.json().id, { status: 'rejected' }, editor, { 'if-match': etag })
    t.equal(response.statusCode, 200)
    t.match(await stored(app, t, created.json().id), { status: 'rejected' })
  })

  t.test('the moderation list answers 304 to its own ETag', async (t) => {
    const list = await get(app, t, '/v1/comments', editor)
    const again = await get(app, t, '/v1/comments', editor, { 'if-none-match': String(list.headers.etag) })
    t.equal(again.statusCode, 304)
  })

  t.test('an author token gets the 412 too', async (t) => {
    const authorToken = await tokenFor(app, 'author', article.authorId)
    const stale = `"comment-${target.id}-v1.whatever"`
    assertProblem(t, await patch(app, t, target.id, { status: 'approved' }, authorToken, { 'if-match': stale }), 412, 'precondition-failed')
    t.match(await stored(app, t, target.id), { status: 'pending' })
  })

  t.test('DELETE with a stale ETag is a 412 and the comment stays; with the current one it is gone', async (t) => {
    const stale = `"comment-${target.id}-v1.whatever"`
    assertProblem(t, await remove(app, t, target.id, editor, { 'if-match': stale }), 412, 'precondition-failed')
    t.ok(await stored(app, t, target.id))
    const current = String((await get(app, t, `/v1/comments/${target.id}`, editor)).headers.etag)
    const response = await remove(app, t, target.id, editor, { 'if-match': current })
    t.equal(response.statusCode, 204)
    t.equal(await stored(app, t, target.id), null)
  })
})

t.test('deleting a comment keeps its replies', async (t) => {
  const { app, article, editor } = await setup(t)
  // A ─ B ─ C          after deleting B:  A ─ C        after deleting A:  C
  //  │   └ E                                ├ D                           D
  //  └ D                                    └ E                           E
  const A = await comment(app, t, article.id, { body: 'A' }, editor)
  const B = await comment(app, t, article.id, { body: 'B', parentId: A.id }, editor)
  const C = await comment(app, t, article.id, { body: 'C', parentId: B.id }, editor)
  const D = await comment(app, t, article.id, { body: 'D', parentId: A.id }, editor)
  const E = await comment(app, t, article.id, { body: 'E', parentId: B.id }, editor)
  const threadUrl = `/v1/articles/${article.id}/comments/thread`
  t.same(shape((await get(app, t, threadUrl)).json().data), [[A.id, [[B.id, [[C.id, []], [E.id, []]]], [D.id, []]]]])

  t.test('deleting a reply moves its replies up to its parent, in posting order', async (t) => {
    t.equal((await remove(app, t, B.id, editor)).statusCode, 204)
    t.equal(await stored(app, t, B.id), null)
    t.equal((await stored(app, t, C.id))?.parentId, A.id)
    t.equal((await stored(app, t, E.id))?.parentId, A.id)
    t.equal((await stored(app, t, D.id))?.parentId, A.id)
    t.same(shape((await get(app, t, threadUrl)).json().data), [[A.id, [[C.id, []], [D.id, []], [E.id, []]]]])
    t.equal((await get(app, t, `/v1/articles/${article.id}`)).json().commentCount, 4)
  })

  t.test('deleting a top-level comment makes its replies top-level', async (t) => {
    t.equal((await remove(app, t, A.id, editor)).statusCode, 204)
    for (const id of [C.id, D.id, E.id]) t.equal((await stored(app, t, id))?.parentId, null, `comment ${id} is top-level`)
    const threads = (await get(app, t, threadUrl)).json()
    t.same(shape(threads.data), [[C.id, []], [D.id, []], [E.id, []]])
    t.equal(threads.meta.total, 3)
    t.equal((await get(app, t, `/v1/articles/${article.id}`)).json().commentCount, 3)
  })

  t.test('deleting a pending parent brings its approved reply into the thread, and the count stays', async (t) => {
    const P = await comment(app, t, article.id, { body: 'P' })
    const G = await comment(app, t, article.id, { body: 'G', parentId: P.id }, editor)
    const before = (await get(app, t, `/v1/articles/${article.id}`)).json().commentCount
    t.notOk(shape((await get(app, t, threadUrl)).json().data).some((node) => (node as unknown[])[0] === G.id))
    t.equal((await remove(app, t, P.id, editor)).statusCode, 204)
    t.equal((await stored(app, t, G.id))?.parentId, null)
    t.same(shape((await get(app, t, threadUrl)).json().data), [[C.id, []], [D.id, []], [E.id, []], [G.id, []]])
    t.equal((await get(app, t, `/v1/articles/${article.id}`)).json().commentCount, before)
  })
})

t.test('deleting an article removes its comments from the queue', async (t) => {
  const { app, author, editor } = await setup(t)
  const doomed = await createArticle(app, t, { title: 'Retracted story', authorId: author.id, status: 'published' })
  const gone = await comment(app, t, doomed.id, { body: 'On a retracted story.' })
  t.same(ids(await get(app, t, `/v1/comments?article=${doomed.id}`, editor)), [gone.id])
  const response = await request(app, t, { method: 'DELETE', url: `/v1/articles/${doomed.id}`, headers: bearer(adminSecret) })
  t.equal(response.statusCode, 204)
  t.notOk(ids(await get(app, t, '/v1/comments', editor)).includes(gone.id))
  t.equal(await stored(app, t, gone.id), null)
})

t.test('commentCount follows every moderation step', async (t) => {
  const { app, article, otherArticle, editor, authorToken } = await setup(t)

  /** The article's count, seen by an editor, an anonymous reader and the list, equals `expected` and the approved comments listed. */
  async function check (t: Tap, expected: number, step: string): Promise<void> {
    const asEditor = (await get(app, t, `/v1/articles/${article.id}`, editor)).json().commentCount
    const asReader = (await get(app, t, `/v1/articles/${article.id}`)).json().commentCount
    const listed = (await get(app, t, '/v1/articles')).json().data.find((item: { id: number }) => item.id === article.id)?.commentCount
    const approved = (await get(app, t, `/v1/articles/${article.id}/comments?limit=100`)).json()
    t.same([asEditor, asReader, listed, approved.meta.total, approved.data.length], [expected, expected, expected, expected, expected], `${step}: commentCount ${expected}`)
    t.equal((await get(app, t, `/v1/articles/${otherArticle.id}`)).json().commentCount, 0, `${step}: the other article is untouched`)
  }

  await check(t, 0, 'no comments')
  const p1 = await comment(app, t, article.id, { body: 'p1' })
  const p2 = await comment(app, t, article.id, { body: 'p2' })
  const p3 = await comment(app, t, article.id, { body: 'p3' })
  await check(t, 0, 'three pending posts')
  await moderate(app, t, p1.id, 'approved')
  await check(t, 1, 'p1 approved')
  await moderate(app, t, p2.id, 'approved')
  await check(t, 2, 'p2 approved')
  await moderate(app, t, p2.id, 'approved')
  await check(t, 2, 'p2 approved again (no change)')
  const e1 = await comment(app, t, article.id, { body: 'e1' }, editor)
  await check(t, 3, 'an editor posts (approved at once)')
  const a1 = await comment(app, t, article.id, { body: 'a1' }, authorToken)
  await check(t, 4, 'the article\'s author posts (approved at once)')
  await moderate(app, t, p1.id, 'rejected')
  await check(t, 3, 'p1 rejected')
  await moderate(app, t, p2.id, 'spam')
  await check(t, 2, 'p2 marked spam')
  await moderate(app, t, p3.id, 'spam')
  await check(t, 2, 'pending p3 marked spam')
  await moderate(app, t, p2.id, 'approved')
  await check(t, 3, 'p2 back from spam')
  await moderate(app, t, e1.id, 'pending')
  await check(t, 2, 'e1 back to pending')
  t.equal((await patch(app, t, a1.id, { body: 'a1 edited' }, editor)).statusCode, 200)
  await check(t, 2, 'a text edit')
  t.equal((await remove(app, t, a1.id, editor)).statusCode, 204)
  await check(t, 1, 'approved a1 deleted')
  t.equal((await remove(app, t, p1.id, editor)).statusCode, 204)
  await check(t, 1, 'rejected p1 deleted')
  t.equal((await remove(app, t, e1.id, editor)).statusCode, 204)
  await check(t, 1, 'pending e1 deleted')
  await moderate(app, t, p3.id, 'approved', authorToken)
  await check(t, 2, 'the author approves p3')
  await moderate(app, t, p3.id, 'pending', authorToken)
  await check(t, 1, 'the author sets p3 back to pending')

  t.test('articles sort by commentCount', async (t) => {
    const sorted = (await get(app, t, '/v1/articles?sort=-commentCount')).json().data.map((item: { id: number }) => item.id)
    t.same(sorted, [article.id, otherArticle.id])
  })
})

t.test('commentCount stays exact under concurrent posts and moderations', async (t) => {
  const { app, article, otherArticle, editor, authorToken, otherToken } = await setup(t)
  const articles = [article.id, otherArticle.id]
  const statuses = ['approved', 'pending', 'spam', 'rejected'] as const
  // Round 1: 60 posts at once, anonymous (pending), editor and own-author (approved).
  const posters = [undefined, editor, undefined, authorToken, otherToken, undefined]
  const round1 = await Promise.all(Array.from({ length: 60 }, (_, i) => {
    const articleId = articles[i % 2]!
    let secret = posters[i % posters.length]
    if (secret === authorToken && articleId !== article.id) secret = undefined
    if (secret === otherToken && articleId !== otherArticle.id) secret = undefined
    return postComment(app, t, articleId, { authorName: `Reader ${i}`, body: `Comment ${i}` }, secret)
  }))
  t.ok(round1.every((response) => response.statusCode === 201), 'every post is a 201')
  const final = new Map<number, { articleId: number, status: string | null }>()
  for (const response of round1) {
    const created = response.json()
    final.set(created.id, { articleId: created.articleId, status: created.status })
  }

  async function verify (t: Tap, step: string): Promise<void> {
    for (const articleId of articles) {
      const expected = [...final.values()].filter((entry) => entry.articleId === articleId && entry.status === 'approved').length
      const count = (await get(app, t, `/v1/articles/${articleId}`)).json().commentCount
      const listed = (await get(app, t, `/v1/articles/${articleId}/comments?limit=1`)).json().meta.total
      const queue = (await get(app, t, `/v1/comments?article=${articleId}&status=approved&limit=1`, editor)).json().meta.total
      t.same([count, listed, queue], [expected, expected, expected], `${step}: article ${articleId} has ${expected} approved comments`)
    }
  }
  await verify(t, 'after 60 concurrent posts')

  // Round 2: moderate, delete and post at once; each comment is touched by one request only.
  const existing = [...final.keys()]
  const jobs: Array<Promise<LightMyRequestResponse>> = []
  existing.forEach((id, i) => {
    const entry = final.get(id)!
    if (i % 5 === 4) {
      jobs.push(remove(app, t, id, editor))
      entry.status = null
    } else {
      const status = statuses[(i * 7) % statuses.length]!
      const secret = i % 3 === 0 ? (entry.articleId === article.id ? authorToken : otherToken) : editor
      jobs.push(patch(app, t, id, { status }, secret))
      entry.status = status
    }
    if (i % 2 === 0) jobs.push(postComment(app, t, articles[i % 2]!, { body: `Late ${i}` }, i % 4 === 0 ? editor : undefined))
  })
  const round2 = await Promise.all(jobs)
  t.ok(round2.every((response) => [200, 201, 204].includes(response.statusCode)), 'every request succeeds', {
    failures: round2.filter((response) => ![200, 201, 204].includes(response.statusCode)).map((response) => response.body)
  })
  for (const response of round2.filter((item) => item.statusCode === 201)) {
    const created = response.json()
    final.set(created.id, { articleId: created.articleId, status: created.status })
  }
  for (const [id, entry] of [...final].filter(([, entry]) => entry.status === null)) {
    final.delete(id)
    t.equal(entry.status, null)
  }
  await verify(t, 'after concurrent moderation')

  // Round 3: the same comments flipped back and forth at once, then one final state each.
  const survivors = [...final.keys()]
  const round3 = await Promise.all(survivors.flatMap((id) => [
    patch(app, t, id, { status: 'approved' }, editor),
    patch(app, t, id, { status: 'spam' }, editor)
  ]))
  t.ok(round3.every((response) => response.statusCode === 200))
  const settled = await Promise.all(survivors.map((id, i) => patch(app, t, id, { status: statuses[i % statuses.length]! }, editor)))
  t.ok(settled.every((response) => response.statusCode === 200))
  survivors.forEach((id, i) => { final.get(id)!.status = statuses[i % statuses.length]! })
  await verify(t, 'after concurrent flips')
})
