import type { FastifyInstance } from 'fastify'
import t from 'tap'
import { adminSecret, bearer, build, createArticle, createAuthor, lastingDatabaseUrl, request, tempDatabase, tokenFor, type TapLike } from '../helper.js'
import { rowsOf, updateRows } from '../inspect.js'

const admin = bearer(adminSecret)
const problemBase = 'https://dateline.dev/problems/'

interface Thread { id: number, parentId: number | null, body: string, replies: Thread[] }

async function get (app: FastifyInstance, t: TapLike, url: string, headers: Record<string, string> = {}) {
  return request(app, t, { method: 'GET', url, headers })
}

async function trash (app: FastifyInstance, t: TapLike, idOrSlug: string | number, headers = admin) {
  return request(app, t, { method: 'DELETE', url: `/v1/articles/${idOrSlug}`, headers })
}

async function restore (app: FastifyInstance, t: TapLike, idOrSlug: string | number, headers = admin) {
  return request(app, t, { method: 'POST', url: `/v1/trash/${idOrSlug}/restore`, headers })
}

async function comment (app: FastifyInstance, t: TapLike, articleId: number, body: string, parentId?: number): Promise<number> {
  const response = await request(app, t, { method: 'POST', url: `/v1/articles/${articleId}/comments`, payload: { authorName: 'A reader', authorEmail: 'reader@example.net', body, ...(parentId === undefined ? {} : { parentId }) } })
  if (response.statusCode !== 201) throw new Error(`commenting failed: ${response.statusCode} ${response.body}`)
  return response.json().id
}

function kindOf (response: { json: () => any }): string {
  return String(response.json().type).replace(problemBase, '')
}

/** A published article with labels, a thread of comments and two revisions. */
async function richArticle (app: FastifyInstance, t: TapLike) {
  const author = await createAuthor(app, t, { name: 'Rhea Vision' })
  const article = await createArticle(app, t, {
    authorId: author.id,
    title: 'Footbridge opens',
    body: '<p>The zeppelinfield footbridge opened on Tuesday.</p>',
    status: 'published',
    publishedAt: '2024-05-14T09:00:00Z',
    labels: ['Transport', 'Riverside']
  })
  const first = await comment(app, t, article.id, 'First!')
  const reply = await comment(app, t, article.id, 'A reply.', first)
  await comment(app, t, article.id, 'A reply to the reply.', reply)
  await request(app, t, { method: 'PATCH', url: `/v1/articles/${article.id}`, headers: admin, payload: { title: 'Footbridge opens at last' } })
  await request(app, t, { method: 'PATCH', url: `/v1/articles/${article.id}`, headers: admin, payload: { excerpt: 'The bridge, at last.' } })
  const current = (await get(app, t, `/v1/articles/${article.id}?include=comments`, admin)).json()
  return { author, article: current }
}

t.test('a deleted article goes to the trash: 404 at every address, seen only under /v1/trash', async (t) => {
  const app = await build(t, { commentsAutoApprove: true })
  const { article } = await richArticle(app, t)
  const commentIds = (await get(app, t, `/v1/articles/${article.id}/comments`)).json().data.map((thread: Thread) => thread.id)

  const deleted = await trash(app, t, article.slug)
  t.equal(deleted.statusCode, 204)

  for (const url of [`/v1/articles/${article.id}`, `/v1/articles/${article.slug}`, `/v1/articles/${article.id}/comments`, `/v1/articles/${article.id}/related`]) {
    t.equal((await get(app, t, url)).statusCode, 404, `${url} is a 404 for a reader`)
    t.equal((await get(app, t, url, admin)).statusCode, 404, `${url} is a 404 for an admin`)
  }
  for (const url of [`/v1/articles/${article.id}/revisions`, `/v1/comments/${commentIds[0]}`]) {
    t.equal((await get(app, t, url, admin)).statusCode, 404, `${url} is a 404 for an admin`)
  }
  t.equal((await get(app, t, '/v1/articles', admin)).json().meta.total, 0, 'not listed, not even for editors')
  t.equal((await get(app, t, '/v1/articles?q=zeppelinfield', admin)).json().meta.total, 0, 'not found by search')
  t.equal((await get(app, t, '/v1/dates/2024-05-14')).statusCode, 404, 'its day has nothing left on it')
  t.same((await get(app, t, '/v1/labels', admin)).json().data, [], 'its labels are unused now')
  t.equal((await get(app, t, '/v1/comments', admin)).json().meta.total, 0, 'its comments leave the moderation queue')
  t.notMatch((await get(app, t, '/feed.json')).body, /Footbridge/, 'and the feeds')

  const list = await get(app, t, '/v1/trash', admin)
  t.equal(list.statusCode, 200)
  t.equal(list.json().meta.total, 1)
  const item = list.json().data[0]
  t.match(item, { id: article.id, slug: article.slug, title: 'Footbridge opens at last', status: 'published', publishedAt: '2024-05-14T09:00:00.000Z', labels: ['Transport', 'Riverside'], commentCount: 3, version: 3, trashedBy: 'admin' })
  t.equal(Date.parse(item.purgeAt) - Date.parse(item.trashedAt), 30 * 24 * 3600 * 1000, 'purged 30 days after')
  t.notOk('body' in item, 'the list leaves bodies out')

  const one = await get(app, t, `/v1/trash/${article.slug}`, admin)
  t.equal(one.statusCode, 200)
  t.match(one.json(), { id: article.id, body: article.body, excerpt: 'The bridge, at last.' })
  t.match(String(one.headers.etag), new RegExp(`^"trashed-article-${article.id}-v3\\.`))
  t.equal((await get(app, t, '/v1/trash/no-such-article', admin)).statusCode, 404)
})

t.test('restoring puts it all back: id, slug, labels, comment thread, revisions, search; the version goes up', async (t) => {
  const app = await build(t, { commentsAutoApprove: true })
  const { article } = await richArticle(app, t)
  const threadBefore = (await get(app, t, `/v1/articles/${article.id}/comments`)).json().data
  const revisionsBefore = (await get(app, t, `/v1/articles/${article.id}/revisions`, admin)).json().data
  await trash(app, t, article.id)

  const restored = await restore(app, t, article.id)
  t.equal(restored.statusCode, 200)
  const body = restored.json()
  t.match(body, { id: article.id, slug: article.slug, title: article.title, status: 'published', labels: ['Transport', 'Riverside'], commentCount: 3, excerpt: 'The bridge, at last.', date: '2024-05-14' })
  t.match(String(restored.headers.etag), new RegExp(`^"article-${article.id}-v4\\.`), 'a new version: ETags from before the trash no longer match')

  t.equal((await get(app, t, `/v1/articles/${article.slug}`)).statusCode, 200, 'readers see it again')
  t.same((await get(app, t, `/v1/articles/${article.id}/comments`)).json().data, threadBefore, 'the same thread, ids and all')
  t.same((await get(app, t, `/v1/articles/${article.id}/revisions`, admin)).json().data, revisionsBefore, 'the same revisions')
  t.equal((await get(app, t, '/v1/articles?q=zeppelinfield')).json().meta.total, 1, 'searchable again')
  t.equal((await get(app, t, '/v1/dates/2024-05-14')).statusCode, 200, 'on its day again')
  t.equal((await get(app, t, '/v1/trash', admin)).json().meta.total, 0, 'and out of the trash')
  t.equal((await restore(app, t, article.id)).statusCode, 404, 'restoring twice is a 404')

  const edited = await request(app, t, { method: 'PATCH', url: `/v1/articles/${article.id}`, headers: { ...admin, 'if-match': String(restored.headers.etag) }, payload: { title: 'Edited after the restore' } })
  t.equal(edited.statusCode, 200, 'the restored ETag guards the next edit')
})

t.test('If-Match guards restore and purge with the trashed article\'s ETag', async (t) => {
  const app = await build(t)
  const author = await createAuthor(app, t)
  const article = await createArticle(app, t, { authorId: author.id, title: 'Guarded' })
  const staleArticleTag = String((await get(app, t, `/v1/articles/${article.id}`, admin)).headers.etag)
  await trash(app, t, article.id)
  const etag = String((await get(app, t, `/v1/trash/${article.id}`, admin)).headers.etag)

  for (const [method, url] of [['POST', `/v1/trash/${article.id}/restore`], ['DELETE', `/v1/trash/${article.id}`]] as const) {
    const stale = await request(app, t, { method, url, headers: { ...admin, 'if-match': staleArticleTag } })
    t.equal(stale.statusCode, 412, `${method} with another ETag is a 412`)
    t.equal(kindOf(stale), 'precondition-failed')
  }
  t.equal((await get(app, t, `/v1/trash/${article.id}`, admin)).statusCode, 200, 'still in the trash')
  const purged = await request(app, t, { method: 'DELETE', url: `/v1/trash/${article.id}`, headers: { ...admin, 'if-match': etag } })
  t.equal(purged.statusCode, 204)
  t.equal((await get(app, t, `/v1/trash/${article.id}`, admin)).statusCode, 404, 'purged for good')
  t.equal((await restore(app, t, article.id)).statusCode, 404, 'nothing to restore')
})

t.test('the slug stays reserved until the purge', async (t) => {
  const app = await build(t)
  const author = await createAuthor(app, t)
  const original = await createArticle(app, t, { authorId: author.id, title: 'Budget day' })
  const other = await createArticle(app, t, { authorId: author.id, title: 'Something else' })
  await trash(app, t, original.id)

  const patched = await request(app, t, { method: 'PATCH', url: `/v1/articles/${other.id}`, headers: admin, payload: { slug: 'budget-day' } })
  t.equal(patched.statusCode, 409, 'no other article may take it')
  t.equal(kindOf(patched), 'slug-taken')
  t.equal((await createArticle(app, t, { authorId: author.id, title: 'Budget day' })).slug, 'budget-day-2', 'a derived slug steps around it')

  t.equal((await restore(app, t, 'budget-day')).json().slug, 'budget-day', 'so a restore always finds it free')
})

t.test('an author token sees and restores only its own trashed drafts; editors empty the trash', async (t) => {
  const app = await build(t)
  const mine = await createAuthor(app, t, { name: 'Mine' })
  const theirs = await createAuthor(app, t, { name: 'Theirs' })
  const authorToken = bearer(await tokenFor(app, 'author', mine.id))
  const editor = bearer(await tokenFor(app, 'editor'))
  const draft = await createArticle(app, t, { authorId: mine.id, title: 'My draft' })
  const published = await createArticle(app, t, { authorId: mine.id, title: 'My published piece', status: 'published' })
  const other = await createArticle(app, t, { authorId: theirs.id, title: 'Their draft' })

  t.equal((await trash(app, t, draft.id, authorToken)).statusCode, 204, 'an author may delete its own draft')
  t.equal((await trash(app, t, published.id, authorToken)).statusCode, 403, 'not its published article')
  await trash(app, t, published.id, editor)
  await trash(app, t, other.id, editor)

  t.equal((await get(app, t, '/v1/trash')).statusCode, 401, 'anonymous readers have no trash')
  const own = (await get(app, t, '/v1/trash', authorToken)).json()
  t.same(own.data.map((item: { id: number }) => item.id).sort(), [draft.id, published.id].sort(), 'the author sees its own only')
  t.equal((await get(app, t, `/v1/trash/${other.id}`, authorToken)).statusCode, 404, 'another author\'s is not there for it')
  t.equal((await restore(app, t, other.id, authorToken)).statusCode, 404)
  t.equal((await restore(app, t, published.id, authorToken)).statusCode, 403, 'a published article comes back through an editor')
  t.match((await get(app, t, `/v1/trash/${published.id}`, authorToken)).json(), { trashedBy: /^editor token \d+$/ })
  t.equal((await restore(app, t, draft.id, authorToken)).statusCode, 200, 'its own draft, yes')

  t.equal((await request(app, t, { method: 'DELETE', url: '/v1/trash', headers: authorToken })).statusCode, 403, 'emptying the trash is for editors')
  t.equal((await request(app, t, { method: 'DELETE', url: '/v1/trash', headers: editor })).statusCode, 204)
  t.equal((await get(app, t, '/v1/trash', editor)).json().meta.total, 0, 'empty')
  t.equal((await createArticle(app, t, { authorId: theirs.id, title: 'Their draft' })).slug, 'their-draft', 'purged slugs are free')
})

t.test('after DATELINE_TRASH_DAYS an article is purged: gone from the trash, its slug free, its rows deleted at start-up', async (t) => {
  const databaseUrl = await lastingDatabaseUrl(t)
  const first = await build(t, { databaseUrl, trashDays: 7 })
  const author = await createAuthor(first, t)
  const article = await createArticle(first, t, { authorId: author.id, title: 'Old news' })
  await trash(first, t, article.id)
  const item = (await get(first, t, '/v1/trash', admin)).json().data[0]
  t.equal(Date.parse(item.purgeAt) - Date.parse(item.trashedAt), 7 * 24 * 3600 * 1000, 'purged 7 days after')

  // A week passes: the row's purge time is now behind us.
  t.equal(await updateRows(first.store, 'trashed_articles', { purge_at: new Date(Date.now() - 1000).toISOString() }), 1, 'its purge time has passed')
  t.equal((await get(first, t, '/v1/trash', admin)).json().meta.total, 0, 'no longer listed')
  t.equal((await restore(first, t, article.id)).statusCode, 404, 'no longer restorable')
  t.equal((await createArticle(first, t, { authorId: author.id, title: 'Old news' })).slug, 'old-news', 'its slug is free')
  await first.close()

  const second = await build(t, { databaseUrl, trashDays: 7 })
  t.same(await rowsOf(second.store, 'trashed_articles'), [], 'start-up deleted the row')
})

t.test('with DATELINE_TRASH_DAYS=0 a delete is for good', async (t) => {
  const app = await build(t, { trashDays: 0 })
  const author = await createAuthor(app, t)
  const article = await createArticle(app, t, { authorId: author.id, title: 'No way back' })
  t.equal((await trash(app, t, article.id)).statusCode, 204)
  t.equal((await get(app, t, '/v1/trash', admin)).json().meta.total, 0)
  t.equal((await createArticle(app, t, { authorId: author.id, title: 'No way back' })).slug, 'no-way-back')
})

t.test('trashed articles still count as their author\'s: deleting the author is a 409 unless they are reassigned', async (t) => {
  const app = await build(t)
  const leaving = await createAuthor(app, t, { name: 'Leaving' })
  const heir = await createAuthor(app, t, { name: 'Heir' })
  const article = await createArticle(app, t, { authorId: leaving.id, title: 'Left behind' })
  await trash(app, t, article.id)

  const refused = await request(app, t, { method: 'DELETE', url: `/v1/authors/${leaving.id}`, headers: admin })
  t.equal(refused.statusCode, 409)
  t.match(refused.json().detail, /1 article \(counting the trash\)/)
  const reassigned = await request(app, t, { method: 'DELETE', url: `/v1/authors/${leaving.id}?reassignTo=${heir.id}`, headers: admin })
  t.equal(reassigned.statusCode, 204)
  t.equal((await get(app, t, `/v1/trash/${article.id}`, admin)).json().authorId, heir.id, 'the trashed article went to the heir')
  t.equal((await restore(app, t, article.id)).json().authorId, heir.id, 'and comes back as the heir\'s')
})

t.test('a restored article takes the day of its time in the site\'s time zone as it is now', async (t) => {
  const file = tempDatabase(t)
  const utc = await build(t, { databaseUrl: file, timezone: 'UTC' })
  const author = await createAuthor(utc, t)
  const article = await createArticle(utc, t, { authorId: author.id, title: 'Late edition', status: 'published', publishedAt: '2024-03-01T23:30:00Z' })
  t.equal(article.date, '2024-03-01')
  await trash(utc, t, article.id)
  await utc.close()

  const tokyo = await build(t, { databaseUrl: file, timezone: 'Asia/Tokyo' })
  t.equal((await restore(tokyo, t, article.id)).json().date, '2024-03-02')
  t.equal((await get(tokyo, t, '/v1/dates/2024-03-02')).statusCode, 200)
})

t.test('importing again does not bring back what an editor deleted', async (t) => {
  const app = await build(t, { commentsAutoApprove: true })
  const { article } = await richArticle(app, t)
  const exported = (await get(app, t, '/v1/export', admin)).body
  await trash(app, t, article.id)

  const imported = await request(app, t, { method: 'POST', url: '/v1/import', headers: { ...admin, 'content-type': 'application/x-ndjson' }, payload: exported })
  t.equal(imported.statusCode, 200)
  const report = imported.json()
  t.match(report.counts.articles, { created: 0, skipped: 1 })
  t.match(report.counts.comments, { created: 0, skipped: 3 })
  t.match(report.skipped, [
    { resource: 'article', sourceId: String(article.id), reason: `article ${article.id} is in the trash: restore or purge it to import it again` },
    { resource: 'comment', reason: 'its article is in the trash' }
  ])
  t.equal((await get(app, t, '/v1/articles', admin)).json().meta.total, 0, 'nothing came back')
})

t.test('restoring after an import took a trashed comment\'s id renumbers the clashing comments, keeps their thread, and says so', async (t) => {
  const app = await build(t, { commentsAutoApprove: true })
  const { author, article } = await richArticle(app, t)
  const [first, reply, replyToReply] = (await get(app, t, `/v1/comments?article=${article.id}&sort=createdAt`, admin)).json().data.map((item: { id: number }) => item.id)
  const other = await createArticle(app, t, { authorId: author.id, title: 'Harbour wall', status: 'published', publishedAt: '2024-05-15T09:00:00Z' })
  t.equal((await trash(app, t, article.id)).statusCode, 204)

  // Our own export of another site: its comment ids are free here now, so the import keeps them.
  const at = '2024-05-16T10:00:00.000Z'
  const line = (id: number, parentId: number | null) => JSON.stringify({ type: 'comment', id, articleId: other.id, parentId, authorName: 'Imported', authorUrl: null, authorEmail: null, body: `<p>Imported ${id}</p>`, status: 'approved', createdAt: at, updatedAt: at })
  const exported = (await get(app, t, '/v1/export', admin)).body
  const payload = `${exported.trimEnd()}\n${line(reply, null)}\n${line(replyToReply, reply)}\n`
  const imported = await request(app, t, { method: 'POST', url: '/v1/import', headers: { ...admin, 'content-type': 'application/x-ndjson' }, payload })
  t.match(imported.json().counts.comments, { created: 2 })
  const importedIds = (await get(app, t, `/v1/comments?article=${other.id}`, admin)).json().data.map((item: { id: number }) => item.id).sort()
  t.same(importedIds, [reply, replyToReply].sort(), 'the import took two of the trashed comments\' ids')

  const restored = await restore(app, t, article.id)
  t.equal(restored.statusCode, 200, restored.body.slice(0, 300))
  const renumbered = restored.json().renumberedComments as Array<{ from: number, to: number }>
  t.same(renumbered.map((change) => change.from), [reply, replyToReply], 'the answer lists the comments that got new ids')
  const newId = new Map(renumbered.map((change) => [change.from, change.to]))
  t.notOk([reply, replyToReply].includes(newId.get(reply)!), 'with ids of their own')

  const thread = (await get(app, t, `/v1/articles/${article.id}/comments/thread`)).json().data as Thread[]
  t.same(thread.map((node) => node.id), [first], 'the comment whose id was free keeps it')
  t.same(thread[0]!.replies.map((node) => [node.id, node.parentId]), [[newId.get(reply), first]])
  t.same(thread[0]!.replies[0]!.replies.map((node) => [node.id, node.parentId]), [[newId.get(replyToReply), newId.get(reply)]], 'the thread holds together')
  t.equal(thread[0]!.replies[0]!.body, '<p>A reply.</p>')
  const imports = (await get(app, t, `/v1/articles/${other.id}/comments`)).json().data.map((item: { id: number, body: string }) => [item.id, item.body])
  t.same(imports.sort(), [[reply, `<p>Imported ${reply}</p>`], [replyToReply, `<p>Imported ${replyToReply}</p>`]].sort(), 'the imported comments keep theirs')

  const again = await restore(app, t, article.id)
  t.equal(again.statusCode, 404)
})

t.test('a restore with no clash renumbers nothing', async (t) => {
  const app = await build(t, { commentsAutoApprove: true })
  const { article } = await richArticle(app, t)
  await trash(app, t, article.id)
  t.same((await restore(app, t, article.id)).json().renumberedComments, [])
})

t.test('bad input to the trash is a 4xx naming it', async (t) => {
  const app = await build(t)
  const list = await get(app, t, '/v1/trash?limit=0', admin)
  t.equal(list.statusCode, 400)
  t.match(list.json().errors, [{ path: 'querystring.limit' }])
  const unknown = await get(app, t, '/v1/trash?sort=title', admin)
  t.equal(unknown.statusCode, 400)
  const empty = await request(app, t, { method: 'DELETE', url: '/v1/trash?all=true', headers: bearer(await tokenFor(app, 'editor')) })
  t.equal(empty.statusCode, 400, 'emptying takes no parameters')
  t.equal((await request(app, t, { method: 'PUT', url: '/v1/trash/1', headers: admin })).statusCode, 405)
})
