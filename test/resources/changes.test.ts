import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import t, { type Test } from 'tap'
import { prune } from '../../src/resources/changes/service.js'
import { adminSecret, bearer, build, createArticle, createAuthor, request, lastingDatabaseUrl, tokenFor } from '../helper.js'
import { assertProblem } from '../problems.js'

// GET /v1/changes (issue 20): the change log written with every change to an article, read in
// order, paged, filtered, as each kind of reader may see it; pruned past its retention (410).

type Item = Record<string, any>

async function changes (app: FastifyInstance, t: Test, query = '', secret?: string, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
  return await request(app, t, { method: 'GET', url: `/v1/changes${query}`, headers: { ...headers, ...(secret === undefined ? {} : bearer(secret)) } })
}

/** Every entry after `since`, following `meta.nextSince` page by page until the head. */
async function follow (app: FastifyInstance, t: Test, since: number, secret?: string, extra = ''): Promise<Item[]> {
  const seen: Item[] = []
  for (let pages = 0; pages < 100; pages++) {
    const response = await changes(app, t, `?since=${since}${extra}`, secret)
    t.equal(response.statusCode, 200)
    const { data, meta } = response.json()
    seen.push(...data)
    if (meta.nextSince === meta.head) return seen
    t.ok(meta.nextSince > since, 'each page moves on')
    since = meta.nextSince
  }
  throw new Error('the log did not end')
}

async function head (app: FastifyInstance, t: Test): Promise<number> {
  return (await changes(app, t, '', adminSecret)).json().meta.head
}

async function patch (app: FastifyInstance, t: Test, id: number, payload: object, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
  return await request(app, t, { method: 'PATCH', url: `/v1/articles/${id}`, headers: { ...bearer(adminSecret), ...headers }, payload })
}

const summary = (entries: Item[]) => entries.map((entry) => [entry.kind, entry.id])

t.test('an editor sees every change to an article, in order, with the fields each wrote', async (t) => {
  const app = await build(t)
  const author = await createAuthor(app, t)
  const start = await head(app, t)
  const article = await createArticle(app, t, { authorId: author.id, title: 'Tram line', labels: ['Transport'] })
  await patch(app, t, article.id, { title: 'Tram line approved' })
  await patch(app, t, article.id, { status: 'published' })
  await patch(app, t, article.id, { labels: ['Transport', 'Council'] })
  await patch(app, t, article.id, { status: 'draft' })
  await patch(app, t, article.id, { status: 'scheduled', publishedAt: '2999-01-01T00:00:00Z' })
  t.equal((await request(app, t, { method: 'DELETE', url: `/v1/articles/${article.id}`, headers: bearer(adminSecret) })).statusCode, 204)
  t.equal((await request(app, t, { method: 'POST', url: `/v1/trash/${article.id}/restore`, headers: bearer(adminSecret) })).statusCode, 200)
  t.equal((await request(app, t, { method: 'DELETE', url: `/v1/articles/${article.id}`, headers: bearer(adminSecret) })).statusCode, 204)
  t.equal((await request(app, t, { method: 'DELETE', url: `/v1/trash/${article.id}`, headers: bearer(adminSecret) })).statusCode, 204)

  const entries = await follow(app, t, start, adminSecret, '&resource=article')
  const id = String(article.id)
  t.same(summary(entries), [['created', id], ['updated', id], ['published', id], ['updated', id], ['unpublished', id], ['scheduled', id], ['trashed', id], ['restored', id], ['trashed', id], ['purged', id]])
  t.same(entries[1]!.fields, ['title'], 'an edit names the fields it wrote')
  t.same(entries[3]!.fields, ['labels'])
  t.ok(entries[0]!.fields.includes('labels') && entries[0]!.fields.includes('body'), 'a creation names every field')
  t.same(entries.map((entry) => entry.position), [...entries.map((entry) => entry.position)].sort((a, b) => a - b), 'positions go up')
  t.equal(new Set(entries.map((entry) => entry.position)).size, entries.length, 'each once')
  t.equal(entries.at(-1)!.slug, article.slug, 'a purge names the last slug')
  for (const entry of entries) t.equal(entry.articleId, article.id)
})

t.test('a reader without a token sees only what it could see: publication as creation, unpublishing and trashing as removal', async (t) => {
  const app = await build(t)
  const author = await createAuthor(app, t)
  const start = await head(app, t)
  const draft = await createArticle(app, t, { authorId: author.id, title: 'Still a draft' })
  await patch(app, t, draft.id, { title: 'Still a draft, edited' })
  const story = await createArticle(app, t, { authorId: author.id, title: 'Flood warning' })
  await patch(app, t, story.id, { status: 'published' })
  await patch(app, t, story.id, { body: '<p>Rivers rising.</p>' })
  await patch(app, t, story.id, { slug: 'flood-warning-lifted', status: 'draft' })
  const other = await createArticle(app, t, { authorId: author.id, title: 'Market day', status: 'published' })
  t.equal((await request(app, t, { method: 'DELETE', url: `/v1/articles/${other.id}`, headers: bearer(adminSecret) })).statusCode, 204)

  const seen = await follow(app, t, start)
  t.same(summary(seen), [['created', String(story.id)], ['updated', String(story.id)], ['removed', String(story.id)], ['created', String(other.id)], ['removed', String(other.id)]])
  t.same(seen[1]!.fields, ['excerpt', 'body'], 'the excerpt follows the body')
  t.equal(seen[2]!.slug, 'flood-warning-lifted', 'a removal carries the last slug')
  t.same(seen[2]!.fields, [], 'and says nothing of what the hidden article became')
  t.notOk(seen.some((entry) => entry.id === String(draft.id)), 'a draft\'s changes are invisible')

  const authorSecret = await tokenFor(app, 'author', author.id)
  const own = await follow(app, t, start, authorSecret)
  t.ok(own.some((entry) => entry.id === String(draft.id) && entry.kind === 'updated'), 'an author token sees its own drafts\' changes as they are')
})

t.test('pages follow on from nextSince, with a Link to the next, and filter by resource and kind', async (t) => {
  const app = await build(t)
  const author = await createAuthor(app, t)
  const start = await head(app, t)
  for (let i = 0; i < 5; i++) await createArticle(app, t, { authorId: author.id, title: `Story ${i}`, status: 'published' })
  const first = await changes(app, t, `?since=${start}&limit=2`)
  t.equal(first.statusCode, 200)
  const page = first.json()
  t.equal(page.data.length, 2)
  t.equal(page.meta.nextSince, page.data[1].position)
  t.match(String(first.headers.link), new RegExp(`since=${page.meta.nextSince}.*rel="next"`))
  const all = await follow(app, t, start, undefined, '&limit=2')
  t.equal(all.length, 5, 'every entry once across the pages')
  t.same(await follow(app, t, start, undefined, '&kind=removed'), [], 'a kind filter')
  t.equal((await follow(app, t, start, undefined, '&resource=article')).length, 5, 'a resource filter')
  t.equal((await follow(app, t, start, undefined, '&resource=comment')).length, 0)
  assertProblem(t, await changes(app, t, '?resource=articles'), 400, 'validation', 'querystring.resource')
  assertProblem(t, await changes(app, t, '?kind=exploded'), 400, 'validation', 'querystring.kind')
  assertProblem(t, await changes(app, t, '?since=-1'), 400, 'validation', 'querystring.since')
  const upToDate = await changes(app, t, `?since=${page.meta.head}`)
  t.same(upToDate.json().data, [])
  t.equal(upToDate.headers.link, undefined, 'no next page at the head')
})

t.test('a scheduled article appears when its time comes; ETags answer 304 until something changes', async (t) => {
  const app = await build(t)
  const author = await createAuthor(app, t)
  const start = await head(app, t)
  const soon = new Date(Date.now() + 1200).toISOString()
  const article = await createArticle(app, t, { authorId: author.id, title: 'Embargoed', status: 'published', publishedAt: soon })
  t.equal(article.status, 'scheduled')
  const before = await changes(app, t, `?since=${start}`)
  t.same(before.json().data, [], 'nothing to see before its time')
  const again = await changes(app, t, `?since=${start}`, undefined, { 'if-none-match': String(before.headers.etag) })
  t.equal(again.statusCode, 304)
  await new Promise((resolve) => setTimeout(resolve, 1500))
  const after = await changes(app, t, `?since=${start}`, undefined, { 'if-none-match': String(before.headers.etag) })
  t.equal(after.statusCode, 200, 'publishing changed the log')
  t.same(summary(after.json().data), [['created', String(article.id)]])
  t.same(summary(await follow(app, t, start, adminSecret)), [['scheduled', String(article.id)], ['published', String(article.id)]].map(([kind, id]) => kind === 'scheduled' ? ['created', id] : [kind, id]))
})

t.test('a write that fails leaves no entry', async (t) => {
  const app = await build(t)
  const author = await createAuthor(app, t)
  const article = await createArticle(app, t, { authorId: author.id })
  const before = await head(app, t)
  const stale = await patch(app, t, article.id, { title: 'Lost update' }, { 'if-match': '"article-1-v0"' })
  t.equal(stale.statusCode, 412)
  const taken = await createArticle(app, t, { authorId: author.id, slug: 'taken' })
  assertProblem(t, await patch(app, t, article.id, { slug: taken.slug }), 409, 'slug-taken')
  const entries = await follow(app, t, before, adminSecret)
  t.same(summary(entries), [['created', String(taken.id)]], 'the refused edits wrote nothing to the log')
})

t.test('past its retention the log is pruned, and a since before that answers 410', async (t) => {
  const app = await build(t)
  const author = await createAuthor(app, t)
  await createArticle(app, t, { authorId: author.id, status: 'published' })
  const last = await head(app, t)
  t.ok(last > 0)
  await prune(app.store, 90, Date.now() + 91 * 24 * 60 * 60 * 1000)
  assertProblem(t, await changes(app, t, '?since=0'), 410, 'gone')
  const current = await changes(app, t, `?since=${last}`)
  t.equal(current.statusCode, 200, 'following from the head goes on')
  t.equal(current.json().meta.head, last, 'positions do not start again')
  await createArticle(app, t, { authorId: author.id, status: 'published' })
  const next = (await changes(app, t, `?since=${last}`)).json()
  t.equal(next.data.length, 1)
  t.ok(next.data[0].position > last, 'the next entry comes after the pruned ones')
})

t.test('an import writes an entry per article it creates or changes, none for what it leaves as it was', async (t) => {
  const source = await build(t)
  const author = await createAuthor(source, t)
  const first = await createArticle(source, t, { authorId: author.id, title: 'From the old blog', status: 'published' })
  await createArticle(source, t, { authorId: author.id, title: 'A draft there' })
  const exported = (await request(source, t, { method: 'GET', url: '/v1/export', headers: bearer(adminSecret) })).body
  const importInto = async (app: FastifyInstance, payload: string) => {
    const imported = await request(app, t, { method: 'POST', url: '/v1/import', headers: { ...bearer(adminSecret), 'content-type': 'application/x-ndjson' }, payload })
    t.equal(imported.statusCode, 200, imported.body.slice(0, 300))
  }
  const app = await build(t)
  await importInto(app, exported)
  const editorView = await follow(app, t, 0, adminSecret, '&resource=article')
  t.same(editorView.map((entry) => entry.kind), ['created', 'created'])
  t.same(summary(await follow(app, t, 0, undefined, '&resource=article')), [['created', String(first.id)]], 'a reader sees the published one arrive')
  t.same(summary(await follow(app, t, 0, undefined, '&resource=author')), [['created', String(author.id)]], 'and its author')
  const head = editorView.at(-1)!.position
  await importInto(app, exported)
  t.same(await follow(app, t, head, adminSecret), [], 'importing the same file again changes nothing')
})

const write = async (app: FastifyInstance, t: Test, method: string, url: string, payload?: object, secret: string | null = adminSecret): Promise<LightMyRequestResponse> =>
  await request(app, t, { method, url, headers: secret === null ? {} : bearer(secret), ...(payload === undefined ? {} : { payload }) })

t.test('comments: a reader sees one arrive when it is approved on a visible article, and go when it is not any more', async (t) => {
  const app = await build(t)
  const author = await createAuthor(app, t)
  const article = await createArticle(app, t, { authorId: author.id, status: 'published' })
  const start = await head(app, t)
  const posted = await write(app, t, 'POST', `/v1/articles/${article.id}/comments`, { authorName: 'A reader', authorEmail: 'reader@example.org', body: 'First!' }, null)
  t.equal(posted.statusCode, 201)
  const comment = posted.json()
  t.same(await follow(app, t, start), [], 'a pending comment is invisible')
  t.equal((await write(app, t, 'PATCH', `/v1/comments/${comment.id}`, { status: 'approved' })).statusCode, 200)
  t.equal((await write(app, t, 'PATCH', `/v1/comments/${comment.id}`, { body: 'First, edited.' })).statusCode, 200)
  t.equal((await write(app, t, 'PATCH', `/v1/comments/${comment.id}`, { status: 'spam' })).statusCode, 200)
  t.equal((await write(app, t, 'DELETE', `/v1/comments/${comment.id}`)).statusCode, 204)
  const id = String(comment.id)
  const seen = await follow(app, t, start)
  t.same(summary(seen), [['created', id], ['updated', id], ['removed', id]])
  t.ok(seen.every((entry) => entry.resource === 'comment' && entry.articleId === article.id), 'each names the article a live page follows')
  t.same(summary(await follow(app, t, start, adminSecret)), [['created', id], ['approved', id], ['updated', id], ['unapproved', id], ['deleted', id]])
  t.notMatch(JSON.stringify(await follow(app, t, start, adminSecret)), /reader@example\.org/, 'no email in the log')
})

t.test('authors and day notes: created, updated and deleted; an email change is the editors\' business', async (t) => {
  const app = await build(t)
  const start = await head(app, t)
  const author = await createAuthor(app, t, { name: 'Rhea Vision', email: 'rhea@example.org' })
  t.equal((await write(app, t, 'PATCH', `/v1/authors/${author.id}`, { email: 'rhea@elsewhere.example' })).statusCode, 200)
  t.equal((await write(app, t, 'PATCH', `/v1/authors/${author.id}`, { bio: 'Covers the council.' })).statusCode, 200)
  t.equal((await write(app, t, 'POST', '/v1/dates', { date: '2024-12-24', note: 'No paper tomorrow.' })).statusCode, 201)
  t.equal((await write(app, t, 'PATCH', '/v1/dates/2024-12-24', { note: 'No paper on the 25th.' })).statusCode, 200)
  t.equal((await write(app, t, 'DELETE', '/v1/dates/2024-12-24')).statusCode, 204)
  t.equal((await write(app, t, 'DELETE', `/v1/authors/${author.id}`)).statusCode, 204)
  const id = String(author.id)
  const seen = await follow(app, t, start)
  t.same(seen.map((entry) => [entry.resource, entry.kind, entry.id, entry.fields]), [
    ['author', 'created', id, ['slug', 'name', 'bio', 'avatarUrl', 'url']],
    ['author', 'updated', id, ['bio']],
    ['day', 'created', '2024-12-24', ['note']],
    ['day', 'updated', '2024-12-24', ['note']],
    ['day', 'removed', '2024-12-24', []],
    ['author', 'removed', id, []]
  ], 'a reader never learns that an email changed')
  const edited = (await follow(app, t, start, adminSecret)).filter((entry) => entry.resource === 'author')
  t.same(edited.map((entry) => [entry.kind, entry.fields]), [
    ['created', ['slug', 'name', 'bio', 'avatarUrl', 'url', 'email']],
    ['updated', ['email']],
    ['updated', ['bio']],
    ['deleted', []]
  ], 'editors see every change')
  t.equal(seen[0]!.slug, author.slug)
})

t.test('labels: made by their first article or an editor, renamed, deleted with their last article or by an editor; readers see those in use', async (t) => {
  const app = await build(t)
  const author = await createAuthor(app, t)
  const start = await head(app, t)
  const draft = await createArticle(app, t, { authorId: author.id, title: 'Harbour plans', labels: ['Harbour'] })
  const story = await createArticle(app, t, { authorId: author.id, title: 'Ferry returns', status: 'published', labels: ['harbour', 'Ferry'] })
  const tides = (await write(app, t, 'POST', '/v1/labels', { name: 'Tides' })).json()
  const labelId = async (name: string) => String((await request(app, t, { method: 'GET', url: '/v1/labels', headers: bearer(adminSecret) })).json().data.find((label: Item) => label.name === name).id)
  const [harbour, ferry] = [await labelId('Harbour'), await labelId('Ferry')]
  t.equal((await write(app, t, 'PATCH', `/v1/labels/${harbour}`, { name: 'Harbour wall' })).statusCode, 200)
  t.equal((await write(app, t, 'DELETE', `/v1/labels/${ferry}`)).statusCode, 204)
  t.equal((await patch(app, t, draft.id, { labels: ['Quay'] })).statusCode, 200)
  t.equal((await patch(app, t, story.id, { labels: [] })).statusCode, 200)

  const [d, s] = [String(draft.id), String(story.id)]
  const edited = await follow(app, t, start, adminSecret, '&resource=label,article')
  t.same(edited.map((entry) => [entry.resource, entry.kind, entry.id, entry.fields]), [
    ['article', 'created', d, edited[0]!.fields],
    ['label', 'created', harbour, ['name']],
    ['article', 'created', s, edited[2]!.fields],
    ['label', 'created', ferry, ['name']],
    ['label', 'created', String(tides.id), ['name']],
    ['label', 'updated', harbour, ['name']],
    ['article', 'updated', d, ['labels']],
    ['article', 'updated', s, ['labels']],
    ['label', 'deleted', ferry, []],
    ['article', 'updated', s, ['labels']],
    ['article', 'updated', d, ['labels']],
    ['label', 'created', await labelId('Quay'), ['name']],
    ['article', 'updated', s, ['labels']],
    ['label', 'deleted', harbour, []]
  ], 'editors: every label made and deleted, and each article a rename or delete changed')
  t.ok(edited.filter((entry) => entry.resource === 'label').every((entry) => /^[a-z-]+$/.test(entry.slug) && entry.articleId === null), 'a label entry names its slug and no article')

  const seen = await follow(app, t, start, undefined, '&resource=label,article')
  t.same(seen.map((entry) => [entry.resource, entry.kind, entry.id, entry.fields]), [
    ['article', 'created', s, seen[0]!.fields],
    ['label', 'created', ferry, ['name']],
    ['label', 'updated', harbour, ['name']],
    ['article', 'updated', s, ['labels']],
    ['label', 'removed', ferry, []],
    ['article', 'updated', s, ['labels']],
    ['article', 'updated', s, ['labels']],
    ['label', 'removed', harbour, []]
  ], 'readers: labels while a published article carries them, and only the published article\'s updates')
})

t.test('an author deleted with reassignTo: each article handed over is updated (authorId), public as the article is', async (t) => {
  const app = await build(t)
  const leaving = await createAuthor(app, t, { name: 'Lee Leaving' })
  const heir = await createAuthor(app, t, { name: 'Hana Heir' })
  const story = await createArticle(app, t, { authorId: leaving.id, title: 'Last column', status: 'published' })
  const draft = await createArticle(app, t, { authorId: leaving.id, title: 'Unfinished column' })
  const untouched = await createArticle(app, t, { authorId: heir.id, title: 'Heir\'s own', status: 'published' })
  const start = await head(app, t)
  t.equal((await write(app, t, 'DELETE', `/v1/authors/${leaving.id}?reassignTo=${heir.slug}`)).statusCode, 204)

  const edited = await follow(app, t, start, adminSecret)
  t.same(edited.map((entry) => [entry.resource, entry.kind, entry.id, entry.fields]), [
    ['article', 'updated', String(story.id), ['authorId']],
    ['article', 'updated', String(draft.id), ['authorId']],
    ['author', 'deleted', String(leaving.id), []]
  ], 'editors: every article handed over, then the author gone')
  t.same(edited.slice(0, 2).map((entry) => [entry.slug, entry.articleId]), [[story.slug, story.id], [draft.slug, draft.id]])
  t.notOk(edited.some((entry) => entry.id === String(untouched.id)), 'the heir\'s own articles are not touched')
  t.same(summary(await follow(app, t, start)), [['updated', String(story.id)], ['removed', String(leaving.id)]], 'readers: the published article only')
  const heirToken = await tokenFor(app, 'author', heir.id)
  t.same(summary(await follow(app, t, start, heirToken, '&resource=article')), [['updated', String(story.id)], ['updated', String(draft.id)]], 'the heir\'s token: its new draft too')
  t.equal((await request(app, t, { method: 'GET', url: `/v1/articles/${draft.id}`, headers: bearer(adminSecret) })).json().authorId, heir.id)
})

t.test('writers on two instances at once: a reader following the log sees every entry once, in order, never one behind its position', async (t) => {
  const databaseUrl = await lastingDatabaseUrl(t)
  const first = await build(t, { databaseUrl })
  const second = await build(t, { databaseUrl })
  const author = await createAuthor(first, t)
  const start = await head(first, t)
  const writers = Array.from({ length: 40 }, async (_, i) => await createArticle(i % 2 === 0 ? first : second, t, { authorId: author.id, title: `Story ${i}`, status: 'published' }))
  let writing = true
  const settled = Promise.all(writers).finally(() => { writing = false })
  const seen: Item[] = []
  let since = start
  for (let polls = 0; polls < 10_000; polls++) {
    // A poller's turn every few milliseconds, as a client's, so the writers are not starved.
    await new Promise((resolve) => setTimeout(resolve, 3))
    const stillWriting = writing
    const { data, meta } = (await changes(second, t, `?since=${since}`)).json()
    seen.push(...data)
    since = meta.nextSince
    if (!stillWriting && since === meta.head) break
  }
  await settled
  const positions = seen.map((entry) => entry.position)
  t.equal(seen.length, 40, 'every entry')
  t.same(positions, [...new Set(positions)].sort((a, b) => a - b), 'each once, in order')
  t.same(seen, await follow(first, t, start), 'what the poller saw as it went is what the log holds')
})
