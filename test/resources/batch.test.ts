import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import t, { type Test } from 'tap'
import { adminSecret, bearer, build, createArticle, createAuthor, request, tokenFor } from '../helper.js'
import { assertProblem } from '../problems.js'

// POST /v1/batch (issue 20): up to 100 writes in one transaction, all or nothing, each
// answered as its single request would be; on SQLite, and on PostgreSQL when the suite runs there.

type Item = Record<string, any>
interface Operation { method: 'POST' | 'PATCH' | 'DELETE', path: string, body?: object, ifMatch?: string }

async function batch (app: FastifyInstance, t: Test, operations: Operation[], secret = adminSecret, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
  return await request(app, t, { method: 'POST', url: '/v1/batch', headers: { ...headers, ...bearer(secret) }, payload: { operations } })
}

async function read (app: FastifyInstance, t: Test, url: string): Promise<LightMyRequestResponse> {
  return await request(app, t, { method: 'GET', url, headers: bearer(adminSecret) })
}

/** The failed batch's problem, checked: 422 `batch-failed`, naming the operation that failed. */
function assertFailed (t: Test, response: LightMyRequestResponse, failedOperation: number, status: number, kind: string): Item {
  const problem = assertProblem(t, response, 422, 'batch-failed', { extensions: ['failedOperation', 'results'] })
  t.equal(problem.failedOperation, failedOperation, `operation ${failedOperation} failed`)
  t.equal(problem.results.length, failedOperation + 1, 'answers up to the failing operation, none after it')
  t.match(problem.results[failedOperation], { status, problem: { status, type: `https://dateline.dev/problems/${kind}` } })
  return problem
}

async function changeHead (app: FastifyInstance, t: Test): Promise<number> {
  return (await read(app, t, '/v1/changes')).json().meta.head
}

async function changesSince (app: FastifyInstance, t: Test, since: number): Promise<Array<[string, string, string]>> {
  const response = await read(app, t, `/v1/changes?since=${since}&limit=100`)
  return response.json().data.map((entry: Item) => [entry.resource, entry.kind, entry.id])
}

/** An author, a published article of theirs with a pending comment, and a day with a note. */
async function world (app: FastifyInstance, t: Test) {
  const author = await createAuthor(app, t)
  const article = await createArticle(app, t, { authorId: author.id, title: 'Footbridge approved', status: 'published', publishedAt: '2025-03-10T09:00:00Z' })
  const comment = (await request(app, t, { method: 'POST', url: `/v1/articles/${article.id}/comments`, payload: { authorName: 'Lena', body: 'At last!' } })).json()
  const noted = await request(app, t, { method: 'POST', url: '/v1/dates', headers: bearer(adminSecret), payload: { date: '2020-02-02', note: 'Quiet day.' } })
  t.equal(noted.statusCode, 201)
  return { author, article, comment, day: noted.json(), dayTag: String(noted.headers.etag) }
}

t.test('every operation answers as its single request would, in order, and all are committed', async (t) => {
  const app = await build(t)
  const w = await world(app, t)
  const response = await batch(app, t, [
    { method: 'POST', path: '/v1/articles', body: { title: 'Night bus returns', markdown: 'From *Monday*.', authorId: w.author.id, labels: ['Transport'] } },
    { method: 'PATCH', path: `/v1/articles/${w.article.slug}`, body: { title: 'Footbridge approved at last' } },
    { method: 'PATCH', path: `/v1/comments/${w.comment.id}`, body: { status: 'approved' } },
    { method: 'PATCH', path: '/v1/dates/2020-02-02', body: { note: 'Not so quiet.' }, ifMatch: w.dayTag },
    { method: 'POST', path: '/v1/dates', body: { date: '2020-02-03', note: null } },
    { method: 'DELETE', path: '/v1/dates/2020-02-03' }
  ])
  t.equal(response.statusCode, 200, 'the batch succeeded', { body: response.body })
  const results: Item[] = response.json().results
  t.same(results.map((result) => result.status), [201, 200, 200, 200, 201, 204], 'each operation\'s status, in order')
  const created = results[0]!
  t.match(created, { location: `/v1/articles/${created.body.id}`, body: { title: 'Night bus returns', body: '<p>From <em>Monday</em>.</p>', status: 'draft', labels: ['Transport'] } })
  t.match(created.etag, new RegExp(`^"article-${created.body.id}-v1\\.`), 'an ETag whose version If-Match takes')
  t.match(results[1], { body: { id: w.article.id, title: 'Footbridge approved at last' } })
  t.match(results[2], { body: { id: w.comment.id, status: 'approved' } })
  t.match(results[3], { body: { date: '2020-02-02', note: 'Not so quiet.' } })
  t.match(results[4], { location: '/v1/dates/2020-02-03' })
  t.same(Object.keys(results[5]!), ['status'], 'a 204 has no body')

  t.equal((await read(app, t, `/v1/articles/${created.body.id}`)).json().title, 'Night bus returns', 'the new article is stored')
  t.equal((await read(app, t, `/v1/articles/${w.article.id}`)).json().commentCount, 1, 'the approved comment counts')
  t.equal((await read(app, t, '/v1/dates/2020-02-02')).json().note, 'Not so quiet.')
  t.equal((await read(app, t, '/v1/dates/2020-02-03')).statusCode, 404, 'the day made and deleted in the batch is gone')

  const retitled = await request(app, t, { method: 'PATCH', url: `/v1/articles/${w.article.id}`, headers: { ...bearer(adminSecret), 'if-match': String(results[1]!.etag) }, payload: { title: 'Footbridge: the vote' } })
  t.equal(retitled.statusCode, 200, 'the ETag an operation answered is good for If-Match')
})

t.test('a failing third operation leaves the first two unwritten, and the rest unrun', async (t) => {
  const app = await build(t)
  const w = await world(app, t)
  const start = await changeHead(app, t)
  const response = await batch(app, t, [
    { method: 'POST', path: '/v1/articles', body: { title: 'Never stored', authorId: w.author.id } },
    { method: 'PATCH', path: `/v1/articles/${w.article.id}`, body: { title: 'Never retitled' } },
    { method: 'POST', path: '/v1/dates', body: { date: '2020-02-02' } },
    { method: 'DELETE', path: `/v1/comments/${w.comment.id}` }
  ])
  const problem = assertFailed(t, response, 2, 409, 'conflict')
  t.match(problem.detail, /^Nothing was written: operation 2 \(POST \/v1\/dates\) answered 409: 2020-02-02 exists already/)
  t.match(problem.results[0], { status: 201, body: { title: 'Never stored' } }, 'the first operation\'s answer, as it would have been')
  t.match(problem.results[1], { status: 200, body: { title: 'Never retitled' } })
  t.equal(problem.results[2].problem.instance, '/v1/dates', 'the operation\'s problem is at its own path')

  t.equal((await read(app, t, `/v1/articles?author=${w.author.id}`)).json().meta.total, 1, 'no article was created')
  t.equal((await read(app, t, `/v1/articles/${w.article.id}`)).json().title, 'Footbridge approved', 'the article was not retitled')
  t.equal((await read(app, t, `/v1/comments/${w.comment.id}`)).statusCode, 200, 'the fourth operation did not run')
  t.same(await changesSince(app, t, start), [], 'a failed batch writes nothing to the change log')
  t.equal(await changeHead(app, t), start)
})

t.test('If-Match is per operation: a stale one fails its operation with 412, and the batch with it', async (t) => {
  const app = await build(t)
  const w = await world(app, t)
  const current = (await read(app, t, `/v1/comments/${w.comment.id}`)).headers.etag
  const response = await batch(app, t, [
    { method: 'PATCH', path: `/v1/comments/${w.comment.id}`, body: { status: 'approved' }, ifMatch: String(current) },
    { method: 'PATCH', path: `/v1/articles/${w.article.id}`, body: { title: 'Stale edit' }, ifMatch: `"article-${w.article.id}-v0"` }
  ])
  const problem = assertFailed(t, response, 1, 412, 'precondition-failed')
  t.match(problem.results[0], { status: 200, body: { status: 'approved' } }, 'the current If-Match passed')
  t.equal((await read(app, t, `/v1/comments/${w.comment.id}`)).json().status, 'pending', 'and was rolled back with the batch')

  const deleted = await batch(app, t, [{ method: 'DELETE', path: `/v1/comments/${w.comment.id}`, ifMatch: String(current) }])
  t.equal(deleted.statusCode, 200)
  t.same(deleted.json().results, [{ status: 204 }])
})

t.test('operations are validated with their single routes\' schemas before any runs, the fields named from the batch', async (t) => {
  const app = await build(t)
  const w = await world(app, t)
  const start = await changeHead(app, t)
  const response = await batch(app, t, [
    { method: 'POST', path: '/v1/dates', body: { date: '2021-01-01' } },
    { method: 'PATCH', path: `/v1/articles/${w.article.id}`, body: { title: '' } },
    { method: 'POST', path: '/v1/articles', body: { title: 'Typo', authorID: 1 } },
    { method: 'PATCH', path: '/v1/comments/abc', body: { status: 'approved' } },
    { method: 'DELETE', path: '/v1/tokens/1' },
    { method: 'DELETE', path: `/v1/articles/${w.article.id}`, body: {} },
    { method: 'POST', path: '/v1/dates', body: { date: '2021-01-02' }, ifMatch: '*' },
    { method: 'PATCH', path: '/v1/dates/2021-01-01' }
  ])
  const problem = assertProblem(t, response, 400, 'validation', {
    paths: ['operations[1].body.title', 'operations[2].body.authorID', 'operations[3].path', 'operations[4].path', 'operations[5].body', 'operations[6].ifMatch', 'operations[7].body']
  })
  t.equal(problem.detail, 'operations[1].body.title must NOT have fewer than 1 characters')
  t.equal(problem.errors[1].message, 'is not a known field', 'an unknown field is named, never dropped')
  t.equal(problem.errors[2].message, '{id} must be integer')
  t.equal((await read(app, t, '/v1/dates/2021-01-01')).statusCode, 404, 'the valid first operation did not run')
  t.equal(await changeHead(app, t), start)
})

t.test('a rule an operation breaks when it runs is its 400, as the single request\'s, and fails the batch', async (t) => {
  const app = await build(t)
  const author = await createAuthor(app, t)
  const response = await batch(app, t, [
    { method: 'POST', path: '/v1/articles', body: { title: 'Fine', authorId: author.id } },
    { method: 'POST', path: '/v1/articles', body: { title: 'Scheduled for no time', authorId: author.id, status: 'scheduled' } }
  ])
  const problem = assertFailed(t, response, 1, 400, 'validation')
  t.same(problem.results[1].problem.errors, [{ path: 'body.publishedAt', message: 'is required to schedule an article' }], 'named in the operation\'s own body, as POST /v1/articles names it')
  t.equal((await read(app, t, `/v1/articles?author=${author.id}`)).json().meta.total, 0)
})

t.test('a batch holds 1 to 100 operations', async (t) => {
  const app = await build(t)
  const author = await createAuthor(app, t)
  const many = Array.from({ length: 101 }, (_, index): Operation => ({ method: 'POST', path: '/v1/articles', body: { title: `Article ${index}`, authorId: author.id } }))
  assertProblem(t, await batch(app, t, many), 400, 'validation', 'body.operations')
  assertProblem(t, await batch(app, t, []), 400, 'validation', 'body.operations')

  const started = performance.now()
  const hundred = await batch(app, t, many.slice(0, 100))
  const elapsed = performance.now() - started
  t.equal(hundred.statusCode, 200, '100 operations run')
  t.equal(hundred.json().results.length, 100)
  t.equal((await read(app, t, `/v1/articles?author=${author.id}`)).json().meta.total, 100)
  t.ok(elapsed < 5000, `100 article creations took ${Math.round(elapsed)} ms`)

  const tooLarge = await request(app, t, { method: 'POST', url: '/v1/batch', headers: { ...bearer(adminSecret), 'content-type': 'application/json' }, payload: JSON.stringify({ operations: [{ method: 'POST', path: '/v1/articles', body: { title: 'Huge', body: 'x'.repeat(1024 * 1024) } }] }) })
  assertProblem(t, tooLarge, 413, 'body-too-large')
})

t.test('each operation needs the role its single route needs', async (t) => {
  const app = await build(t)
  const w = await world(app, t)
  const other = await createAuthor(app, t, { name: 'Bea Other' })
  const own = await tokenFor(app, 'author', w.author.id)
  const draft = await createArticle(app, t, { authorId: w.author.id, title: 'Own draft' })
  const othersDraft = await createArticle(app, t, { authorId: other.id, title: 'Other draft' })

  const allowed = await batch(app, t, [
    { method: 'POST', path: '/v1/articles', body: { title: 'Written by the author' } },
    { method: 'PATCH', path: `/v1/articles/${draft.id}`, body: { title: 'Own draft, retitled' } },
    { method: 'PATCH', path: `/v1/comments/${w.comment.id}`, body: { status: 'approved' } }
  ], own)
  t.equal(allowed.statusCode, 200, 'an author token may batch what it may do one by one', { body: allowed.body })
  t.equal(allowed.json().results[0].body.authorId, w.author.id, 'an author writes as its own author')

  const refusals: Array<[Operation, number, string]> = [
    [{ method: 'POST', path: '/v1/dates', body: { date: '2021-05-05' } }, 403, 'forbidden'],
    [{ method: 'POST', path: '/v1/articles', body: { title: 'Published at once', status: 'published' } }, 403, 'forbidden'],
    [{ method: 'PATCH', path: `/v1/articles/${w.article.id}`, body: { title: 'Not the author\'s to change now' } }, 403, 'forbidden'],
    [{ method: 'DELETE', path: `/v1/articles/${othersDraft.id}` }, 404, 'not-found']
  ]
  for (const [operation, status, kind] of refusals) {
    const response = await batch(app, t, [{ method: 'POST', path: '/v1/articles', body: { title: 'Rolled back' } }, operation], own)
    assertFailed(t, response, 1, status, kind)
  }
  t.equal((await read(app, t, `/v1/articles?author=${w.author.id}`)).json().meta.total, 3, 'none of the refused batches wrote anything')

  const anonymous = await request(app, t, { method: 'POST', url: '/v1/batch', payload: { operations: [{ method: 'POST', path: '/v1/dates', body: { date: '2021-05-05' } }] } })
  assertProblem(t, anonymous, 401, 'unauthorized')
})

t.test('Idempotency-Key: a retried batch gets the first answer again and writes nothing twice', async (t) => {
  const app = await build(t)
  const author = await createAuthor(app, t)
  const operations: Operation[] = [{ method: 'POST', path: '/v1/articles', body: { title: 'Sent twice', authorId: author.id } }, { method: 'POST', path: '/v1/dates', body: { date: '2022-03-03' } }]
  const key = { 'idempotency-key': 'batch-0001' }
  const first = await batch(app, t, operations, adminSecret, key)
  t.equal(first.statusCode, 200)
  const again = await batch(app, t, operations, adminSecret, key)
  t.equal(again.statusCode, 200)
  t.equal(again.headers['idempotent-replayed'], 'true')
  t.equal(again.body, first.body, 'the same answer')
  t.equal((await read(app, t, `/v1/articles?author=${author.id}`)).json().meta.total, 1, 'one article')
  assertProblem(t, await batch(app, t, operations.slice(0, 1), adminSecret, key), 422, 'idempotency-key-reused')

  // A failed batch is not kept: fixed, it may be sent again with its key.
  const failing: Operation[] = [{ method: 'POST', path: '/v1/articles', body: { title: 'Second try', authorId: author.id } }, { method: 'POST', path: '/v1/dates', body: { date: '2022-03-03' } }]
  assertFailed(t, await batch(app, t, failing, adminSecret, { 'idempotency-key': 'batch-0002' }), 1, 409, 'conflict')
  const fixed = await batch(app, t, [failing[0]!, { method: 'POST', path: '/v1/dates', body: { date: '2022-03-04' } }], adminSecret, { 'idempotency-key': 'batch-0002' })
  t.equal(fixed.statusCode, 200)
})

t.test('the change log gets a committed batch\'s entries in the order of its operations', async (t) => {
  const app = await build(t)
  const w = await world(app, t)
  const start = await changeHead(app, t)
  const response = await batch(app, t, [
    { method: 'PATCH', path: '/v1/dates/2020-02-02', body: { note: 'First' } },
    { method: 'POST', path: '/v1/articles', body: { title: 'Second', authorId: w.author.id } },
    { method: 'PATCH', path: `/v1/comments/${w.comment.id}`, body: { status: 'approved' } },
    { method: 'DELETE', path: `/v1/articles/${w.article.id}` }
  ])
  t.equal(response.statusCode, 200)
  const created = String(response.json().results[1].body.id)
  t.same(await changesSince(app, t, start), [
    ['day', 'updated', '2020-02-02'],
    ['article', 'created', created],
    ['comment', 'approved', String(w.comment.id)],
    ['article', 'trashed', String(w.article.id)]
  ])
})

// Concurrent on PostgreSQL (row locks, retried races); on SQLite the units queue, and the same holds.
t.test('a batch racing single writes to the same rows: one wins, the other sees it (412), nothing half-written', async (t) => {
  const app = await build(t)
  const author = await createAuthor(app, t)
  for (let round = 0; round < 6; round++) {
    const article = await createArticle(app, t, { authorId: author.id, title: `Race ${round}` })
    const tag = String((await read(app, t, `/v1/articles/${article.id}`)).headers.etag)
    const [batched, single] = await Promise.all([
      batch(app, t, [
        { method: 'POST', path: '/v1/dates', body: { date: `2023-01-0${round + 1}`, note: 'From the batch' } },
        { method: 'PATCH', path: `/v1/articles/${article.id}`, body: { title: `Batch ${round}` }, ifMatch: tag }
      ]),
      request(app, t, { method: 'PATCH', url: `/v1/articles/${article.id}`, headers: { ...bearer(adminSecret), 'if-match': tag }, payload: { title: `Single ${round}` } })
    ])
    const batchWon = batched.statusCode === 200
    t.equal(single.statusCode, batchWon ? 412 : 200, batchWon ? 'the batch won; the single write saw it' : 'the single write won')
    if (!batchWon) assertFailed(t, batched, 1, 412, 'precondition-failed')
    t.equal((await read(app, t, `/v1/articles/${article.id}`)).json().title, batchWon ? `Batch ${round}` : `Single ${round}`)
    t.equal((await read(app, t, `/v1/dates/2023-01-0${round + 1}`)).statusCode, batchWon ? 200 : 404, 'the batch\'s other write went with it')
  }
})

t.test('a batch creates, renames and deletes labels, all or nothing', async (t) => {
  const app = await build(t)
  const ok = await request(app, t, {
    method: 'POST',
    url: '/v1/batch',
    headers: bearer(adminSecret),
    payload: { operations: [{ method: 'POST', path: '/v1/labels', body: { name: 'Elections' } }, { method: 'POST', path: '/v1/labels', body: { name: 'Weather' } }] }
  })
  t.equal(ok.statusCode, 200, ok.body)
  const [elections, weather] = ok.json().results
  t.match(elections, { status: 201, body: { name: 'Elections', articleCount: 0 }, location: `/v1/labels/${elections.body.id}` })
  const failed = await request(app, t, {
    method: 'POST',
    url: '/v1/batch',
    headers: bearer(adminSecret),
    payload: {
      operations: [
        { method: 'PATCH', path: `/v1/labels/${elections.body.id}`, body: { name: 'Local elections' }, ifMatch: elections.etag },
        { method: 'DELETE', path: `/v1/labels/${weather.body.id}` },
        { method: 'POST', path: '/v1/labels', body: { name: 'local ELECTIONS' } }
      ]
    }
  })
  t.equal(failed.statusCode, 422, 'the third takes the name the first gave: a 409, and the batch fails')
  t.match(failed.json(), { failedOperation: 2, results: [{ status: 200 }, { status: 204 }, { status: 409 }] })
  const names = (await request(app, t, { method: 'GET', url: '/v1/labels', headers: bearer(adminSecret) })).json().data.map((label: Record<string, unknown>) => label.name)
  t.same(names.sort(), ['Elections', 'Weather'], 'neither the rename nor the delete was kept')
})

t.test('a batch creates, reorders and deletes pages, all or nothing, and only for editors', async (t) => {
  const app = await build(t)
  const made = await batch(app, t, [
    { method: 'POST', path: '/v1/pages', body: { title: 'About us', status: 'published' } },
    { method: 'POST', path: '/v1/pages', body: { title: 'Corrections policy', status: 'published', position: 2 } }
  ])
  t.equal(made.statusCode, 200, made.body)
  const [about, policy] = made.json().results
  t.match(about, { status: 201, body: { title: 'About us', slug: 'about-us', status: 'published' }, location: `/v1/pages/${about.body.id}` })

  const moved = await batch(app, t, [
    { method: 'PATCH', path: `/v1/pages/${policy.body.id}`, body: { parentId: about.body.id, position: 0 }, ifMatch: policy.etag },
    { method: 'POST', path: '/v1/pages', body: { title: 'Masthead', parentId: about.body.id, position: 1 } },
    { method: 'PATCH', path: `/v1/pages/${about.body.id}`, body: { title: 'About the Courier' } }
  ])
  t.equal(moved.statusCode, 200, moved.body)
  const children = (await read(app, t, `/v1/pages/${about.body.id}`)).json().children.map((page: Item) => page.title)
  t.same(children, ['Corrections policy', 'Masthead'], 'under About us, in their order')

  const failed = await batch(app, t, [
    { method: 'DELETE', path: `/v1/pages/${policy.body.id}` },
    { method: 'PATCH', path: `/v1/pages/${about.body.id}`, body: { title: 'About us, again' }, ifMatch: about.etag }
  ])
  assertFailed(t, failed, 1, 412, 'precondition-failed')
  t.equal((await read(app, t, `/v1/pages/${about.body.id}`)).json().title, 'About the Courier', 'the page as the committed batch left it')
  t.equal((await read(app, t, `/v1/pages/${policy.body.id}`)).statusCode, 200, 'the delete before the stale write was not kept')

  const author = await tokenFor(app, 'author', (await createAuthor(app, t)).id)
  assertFailed(t, await batch(app, t, [{ method: 'POST', path: '/v1/pages', body: { title: 'By an author' } }], author), 0, 403, 'forbidden')
})
