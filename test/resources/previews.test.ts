import { createHash } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import t, { type Test } from 'tap'
import { adminSecret, bearer, build, createArticle, createAuthor, request, tokenFor } from '../helper.js'
import { rowsOf } from '../inspect.js'
import { assertProblem } from '../problems.js'
import { captureStream } from '../capture.js'

const admin = bearer(adminSecret)
const day = 24 * 60 * 60 * 1000

/** Makes a preview link of `article` as `secret`; the answer's body (token included). */
async function preview (app: FastifyInstance, t: Test, article: Record<string, any>, payload?: Record<string, unknown>, secret = adminSecret): Promise<Record<string, any>> {
  const response = await request(app, t, { method: 'POST', url: `/v1/articles/${article.id}/preview`, headers: bearer(secret), ...(payload === undefined ? {} : { payload }) })
  t.equal(response.statusCode, 201, 'the preview link is made', { body: response.body })
  return response.json()
}

async function read (app: FastifyInstance, t: Test, path: string, token?: string): Promise<LightMyRequestResponse> {
  return await request(app, t, { method: 'GET', url: path, ...(token === undefined ? {} : { headers: bearer(token) }) })
}

/** An author with a draft, a scheduled article and a published one. */
async function newsroom (app: FastifyInstance, t: Test) {
  const author = await createAuthor(app, t, { name: 'Priya Preview' })
  const draft = await createArticle(app, t, { authorId: author.id, title: 'Embargoed footbridge story', body: '<p>Not yet.</p>', labels: ['Embargoed'] })
  const scheduled = await createArticle(app, t, { authorId: author.id, title: 'Tomorrow\'s budget story', status: 'scheduled', publishedAt: new Date(Date.now() + 2 * day).toISOString() })
  const published = await createArticle(app, t, { authorId: author.id, title: 'Ferry timetable changes', status: 'published', publishedAt: '2025-01-02T09:00:00.000Z', labels: ['Transport'] })
  return { author, draft, scheduled, published }
}

t.test('an editor makes a preview link: the token shown once and kept by no cache, the link listed without it', async (t) => {
  const app = await build(t)
  const { draft } = await newsroom(app, t)
  const editor = await tokenFor(app, 'editor')
  const response = await request(app, t, { method: 'POST', url: `/v1/articles/${draft.slug}/preview`, headers: bearer(editor) })
  t.equal(response.statusCode, 201, 'without a body: the default lifetime')
  t.equal(response.headers['cache-control'], 'no-store', 'no cache keeps the token')
  const made = response.json()
  t.equal(response.headers.location, `/v1/articles/${draft.id}/previews/${made.id}`)
  t.match(made, { articleId: draft.id, createdBy: /^editor token \d+$/, token: /^dlp_[\w-]{43}$/ })
  t.equal(Date.parse(made.expiresAt) - Date.parse(made.createdAt), day, 'a day by default')

  const hour = await preview(app, t, draft, { expiresIn: 3600 })
  t.equal(Date.parse(hour.expiresAt) - Date.parse(hour.createdAt), 3_600_000, 'expiresIn: seconds')
  t.not(hour.token, made.token, 'every link has its own token')

  const listed = await read(app, t, `/v1/articles/${draft.id}/previews`, editor)
  t.equal(listed.statusCode, 200)
  const { token: _, ...withoutToken } = made
  t.same(listed.json().data, [withoutToken, (({ token: __, ...rest }) => rest)(hour)], 'both links, oldest first, without their tokens')
  t.equal(listed.json().meta.total, 2)
  const one = await read(app, t, String(response.headers.location), editor)
  t.same(one.json(), withoutToken, 'where Location points: the link without its token')
  for (const answer of [listed, one]) t.notOk(answer.body.includes('dlp_'), 'no token in a later answer')

  const keyed = { method: 'POST', url: `/v1/articles/${draft.id}/preview`, headers: { ...admin, 'idempotency-key': 'preview-for-the-desk' }, payload: { expiresIn: 600 } } as const
  const first = await request(app, t, keyed)
  t.equal(first.statusCode, 201)
  const retried = await request(app, t, keyed)
  assertProblem(t, retried, 409, 'secret-shown-once')
  t.equal(retried.headers.location, first.headers.location, 'the retry names the link made first')
  t.notOk(retried.body.includes(first.json().token), 'and never shows its token again')
  t.equal((await read(app, t, `/v1/articles/${draft.id}/previews`, adminSecret)).json().meta.total, 3, 'no second link was made')

  assertProblem(t, await request(app, t, { method: 'POST', url: `/v1/articles/${draft.id}/preview`, headers: admin, payload: { expiresIn: 8 * 24 * 3600 } }), 400, 'validation', 'body.expiresIn')
  assertProblem(t, await request(app, t, { method: 'POST', url: `/v1/articles/${draft.id}/preview`, headers: admin, payload: { expiresIn: 0 } }), 400, 'validation', 'body.expiresIn')
  assertProblem(t, await request(app, t, { method: 'POST', url: `/v1/articles/${draft.id}/preview`, headers: admin, payload: { expires: 60 } }), 400, 'validation', 'body.expires')
  assertProblem(t, await request(app, t, { method: 'POST', url: '/v1/articles/no-such-story/preview', headers: admin }), 404, 'not-found')
  assertProblem(t, await request(app, t, { method: 'GET', url: `/v1/articles/${draft.id}/previews/999`, headers: admin }), 404, 'not-found')
})

t.test('a preview token reads its draft, or its scheduled article, by id or slug, and no cache keeps it; without it they are 404s', async (t) => {
  const app = await build(t)
  const { author, draft, scheduled, published } = await newsroom(app, t)
  const draftLink = await preview(app, t, draft)
  const scheduledLink = await preview(app, t, scheduled, { expiresIn: 600 })

  for (const [article, link] of [[draft, draftLink], [scheduled, scheduledLink]] as const) {
    for (const path of [`/v1/articles/${article.id}`, `/v1/articles/${article.slug}`]) {
      const seen = await read(app, t, path, link.token)
      t.equal(seen.statusCode, 200, `${path} with its preview token`)
      t.match(seen.json(), { id: article.id, title: article.title, status: article.status })
      t.equal(seen.headers['cache-control'], 'private, no-store', 'kept by no cache, shared or private')
      t.match(String(seen.headers.vary), /Authorization/)
      assertProblem(t, await read(app, t, path), 404, 'not-found')
    }
  }
  const embedded = await read(app, t, `/v1/articles/${draft.id}?include=author,comments&fields=title`, draftLink.token)
  t.match(embedded.json(), { id: draft.id, title: draft.title, author: { id: author.id } }, 'with embeds and fields, as any read')
  t.notOk('email' in embedded.json().author, 'the author as a reader sees them')

  const latest = await request(app, t, { method: 'PATCH', url: `/v1/articles/${draft.id}`, headers: admin, payload: { title: 'Footbridge story, second draft' } })
  t.equal(latest.statusCode, 200)
  t.equal((await read(app, t, `/v1/articles/${draft.id}`, draftLink.token)).json().title, 'Footbridge story, second draft', 'the latest version')
  const renamed = await request(app, t, { method: 'PATCH', url: `/v1/articles/${draft.id}`, headers: admin, payload: { slug: 'footbridge-second-draft' } })
  t.equal(renamed.statusCode, 200)
  t.equal((await read(app, t, '/v1/articles/footbridge-second-draft', draftLink.token)).statusCode, 200, 'by the slug it has now')
  assertProblem(t, await read(app, t, `/v1/articles/${draft.slug}`, draftLink.token), 404, 'not-found')
  t.pass('not by a slug it had: a reader never learns where a draft went')

  assertProblem(t, await read(app, t, `/v1/articles/${scheduled.id}`, draftLink.token), 404, 'not-found', { instance: `/v1/articles/${scheduled.id}` })
  t.pass('another unpublished article is not readable with it')
  const other = await read(app, t, `/v1/articles/${published.id}`, draftLink.token)
  t.equal(other.statusCode, 200, 'a published article reads as for anyone')
  t.equal(other.headers['cache-control'], 'private, no-store')

  const publishedLink = await preview(app, t, published)
  t.equal((await read(app, t, `/v1/articles/${published.slug}`, publishedLink.token)).statusCode, 200, 'a link of a published article reads it too')
})

t.test('anywhere else a preview token shows what an anonymous reader sees, and it never writes', async (t) => {
  const app = await build(t)
  const { draft, scheduled, published } = await newsroom(app, t)
  const link = await preview(app, t, draft)
  const publishedDay = published.publishedAt.slice(0, 10)
  const comment = await request(app, t, { method: 'POST', url: `/v1/articles/${published.id}/comments`, payload: { authorName: 'A reader', authorEmail: 'reader@example.net', body: 'Good to know.' } })
  t.equal(comment.statusCode, 201)

  const paths = [
    '/v1/articles', '/v1/articles?status=draft', '/v1/articles?q=footbridge', '/v1/articles?q=budget', `/v1/articles/${draft.id}/related`,
    `/v1/articles/${published.id}/related`, `/v1/articles/${published.id}/comments`, `/v1/dates/${publishedDay}`, '/v1/dates', '/v1/labels',
    '/v1/labels?q=embargoed', '/v1/changes?resource=article', '/v1/search/suggest?q=foot', '/v1/authors', '/feed.json', '/v1/archive'
  ]
  for (const path of paths) {
    const anonymous = await read(app, t, path)
    const withLink = await read(app, t, path, link.token)
    t.equal(withLink.statusCode, anonymous.statusCode, `${path}: the same status`)
    t.same(withLink.json(), anonymous.json(), `${path}: the same answer`)
    t.notOk(withLink.body.includes(draft.title) || withLink.body.includes(scheduled.title), `${path}: no unpublished title`)
    // Feeds are the same public documents whoever asks (their Cache-Control is their own).
    if (withLink.statusCode === 200 && path.startsWith('/v1/')) t.equal(withLink.headers['cache-control'], 'private, no-store', `${path}: kept by no cache`)
  }
  for (const path of [`/v1/articles/${draft.id}/revisions`, `/v1/articles/${draft.id}/previews`, '/v1/trash', '/v1/comments']) {
    assertProblem(t, await read(app, t, path, link.token), 403, 'forbidden')
  }

  const writes = [
    { method: 'PATCH', url: `/v1/articles/${draft.id}`, payload: { title: 'Hijacked' } },
    { method: 'DELETE', url: `/v1/articles/${draft.id}` },
    { method: 'POST', url: `/v1/articles/${draft.id}/preview` },
    { method: 'DELETE', url: `/v1/articles/${draft.id}/previews/${link.id}` },
    { method: 'POST', url: `/v1/articles/${published.id}/comments`, payload: { authorName: 'A reader', body: 'Anonymous readers may, a preview token may not.' } },
    { method: 'POST', url: '/v1/articles', payload: { title: 'New', authorId: draft.authorId } },
    { method: 'POST', url: '/v1/batch', payload: { operations: [{ method: 'PATCH', path: `/v1/articles/${draft.id}`, body: { title: 'Hijacked' } }] } }
  ] as const
  for (const write of writes) {
    assertProblem(t, await request(app, t, { ...write, headers: bearer(link.token) }), 403, 'forbidden')
  }
  const after = (await read(app, t, `/v1/articles/${draft.id}`, adminSecret)).json()
  t.equal(after.title, draft.title, 'the draft is unchanged')
  t.equal((await read(app, t, `/v1/articles/${draft.id}`, link.token)).statusCode, 200, 'and the link still reads it')
  t.equal((await read(app, t, `/v1/articles/${published.id}/comments`)).json().data.length, 0, 'no comment was added')
})

t.test('author tokens make links of their own drafts; only editors and the authors on the byline see and revoke them', async (t) => {
  const app = await build(t)
  const { author, draft, published } = await newsroom(app, t)
  const own = await tokenFor(app, 'author', author.id)
  const otherAuthor = await createAuthor(app, t, { name: 'Otto Other' })
  const other = await tokenFor(app, 'author', otherAuthor.id)

  const link = await preview(app, t, draft, undefined, own)
  t.match(link.createdBy, /^author token \d+$/)
  assertProblem(t, await request(app, t, { method: 'POST', url: `/v1/articles/${draft.id}/preview`, headers: bearer(other) }), 404, 'not-found')
  assertProblem(t, await request(app, t, { method: 'POST', url: `/v1/articles/${published.id}/preview`, headers: bearer(own) }), 403, 'forbidden')
  assertProblem(t, await request(app, t, { method: 'POST', url: `/v1/articles/${draft.id}/preview` }), 401, 'unauthorized')

  const editorLink = await preview(app, t, published)
  t.equal((await read(app, t, `/v1/articles/${published.id}/previews`, own)).json().meta.total, 1, 'the author sees the links of its published article')
  assertProblem(t, await read(app, t, `/v1/articles/${published.id}/previews`, other), 403, 'forbidden')
  assertProblem(t, await request(app, t, { method: 'DELETE', url: `/v1/articles/${published.id}/previews/${editorLink.id}`, headers: bearer(other) }), 403, 'forbidden')
  assertProblem(t, await request(app, t, { method: 'DELETE', url: `/v1/articles/${draft.id}/previews/${editorLink.id}`, headers: bearer(own) }), 404, 'not-found', { instance: `/v1/articles/${draft.id}/previews/${editorLink.id}` })
  t.pass('a link is revoked only through its own article')
  const revoked = await request(app, t, { method: 'DELETE', url: `/v1/articles/${published.id}/previews/${editorLink.id}`, headers: bearer(own) })
  t.equal(revoked.statusCode, 204, 'the author revokes a link of its published article')
})

t.test('a co-author makes links of the shared draft, and sees and revokes them, also once it is published', async (t) => {
  const app = await build(t)
  const lead = await createAuthor(app, t, { name: 'Lena Lead' })
  const second = await createAuthor(app, t, { name: 'Sami Second' })
  const draft = await createArticle(app, t, { authorIds: [lead.id, second.id], title: 'Two-handed harbour story' })
  const coAuthor = await tokenFor(app, 'author', second.id)
  const link = await preview(app, t, draft, undefined, coAuthor)
  t.equal((await read(app, t, `/v1/articles/${draft.id}`, link.token)).statusCode, 200, 'its token reads the draft')
  const published = await request(app, t, { method: 'PATCH', url: `/v1/articles/${draft.id}`, headers: admin, payload: { status: 'published' } })
  t.equal(published.statusCode, 200)
  t.same((await read(app, t, `/v1/articles/${draft.id}/previews`, coAuthor)).json().data.map((item: { id: number }) => item.id), [link.id], 'the co-author lists its link')
  t.equal((await read(app, t, `/v1/articles/${draft.id}/previews/${link.id}`, coAuthor)).statusCode, 200)
  const revoked = await request(app, t, { method: 'DELETE', url: `/v1/articles/${draft.id}/previews/${link.id}`, headers: bearer(coAuthor) })
  t.equal(revoked.statusCode, 204, 'and revokes it')
  const outsider = await tokenFor(app, 'author', (await createAuthor(app, t, { name: 'Otto Outside' })).id)
  assertProblem(t, await read(app, t, `/v1/articles/${draft.id}/previews`, outsider), 403, 'forbidden')
})

t.test('revoked, expired, or the article trashed, a link stops working at once and for good: a 401 like any bad token', async (t) => {
  const app = await build(t)
  const { draft, scheduled } = await newsroom(app, t)
  const revokedLink = await preview(app, t, draft)
  const keptLink = await preview(app, t, draft)
  const shortLink = await preview(app, t, scheduled, { expiresIn: 1 })
  const scheduledLink = await preview(app, t, scheduled)

  t.equal((await request(app, t, { method: 'DELETE', url: `/v1/articles/${draft.id}/previews/${revokedLink.id}`, headers: admin })).statusCode, 204)
  assertProblem(t, await read(app, t, `/v1/articles/${draft.id}`, revokedLink.token), 401, 'unauthorized')
  t.equal((await read(app, t, `/v1/articles/${draft.id}`, keptLink.token)).statusCode, 200, 'the article\'s other link still works')
  assertProblem(t, await request(app, t, { method: 'DELETE', url: `/v1/articles/${draft.id}/previews/${revokedLink.id}`, headers: admin }), 404, 'not-found')
  t.same((await read(app, t, `/v1/articles/${draft.id}/previews`, adminSecret)).json().data.map((link: { id: number }) => link.id), [keptLink.id], 'the revoked link is gone from the list')

  t.equal((await read(app, t, `/v1/articles/${scheduled.id}`, shortLink.token)).statusCode, 200, 'the one-second link works at first')
  await sleep(1100)
  assertProblem(t, await read(app, t, `/v1/articles/${scheduled.id}`, shortLink.token), 401, 'unauthorized')
  assertProblem(t, await read(app, t, '/v1/articles', shortLink.token), 401, 'unauthorized')
  t.pass('expired, it is refused everywhere, not read as anonymous')
  t.same((await read(app, t, `/v1/articles/${scheduled.id}/previews`, adminSecret)).json().data.map((link: { id: number }) => link.id), [scheduledLink.id], 'an expired link is not listed')
  assertProblem(t, await read(app, t, `/v1/articles/${scheduled.id}/previews/${shortLink.id}`, adminSecret), 404, 'not-found')
  await preview(app, t, draft)
  t.notOk((await rowsOf(app.store, 'article_previews')).some((row) => row.id === shortLink.id), 'the next link made prunes the expired one')

  t.equal((await request(app, t, { method: 'DELETE', url: `/v1/articles/${draft.id}`, headers: admin })).statusCode, 204)
  assertProblem(t, await read(app, t, `/v1/articles/${draft.id}`, keptLink.token), 401, 'unauthorized')
  t.equal((await request(app, t, { method: 'POST', url: `/v1/trash/${draft.id}/restore`, headers: admin })).statusCode, 200)
  assertProblem(t, await read(app, t, `/v1/articles/${draft.id}`, keptLink.token), 401, 'unauthorized')
  t.same((await read(app, t, `/v1/articles/${draft.id}/previews`, adminSecret)).json().data, [], 'restored, the article has no links: they ended with the trashing')
})

t.test('bad preview tokens count with other bad credentials: a guesser is throttled', async (t) => {
  const app = await build(t)
  const { draft } = await newsroom(app, t)
  const link = await preview(app, t, draft)
  const guess = (n: number) => `dlp_${String(n).padStart(43, 'x')}`
  for (let n = 0; n < 19; n++) assertProblem(t, await read(app, t, `/v1/articles/${draft.id}`, guess(n)), 401, 'unauthorized')
  assertProblem(t, await read(app, t, '/v1/articles', 'dl_not-a-real-api-token'), 401, 'unauthorized')
  const throttled = await read(app, t, `/v1/articles/${draft.id}`, guess(99))
  assertProblem(t, throttled, 429, 'rate-limited')
  t.match(String(throttled.headers['retry-after']), /^\d+$/)
  t.equal((await read(app, t, `/v1/articles/${draft.id}`, link.token)).statusCode, 200, 'a valid link still passes')
})

t.test('an article holds a bounded number of live links', async (t) => {
  const app = await build(t)
  const { draft } = await newsroom(app, t)
  for (let n = 0; n < 20; n++) await preview(app, t, draft, { expiresIn: 600 })
  assertProblem(t, await request(app, t, { method: 'POST', url: `/v1/articles/${draft.id}/preview`, headers: admin }), 409, 'conflict')
  const first = (await read(app, t, `/v1/articles/${draft.id}/previews`, adminSecret)).json().data[0]
  t.equal((await request(app, t, { method: 'DELETE', url: `/v1/articles/${draft.id}/previews/${first.id}`, headers: admin })).statusCode, 204)
  await preview(app, t, draft)
  t.pass('one revoked, another can be made')
})


t.test('a preview token is stored only as a hash and never reaches the log or a later answer', async (t) => {
  const capture = captureStream()
  const app = await build(t, { logger: { level: 'trace', stream: capture.stream } })
  const { draft } = await newsroom(app, t)
  const link = await preview(app, t, draft)
  const later = [
    await read(app, t, `/v1/articles/${draft.id}`, link.token),
    await read(app, t, `/v1/articles/${draft.id}?fields=title`, link.token),
    await request(app, t, { method: 'PATCH', url: `/v1/articles/${draft.id}`, headers: bearer(link.token), payload: { title: 'No' } }),
    await read(app, t, `/v1/articles/${draft.id}/previews`, adminSecret),
    await read(app, t, `/v1/articles/${draft.id}/previews/${link.id}`, adminSecret),
    await read(app, t, '/v1/changes', adminSecret),
    await read(app, t, `/v1/articles/${draft.id}`, `${link.token}x`)
  ]
  const exported = await app.inject({ method: 'GET', url: '/v1/export', headers: admin })
  for (const answer of [...later, exported]) t.notOk(answer.body.includes(link.token.slice(4)), 'the token is in no later answer')

  const log = capture.text()
  t.match(log, /request completed/, 'requests were logged')
  t.notOk(log.includes(link.token.slice(4)), 'the token is not in the log')
  t.notMatch(log, /"authorization"\s*:/i, 'no authorization header is logged')

  const rows = await rowsOf(app.store, 'article_previews')
  t.equal(rows.length, 1)
  t.equal(rows[0]!.secret_hash ?? rows[0]!.secretHash, createHash('sha256').update(link.token).digest('hex'), 'only the hash is stored')
  t.notOk(JSON.stringify(rows).includes(link.token.slice(4)), 'never the token')
})
