import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import t, { type Test } from 'tap'
import { adminSecret, bearer, build, createArticle, createAuthor, request, tokenFor } from '../helper.js'
import { assertProblem } from '../problems.js'



async function getAuthor (app: FastifyInstance, t: Test, idOrSlug: string | number, secret?: string): Promise<LightMyRequestResponse> {
  return request(app, t, { method: 'GET', url: `/v1/authors/${idOrSlug}`, headers: secret === undefined ? {} : bearer(secret) })
}

async function publish (app: FastifyInstance, t: Test, authorId: number, title: string, publishedAt = '2020-03-01T10:00:00.000Z'): Promise<Record<string, any>> {
  return createArticle(app, t, { title, authorId, status: 'published', publishedAt })
}

function nextLink (response: LightMyRequestResponse): string | undefined {
  return /<([^>]+)>;\s*rel="next"/.exec(String(response.headers.link ?? ''))?.[1]
}

function prevLink (response: LightMyRequestResponse): string | undefined {
  return /<([^>]+)>;\s*rel="prev"/.exec(String(response.headers.link ?? ''))?.[1]
}

t.test('creating an author answers 201 with a Location that reads back the same author', async (t) => {
  const app = await build(t)
  const created = await request(app, t, {
    method: 'POST',
    url: '/v1/authors',
    headers: bearer(adminSecret),
    payload: { name: 'Zoë Lindqvist', bio: 'Covers the river.', url: 'https://example.org/zoe', avatarUrl: 'http://example.org/zoe.png', email: 'zoe@example.org' }
  })
  t.equal(created.statusCode, 201)
  const author = created.json()
  t.equal(created.headers.location, `/v1/authors/${author.id}`)
  t.ok(created.headers.etag, 'has an ETag')
  t.match(author, {
    slug: 'zoe-lindqvist',
    name: 'Zoë Lindqvist',
    bio: 'Covers the river.',
    url: 'https://example.org/zoe',
    avatarUrl: 'http://example.org/zoe.png',
    email: 'zoe@example.org',
    articleCount: 0
  })
  t.match(author.createdAt, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/)
  t.equal(author.updatedAt, author.createdAt)

  const read = await request(app, t, { method: 'GET', url: String(created.headers.location), headers: bearer(adminSecret) })
  t.equal(read.statusCode, 200)
  t.same(read.json(), author)
})

t.test('the name is trimmed before it is stored and slugged', async (t) => {
  const app = await build(t)
  const author = await createAuthor(app, t, { name: '  Padded Name  ' })
  t.equal(author.name, 'Padded Name')
  t.equal(author.slug, 'padded-name')
  t.equal((await getAuthor(app, t, 'padded-name')).json().name, 'Padded Name')
})

t.test('optional author fields default to null and accept null', async (t) => {
  const app = await build(t)
  const bare = await createAuthor(app, t, { name: 'Bare Bones' })
  t.same([bare.bio, bare.avatarUrl, bare.url, bare.email], [null, null, null, null])
  const explicit = await createAuthor(app, t, { name: 'Null Hypothesis', bio: null, avatarUrl: null, url: null, email: null })
  t.same([explicit.bio, explicit.avatarUrl, explicit.url, explicit.email], [null, null, null, null])
})

t.test('PATCH with bio: null clears the bio and leaves other fields alone', async (t) => {
  const app = await build(t)
  const author = await createAuthor(app, t, { name: 'Clara Bell', bio: 'Old bio', url: 'https://example.org/clara', avatarUrl: 'https://example.org/c.png' })
  const patched = await request(app, t, { method: 'PATCH', url: `/v1/authors/${author.id}`, headers: bearer(adminSecret), payload: { bio: null, avatarUrl: null } })
  t.equal(patched.statusCode, 200)
  t.equal(patched.json().bio, null)
  t.equal(patched.json().avatarUrl, null)
  t.equal(patched.json().url, 'https://example.org/clara')
  const read = (await getAuthor(app, t, author.id)).json()
  t.equal(read.bio, null)
  t.equal(read.avatarUrl, null)
  t.equal(read.url, 'https://example.org/clara')
  t.equal(read.name, 'Clara Bell')
})

t.test('a PATCH changes only the given fields and moves updatedAt', async (t) => {
  const app = await build(t)
  const author = await createAuthor(app, t, { name: 'Dora Keel', bio: 'Sport.' })
  await new Promise((resolve) => setTimeout(resolve, 5))
  const patched = await request(app, t, { method: 'PATCH', url: `/v1/authors/${author.id}`, headers: bearer(adminSecret), payload: { name: 'Dora Keel-Hart' } })
  t.equal(patched.statusCode, 200)
  const body = patched.json()
  t.equal(body.name, 'Dora Keel-Hart')
  t.equal(body.bio, 'Sport.')
  t.equal(body.createdAt, author.createdAt)
  t.ok(body.updatedAt > author.updatedAt, 'updatedAt moved forward')
})

t.test('slugs are derived from the name, folded, unique and stable when the name changes', async (t) => {
  const app = await build(t)
  const first = await createAuthor(app, t, { name: 'Zoë Lindqvist' })
  const second = await createAuthor(app, t, { name: 'Zoë Lindqvist' })
  const third = await createAuthor(app, t, { name: 'ZOE  lindqvist!' })
  t.equal(first.slug, 'zoe-lindqvist')
  t.equal(second.slug, 'zoe-lindqvist-2')
  t.equal(third.slug, 'zoe-lindqvist-3')

  const renamed = await request(app, t, { method: 'PATCH', url: `/v1/authors/${first.id}`, headers: bearer(adminSecret), payload: { name: 'Zoë Lindqvist-Moreau' } })
  t.equal(renamed.statusCode, 200)
  t.equal(renamed.json().slug, 'zoe-lindqvist', 'the slug stays when the name changes')

  const digits = await createAuthor(app, t, { name: '2049' })
  t.match(digits.slug, /\p{Ll}/u, 'a name of digits still gets a slug with a letter')
  t.equal((await getAuthor(app, t, digits.slug)).json().id, digits.id)
})

t.test('an explicit slug is used, and a taken one is a 409 slug-taken', async (t) => {
  const app = await build(t)
  const first = await createAuthor(app, t, { name: 'Tomas Brennan', slug: 'tomas' })
  t.equal(first.slug, 'tomas')
  const taken = await request(app, t, { method: 'POST', url: '/v1/authors', headers: bearer(adminSecret), payload: { name: 'Another Tomas', slug: 'tomas' } })
  assertProblem(t, taken, 409, 'slug-taken')
  const list = await request(app, t, { method: 'GET', url: '/v1/authors' })
  t.equal(list.json().meta.total, 1, 'nothing was created')

  const other = await createAuthor(app, t, { name: 'Amara Whitcombe' })
  const patchTaken = await request(app, t, { method: 'PATCH', url: `/v1/authors/${other.id}`, headers: bearer(adminSecret), payload: { slug: 'tomas' } })
  assertProblem(t, patchTaken, 409, 'slug-taken')
  t.equal((await getAuthor(app, t, other.id)).json().slug, 'amara-whitcombe')

  const sameSlug = await request(app, t, { method: 'PATCH', url: `/v1/authors/${first.id}`, headers: bearer(adminSecret), payload: { slug: 'tomas' } })
  t.equal(sameSlug.statusCode, 200, 'giving an author its own slug is not a conflict')
})

t.test('a new slug replaces the old one in paths', async (t) => {
  const app = await build(t)
  const author = await createAuthor(app, t, { name: 'Rhea Fenwick' })
  const patched = await request(app, t, { method: 'PATCH', url: '/v1/authors/rhea-fenwick', headers: bearer(adminSecret), payload: { slug: 'rhea' } })
  t.equal(patched.statusCode, 200)
  t.equal(patched.json().slug, 'rhea')
  t.equal((await getAuthor(app, t, 'rhea')).json().id, author.id)
  assertProblem(t, await getAuthor(app, t, 'rhea-fenwick'), 404, 'not-found')
})

t.test('slugs must be lower-case words with at least one letter', async (t) => {
  const app = await build(t)
  for (const slug of ['12345', 'Upper-Case', 'two words', '-leading', 'double--hyphen']) {
    const response = await request(app, t, { method: 'POST', url: '/v1/authors', headers: bearer(adminSecret), payload: { name: 'Slug Tester', slug } })
    assertProblem(t, response, 400, 'validation', { paths: ['body.slug'] })
  }
  t.equal((await request(app, t, { method: 'GET', url: '/v1/authors' })).json().meta.total, 0)
})

t.test('every author path accepts the id or the slug', async (t) => {
  const app = await build(t)
  const author = await createAuthor(app, t, { name: 'Ines Marlow' })
  const byId = await getAuthor(app, t, author.id)
  const bySlug = await getAuthor(app, t, 'ines-marlow')
  t.equal(byId.statusCode, 200)
  t.equal(bySlug.statusCode, 200)
  t.same(bySlug.json(), byId.json())

  const patched = await request(app, t, { method: 'PATCH', url: '/v1/authors/ines-marlow', headers: bearer(adminSecret), payload: { bio: 'By slug.' } })
  t.equal(patched.statusCode, 200)
  t.equal((await getAuthor(app, t, author.id)).json().bio, 'By slug.')

  const removed = await request(app, t, { method: 'DELETE', url: '/v1/authors/ines-marlow', headers: bearer(adminSecret) })
  t.equal(removed.statusCode, 204)
  t.equal(removed.body, '')
  assertProblem(t, await getAuthor(app, t, author.id), 404, 'not-found')
})

t.test('an unknown author is a 404 problem by id and by slug, for reads and writes', async (t) => {
  const app = await build(t)
  assertProblem(t, await getAuthor(app, t, 999), 404, 'not-found')
  assertProblem(t, await getAuthor(app, t, 'nobody-here'), 404, 'not-found')
  assertProblem(t, await request(app, t, { method: 'PATCH', url: '/v1/authors/999', headers: bearer(adminSecret), payload: { bio: 'x' } }), 404, 'not-found')
  assertProblem(t, await request(app, t, { method: 'DELETE', url: '/v1/authors/nobody-here', headers: bearer(adminSecret) }), 404, 'not-found')
})

t.test('email is shown to editors, admins and the author themself, never to anonymous readers or other authors', async (t) => {
  const app = await build(t)
  const zoe = await createAuthor(app, t, { name: 'Zoë Lindqvist', email: 'zoe@example.org' })
  const tomas = await createAuthor(app, t, { name: 'Tomas Brennan', email: 'tomas@example.com' })
  const zoeToken = await tokenFor(app, 'author', zoe.id)
  const tomasToken = await tokenFor(app, 'author', tomas.id)
  const editorToken = await tokenFor(app, 'editor')

  const anonymous = await getAuthor(app, t, zoe.id)
  t.equal(anonymous.statusCode, 200)
  t.notOk('email' in anonymous.json(), 'anonymous: no email')
  t.notOk(anonymous.body.includes('zoe@example.org'))
  t.equal((await getAuthor(app, t, zoe.id, editorToken)).json().email, 'zoe@example.org', 'editor sees it')
  t.equal((await getAuthor(app, t, zoe.id, adminSecret)).json().email, 'zoe@example.org', 'admin sees it')
  t.equal((await getAuthor(app, t, zoe.id, zoeToken)).json().email, 'zoe@example.org', 'the author sees their own')
  const other = await getAuthor(app, t, zoe.id, tomasToken)
  t.equal(other.statusCode, 200)
  t.notOk('email' in other.json(), 'another author does not')

  const anonymousList = await request(app, t, { method: 'GET', url: '/v1/authors' })
  t.notOk(anonymousList.body.includes('@example'), 'no email in the anonymous list')
  const zoeList = await request(app, t, { method: 'GET', url: '/v1/authors', headers: bearer(zoeToken) })
  const byName = new Map(zoeList.json().data.map((author: Record<string, any>) => [author.name, author]))
  t.equal((byName.get('Zoë Lindqvist') as Record<string, any>).email, 'zoe@example.org')
  t.notOk('email' in (byName.get('Tomas Brennan') as Record<string, any>), 'the list hides other authors\' email from an author')
  const editorList = await request(app, t, { method: 'GET', url: '/v1/authors', headers: bearer(editorToken) })
  t.same(editorList.json().data.map((author: Record<string, any>) => author.email).sort(), ['tomas@example.com', 'zoe@example.org'])

  const sparse = await request(app, t, { method: 'GET', url: `/v1/authors/${zoe.id}?fields=name,email` })
  t.equal(sparse.statusCode, 200)
  t.same(sparse.json(), { id: zoe.id, name: 'Zoë Lindqvist' }, 'asking for email with fields= does not reveal it')
})

t.test('articleCount counts only published articles visible now', async (t) => {
  const app = await build(t)
  const author = await createAuthor(app, t, { name: 'Count Me' })
  const other = await createAuthor(app, t, { name: 'Someone Else' })
  await publish(app, t, author.id, 'First published')
  await publish(app, t, author.id, 'Second published', '2021-05-05T08:00:00.000Z')
  await createArticle(app, t, { title: 'A draft', authorId: author.id, status: 'draft' })
  await createArticle(app, t, { title: 'Scheduled', authorId: author.id, status: 'scheduled', publishedAt: '2099-01-01T00:00:00.000Z' })
  await createArticle(app, t, { title: 'Future published', authorId: author.id, status: 'published', publishedAt: '2098-01-01T00:00:00.000Z' })
  await publish(app, t, other.id, 'Not theirs')

  t.equal((await getAuthor(app, t, author.id)).json().articleCount, 2, 'anonymous')
  t.equal((await getAuthor(app, t, author.id, adminSecret)).json().articleCount, 2, 'admin: still published ones only')
  const list = await request(app, t, { method: 'GET', url: '/v1/authors' })
  const counts = Object.fromEntries(list.json().data.map((row: Record<string, any>) => [row.name, row.articleCount]))
  t.same(counts, { 'Count Me': 2, 'Someone Else': 1 })
})

t.test('a scheduled article counts once it is due', async (t) => {
  const app = await build(t)
  const author = await createAuthor(app, t, { name: 'Timely Writer' })
  const dueAt = new Date(Date.now() + 1200).toISOString()
  const scheduled = await createArticle(app, t, { title: 'Right on time', authorId: author.id, status: 'scheduled', publishedAt: dueAt })
  t.equal(scheduled.status, 'scheduled')
  t.equal((await getAuthor(app, t, author.id)).json().articleCount, 0, 'not yet')
  await new Promise((resolve) => setTimeout(resolve, 1500))
  const after = await request(app, t, { method: 'GET', url: `/v1/authors/${author.id}?include=articles` })
  t.equal(after.json().articleCount, 1, 'counted once due')
  t.same(after.json().articles.map((a: Record<string, any>) => a.id), [scheduled.id])
  t.equal(after.json().articles[0].status, 'published')
})

t.test('sort orders authors by name (default), createdAt and articleCount', async (t) => {
  const app = await build(t)
  const bea = await createAuthor(app, t, { name: 'Bea Quill' })
  const abe = await createAuthor(app, t, { name: 'Abe Stone' })
  const cy = await createAuthor(app, t, { name: 'Cy Dunn' })
  const dee = await createAuthor(app, t, { name: 'Dee Ray' })
  for (let i = 0; i < 3; i++) await publish(app, t, bea.id, `Bea story ${i}`)
  await publish(app, t, abe.id, 'Abe story')
  await publish(app, t, dee.id, 'Dee story')
  await createArticle(app, t, { title: 'Cy draft one', authorId: cy.id, status: 'draft' })
  await createArticle(app, t, { title: 'Cy draft two', authorId: cy.id, status: 'draft' })

  const names = async (query: string): Promise<string[]> => {
    const response = await request(app, t, { method: 'GET', url: `/v1/authors${query}` })
    t.equal(response.statusCode, 200, `GET /v1/authors${query}`)
    return response.json().data.map((author: Record<string, any>) => author.name)
  }
  t.same(await names(''), ['Abe Stone', 'Bea Quill', 'Cy Dunn', 'Dee Ray'], 'default: name')
  t.same(await names('?sort=name'), ['Abe Stone', 'Bea Quill', 'Cy Dunn', 'Dee Ray'])
  t.same(await names('?sort=-name'), ['Dee Ray', 'Cy Dunn', 'Bea Quill', 'Abe Stone'])
  t.same(await names('?sort=createdAt'), ['Bea Quill', 'Abe Stone', 'Cy Dunn', 'Dee Ray'])
  t.same(await names('?sort=-createdAt'), ['Dee Ray', 'Cy Dunn', 'Abe Stone', 'Bea Quill'])
  t.same(await names('?sort=-articleCount,name'), ['Bea Quill', 'Abe Stone', 'Dee Ray', 'Cy Dunn'], 'drafts do not count')
  t.same(await names('?sort=articleCount,-name'), ['Cy Dunn', 'Dee Ray', 'Abe Stone', 'Bea Quill'])
})

t.test('an unknown or repeated sort field is a 400 naming querystring.sort', async (t) => {
  const app = await build(t)
  await createAuthor(app, t, { name: 'Any One' })
  for (const sort of ['email', '-slug', 'name,bogus', 'name,-name']) {
    assertProblem(t, await request(app, t, { method: 'GET', url: `/v1/authors?sort=${sort}` }), 400, 'validation', { paths: ['querystring.sort'] })
  }
})

t.test('25 authors are walked with limit and cursor, following meta.nextCursor and the Link header', async (t) => {
  const app = await build(t)
  const names: string[] = []
  // Created in reverse so the name order is not the id order.
  for (let i = 25; i >= 1; i--) {
    const name = `Writer ${String(i).padStart(2, '0')}`
    await createAuthor(app, t, { name })
    names.unshift(name)
  }

  const first = await request(app, t, { method: 'GET', url: '/v1/authors?limit=10' })
  t.equal(first.statusCode, 200)
  const firstBody = first.json()
  t.same(firstBody.meta, { total: 25, limit: 10, offset: 0, nextCursor: firstBody.meta.nextCursor })
  t.type(firstBody.meta.nextCursor, 'string')
  t.same(firstBody.data.map((a: Record<string, any>) => a.name), names.slice(0, 10))
  t.equal(prevLink(first), undefined, 'no prev link on the first page')
  const next = nextLink(first)
  t.ok(next, 'a next link')
  t.match(next, /^\/v1\/authors\?/)
  t.match(next, /cursor=/)
  t.match(next, /limit=10/)

  // Follow meta.nextCursor.
  const seen: string[] = []
  let cursor: string | null = null
  let pages = 0
  do {
    const url: string = `/v1/authors?limit=10${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`
    const page = await request(app, t, { method: 'GET', url })
    t.equal(page.statusCode, 200)
    const body = page.json()
    t.equal(body.meta.total, 25)
    t.equal(body.meta.offset, pages * 10, `page ${pages + 1} reports its offset`)
    seen.push(...body.data.map((a: Record<string, any>) => a.name))
    cursor = body.meta.nextCursor
    if (cursor === null) t.equal(nextLink(page), undefined, 'no next link on the last page')
    pages++
  } while (cursor !== null && pages < 10)
  t.equal(pages, 3)
  t.same(seen, names, 'every author once, in name order')

  // Follow the Link header instead.
  const viaLinks: string[] = []
  let url: string | undefined = '/v1/authors?limit=10'
  let hops = 0
  while (url !== undefined && hops < 10) {
    const page = await request(app, t, { method: 'GET', url })
    t.equal(page.statusCode, 200, `GET ${url}`)
    viaLinks.push(...page.json().data.map((a: Record<string, any>) => a.name))
    if (hops > 0) t.ok(prevLink(page), 'later pages link back')
    url = nextLink(page)
    hops++
  }
  t.same(viaLinks, names)
})

t.test('a descending cursor walk visits every author once', async (t) => {
  const app = await build(t)
  const ids: number[] = []
  for (let i = 1; i <= 25; i++) ids.push((await createAuthor(app, t, { name: `Desk ${String(i).padStart(2, '0')}` })).id)
  const seen: number[] = []
  let cursor: string | null = null
  let pages = 0
  do {
    const page = await request(app, t, { method: 'GET', url: `/v1/authors?sort=-createdAt&limit=7${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}` })
    t.equal(page.statusCode, 200)
    seen.push(...page.json().data.map((a: Record<string, any>) => a.id))
    cursor = page.json().meta.nextCursor
    pages++
  } while (cursor !== null && pages < 10)
  t.equal(pages, 4)
  t.same(seen, [...ids].reverse())
})

t.test('a cursor walk by -articleCount with ties visits every author once', async (t) => {
  const app = await build(t)
  const counts = [2, 0, 1, 2, 0, 1, 3]
  const authors: Array<{ id: number, count: number }> = []
  for (const [i, n] of counts.entries()) {
    const author = await createAuthor(app, t, { name: `Tied ${i}` })
    for (let k = 0; k < n; k++) await publish(app, t, author.id, `Tied ${i} story ${k}`)
    authors.push({ id: author.id, count: n })
  }
  const seen: Array<{ id: number, count: number }> = []
  let cursor: string | null = null
  let pages = 0
  do {
    const page = await request(app, t, { method: 'GET', url: `/v1/authors?sort=-articleCount&limit=2${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}` })
    t.equal(page.statusCode, 200)
    seen.push(...page.json().data.map((a: Record<string, any>) => ({ id: a.id, count: a.articleCount })))
    cursor = page.json().meta.nextCursor
    pages++
  } while (cursor !== null && pages < 10)
  t.equal(seen.length, counts.length)
  t.same(new Set(seen.map((a) => a.id)).size, counts.length, 'no author twice')
  t.same(seen.map((a) => a.count), [...counts].sort((a, b) => b - a), 'in descending count order')
})

t.test('a cursor keeps its place when authors are added before it', async (t) => {
  const app = await build(t)
  for (let i = 1; i <= 6; i++) await createAuthor(app, t, { name: `Writer ${i}` })
  const first = await request(app, t, { method: 'GET', url: '/v1/authors?limit=3' })
  const cursor = first.json().meta.nextCursor
  await createAuthor(app, t, { name: 'Writer 0' })
  const second = await request(app, t, { method: 'GET', url: `/v1/authors?limit=3&cursor=${encodeURIComponent(cursor)}` })
  t.equal(second.statusCode, 200)
  t.same(second.json().data.map((a: Record<string, any>) => a.name), ['Writer 4', 'Writer 5', 'Writer 6'])
  t.equal(second.json().meta.nextCursor, null)
})

t.test('offset pages carry prev and next links and the right slice', async (t) => {
  const app = await build(t)
  for (let i = 1; i <= 25; i++) await createAuthor(app, t, { name: `Writer ${String(i).padStart(2, '0')}` })
  const middle = await request(app, t, { method: 'GET', url: '/v1/authors?limit=10&offset=10' })
  t.equal(middle.statusCode, 200)
  t.same(middle.json().meta.offset, 10)
  t.same(middle.json().data.map((a: Record<string, any>) => a.name)[0], 'Writer 11')
  t.equal(prevLink(middle), '/v1/authors?limit=10', 'prev goes back to the first page')
  const next = nextLink(middle)
  t.ok(next)
  t.notMatch(next, /offset=/, 'the next link is a cursor link')
  const last = await request(app, t, { method: 'GET', url: next! })
  t.same(last.json().data.map((a: Record<string, any>) => a.name), ['Writer 21', 'Writer 22', 'Writer 23', 'Writer 24', 'Writer 25'])

  const tail = await request(app, t, { method: 'GET', url: '/v1/authors?limit=10&offset=20' })
  t.equal(tail.json().data.length, 5)
  t.equal(tail.json().meta.nextCursor, null)
  t.equal(nextLink(tail), undefined)
  t.match(prevLink(tail), /offset=10/)

  const beyond = await request(app, t, { method: 'GET', url: '/v1/authors?offset=100' })
  t.equal(beyond.statusCode, 200)
  t.same(beyond.json().data, [])
  t.equal(beyond.json().meta.total, 25)
})

t.test('bad paging parameters are 400s naming the parameter', async (t) => {
  const app = await build(t)
  for (let i = 1; i <= 3; i++) await createAuthor(app, t, { name: `Writer ${i}` })
  const first = await request(app, t, { method: 'GET', url: '/v1/authors?limit=1' })
  const cursor = encodeURIComponent(first.json().meta.nextCursor)
  assertProblem(t, await request(app, t, { method: 'GET', url: '/v1/authors?limit=0' }), 400, 'validation', { paths: ['querystring.limit'] })
  assertProblem(t, await request(app, t, { method: 'GET', url: '/v1/authors?limit=101' }), 400, 'validation', { paths: ['querystring.limit'] })
  assertProblem(t, await request(app, t, { method: 'GET', url: '/v1/authors?offset=-1' }), 400, 'validation', { paths: ['querystring.offset'] })
  assertProblem(t, await request(app, t, { method: 'GET', url: `/v1/authors?cursor=${cursor}&offset=1` }), 400, 'validation', { paths: ['querystring.cursor'] })
  assertProblem(t, await request(app, t, { method: 'GET', url: '/v1/authors?cursor=not-a-cursor' }), 400, 'validation', { paths: ['querystring.cursor'] })
  assertProblem(t, await request(app, t, { method: 'GET', url: `/v1/authors?cursor=${cursor}&sort=-createdAt` }), 400, 'validation', { paths: ['querystring.cursor'] })
})

t.test('fields= returns only the named fields plus id', async (t) => {
  const app = await build(t)
  const author = await createAuthor(app, t, { name: 'Pia Sparse', bio: 'Short.' })
  const single = await request(app, t, { method: 'GET', url: `/v1/authors/${author.id}?fields=name,slug` })
  t.equal(single.statusCode, 200)
  t.same(single.json(), { id: author.id, name: 'Pia Sparse', slug: 'pia-sparse' })
  const list = await request(app, t, { method: 'GET', url: '/v1/authors?fields=articleCount' })
  t.equal(list.statusCode, 200)
  t.same(list.json().data, [{ id: author.id, articleCount: 0 }])
  t.equal(list.json().meta.total, 1)
  const withEmail = await request(app, t, { method: 'GET', url: `/v1/authors/${author.id}?fields=email`, headers: bearer(adminSecret) })
  t.same(withEmail.json(), { id: author.id, email: null })
  assertProblem(t, await request(app, t, { method: 'GET', url: '/v1/authors?fields=name,password' }), 400, 'validation', { paths: ['querystring.fields'] })
  assertProblem(t, await request(app, t, { method: 'GET', url: `/v1/authors/${author.id}?fields=version` }), 400, 'validation', { paths: ['querystring.fields'] })
})

t.test('include=articles embeds the latest 10 published summaries without bodies', async (t) => {
  const app = await build(t)
  const author = await createAuthor(app, t, { name: 'Prolific Penn' })
  const other = await createAuthor(app, t, { name: 'Quiet Quinn' })
  const published: Record<string, any>[] = []
  for (let day = 1; day <= 12; day++) {
    published.push(await publish(app, t, author.id, `Story of day ${day}`, `2020-01-${String(day).padStart(2, '0')}T09:00:00.000Z`))
  }
  await createArticle(app, t, { title: 'Unfinished draft', authorId: author.id, status: 'draft' })
  await createArticle(app, t, { title: 'Coming later', authorId: author.id, status: 'scheduled', publishedAt: '2099-01-01T00:00:00.000Z' })
  const otherStory = await publish(app, t, other.id, 'Quinn story', '2020-02-01T09:00:00.000Z')

  const single = await request(app, t, { method: 'GET', url: `/v1/authors/${author.slug}?include=articles`, headers: bearer(adminSecret) })
  t.equal(single.statusCode, 200)
  const embedded = single.json().articles
  t.equal(embedded.length, 10, 'at most 10')
  t.same(embedded.map((a: Record<string, any>) => a.id), published.slice(2).reverse().map((a) => a.id), 'the latest, newest first')
  for (const summary of embedded) {
    t.notOk('body' in summary, `${summary.slug} has no body`)
    t.equal(summary.status, 'published')
    t.equal(summary.authorId, author.id)
    t.type(summary.excerpt, 'string')
  }
  t.equal(single.json().articleCount, 12)

  const list = await request(app, t, { method: 'GET', url: '/v1/authors?include=articles' })
  t.equal(list.statusCode, 200)
  const byName = new Map(list.json().data.map((a: Record<string, any>) => [a.name, a]))
  t.equal((byName.get('Prolific Penn') as Record<string, any>).articles.length, 10)
  t.same((byName.get('Quiet Quinn') as Record<string, any>).articles.map((a: Record<string, any>) => a.id), [otherStory.id])

  const sparse = await request(app, t, { method: 'GET', url: `/v1/authors/${author.id}?fields=name&include=articles` })
  t.equal(sparse.statusCode, 200)
  t.same(Object.keys(sparse.json()).sort(), ['articles', 'id', 'name'], 'fields= keeps the embedded articles')
  t.equal(sparse.json().articles.length, 10)

  const without = await request(app, t, { method: 'GET', url: `/v1/authors/${author.id}` })
  t.notOk('articles' in without.json(), 'no articles unless included')
  assertProblem(t, await request(app, t, { method: 'GET', url: `/v1/authors/${author.id}?include=comments` }), 400, 'validation', { paths: ['querystring.include'] })
  assertProblem(t, await request(app, t, { method: 'GET', url: '/v1/authors?include=author' }), 400, 'validation', { paths: ['querystring.include'] })
})

t.test('creating an author needs an editor token: anonymous 401, author 403', async (t) => {
  const app = await build(t)
  const existing = await createAuthor(app, t, { name: 'Has Token' })
  const anonymous = await request(app, t, { method: 'POST', url: '/v1/authors', payload: { name: 'Nobody' } })
  assertProblem(t, anonymous, 401, 'unauthorized')
  t.ok(anonymous.headers['www-authenticate'], 'a 401 carries www-authenticate')
  const asAuthor = await request(app, t, { method: 'POST', url: '/v1/authors', headers: bearer(await tokenFor(app, 'author', existing.id)), payload: { name: 'Self Made' } })
  assertProblem(t, asAuthor, 403, 'forbidden')
  const asEditor = await request(app, t, { method: 'POST', url: '/v1/authors', headers: bearer(await tokenFor(app, 'editor')), payload: { name: 'Editor Made' } })
  t.equal(asEditor.statusCode, 201)
  const names = (await request(app, t, { method: 'GET', url: '/v1/authors' })).json().data.map((a: Record<string, any>) => a.name)
  t.same(names, ['Editor Made', 'Has Token'])
})

t.test('an author token edits its own profile but not another author\'s', async (t) => {
  const app = await build(t)
  const own = await createAuthor(app, t, { name: 'Own Profile', bio: 'Before' })
  const other = await createAuthor(app, t, { name: 'Other Profile', bio: 'Untouched' })
  const secret = await tokenFor(app, 'author', own.id)

  const mine = await request(app, t, { method: 'PATCH', url: `/v1/authors/${own.id}`, headers: bearer(secret), payload: { bio: 'After', email: 'own@example.org' } })
  t.equal(mine.statusCode, 200)
  t.equal(mine.json().bio, 'After')
  t.equal(mine.json().email, 'own@example.org', 'the author sees their own email in the answer')
  t.equal((await getAuthor(app, t, own.id)).json().bio, 'After')

  const theirs = await request(app, t, { method: 'PATCH', url: `/v1/authors/${other.slug}`, headers: bearer(secret), payload: { bio: 'Defaced' } })
  assertProblem(t, theirs, 403, 'forbidden')
  t.equal((await getAuthor(app, t, other.id)).json().bio, 'Untouched')

  assertProblem(t, await request(app, t, { method: 'PATCH', url: `/v1/authors/${own.id}`, payload: { bio: 'Anonymous edit' } }), 401, 'unauthorized')
  t.equal((await getAuthor(app, t, own.id)).json().bio, 'After')

  const editor = await request(app, t, { method: 'PATCH', url: `/v1/authors/${other.id}`, headers: bearer(await tokenFor(app, 'editor')), payload: { bio: 'Edited by the desk' } })
  t.equal(editor.statusCode, 200)
  t.equal((await getAuthor(app, t, other.id)).json().bio, 'Edited by the desk')
})

t.test('deleting an author needs an editor token', async (t) => {
  const app = await build(t)
  const author = await createAuthor(app, t, { name: 'Short Lived' })
  assertProblem(t, await request(app, t, { method: 'DELETE', url: `/v1/authors/${author.id}` }), 401, 'unauthorized')
  assertProblem(t, await request(app, t, { method: 'DELETE', url: `/v1/authors/${author.id}`, headers: bearer(await tokenFor(app, 'author', author.id)) }), 403, 'forbidden')
  t.equal((await getAuthor(app, t, author.id)).statusCode, 200, 'still there')
  const removed = await request(app, t, { method: 'DELETE', url: `/v1/authors/${author.id}`, headers: bearer(await tokenFor(app, 'editor')) })
  t.equal(removed.statusCode, 204)
  assertProblem(t, await getAuthor(app, t, author.id), 404, 'not-found')
})

t.test('an author with articles cannot be deleted until they are reassigned', async (t) => {
  const app = await build(t)
  const leaving = await createAuthor(app, t, { name: 'Leaving Soon' })
  const heir = await createAuthor(app, t, { name: 'Heir Apparent' })
  const story = await publish(app, t, leaving.id, 'Farewell column')
  const draft = await createArticle(app, t, { title: 'Unsent draft', authorId: leaving.id, status: 'draft' })

  const refused = await request(app, t, { method: 'DELETE', url: `/v1/authors/${leaving.id}`, headers: bearer(adminSecret) })
  assertProblem(t, refused, 409, 'conflict')
  t.equal((await getAuthor(app, t, leaving.id)).statusCode, 200, 'the author is still there')
  const stillTheirs = await request(app, t, { method: 'GET', url: `/v1/articles/${story.id}`, headers: bearer(adminSecret) })
  t.equal(stillTheirs.json().authorId, leaving.id)

  const storyTag = String((await request(app, t, { method: 'GET', url: `/v1/articles/${story.id}`, headers: bearer(adminSecret) })).headers.etag)
  const moved = await request(app, t, { method: 'DELETE', url: `/v1/authors/${leaving.slug}?reassignTo=${heir.slug}`, headers: bearer(adminSecret) })
  t.equal(moved.statusCode, 204)
  assertProblem(t, await getAuthor(app, t, leaving.id), 404, 'not-found')
  for (const article of [story, draft]) {
    const read = await request(app, t, { method: 'GET', url: `/v1/articles/${article.id}`, headers: bearer(adminSecret) })
    t.equal(read.statusCode, 200)
    t.equal(read.json().authorId, heir.id, `${article.title} now belongs to the heir`)
  }
  t.equal((await getAuthor(app, t, heir.id)).json().articleCount, 1, 'the heir counts the published one')
  const stale = await request(app, t, { method: 'PATCH', url: `/v1/articles/${story.id}`, headers: { ...bearer(adminSecret), 'if-match': storyTag }, payload: { title: 'Edited from a stale copy' } })
  t.equal(stale.statusCode, 412, 'reassigning changed the articles\' version')
})

t.test('reassignTo accepts an id', async (t) => {
  const app = await build(t)
  const leaving = await createAuthor(app, t, { name: 'Leaving Too' })
  const heir = await createAuthor(app, t, { name: 'Heir By Id' })
  const story = await publish(app, t, leaving.id, 'Handed over')
  const moved = await request(app, t, { method: 'DELETE', url: `/v1/authors/${leaving.id}?reassignTo=${heir.id}`, headers: bearer(await tokenFor(app, 'editor')) })
  t.equal(moved.statusCode, 204)
  const read = await request(app, t, { method: 'GET', url: `/v1/articles/${story.id}` })
  t.equal(read.json().authorId, heir.id)
  const listed = await request(app, t, { method: 'GET', url: `/v1/articles?author=${heir.slug}` })
  t.same(listed.json().data.map((a: Record<string, any>) => a.id), [story.id])
})

t.test('reassignTo an unknown author or the same author is a 400 and deletes nothing', async (t) => {
  const app = await build(t)
  const author = await createAuthor(app, t, { name: 'Stays Put' })
  const story = await publish(app, t, author.id, 'Still mine')
  for (const target of ['nobody-at-all', '9999', author.slug, String(author.id)]) {
    const response = await request(app, t, { method: 'DELETE', url: `/v1/authors/${author.id}?reassignTo=${target}`, headers: bearer(adminSecret) })
    assertProblem(t, response, 400, 'validation', { paths: ['querystring.reassignTo'] })
  }
  t.equal((await getAuthor(app, t, author.id)).statusCode, 200)
  t.equal((await request(app, t, { method: 'GET', url: `/v1/articles/${story.id}` })).json().authorId, author.id)
})

t.test('GET answers carry an ETag, and If-None-Match with it is a 304 without a body', async (t) => {
  const app = await build(t)
  const author = await createAuthor(app, t, { name: 'Etta Tagg' })
  const first = await getAuthor(app, t, author.id)
  const etag = String(first.headers.etag)
  t.match(etag, new RegExp(`^"author-${author.id}-v1\\.[A-Za-z0-9_-]+"$`))
  t.equal(first.headers['cache-control'], 'public, max-age=0, s-maxage=60')
  t.match(String(first.headers.vary), /Authorization/i)

  const cached = await request(app, t, { method: 'GET', url: `/v1/authors/${author.id}`, headers: { 'if-none-match': etag } })
  t.equal(cached.statusCode, 304)
  t.equal(cached.body, '')
  t.equal(cached.headers.etag, etag, 'a 304 repeats the ETag')

  const withToken = await getAuthor(app, t, author.id, adminSecret)
  t.equal(withToken.headers['cache-control'], 'private, no-cache')
  t.not(withToken.headers.etag, etag, 'a representation with email has another ETag')

  const list = await request(app, t, { method: 'GET', url: '/v1/authors' })
  t.ok(list.headers.etag)
  const listCached = await request(app, t, { method: 'GET', url: '/v1/authors', headers: { 'if-none-match': String(list.headers.etag) } })
  t.equal(listCached.statusCode, 304)
  t.equal(listCached.body, '')

  await request(app, t, { method: 'PATCH', url: `/v1/authors/${author.id}`, headers: bearer(adminSecret), payload: { bio: 'Changed' } })
  const changed = await request(app, t, { method: 'GET', url: `/v1/authors/${author.id}`, headers: { 'if-none-match': etag } })
  t.equal(changed.statusCode, 200, 'a stale ETag gets the new representation')
  t.match(String(changed.headers.etag), new RegExp(`^"author-${author.id}-v2\\.`))
  const listChanged = await request(app, t, { method: 'GET', url: '/v1/authors', headers: { 'if-none-match': String(list.headers.etag) } })
  t.equal(listChanged.statusCode, 200)
})

t.test('PATCH with a stale If-Match is a 412 and changes nothing; a current one or * succeeds', async (t) => {
  const app = await build(t)
  const author = await createAuthor(app, t, { name: 'Lost Update', bio: 'Original' })
  const read = await getAuthor(app, t, author.id)
  const staleTag = String(read.headers.etag)
  const first = await request(app, t, { method: 'PATCH', url: `/v1/authors/${author.id}`, headers: { ...bearer(adminSecret), 'if-match': staleTag }, payload: { bio: 'First writer' } })
  t.equal(first.statusCode, 200, 'the current ETag is accepted')

  const second = await request(app, t, { method: 'PATCH', url: `/v1/authors/${author.id}`, headers: { ...bearer(adminSecret), 'if-match': staleTag }, payload: { bio: 'Second writer' } })
  assertProblem(t, second, 412, 'precondition-failed')
  t.equal((await getAuthor(app, t, author.id)).json().bio, 'First writer', 'the stale write did not land')

  const fromPatch = String(first.headers.etag)
  const chained = await request(app, t, { method: 'PATCH', url: `/v1/authors/${author.id}`, headers: { ...bearer(adminSecret), 'if-match': fromPatch }, payload: { bio: 'Chained' } })
  t.equal(chained.statusCode, 200, 'the ETag a PATCH answers with is current')

  const sparseTag = String((await request(app, t, { method: 'GET', url: `/v1/authors/${author.id}?fields=name` })).headers.etag)
  const sparse = await request(app, t, { method: 'PATCH', url: `/v1/authors/${author.id}`, headers: { ...bearer(adminSecret), 'if-match': sparseTag }, payload: { bio: 'Via sparse tag' } })
  t.equal(sparse.statusCode, 200, 'an ETag read with fields= names the same version')

  const star = await request(app, t, { method: 'PATCH', url: `/v1/authors/${author.id}`, headers: { ...bearer(adminSecret), 'if-match': '*' }, payload: { bio: 'Star' } })
  t.equal(star.statusCode, 200)
  t.equal((await getAuthor(app, t, author.id)).json().bio, 'Star')
})

t.test('DELETE with a stale If-Match is a 412 and keeps the author; a current one deletes', async (t) => {
  const app = await build(t)
  const author = await createAuthor(app, t, { name: 'Careful Delete' })
  const staleTag = String((await getAuthor(app, t, author.id)).headers.etag)
  await request(app, t, { method: 'PATCH', url: `/v1/authors/${author.id}`, headers: bearer(adminSecret), payload: { bio: 'Edited meanwhile' } })
  const refused = await request(app, t, { method: 'DELETE', url: `/v1/authors/${author.id}`, headers: { ...bearer(adminSecret), 'if-match': staleTag } })
  assertProblem(t, refused, 412, 'precondition-failed')
  t.equal((await getAuthor(app, t, author.id)).json().bio, 'Edited meanwhile', 'still there, unchanged')

  const currentTag = String((await getAuthor(app, t, author.id)).headers.etag)
  const removed = await request(app, t, { method: 'DELETE', url: `/v1/authors/${author.id}`, headers: { ...bearer(adminSecret), 'if-match': currentTag } })
  t.equal(removed.statusCode, 204)
  assertProblem(t, await getAuthor(app, t, author.id), 404, 'not-found')
})

t.test('avatarUrl and url must be absolute http(s) URLs', async (t) => {
  const app = await build(t)
  for (const [field, value] of [
    ['avatarUrl', 'ftp://example.org/face.png'],
    ['avatarUrl', 'javascript:alert(1)'],
    ['avatarUrl', 'data:image/png;base64,AAAA'],
    ['avatarUrl', '/relative/face.png'],
    ['url', 'javascript:alert(document.cookie)'],
    ['url', 'mailto:someone@example.org']
  ] as const) {
    const response = await request(app, t, { method: 'POST', url: '/v1/authors', headers: bearer(adminSecret), payload: { name: 'Url Tester', [field]: value } })
    assertProblem(t, response, 400, 'validation', { paths: [`body.${field}`] })
  }
  t.equal((await request(app, t, { method: 'GET', url: '/v1/authors' })).json().meta.total, 0, 'nothing was created')

  const author = await createAuthor(app, t, { name: 'Has Avatar', avatarUrl: 'https://example.org/a.png' })
  const patched = await request(app, t, { method: 'PATCH', url: `/v1/authors/${author.id}`, headers: bearer(adminSecret), payload: { avatarUrl: 'javascript:alert(1)' } })
  assertProblem(t, patched, 400, 'validation', { paths: ['body.avatarUrl'] })
  t.equal((await getAuthor(app, t, author.id)).json().avatarUrl, 'https://example.org/a.png')
})

t.test('email must be an email address', async (t) => {
  const app = await build(t)
  for (const email of ['not-an-email', 'two@@example.org', '@example.org']) {
    const response = await request(app, t, { method: 'POST', url: '/v1/authors', headers: bearer(adminSecret), payload: { name: 'Mail Tester', email } })
    assertProblem(t, response, 400, 'validation', { paths: ['body.email'] })
  }
  const author = await createAuthor(app, t, { name: 'Good Mail', email: 'good@example.org' })
  const patched = await request(app, t, { method: 'PATCH', url: `/v1/authors/${author.id}`, headers: bearer(adminSecret), payload: { email: 'broken' } })
  assertProblem(t, patched, 400, 'validation', { paths: ['body.email'] })
  t.equal((await getAuthor(app, t, author.id, adminSecret)).json().email, 'good@example.org')
})

t.test('author bodies are validated strictly: missing, unknown, empty and mistyped fields are 400s naming the field', async (t) => {
  const app = await build(t)
  const post = async (payload: Record<string, unknown>) => request(app, t, { method: 'POST', url: '/v1/authors', headers: bearer(adminSecret), payload })
  const missing = await post({ bio: 'No name' })
  assertProblem(t, missing, 400, 'validation', { paths: ['body.name'] })
  t.equal(missing.json().errors[0].message, 'is required')
  const unknown = await post({ name: 'Typo', nmae: 'Typo' })
  assertProblem(t, unknown, 400, 'validation', { paths: ['body.nmae'] })
  t.equal(unknown.json().errors[0].message, 'is not a known field')
  assertProblem(t, await post({ name: '' }), 400, 'validation', { paths: ['body.name'] })
  assertProblem(t, await post({ name: '   ' }), 400, 'validation', { paths: ['body.name'] })
  assertProblem(t, await post({ name: 'Numbers', bio: 42 }), 400, 'validation', { paths: ['body.bio'] })
  assertProblem(t, await post({ name: 'x'.repeat(121) }), 400, 'validation', { paths: ['body.name'] })
  t.equal((await request(app, t, { method: 'GET', url: '/v1/authors' })).json().meta.total, 0)

  const author = await createAuthor(app, t, { name: 'Patch Target' })
  const empty = await request(app, t, { method: 'PATCH', url: `/v1/authors/${author.id}`, headers: bearer(adminSecret), payload: {} })
  t.equal(empty.statusCode, 400, 'an empty PATCH is a 400')
  const readOnly = await request(app, t, { method: 'PATCH', url: `/v1/authors/${author.id}`, headers: bearer(adminSecret), payload: { articleCount: 5 } })
  assertProblem(t, readOnly, 400, 'validation', { paths: ['body.articleCount'] })
  t.equal((await getAuthor(app, t, author.id)).json().articleCount, 0)
})

t.test('unknown query parameters on author routes are 400s', async (t) => {
  const app = await build(t)
  const author = await createAuthor(app, t, { name: 'Query Tester' })
  assertProblem(t, await request(app, t, { method: 'GET', url: '/v1/authors?sortt=name' }), 400, 'validation', { paths: ['querystring.sortt'] })
  assertProblem(t, await request(app, t, { method: 'GET', url: `/v1/authors/${author.id}?limit=5` }), 400, 'validation', { paths: ['querystring.limit'] })
  assertProblem(t, await request(app, t, { method: 'DELETE', url: `/v1/authors/${author.id}?force=true`, headers: bearer(adminSecret) }), 400, 'validation', { paths: ['querystring.force'] })
  t.equal((await getAuthor(app, t, author.id)).statusCode, 200)
})
