import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import t, { type Test } from 'tap'
import { adminSecret, bearer, build, createArticle, createAuthor, request, tokenFor } from '../helper.js'
import { assertProblem } from '../problems.js'

// Comments, readers' side: posting (status, visibility of the article, parents,
// validation, sanitising), the public list (approved only, oldest first, paging,
// private e-mail), threads, `include=comments` on articles, and the demo comments.

type Tap = Test

const isoTimestamp = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/

function auth (secret?: string): Record<string, string> {
  return secret === undefined ? {} : bearer(secret)
}

async function get (app: FastifyInstance, t: Tap, url: string, secret?: string, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
  return request(app, t, { method: 'GET', url, headers: { ...auth(secret), ...headers } })
}

async function postComment (app: FastifyInstance, t: Tap, article: string | number, payload: Record<string, unknown>, secret?: string): Promise<LightMyRequestResponse> {
  return request(app, t, { method: 'POST', url: `/v1/articles/${article}/comments`, headers: auth(secret), payload })
}

/** Posts a comment that must be accepted; returns it. */
async function comment (app: FastifyInstance, t: Tap, article: string | number, payload: Record<string, unknown>, secret?: string): Promise<Record<string, any>> {
  const response = await postComment(app, t, article, { authorName: 'A reader', body: 'A comment.', ...payload }, secret)
  if (response.statusCode !== 201) throw new Error(`posting a comment failed: ${response.statusCode} ${response.body}`)
  return response.json()
}

async function moderate (app: FastifyInstance, t: Tap, id: number, status: string, secret = adminSecret): Promise<Record<string, any>> {
  const response = await request(app, t, { method: 'PATCH', url: `/v1/comments/${id}`, headers: bearer(secret), payload: { status } })
  if (response.statusCode !== 200) throw new Error(`moderating comment ${id} failed: ${response.statusCode} ${response.body}`)
  return response.json()
}

/** Every comment the editors' moderation list holds for an article (any status). */
async function moderationTotal (app: FastifyInstance, t: Tap, article: number): Promise<number> {
  const response = await get(app, t, `/v1/comments?article=${article}&limit=1`, adminSecret)
  t.equal(response.statusCode, 200)
  return response.json().meta.total
}

async function commentCount (app: FastifyInstance, t: Tap, article: number | string): Promise<number> {
  const response = await get(app, t, `/v1/articles/${article}`, adminSecret)
  t.equal(response.statusCode, 200)
  return response.json().commentCount
}

async function listedIds (app: FastifyInstance, t: Tap, url: string, secret?: string): Promise<number[]> {
  const response = await get(app, t, url, secret)
  t.equal(response.statusCode, 200, `GET ${url} answers 200`)
  return response.json().data.map((item: { id: number }) => item.id)
}

interface Thread { id: number, parentId: number | null, replies: Thread[], authorEmail?: unknown }

/** The thread's shape as [id, [replies…]] pairs, to compare in one assertion. */
function shape (threads: Thread[]): unknown[] {
  return threads.map((node) => [node.id, shape(node.replies)])
}

function everyNode (threads: Thread[]): Thread[] {
  return threads.flatMap((node) => [node, ...everyNode(node.replies)])
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

t.test('posting a comment', async (t) => {
  const { app, article, otherArticle, author, editor, authorToken, otherToken } = await setup(t)

  t.test('an anonymous reader posts: 201, Location, pending, no authorEmail in the answer, and the article count is unchanged', async (t) => {
    const response = await postComment(app, t, article.id, { authorName: '  Lena from Mill Lane ', authorEmail: 'lena@example.net', authorUrl: 'https://lena.example.net/', body: 'Glad the bridge is finally happening!' })
    t.equal(response.statusCode, 201)
    const created = response.json()
    t.equal(response.headers.location, `/v1/comments/${created.id}`)
    t.match(created, {
      articleId: article.id,
      parentId: null,
      authorName: 'Lena from Mill Lane',
      authorUrl: 'https://lena.example.net/',
      body: '<p>Glad the bridge is finally happening!</p>',
      status: 'pending'
    })
    t.notOk('authorEmail' in created, 'the poster is not shown the stored e-mail')
    t.match(created.createdAt, isoTimestamp)
    t.match(created.updatedAt, isoTimestamp)

    const stored = await get(app, t, String(response.headers.location), editor)
    t.equal(stored.statusCode, 200)
    t.match(stored.json(), { id: created.id, status: 'pending', authorEmail: 'lena@example.net' })
    t.equal(await commentCount(app, t, article.id), 0, 'a pending comment does not count')
    t.notOk((await listedIds(app, t, `/v1/articles/${article.id}/comments`)).includes(created.id), 'and is not listed publicly')
  })

  t.test('posting by slug works like posting by id', async (t) => {
    const created = await comment(app, t, article.slug, { body: 'By slug.' })
    t.equal(created.articleId, article.id)
  })

  t.test('an editor\'s comment is approved at once, counts, and its answer shows the e-mail', async (t) => {
    const before = await commentCount(app, t, article.id)
    const response = await postComment(app, t, article.id, { authorName: 'The editor', authorEmail: 'desk@example.org', body: 'Thanks for reading.' }, editor)
    t.equal(response.statusCode, 201)
    t.match(response.json(), { status: 'approved', authorEmail: 'desk@example.org' })
    t.equal(await commentCount(app, t, article.id), before + 1)
    t.ok((await listedIds(app, t, `/v1/articles/${article.id}/comments`)).includes(response.json().id))
  })

  t.test('an admin\'s comment is approved at once', async (t) => {
    const created = await comment(app, t, article.id, { body: 'From the admin.' }, adminSecret)
    t.equal(created.status, 'approved')
  })

  t.test('the article\'s own author is approved at once; another author\'s token is pending', async (t) => {
    const before = await commentCount(app, t, article.id)
    const own = await comment(app, t, article.id, { authorName: 'Zoë Lindqvist', body: 'Author here.' }, authorToken)
    t.equal(own.status, 'approved')
    t.equal(own.parentId, null)
    const foreign = await comment(app, t, article.id, { authorName: 'Omar Haddad', body: 'Colleague here.' }, otherToken)
    t.equal(foreign.status, 'pending')
    t.equal(await commentCount(app, t, article.id), before + 1)
    t.equal(author.id, article.authorId)
  })

  t.test('a malformed bearer token is a 401 even for a comment, and nothing is stored', async (t) => {
    const before = await moderationTotal(app, t, article.id)
    const response = await postComment(app, t, article.id, { authorName: 'x', body: 'y' }, 'not-a-real-token')
    assertProblem(t, response, 401, 'unauthorized')
    t.ok(response.headers['www-authenticate'])
    t.equal(await moderationTotal(app, t, article.id), before)
  })

  t.test('a reply to a comment of the same article keeps its parentId', async (t) => {
    const parent = await comment(app, t, article.id, { body: 'Parent.' }, editor)
    const reply = await comment(app, t, article.id, { body: 'Reply.', parentId: parent.id })
    t.equal(reply.parentId, parent.id)
    const stored = await get(app, t, `/v1/comments/${reply.id}`, editor)
    t.equal(stored.json().parentId, parent.id)
  })

  t.test('a reader\'s reply to a pending comment is a 400 (readers cannot see it); a moderator\'s is accepted', async (t) => {
    const parent = await comment(app, t, article.id, { body: 'Pending parent.' })
    assertProblem(t, await postComment(app, t, article.id, { authorName: 'x', body: 'Reply to pending.', parentId: parent.id }), 400, 'validation', 'body.parentId')
    const reply = await comment(app, t, article.id, { body: 'Reply to pending.', parentId: parent.id }, editor)
    t.equal(reply.parentId, parent.id)
  })

  t.test('parentId of a comment on another article is a 400 naming body.parentId, and nothing is stored', async (t) => {
    const elsewhere = await comment(app, t, otherArticle.id, { body: 'On the market.' }, editor)
    const before = await moderationTotal(app, t, article.id)
    assertProblem(t, await postComment(app, t, article.id, { authorName: 'x', body: 'y', parentId: elsewhere.id }), 400, 'validation', 'body.parentId')
    t.equal(await moderationTotal(app, t, article.id), before)
  })

  t.test('parentId of no comment is a 400 naming body.parentId, also for an editor', async (t) => {
    const before = await moderationTotal(app, t, article.id)
    assertProblem(t, await postComment(app, t, article.id, { authorName: 'x', body: 'y', parentId: 999999 }), 400, 'validation', 'body.parentId')
    assertProblem(t, await postComment(app, t, article.id, { authorName: 'x', body: 'y', parentId: 999999 }, editor), 400, 'validation', 'body.parentId')
    t.equal(await moderationTotal(app, t, article.id), before)
  })

  t.test('parentId must be a positive integer: "1" (not coerced) and 0 are 400s', async (t) => {
    assertProblem(t, await postComment(app, t, article.id, { authorName: 'x', body: 'y', parentId: '1' }), 400, 'validation', 'body.parentId')
    assertProblem(t, await postComment(app, t, article.id, { authorName: 'x', body: 'y', parentId: 0 }), 400, 'validation', 'body.parentId')
  })

  t.test('parentId null is a top-level comment', async (t) => {
    const created = await comment(app, t, article.id, { body: 'Top.', parentId: null })
    t.equal(created.parentId, null)
  })
})

t.test('which articles take comments', async (t) => {
  const { app, author, editor, authorToken } = await setup(t)
  const draft = await createArticle(app, t, { title: 'Unfinished story', authorId: author.id })
  const scheduled = await createArticle(app, t, { title: 'Tomorrow\'s story', authorId: author.id, status: 'scheduled', publishedAt: new Date(Date.now() + 86_400_000).toISOString() })
  t.equal(scheduled.status, 'scheduled')

  t.test('a draft is a 404 for anonymous posters, for an editor and for its own author, and nothing is stored', async (t) => {
    assertProblem(t, await postComment(app, t, draft.id, { authorName: 'x', body: 'y' }), 404, 'not-found')
    assertProblem(t, await postComment(app, t, draft.id, { authorName: 'x', body: 'y' }, editor), 404, 'not-found')
    assertProblem(t, await postComment(app, t, draft.slug, { authorName: 'x', body: 'y' }, authorToken), 404, 'not-found')
    t.equal(await moderationTotal(app, t, draft.id), 0)
  })

  t.test('a scheduled article is a 404, even with an editor token', async (t) => {
    assertProblem(t, await postComment(app, t, scheduled.id, { authorName: 'x', body: 'y' }), 404, 'not-found')
    assertProblem(t, await postComment(app, t, scheduled.id, { authorName: 'x', body: 'y' }, editor), 404, 'not-found')
    t.equal(await moderationTotal(app, t, scheduled.id), 0)
  })

  t.test('an unknown article id or slug is a 404', async (t) => {
    assertProblem(t, await postComment(app, t, 999999, { authorName: 'x', body: 'y' }), 404, 'not-found')
    assertProblem(t, await postComment(app, t, 'no-such-article', { authorName: 'x', body: 'y' }), 404, 'not-found')
  })

  t.test('reading a draft\'s comments is a 404 for anonymous readers, 200 (empty) for an editor', async (t) => {
    assertProblem(t, await get(app, t, `/v1/articles/${draft.id}/comments`), 404, 'not-found')
    assertProblem(t, await get(app, t, `/v1/articles/${draft.id}/comments/thread`), 404, 'not-found')
    assertProblem(t, await get(app, t, '/v1/articles/no-such-article/comments'), 404, 'not-found')
    const asEditor = await get(app, t, `/v1/articles/${draft.id}/comments`, editor)
    t.equal(asEditor.statusCode, 200)
    t.same(asEditor.json().data, [])
    t.same((await get(app, t, `/v1/articles/${draft.id}/comments/thread`, editor)).json().data, [], 'the threaded list likewise')
  })

  t.test('an article unpublished after comments were made hides its comments from anonymous readers', async (t) => {
    const story = await createArticle(app, t, { title: 'Pulled story', authorId: author.id, status: 'published' })
    await comment(app, t, story.id, { body: 'Seen before it was pulled.' }, editor)
    t.equal((await listedIds(app, t, `/v1/articles/${story.id}/comments`)).length, 1)
    const unpublish = await request(app, t, { method: 'PATCH', url: `/v1/articles/${story.id}`, headers: bearer(adminSecret), payload: { status: 'draft' } })
    t.equal(unpublish.statusCode, 200)
    assertProblem(t, await get(app, t, `/v1/articles/${story.id}/comments`), 404, 'not-found')
    assertProblem(t, await postComment(app, t, story.id, { authorName: 'x', body: 'y' }), 404, 'not-found')
  })
})

t.test('validating a new comment', async (t) => {
  const { app, article } = await setup(t)

  const cases: Array<[string, Record<string, unknown>, string, string?]> = [
    ['an authorEmail that is not an address', { authorEmail: 'not-an-email' }, 'body.authorEmail'],
    ['a javascript: authorUrl', { authorUrl: 'javascript:alert(1)' }, 'body.authorUrl'],
    ['an ftp: authorUrl', { authorUrl: 'ftp://files.example.org/' }, 'body.authorUrl'],
    ['a relative authorUrl', { authorUrl: '/me' }, 'body.authorUrl'],
    ['an unknown field', { homepage: 'https://x.example' }, 'body.homepage', 'is not a known field'],
    ['an empty body', { body: '' }, 'body.body'],
    ['a blank body', { body: '  \n\t ' }, 'body.body'],
    ['a body that is not a string', { body: 42 }, 'body.body'],
    ['a blank authorName', { authorName: '   ' }, 'body.authorName'],
    ['a body over 10 000 characters', { body: 'x'.repeat(10_001) }, 'body.body']
  ]
  for (const [name, change, path, message] of cases) {
    t.test(`${name} is a 400 naming ${path}, and nothing is stored`, async (t) => {
      const response = await postComment(app, t, article.id, { authorName: 'A reader', body: 'Hello.', ...change })
      assertProblem(t, response, 400, 'validation', { path, message })
      t.equal(await moderationTotal(app, t, article.id), 0)
    })
  }

  t.test('a missing authorName or body is a 400 saying it is required', async (t) => {
    assertProblem(t, await postComment(app, t, article.id, { body: 'Hello.' }), 400, 'validation', { path: 'body.authorName', message: 'is required' })
    assertProblem(t, await postComment(app, t, article.id, { authorName: 'A reader' }), 400, 'validation', { path: 'body.body', message: 'is required' })
    t.equal(await moderationTotal(app, t, article.id), 0)
  })

  t.test('a non-JSON body is a 415', async (t) => {
    const response = await request(app, t, { method: 'POST', url: `/v1/articles/${article.id}/comments`, headers: { 'content-type': 'text/plain' }, payload: 'Hello' })
    assertProblem(t, response, 415, 'unsupported-media-type')
  })

  t.test('a valid http(s) authorUrl and an address are accepted, and null clears them', async (t) => {
    const plain = await comment(app, t, article.id, { authorUrl: 'http://reader.example.org/blog', authorEmail: 'reader@example.org' }, adminSecret)
    t.equal(plain.authorUrl, 'http://reader.example.org/blog')
    t.equal(plain.authorEmail, 'reader@example.org')
    const nothing = await comment(app, t, article.id, { authorUrl: null, authorEmail: null }, adminSecret)
    t.equal(nothing.authorUrl, null)
    t.equal(nothing.authorEmail, null)
  })
})

t.test('sanitising comment bodies', async (t) => {
  const { app, article } = await setup(t)

  /** Posts as an anonymous reader and reads the stored body back from the moderation API. */
  async function stored (t: Tap, body: string): Promise<string> {
    const created = await comment(app, t, article.id, { body })
    const read = await get(app, t, `/v1/comments/${created.id}`, adminSecret)
    t.equal(read.json().body, created.body, 'the answer shows what is stored')
    return created.body
  }

  t.test('plain text becomes paragraphs on blank lines, with line breaks inside', async (t) => {
    const body = await stored(t, 'First line\nsecond line\n\nA new paragraph')
    t.match(body, /^<p>First line<br\s*\/?>second line<\/p>\s*<p>A new paragraph<\/p>$/)
  })

  t.test('plain text is escaped: < and & are text, not markup', async (t) => {
    const body = await stored(t, 'If a < b && c > d then 3 <4')
    t.equal(body, '<p>If a &lt; b &amp;&amp; c &gt; d then 3 &lt;4</p>')
  })

  t.test('text that looks like an entity stays text', async (t) => {
    const body = await stored(t, 'Write &lt;b&gt; for bold')
    t.equal(body, '<p>Write &amp;lt;b&amp;gt; for bold</p>')
  })

  t.test('emphasis, code and quotes are kept, in paragraphs', async (t) => {
    const body = await stored(t, '<strong>Yes</strong>, <em>really</em> and <b>b</b> <i>i</i> <code>x = 1</code> <q>quoted</q>\n\nSecond')
    t.match(body, /^<p><strong>Yes<\/strong>, <em>really<\/em> and <b>b<\/b> <i>i<\/i> <code>x = 1<\/code> <q>quoted<\/q><\/p>\s*<p>Second<\/p>$/)
  })

  t.test('paragraphs, blockquotes and pre the reader wrote are kept as written', async (t) => {
    const body = await stored(t, '<blockquote><p>Quoted</p></blockquote><p>Answer</p><pre>code</pre>')
    t.equal(body, '<blockquote><p>Quoted</p></blockquote><p>Answer</p><pre>code</pre>')
  })

  const payloads: Array<[string, string, RegExp[]]> = [
    ['a <script> element', 'Nice<script>alert(document.cookie)</script> article', [/<script/i, /alert/]],
    ['an upper-case <SCRIPT> element', 'Hi <SCRIPT SRC="https://evil.example/x.js"></SCRIPT>there', [/script/i, /evil/]],
    ['an <img onerror>', '<img src=x onerror="alert(1)">Look', [/<img/i, /onerror/i, /alert/]],
    ['an onclick/onmouseover attribute on allowed inline tags', '<b onclick="alert(1)">bold</b> <em onmouseover="alert(2)">em</em>', [/onclick/i, /onmouseover/i, /alert/]],
    ['an event attribute on a paragraph', '<p onmouseover="alert(2)" class="x" id="y">p</p>', [/onmouseover/i, /alert/, /class=/, /id=/]],
    ['a javascript: link', '<a href="javascript:alert(1)">click me</a>', [/javascript/i, /alert/]],
    ['a mixed-case, padded javascript: link', '<a href="  JaVaScRiPt:alert(1)">click me</a>', [/javascript/i, /alert/]],
    ['a data: link', '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>', [/data:/i]],
    ['a <style> element and a style attribute', '<style>body { display: none }</style><em style="color:red">styled</em>', [/<style/i, /style=/i, /display/]],
    ['an <iframe>, even from an embed host', '<iframe src="https://www.youtube.com/embed/x"></iframe>After', [/<iframe/i, /youtube/]],
    ['an <svg onload>', '<svg onload="alert(1)"><circle r="1"/></svg>text', [/<svg/i, /onload/i, /alert/]],
    ['an <object>/<embed>', '<object data="x.swf"></object><embed src="x.swf">text', [/<object/i, /<embed/i]],
    ['a <form> with a button', '<form action="https://evil.example"><button>Go</button></form>text', [/<form/i, /<button/i, /evil/]]
  ]
  for (const [name, input, forbidden] of payloads) {
    t.test(`${name} does not survive`, async (t) => {
      const body = await stored(t, input)
      for (const pattern of forbidden) t.notMatch(body, pattern, `no ${pattern}`)
      t.match(body, /^<(p|blockquote|pre)>/, 'the result is still wrapped in a block')
    })
  }

  t.test('links keep http(s)/mailto hrefs and get rel="nofollow ugc noopener", whatever rel or target was given', async (t) => {
    const body = await stored(t, 'See <a href="https://example.org/plans" rel="author" target="_blank" onclick="x()">the plans</a> or <a href="mailto:desk@example.org">write</a>')
    t.equal(body, '<p>See <a href="https://example.org/plans" rel="nofollow ugc noopener">the plans</a> or <a href="mailto:desk@example.org" rel="nofollow ugc noopener">write</a></p>')
  })

  t.test('links with other schemes or protocol-relative hrefs lose the href but keep the text', async (t) => {
    const body = await stored(t, '<a href="ftp://files.example.org">f</a> <a href="//evil.example/">p</a>')
    t.notMatch(body, /href=/)
    t.notMatch(body, /evil|ftp/)
    t.match(body, />f<\/a>/)
    t.match(body, />p<\/a>/)
  })

  t.test('the public list serves the sanitised body', async (t) => {
    const created = await comment(app, t, article.id, { body: 'Public <script>alert(1)</script><a href="https://example.org">link</a>' }, adminSecret)
    const list = await get(app, t, `/v1/articles/${article.id}/comments`)
    const listed = list.json().data.find((item: { id: number }) => item.id === created.id)
    t.equal(listed.body, '<p>Public <a href="https://example.org" rel="nofollow ugc noopener">link</a></p>')
  })
})

t.test('auto-approval setting', async (t) => {
  const { app, article } = await setup(t, { commentsAutoApprove: true })

  t.test('with commentsAutoApprove an anonymous comment is approved, listed and counted at once', async (t) => {
    const created = await comment(app, t, article.id, { authorEmail: 'lena@example.net', body: 'Straight in.' })
    t.equal(created.status, 'approved')
    t.notOk('authorEmail' in created)
    t.same(await listedIds(app, t, `/v1/articles/${article.id}/comments`), [created.id])
    t.equal(await commentCount(app, t, article.id), 1)
  })
})

t.test('the public list of an article\'s comments', async (t) => {
  const { app, article, otherArticle, editor, authorToken, otherToken } = await setup(t)
  // Posted in this order: a, b (pending), c, d (pending), e (spam), f (rejected), g on another article.
  const a = await comment(app, t, article.id, { authorName: 'Ann', authorEmail: 'ann@example.net', body: 'First.' })
  const b = await comment(app, t, article.id, { authorName: 'Ben', authorEmail: 'ben@example.net', body: 'Second.' })
  const c = await comment(app, t, article.id, { authorName: 'Cat', body: 'Third.' })
  const d = await comment(app, t, article.id, { authorName: 'Dan', body: 'Pending.' })
  const e = await comment(app, t, article.id, { authorName: 'Eve', body: 'Buy watches.' })
  const f = await comment(app, t, article.id, { authorName: 'Fay', body: 'Rude.' })
  const g = await comment(app, t, otherArticle.id, { authorName: 'Gus', body: 'Elsewhere.' }, editor)
  // Approved in another order than posted: the list follows createdAt, not approval time.
  await moderate(app, t, c.id, 'approved')
  await moderate(app, t, b.id, 'approved')
  await moderate(app, t, a.id, 'approved')
  await moderate(app, t, e.id, 'spam')
  await moderate(app, t, f.id, 'rejected')

  t.test('shows approved comments only, oldest first, with meta', async (t) => {
    const response = await get(app, t, `/v1/articles/${article.id}/comments`)
    t.equal(response.statusCode, 200)
    const body = response.json()
    t.same(body.data.map((item: { id: number }) => item.id), [a.id, b.id, c.id])
    t.ok(body.data.every((item: { status: string }) => item.status === 'approved'))
    t.same(body.meta, { total: 3, limit: 20, offset: 0, nextCursor: null })
    t.notOk(response.headers.link, 'a single page has no Link header')
    t.notOk(body.data.some((item: { id: number }) => [d.id, e.id, f.id, g.id].includes(item.id)), 'pending, spam, rejected and other articles\' comments are absent')
    t.equal(await commentCount(app, t, article.id), 3)
  })

  t.test('the list by slug is the same list', async (t) => {
    t.same(await listedIds(app, t, `/v1/articles/${article.slug}/comments`), [a.id, b.id, c.id])
  })

  t.test('anonymous readers never see authorEmail, not even at any depth', async (t) => {
    const flat = (await get(app, t, `/v1/articles/${article.id}/comments`)).json().data
    t.ok(flat.every((item: object) => !('authorEmail' in item)))
    const threaded = (await get(app, t, `/v1/articles/${article.id}/comments/thread`)).json().data
    t.ok(everyNode(threaded).every((item) => !('authorEmail' in item)))
  })

  t.test('an editor sees authorEmail, but still only approved comments', async (t) => {
    const response = await get(app, t, `/v1/articles/${article.id}/comments`, editor)
    const data = response.json().data
    t.same(data.map((item: { id: number }) => item.id), [a.id, b.id, c.id])
    t.same(data.map((item: { authorEmail: unknown }) => item.authorEmail), ['ann@example.net', 'ben@example.net', null])
  })

  t.test('the article\'s author token sees authorEmail; another author\'s token does not', async (t) => {
    const own = (await get(app, t, `/v1/articles/${article.id}/comments`, authorToken)).json().data
    t.equal(own[0].authorEmail, 'ann@example.net')
    const foreign = (await get(app, t, `/v1/articles/${article.id}/comments`, otherToken)).json().data
    t.same(foreign.map((item: { id: number }) => item.id), [a.id, b.id, c.id])
    t.ok(foreign.every((item: object) => !('authorEmail' in item)))
  })

  t.test('anonymous answers may be kept by any cache, which revalidates them every time (ETag, 304)', async (t) => {
    const response = await get(app, t, `/v1/articles/${article.id}/comments`)
    t.equal(response.headers['cache-control'], 'public, no-cache')
    const etag = String(response.headers.etag)
    t.match(etag, /^".+"$/)
    const again = await get(app, t, `/v1/articles/${article.id}/comments`, undefined, { 'if-none-match': etag })
    t.equal(again.statusCode, 304)
    t.equal(again.body, '')
    const withToken = await get(app, t, `/v1/articles/${article.id}/comments`, editor)
    t.equal(withToken.headers['cache-control'], 'private, no-cache')
  })

  t.test('approving another comment changes the list and its ETag', async (t) => {
    const before = await get(app, t, `/v1/articles/${article.id}/comments`)
    await moderate(app, t, d.id, 'approved')
    const after = await get(app, t, `/v1/articles/${article.id}/comments`, undefined, { 'if-none-match': String(before.headers.etag) })
    t.equal(after.statusCode, 200)
    t.same(after.json().data.map((item: { id: number }) => item.id), [a.id, b.id, c.id, d.id])
    await moderate(app, t, d.id, 'pending')
    t.same(await listedIds(app, t, `/v1/articles/${article.id}/comments`), [a.id, b.id, c.id], 'and back to pending hides it again')
  })

  t.test('paging parameters are validated', async (t) => {
    assertProblem(t, await get(app, t, `/v1/articles/${article.id}/comments?limit=0`), 400, 'validation', 'querystring.limit')
    assertProblem(t, await get(app, t, `/v1/articles/${article.id}/comments?limit=101`), 400, 'validation', 'querystring.limit')
    assertProblem(t, await get(app, t, `/v1/articles/${article.id}/comments?cursor=garbage`), 400, 'validation', 'querystring.cursor')
    assertProblem(t, await get(app, t, `/v1/articles/${article.id}/comments?sort=createdAt`), 400, 'validation', 'querystring.sort')
    assertProblem(t, await get(app, t, `/v1/articles/${article.id}/comments?thread=maybe`), 400, 'validation', 'querystring.thread')
  })
})

t.test('paging the public list', async (t) => {
  const { app, article } = await setup(t, { commentsAutoApprove: true })
  const ids: number[] = []
  for (let i = 1; i <= 5; i++) ids.push((await comment(app, t, article.id, { body: `Comment ${i}` })).id)
  await comment(app, t, article.id, { body: 'Spam later' }).then((spam) => moderate(app, t, spam.id, 'spam'))

  t.test('walking the cursor visits every approved comment once, oldest first, with Link headers', async (t) => {
    const seen: number[] = []
    let url: string | null = `/v1/articles/${article.id}/comments?limit=2`
    const offsets: number[] = []
    let pages = 0
    while (url !== null) {
      const response = await get(app, t, url)
      t.equal(response.statusCode, 200)
      const body = response.json()
      t.equal(body.meta.total, 5)
      t.equal(body.meta.limit, 2)
      offsets.push(body.meta.offset)
      seen.push(...body.data.map((item: { id: number }) => item.id))
      const link = String(response.headers.link ?? '')
      if (body.meta.nextCursor === null) {
        t.notMatch(link, /rel="next"/)
        url = null
      } else {
        const next = /<([^>]+)>; rel="next"/.exec(link)
        t.ok(next, 'a next page has a rel="next" link')
        t.match(next![1], `cursor=${body.meta.nextCursor}`)
        t.match(next![1], /^\/v1\/articles\/\d+\/comments\?/)
        url = next![1]!
      }
      if (body.meta.offset > 0) t.match(link, /rel="prev"/)
      pages++
    }
    t.equal(pages, 3)
    t.same(seen, ids)
    t.same(offsets, [0, 2, 4])
  })

  t.test('offset paging gives the same slices, with a prev link', async (t) => {
    const response = await get(app, t, `/v1/articles/${article.id}/comments?limit=2&offset=2`)
    t.same(response.json().data.map((item: { id: number }) => item.id), ids.slice(2, 4))
    t.match(String(response.headers.link), /rel="prev"/)
    t.match(String(response.headers.link), /rel="next"/)
  })

  t.test('a cursor with an offset is a 400', async (t) => {
    const first = (await get(app, t, `/v1/articles/${article.id}/comments?limit=2`)).json()
    assertProblem(t, await get(app, t, `/v1/articles/${article.id}/comments?limit=2&offset=1&cursor=${first.meta.nextCursor}`), 400, 'validation', 'querystring.cursor')
  })

  t.test('a cursor stays stable when comments are posted meanwhile', async (t) => {
    const first = (await get(app, t, `/v1/articles/${article.id}/comments?limit=2`)).json()
    const late = await comment(app, t, article.id, { body: 'Late arrival' })
    const rest = await listedIds(app, t, `/v1/articles/${article.id}/comments?limit=100&cursor=${first.meta.nextCursor}`)
    t.same(rest, [...ids.slice(2), late.id])
  })
})

t.test('threads', async (t) => {
  const { app, article, editor } = await setup(t)
  // A ─ B ─ C ─ D (─ H pending)      P (pending) ─ G        R (spam) ─ S
  //  └ E                              F
  const A = await comment(app, t, article.id, { authorName: 'A', authorEmail: 'a@example.net', body: 'A' }, editor)
  const B = await comment(app, t, article.id, { authorName: 'B', authorEmail: 'b@example.net', body: 'B', parentId: A.id })
  const C = await comment(app, t, article.id, { authorName: 'C', body: 'C', parentId: B.id }, editor)
  const D = await comment(app, t, article.id, { authorName: 'D', authorEmail: 'd@example.net', body: 'D', parentId: C.id }, editor)
  const E = await comment(app, t, article.id, { authorName: 'E', body: 'E', parentId: A.id })
  const F = await comment(app, t, article.id, { authorName: 'F', body: 'F' }, editor)
  const P = await comment(app, t, article.id, { authorName: 'P', body: 'P' })
  const G = await comment(app, t, article.id, { authorName: 'G', body: 'G', parentId: P.id }, editor)
  const H = await comment(app, t, article.id, { authorName: 'H', body: 'H', parentId: D.id })
  const R = await comment(app, t, article.id, { authorName: 'R', body: 'R' })
  const S = await comment(app, t, article.id, { authorName: 'S', body: 'S', parentId: R.id }, editor)
  // E is approved before B: siblings still come in posting order.
  await moderate(app, t, E.id, 'approved')
  await moderate(app, t, B.id, 'approved')
  await moderate(app, t, R.id, 'spam')

  const expected = [[A.id, [[B.id, [[C.id, [[D.id, []]]]]], [E.id, []]]], [F.id, []]]

  t.test('the threaded list nests approved replies at any depth, each level oldest first', async (t) => {
    const response = await get(app, t, `/v1/articles/${article.id}/comments/thread`)
    t.equal(response.statusCode, 200)
    const body = response.json()
    t.same(shape(body.data), expected)
    t.same(body.meta, { total: 2, limit: 20, offset: 0, nextCursor: null }, 'total counts top-level comments only')
    const nodes = everyNode(body.data)
    t.equal(nodes.length, 6)
    for (const node of nodes.filter((item) => item.id !== A.id && item.id !== F.id)) {
      const parent = nodes.find((candidate) => candidate.replies.some((reply) => reply.id === node.id))
      t.equal(node.parentId, parent?.id, `comment ${node.id} names its parent`)
    }
    const d = nodes.find((node) => node.id === D.id)!
    t.match(d, { authorName: 'D', body: '<p>D</p>', status: 'approved', parentId: C.id, replies: [] })
  })

  t.test('replies under a pending or spam parent, and pending replies, are not in the thread', async (t) => {
    const nodes = everyNode((await get(app, t, `/v1/articles/${article.id}/comments/thread`)).json().data).map((node) => node.id)
    for (const hidden of [P.id, G.id, H.id, R.id, S.id]) t.notOk(nodes.includes(hidden), `comment ${hidden} is not shown`)
  })

  t.test('the flat list has every approved comment, replies included, oldest first', async (t) => {
    t.same(await listedIds(app, t, `/v1/articles/${article.id}/comments`), [A.id, B.id, C.id, D.id, E.id, F.id, G.id, S.id])
    t.same(await listedIds(app, t, `/v1/articles/${article.id}/comments?thread=false`), [A.id, B.id, C.id, D.id, E.id, F.id, G.id, S.id])
    t.equal(await commentCount(app, t, article.id), 8)
  })

  t.test('threads page by top-level comment: each page carries whole threads', async (t) => {
    const first = await get(app, t, `/v1/articles/${article.id}/comments/thread?limit=1`)
    const body = first.json()
    t.same(shape(body.data), [expected[0]])
    t.equal(body.meta.total, 2)
    t.type(body.meta.nextCursor, 'string')
    const next = /<([^>]+)>; rel="next"/.exec(String(first.headers.link))
    t.ok(next)
    t.match(next![1], /\/comments\/thread\?/, 'the next link stays on the threaded list')
    const second = await get(app, t, next![1]!)
    t.equal(second.statusCode, 200)
    t.same(shape(second.json().data), [expected[1]])
    t.match(second.json().meta, { total: 2, offset: 1, nextCursor: null })
    t.match(String(second.headers.link), /rel="prev"/)
    const byOffset = await get(app, t, `/v1/articles/${article.id}/comments/thread?limit=1&offset=1`)
    t.same(shape(byOffset.json().data), [expected[1]])
  })

  t.test('an editor sees authorEmail at every depth of the thread', async (t) => {
    const nodes = everyNode((await get(app, t, `/v1/articles/${article.id}/comments/thread`, editor)).json().data)
    t.ok(nodes.every((node) => 'authorEmail' in node))
    t.equal(nodes.find((node) => node.id === D.id)?.authorEmail, 'd@example.net')
  })

  t.test('approving the pending parent brings its approved reply into the thread', async (t) => {
    await moderate(app, t, P.id, 'approved')
    const threads = (await get(app, t, `/v1/articles/${article.id}/comments/thread`)).json()
    t.same(shape(threads.data), [...expected, [P.id, [[G.id, []]]]])
    t.equal(threads.meta.total, 3)
    await moderate(app, t, P.id, 'rejected')
    t.same(shape((await get(app, t, `/v1/articles/${article.id}/comments/thread`)).json().data), expected)
  })

  t.test('the deprecated thread=true on the flat list still answers the threads', async (t) => {
    // app.inject, not request(): the document gives the flat list's 200 as CommentList, and
    // says in the deprecated parameter that this answers a CommentThreadList instead.
    for (const query of ['', '?limit=1', '?limit=1&offset=1']) {
      const flat = await app.inject({ method: 'GET', url: `/v1/articles/${article.id}/comments?thread=true${query.replace('?', '&')}` })
      const threaded = await get(app, t, `/v1/articles/${article.id}/comments/thread${query}`)
      t.equal(flat.statusCode, 200)
      t.same(flat.json(), threaded.json(), `the same page of threads${query}`)
    }
    const missing = await app.inject({ method: 'GET', url: '/v1/articles/no-such-article/comments?thread=true' })
    assertProblem(t, missing, 404, 'not-found')
  })

  t.test('the threaded list has an ETag of its own and answers 304 to it', async (t) => {
    const first = await get(app, t, `/v1/articles/${article.id}/comments/thread`)
    const etag = String(first.headers.etag)
    t.match(etag, /\S/)
    t.not(etag, String((await get(app, t, `/v1/articles/${article.id}/comments`)).headers.etag), 'not the flat list\'s')
    const again = await get(app, t, `/v1/articles/${article.id}/comments/thread`, undefined, { 'if-none-match': etag })
    t.equal(again.statusCode, 304)
  })
})

t.test('include=comments on articles', async (t) => {
  const { app, author, article, otherArticle, editor, authorToken } = await setup(t)
  const first = await comment(app, t, article.id, { authorName: 'Ann', authorEmail: 'ann@example.net', body: 'First' }, editor)
  const pending = await comment(app, t, article.id, { body: 'Waiting' })
  const reply = await comment(app, t, article.id, { body: 'Reply', parentId: first.id }, editor)
  const elsewhere = await comment(app, t, otherArticle.id, { authorEmail: 'gus@example.net', body: 'Market' }, editor)
  const quiet = await createArticle(app, t, { title: 'Nobody commented', authorId: author.id, status: 'published' })

  t.test('the list embeds each article\'s approved comments, oldest first and flat; none is an empty array', async (t) => {
    const response = await get(app, t, '/v1/articles?include=comments')
    t.equal(response.statusCode, 200)
    const byId = new Map(response.json().data.map((item: { id: number }) => [item.id, item]))
    const main = byId.get(article.id) as Record<string, any>
    t.same(main.comments.map((item: { id: number }) => item.id), [first.id, reply.id])
    t.equal(main.comments[1].parentId, first.id)
    t.notOk(main.comments.some((item: { id: number }) => item.id === pending.id))
    t.equal(main.commentCount, 2)
    t.same((byId.get(otherArticle.id) as Record<string, any>).comments.map((item: { id: number }) => item.id), [elsewhere.id])
    t.same((byId.get(quiet.id) as Record<string, any>).comments, [])
    t.ok([...byId.values()].every((item: any) => item.comments.every((c: object) => !('authorEmail' in c))), 'no e-mail for anonymous readers')
  })

  t.test('without include there is no comments field', async (t) => {
    const response = await get(app, t, `/v1/articles/${article.id}`)
    t.notOk('comments' in response.json())
  })

  t.test('the single article embeds its comments, and combines with include=author', async (t) => {
    const response = await get(app, t, `/v1/articles/${article.slug}?include=comments,author`)
    t.equal(response.statusCode, 200)
    const body = response.json()
    t.same(body.comments.map((item: { id: number }) => item.id), [first.id, reply.id])
    t.equal(body.author.id, author.id)
    t.notOk('email' in body.author)
    const list = await get(app, t, '/v1/articles?include=author,comments')
    const listed = list.json().data.find((item: { id: number }) => item.id === article.id)
    t.equal(listed.author.id, author.id)
    t.equal(listed.comments.length, 2)
  })

  t.test('an editor sees authorEmail in embedded comments; an author token on its own article only', async (t) => {
    const asEditor = (await get(app, t, `/v1/articles/${article.id}?include=comments`, editor)).json()
    t.equal(asEditor.comments[0].authorEmail, 'ann@example.net')
    const asAuthor = (await get(app, t, '/v1/articles?include=comments', authorToken)).json().data
    const own = asAuthor.find((item: { id: number }) => item.id === article.id)
    const foreign = asAuthor.find((item: { id: number }) => item.id === otherArticle.id)
    t.equal(own.comments[0].authorEmail, 'ann@example.net')
    t.notOk('authorEmail' in foreign.comments[0])
  })

  t.test('an unknown include is still a 400', async (t) => {
    assertProblem(t, await get(app, t, '/v1/articles?include=comments,replies'), 400, 'validation', 'querystring.include')
  })
})

t.test('include=comments embeds at most 100 comments, the oldest', async (t) => {
  const { app, article } = await setup(t, { commentsAutoApprove: true })
  const ids: number[] = []
  for (let i = 0; i < 101; i++) ids.push((await comment(app, t, article.id, { body: `Comment ${i}` })).id)
  const response = await get(app, t, `/v1/articles/${article.id}?include=comments`)
  const body = response.json()
  t.equal(body.commentCount, 101)
  t.equal(body.comments.length, 100)
  t.same(body.comments.map((item: { id: number }) => item.id), ids.slice(0, 100))
})

t.test('the demo comments', async (t) => {
  const app = await build(t, { demo: true })
  const footbridge = 'council-approves-study-into-a-footbridge-at-the-old-ferry-crossing'
  const market = 'late-night-vote-keeps-the-riverside-market-open-on-sundays'

  t.test('the footbridge article has a thread three replies deep and a pending comment nobody sees', async (t) => {
    const response = await get(app, t, `/v1/articles/${footbridge}/comments/thread`)
    t.equal(response.statusCode, 200)
    const body = response.json()
    t.equal(body.meta.total, 1)
    const root = body.data[0]
    t.equal(root.authorName, 'Hetty from Wharf Close')
    t.equal(root.parentId, null)
    const names: string[] = []
    let node = root
    let depth = 0
    while (node !== undefined) {
      names.push(node.authorName)
      t.ok(node.replies.length <= 1)
      node = node.replies[0]
      if (node !== undefined) depth++
    }
    t.equal(depth, 3, 'three replies deep')
    t.same(names, ['Hetty from Wharf Close', 'Dev Okonkwo', 'Hetty from Wharf Close', 'Dev Okonkwo'])
    t.notOk('authorEmail' in root)
    const flat = await get(app, t, `/v1/articles/${footbridge}/comments`)
    t.equal(flat.json().meta.total, 4)
    t.notOk(flat.json().data.some((item: { authorName: string }) => item.authorName === 'R. Pym'))
    const article = await get(app, t, `/v1/articles/${footbridge}`)
    t.equal(article.json().commentCount, 4)
  })

  t.test('moderators find the pending demo comment in the queue', async (t) => {
    const response = await get(app, t, `/v1/comments?article=${footbridge}&status=pending`, adminSecret)
    t.equal(response.statusCode, 200)
    t.same(response.json().data.map((item: { authorName: string }) => item.authorName), ['R. Pym'])
  })

  t.test('the riverside market article has one approved comment and its spam is hidden', async (t) => {
    const response = await get(app, t, `/v1/articles/${market}/comments`)
    t.equal(response.statusCode, 200)
    t.same(response.json().data.map((item: { authorName: string }) => item.authorName), ['Marguerite'])
    t.equal((await get(app, t, `/v1/articles/${market}`)).json().commentCount, 1)
    const spam = await get(app, t, `/v1/comments?article=${market}&status=spam`, adminSecret)
    t.same(spam.json().data.map((item: { authorName: string }) => item.authorName), ['cheap-watches-online'])
  })
})
