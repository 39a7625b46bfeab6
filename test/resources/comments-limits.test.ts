import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import t from 'tap'
import { adminSecret, bearer, build, createArticle, createAuthor, request, tokenFor, type TapLike } from '../helper.js'

// What bounds a reader's (or a token's) reach through comments: the reply depth, deep
// threads, the rate limit on author tokens, the link limit, and what a refusal gives away.

const admin = bearer(adminSecret)

interface Thread { id: number, parentId: number | null, replies: Thread[] }

async function postComment (app: FastifyInstance, t: TapLike, article: number | string, payload: Record<string, unknown>, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
  return request(app, t, { method: 'POST', url: `/v1/articles/${article}/comments`, headers, payload: { authorName: 'A reader', body: 'A comment.', ...payload } })
}

async function comment (app: FastifyInstance, t: TapLike, article: number | string, payload: Record<string, unknown> = {}, headers: Record<string, string> = {}): Promise<Record<string, any>> {
  const response = await postComment(app, t, article, payload, headers)
  if (response.statusCode !== 201) throw new Error(`posting a comment failed: ${response.statusCode} ${response.body}`)
  return response.json()
}

async function publishedArticle (app: FastifyInstance, t: TapLike, authorId: number, title = 'Footbridge opens'): Promise<Record<string, any>> {
  return createArticle(app, t, { authorId, title, status: 'published', publishedAt: '2024-05-14T09:00:00Z' })
}

/** The deepest nesting of a thread, top level being 1. */
function depthOf (threads: Thread[]): number {
  let deepest = 0
  let level: Thread[] = threads
  for (let depth = 1; level.length > 0; depth++) {
    deepest = depth
    level = level.flatMap((node) => node.replies)
  }
  return deepest
}

function countNodes (threads: Thread[]): number {
  let total = 0
  let level: Thread[] = threads
  while (level.length > 0) {
    total += level.length
    level = level.flatMap((node) => node.replies)
  }
  return total
}

/** A chain of `length` approved replies, each answering the one before, as an NDJSON export holds it. */
function chainLines (articleId: number, firstId: number, length: number): string {
  const at = '2024-05-15T10:00:00.000Z'
  const lines: string[] = []
  for (let i = 0; i < length; i++) {
    const id = firstId + i
    lines.push(JSON.stringify({ type: 'comment', id, articleId, parentId: i === 0 ? null : id - 1, authorName: 'Chain', authorUrl: null, authorEmail: null, body: `<p>Link ${i}</p>`, status: 'approved', createdAt: at, updatedAt: at }))
  }
  return lines.join('\n')
}

function problemOf (response: LightMyRequestResponse) {
  const body = response.json()
  return { status: response.statusCode, type: body.type, title: body.title, detail: body.detail, errors: body.errors }
}

t.test('a thread 3,000 replies deep (imported, so past the depth cap) renders, flattened at the cap', async (t) => {
  const app = await build(t)
  const author = await createAuthor(app, t, { name: 'Rhea Vision' })
  const article = await publishedArticle(app, t, author.id)
  // An import writes what another system held, however deep: the only way to such a chain
  // now that posting is capped, and the way one got in before the cap.
  const exported = (await request(app, t, { method: 'GET', url: '/v1/export', headers: admin })).body
  const payload = `${exported.trimEnd()}\n${chainLines(article.id, 1, 3000)}\n`
  const imported = await request(app, t, { method: 'POST', url: '/v1/import', headers: { ...admin, 'content-type': 'application/x-ndjson' }, payload })
  t.equal(imported.statusCode, 200, imported.body.slice(0, 300))
  t.match(imported.json().counts.comments, { created: 3000 })

  const threaded = await request(app, t, { method: 'GET', url: `/v1/articles/${article.id}/comments/thread` })
  t.equal(threaded.statusCode, 200, threaded.body.slice(0, 300))
  const data = threaded.json().data as Thread[]
  t.equal(countNodes(data), 3000, 'every reply is there')
  t.equal(depthOf(data), 10, 'nested no deeper than the default cap')
  let deepest: Thread = data[0]!
  for (let level = 1; level < 9; level++) deepest = deepest.replies[0]!
  t.equal(deepest.replies.length, 3000 - 9, 'replies past the cap sit under the deepest allowed comment, in order')
  t.same(deepest.replies.slice(0, 3).map((reply) => reply.parentId), [deepest.replies[0]!.parentId, deepest.replies[0]!.id, deepest.replies[1]!.id], 'each keeps its own parentId')

  const flat = await request(app, t, { method: 'GET', url: `/v1/articles/${article.id}/comments?limit=100` })
  t.equal(flat.statusCode, 200)
})

t.test('at the largest depth setting a deep chain still serialises: the cap bounds the serialiser\'s recursion', async (t) => {
  const app = await build(t, { commentDepth: 50 })
  const author = await createAuthor(app, t, { name: 'Rhea Vision' })
  const article = await publishedArticle(app, t, author.id)
  const exported = (await request(app, t, { method: 'GET', url: '/v1/export', headers: admin })).body
  const payload = `${exported.trimEnd()}\n${chainLines(article.id, 1, 500)}\n`
  t.equal((await request(app, t, { method: 'POST', url: '/v1/import', headers: { ...admin, 'content-type': 'application/x-ndjson' }, payload })).statusCode, 200)
  const threaded = await request(app, t, { method: 'GET', url: `/v1/articles/${article.id}/comments/thread` })
  t.equal(threaded.statusCode, 200)
  t.equal(depthOf(threaded.json().data), 50)
  t.equal(countNodes(threaded.json().data), 500)
})

t.test('the reply depth cap', async (t) => {
  const app = await build(t, { commentsAutoApprove: true, commentDepth: 3 })
  const author = await createAuthor(app, t, { name: 'Rhea Vision' })
  const article = await publishedArticle(app, t, author.id)
  const a = await comment(app, t, article.id)
  const b = await comment(app, t, article.id, { parentId: a.id })
  const c = await comment(app, t, article.id, { parentId: b.id })

  t.test('a reply at the cap attaches to the deepest comment allowed to have replies', async (t) => {
    const d = await postComment(app, t, article.id, { parentId: c.id })
    t.equal(d.statusCode, 201)
    t.equal(d.json().parentId, b.id, 'answers beside the comment it replied to')
    const thread = (await request(app, t, { method: 'GET', url: `/v1/articles/${article.id}/comments/thread` })).json().data as Thread[]
    t.same(thread.map((node) => node.id), [a.id])
    t.same(thread[0]!.replies.map((node) => node.id), [b.id])
    t.same(thread[0]!.replies[0]!.replies.map((node) => node.id), [c.id, d.json().id])
    t.equal(depthOf(thread), 3)
  })

  t.test('a reply within the cap keeps its parent', async (t) => {
    const reply = await comment(app, t, article.id, { parentId: a.id })
    t.equal(reply.parentId, a.id)
  })
})

t.test('author tokens are rate-limited on other authors\' articles only', async (t) => {
  const app = await build(t, { commentRateLimit: 2 })
  const rhea = await createAuthor(app, t, { name: 'Rhea Vision' })
  const otto = await createAuthor(app, t, { name: 'Otto Parts' })
  const rheas = await publishedArticle(app, t, rhea.id, 'Rhea writes')
  const rheaToken = bearer(await tokenFor(app, 'author', rhea.id))
  const ottoToken = bearer(await tokenFor(app, 'author', otto.id))
  const editor = bearer(await tokenFor(app, 'editor'))

  t.test('another author\'s token gets a 429 with Retry-After past the limit', async (t) => {
    for (let i = 0; i < 2; i++) t.equal((await postComment(app, t, rheas.id, { body: `Otto ${i}` }, ottoToken)).statusCode, 201)
    const refused = await postComment(app, t, rheas.id, { body: 'Otto again' }, ottoToken)
    t.equal(refused.statusCode, 429)
    t.match(String(refused.headers['content-type']), /^application\/problem\+json/)
    t.ok(Number(refused.headers['retry-after']) > 0)
  })

  t.test('the article\'s own author and editors are not throttled', async (t) => {
    for (let i = 0; i < 4; i++) t.equal((await postComment(app, t, rheas.slug, { body: `Rhea ${i}` }, rheaToken)).statusCode, 201)
    for (let i = 0; i < 4; i++) t.equal((await postComment(app, t, rheas.id, { body: `Editor ${i}` }, editor)).statusCode, 201)
  })
})

t.test('bare URLs count toward the link limit', async (t) => {
  const app = await build(t, { commentsAutoApprove: true, commentRateLimit: 100 })
  const author = await createAuthor(app, t, { name: 'Rhea Vision' })
  const article = await publishedArticle(app, t, author.id)

  t.test('three bare URLs hold a comment for moderation', async (t) => {
    for (const body of [
      'Cheap pills: http://pills.example/a https://pills.example/b http://pills.example/c',
      'See www.cheap-pills.biz and cheap-pills.com/buy and https://pills.example/now',
      'One <a href="https://pills.example/a">link</a> and two bare: cheap-pills.xyz/b www.cheap-pills.net',
      '<p>Lines of them:</p><p>cheap-pills.com/a</p><p>cheap-pills.com/b<br>cheap-pills.com/c</p>'
    ]) {
      const posted = await comment(app, t, article.id, { body })
      t.equal(posted.status, 'pending', body)
    }
  })

  t.test('two links are still approved, a linked URL counting once', async (t) => {
    for (const body of [
      'The plans: https://city.example/bridge and www.vell-council.org/river',
      '<a href="https://city.example/bridge">https://city.example/bridge</a> and <a href="https://vell-council.org/river">vell-council.org/river</a>',
      'No links here, just the 3.5 km bridge, version 1.2 of plan.pdf, node.js, e.g. this; write to lena@vell-council.org.'
    ]) {
      const posted = await comment(app, t, article.id, { body })
      t.equal(posted.status, 'approved', body)
    }
  })
})

t.test('comments tell nobody what they may not see', async (t) => {
  const app = await build(t, { commentsAutoApprove: false, commentRateLimit: 100 })
  const rhea = await createAuthor(app, t, { name: 'Rhea Vision' })
  const otto = await createAuthor(app, t, { name: 'Otto Parts' })
  const draft = await createArticle(app, t, { authorId: rhea.id, title: 'Acme takeover', status: 'draft' })
  const ottoToken = bearer(await tokenFor(app, 'author', otto.id))

  t.test('the moderation queue answers another author\'s draft as it answers no article', async (t) => {
    const ofDraft = await request(app, t, { method: 'GET', url: `/v1/comments?article=${draft.slug}`, headers: ottoToken })
    const ofNothing = await request(app, t, { method: 'GET', url: '/v1/comments?article=no-such-article', headers: ottoToken })
    t.equal(ofDraft.statusCode, 400)
    t.same({ ...problemOf(ofDraft), instance: undefined }, { ...problemOf(ofNothing), instance: undefined })
    const ofDraftById = await request(app, t, { method: 'GET', url: `/v1/comments?article=${draft.id}`, headers: ottoToken })
    const ofNoId = await request(app, t, { method: 'GET', url: '/v1/comments?article=999999', headers: ottoToken })
    t.same(problemOf(ofDraftById), problemOf(ofNoId))
    const own = await request(app, t, { method: 'GET', url: `/v1/comments?article=${draft.slug}`, headers: bearer(await tokenFor(app, 'author', rhea.id)) })
    t.equal(own.statusCode, 200, 'its own author still filters by it')
  })

  t.test('a reader\'s reply to a held, spam, rejected or deleted comment is refused as one to no comment', async (t) => {
    const article = await publishedArticle(app, t, rhea.id)
    const held = await comment(app, t, article.id, { body: 'Held.' })
    const spam = await comment(app, t, article.id, { body: 'Spam.' })
    const rejected = await comment(app, t, article.id, { body: 'Rejected.' })
    const deleted = await comment(app, t, article.id, { body: 'Deleted.' })
    await request(app, t, { method: 'PATCH', url: `/v1/comments/${spam.id}`, headers: admin, payload: { status: 'spam' } })
    await request(app, t, { method: 'PATCH', url: `/v1/comments/${rejected.id}`, headers: admin, payload: { status: 'rejected' } })
    await request(app, t, { method: 'DELETE', url: `/v1/comments/${deleted.id}`, headers: admin })
    const missing = await postComment(app, t, article.id, { parentId: 999999 })
    t.equal(missing.statusCode, 400)
    t.match(missing.json().errors, [{ path: 'body.parentId' }])
    for (const [name, parent] of [['held', held], ['spam', spam], ['rejected', rejected], ['deleted', deleted]] as const) {
      const reply = await postComment(app, t, article.id, { parentId: parent.id })
      t.same(problemOf(reply), problemOf(missing), `a reply to a ${name} comment`)
    }
    const staffReply = await postComment(app, t, article.id, { parentId: held.id }, admin)
    t.equal(staffReply.statusCode, 201, 'a moderator still answers a held comment')
  })
})
