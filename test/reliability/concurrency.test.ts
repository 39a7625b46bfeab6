// Many clients at once against the real server (a child process on a temp SQLite file), over
// real sockets: optimistic locking with If-Match loses no update, parallel creates of one
// title get distinct slugs, parallel comments keep commentCount exact, and readers keep being
// answered while a large import is written.
import http from 'node:http'
import t, { type Test } from 'tap'
import { build, checkAgainstDocument, tempDatabase } from '../helper.js'
import { admin, host, send, sleep, startServer, type Answer, type Sent } from './server-process.js'

const file = tempDatabase(t)
const server = await startServer(t, file)
// Only for its OpenAPI document: every answer the server gives is checked against it.
const documented = await build(t)

type Checked = Answer & { json: () => any }

// Checking an answer against the document costs a few milliseconds (helper.ts compiles the
// schema for each call): inside the long loops, a sample of each kind of answer is checked.
const sampled = new Map<string, number>()
const samplePerKind = 10

/**
 * One request on its own connection, its answer checked against the OpenAPI document; with
 * `sample`, only the first answers of each method, path and status.
 */
async function call (tt: Test, options: Sent, sample = false): Promise<Checked> {
  const answer = await send(server.port, options)
  const checked = { ...answer, json: () => JSON.parse(answer.body) }
  const kind = `${options.method ?? 'GET'} ${options.path} ${answer.status}`
  const seen = sampled.get(kind) ?? 0
  sampled.set(kind, seen + 1)
  if (!sample || seen < samplePerKind) checkAgainstDocument(documented, tt, options.method ?? 'GET', options.path, asInjected(answer))
  return checked
}

function asInjected (answer: Answer): Parameters<typeof checkAgainstDocument>[4] {
  const fake = { statusCode: answer.status, headers: answer.headers, body: answer.body, json: () => JSON.parse(answer.body) }
  return fake as unknown as Parameters<typeof checkAgainstDocument>[4]
}

function versionOf (etag: unknown): number {
  const match = /^"article-\d+-v(\d+)\./.exec(String(etag))
  if (match === null) throw new Error(`no version in the ETag ${String(etag)}`)
  return Number(match[1])
}

function tally (statuses: number[]): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const status of statuses) counts[status] = (counts[status] ?? 0) + 1
  return counts
}

function isProblem (tt: Test, answer: Checked, status: number, kind: string, what: string): void {
  tt.equal(answer.status, status, `${what}: ${status}`)
  tt.match(String(answer.headers['content-type']), /^application\/problem\+json/, `${what}: problem+json`)
  tt.match(answer.json(), { type: `https://dateline.dev/problems/${kind}`, status }, `${what}: a ${kind} problem`)
}

async function newAuthor (tt: Test, name: string): Promise<{ id: number, slug: string }> {
  const created = await call(tt, { method: 'POST', path: '/v1/authors', headers: admin, body: { name } })
  tt.equal(created.status, 201, `the author ${name} is created`)
  return created.json()
}

async function newEditorToken (tt: Test, name: string): Promise<Record<string, string>> {
  const created = await call(tt, { method: 'POST', path: '/v1/tokens', headers: admin, body: { role: 'editor', name } })
  tt.equal(created.status, 201, `the editor token ${name} is created`)
  return { authorization: `Bearer ${created.json().secret as string}` }
}

t.test('40 editors racing with one If-Match: exactly one wins, and retrying with fresh ETags loses no update', async (t) => {
  const editors = 40
  const author = await newAuthor(t, 'Lock Desk')
  const tokens: Array<Record<string, string>> = []
  for (let i = 0; i < editors; i++) tokens.push(await newEditorToken(t, `Racing editor ${i + 1}`))
  const label = (i: number): string => `editor-${String(i + 1).padStart(2, '0')}`
  const created = await call(t, { method: 'POST', path: '/v1/articles', headers: admin, body: { title: 'Contested headline', body: '<p>Ledger:</p>', status: 'published', authorId: author.id } })
  t.equal(created.status, 201, 'the contested article is created')
  const id = created.json().id as number
  const first = await call(t, { path: `/v1/articles/${id}`, headers: admin })
  t.equal(first.status, 200, 'the article reads')
  const startVersion = versionOf(first.headers.etag)

  // Each editor's edit: its own title, and its own mark appended to the body it last read.
  const edit = (i: number, body: string, etag: string, sample = false): Promise<Checked> => call(t, {
    method: 'PATCH',
    path: `/v1/articles/${id}`,
    headers: { ...tokens[i]!, 'if-match': etag },
    body: { title: `Headline by ${label(i)}`, body: `${body}<p>signed:${label(i)};</p>` }
  }, sample)

  // Round 1: everyone with the same ETag, at once.
  const race = await Promise.all(Array.from({ length: editors }, (_, i) => edit(i, first.json().body, String(first.headers.etag))))
  const statuses = race.map((answer) => answer.status)
  t.comment(`round 1 of the race: ${JSON.stringify(tally(statuses))}`)
  t.equal(statuses.filter((status) => status === 200).length, 1, 'exactly one of the 40 PATCHes with the same If-Match gets 200')
  t.equal(statuses.filter((status) => status === 412).length, editors - 1, 'the 39 others get 412')
  for (const [i, answer] of race.entries()) {
    if (answer.status !== 200) isProblem(t, answer, 412, 'precondition-failed', `${label(i)}'s stale PATCH`)
  }
  const winner = statuses.indexOf(200)
  const afterRace = await call(t, { path: `/v1/articles/${id}`, headers: admin })
  t.equal(afterRace.json().title, `Headline by ${label(winner)}`, 'the stored title is the winner\'s')
  t.equal(versionOf(afterRace.headers.etag), startVersion + 1, 'the version went up by exactly 1')
  t.equal(versionOf(race[winner]!.headers.etag), startVersion + 1, 'the winner was told the new version')

  // Then every loser re-reads and retries with the fresh ETag until its edit lands.
  const landedAt = new Map<number, number>([[winner, startVersion + 1]])
  const patches: number[] = [...statuses]
  const reads: number[] = []
  let rounds = 1
  while (landedAt.size < editors && rounds < 200) {
    rounds++
    const pending = Array.from({ length: editors }, (_, i) => i).filter((i) => !landedAt.has(i))
    await Promise.all(pending.map(async (i) => {
      const fresh = await call(t, { path: `/v1/articles/${id}`, headers: tokens[i]! }, true)
      reads.push(fresh.status)
      if (fresh.status !== 200) return
      const answer = await edit(i, fresh.json().body, String(fresh.headers.etag), true)
      patches.push(answer.status)
      if (answer.status === 200) landedAt.set(i, versionOf(answer.headers.etag))
      else if (answer.status !== 412) t.fail(`${label(i)}'s retry answered ${answer.status}`, { body: answer.body })
    }))
  }
  t.comment(`until all landed: ${rounds} rounds, ${patches.length} PATCHes ${JSON.stringify(tally(patches))}, ${reads.length} re-reads ${JSON.stringify(tally(reads))}`)
  t.equal(landedAt.size, editors, 'every editor\'s edit landed in the end')
  t.same([...landedAt.values()].sort((a, b) => a - b), Array.from({ length: editors }, (_, n) => startVersion + 1 + n),
    'each 200 was a distinct version, with none skipped: 40 edits, 40 versions')

  const final = await call(t, { path: `/v1/articles/${id}`, headers: admin })
  t.equal(final.status, 200, 'the article reads at the end')
  t.equal(versionOf(final.headers.etag), startVersion + editors, `the version is ${startVersion + editors}: one step per edit`)
  const last = [...landedAt.entries()].find(([, version]) => version === startVersion + editors)![0]
  t.equal(final.json().title, `Headline by ${label(last)}`, 'the title is the last edit\'s')
  const body = String(final.json().body)
  const missing = Array.from({ length: editors }, (_, i) => label(i)).filter((name) => body.split(`signed:${name};`).length !== 2)
  t.same(missing, [], 'the body carries every editor\'s mark exactly once: no update was lost or applied twice')
  t.ok(body.startsWith('<p>Ledger:</p>'), 'the original body is still at the start')
})

t.test('30 parallel creates with one title all succeed, each with its own slug', async (t) => {
  const author = await newAuthor(t, 'Twin Desk')
  const creates = 30
  const answers = await Promise.all(Array.from({ length: creates }, (_, n) => call(t, {
    method: 'POST',
    path: '/v1/articles',
    headers: admin,
    body: { title: 'Same title', body: `<p>Copy ${n + 1}.</p>`, status: 'published', authorId: author.id }
  })))
  const statuses = answers.map((answer) => answer.status)
  t.comment(`${creates} parallel creates: ${JSON.stringify(tally(statuses))}`)
  t.same(statuses, Array(creates).fill(201), 'every create answers 201 (no 409, no 500)')
  const created = answers.filter((answer) => answer.status === 201).map((answer) => answer.json())
  for (const [n, answer] of answers.entries()) {
    if (answer.status === 201) t.equal(answer.headers.location, `/v1/articles/${answer.json().id as number}`, `create ${n + 1} has its Location`)
  }
  const slugs = created.map((article) => article.slug as string).sort()
  const expected = ['same-title', ...Array.from({ length: creates - 1 }, (_, n) => `same-title-${n + 2}`)].sort()
  t.same(slugs, expected, 'the slugs are same-title, same-title-2 … same-title-30, each once')
  t.equal(new Set(created.map((article) => article.id)).size, creates, 'the ids are distinct')
  for (const article of created) {
    const read = await call(t, { path: `/v1/articles/${article.slug as string}` })
    t.equal(read.status, 200, `${article.slug as string} reads anonymously`)
    t.equal(read.json().id, article.id, `${article.slug as string} is the article created with it`)
  }
  const listed = await call(t, { path: `/v1/articles?author=${author.slug}&limit=100` })
  t.equal(listed.json().meta.total, creates, 'the author lists exactly 30 articles')
})

t.test('50 parallel comments by an editor are all approved and commentCount counts each once', async (t) => {
  const author = await newAuthor(t, 'Comment Desk')
  const editor = await newEditorToken(t, 'Replying editor')
  const created = await call(t, { method: 'POST', path: '/v1/articles', headers: admin, body: { title: 'Busy thread', body: '<p>Talk.</p>', status: 'published', authorId: author.id } })
  t.equal(created.status, 201, 'the article is created')
  const id = created.json().id as number
  const posts = 50
  const answers = await Promise.all(Array.from({ length: posts }, (_, n) => call(t, {
    method: 'POST',
    path: `/v1/articles/${id}/comments`,
    headers: editor,
    body: { authorName: 'Desk editor', body: `Reply number ${n + 1}.` }
  })))
  const statuses = answers.map((answer) => answer.status)
  t.comment(`${posts} parallel comments: ${JSON.stringify(tally(statuses))}`)
  t.same(statuses, Array(posts).fill(201), 'every comment answers 201 (an editor is not rate limited)')
  const accepted = answers.filter((answer) => answer.status === 201).map((answer) => answer.json())
  t.ok(accepted.every((comment) => comment.status === 'approved'), 'every comment by an editor is approved at once')

  const article = await call(t, { path: `/v1/articles/${id}` })
  const listed = await call(t, { path: `/v1/articles/${id}/comments?limit=100` })
  t.equal(listed.status, 200, 'the comments list')
  t.equal(listed.json().meta.total, accepted.length, 'the list counts one approved comment per 201')
  t.same(listed.json().data.map((comment: { id: number }) => comment.id).sort((a: number, b: number) => a - b),
    accepted.map((comment) => comment.id as number).sort((a, b) => a - b), 'the list holds exactly the comments acknowledged')
  t.equal(article.json().commentCount, listed.json().meta.total, 'commentCount equals the approved comments listed')
  t.equal(article.json().commentCount, posts, 'commentCount is 50')
})

/** A Dateline NDJSON export of one author and `count` published articles. */
function exportFile (count: number): string {
  const at = '2025-06-01T08:00:00.000Z'
  const lines = [
    JSON.stringify({ type: 'header', format: 'dateline', version: 1, exportedAt: at, counts: { authors: 1, articles: count } }),
    JSON.stringify({ type: 'author', id: 70000, slug: 'bulk-wire', name: 'Bulk Wire', bio: null, avatarUrl: null, url: null, email: null, createdAt: at, updatedAt: at })
  ]
  const paragraph = 'Wire copy filed overnight, with enough words in it to make the import take a while to write. '.repeat(4)
  for (let n = 1; n <= count; n++) {
    const publishedAt = new Date(Date.parse(at) + n * 60_000).toISOString()
    lines.push(JSON.stringify({
      type: 'article', id: 70000 + n, slug: `wire-story-${n}`, title: `Wire story ${n}`, body: `<p>${paragraph}Story ${n}.</p>`, excerpt: null,
      status: 'published', publishedAt, authorId: 70000, labels: ['Wire'], createdAt: publishedAt, updatedAt: publishedAt
    }))
  }
  return `${lines.join('\n')}\n`
}

/** POST /v1/import, the file written in chunks with pauses: one long write on one connection. */
function streamImport (payload: Buffer): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = http.request({
      host, port: server.port, method: 'POST', path: '/v1/import', agent: false,
      headers: { ...admin, 'content-type': 'application/x-ndjson', 'content-length': String(payload.length) }
    }, (response) => {
      let body = ''
      response.setEncoding('utf8').on('data', (chunk: string) => { body += chunk })
      response.on('end', () => resolve({ status: response.statusCode!, headers: response.headers, body }))
      response.on('error', reject)
    })
    request.on('error', reject)
    void (async () => {
      const chunk = 64 * 1024
      for (let offset = 0; offset < payload.length; offset += chunk) {
        request.write(payload.subarray(offset, offset + chunk))
        await sleep(10)
      }
      request.end()
    })()
  })
}

t.test('readers keep getting 200 while a 5,000-article import is written, and see the articles after it', async (t) => {
  const count = 5000
  const payload = Buffer.from(exportFile(count))
  const before = await call(t, { path: '/v1/articles?limit=1' })
  t.equal(before.status, 200, 'the list reads before the import')
  const totalBefore = before.json().meta.total as number

  let importing = true
  const reads: Array<{ status: number, ms: number, during: boolean }> = []
  const readers = Array.from({ length: 4 }, async (_, reader) => {
    while (importing) {
      const started = performance.now()
      const answer = await call(t, { path: `/v1/articles?limit=5${reader % 2 === 0 ? '' : '&sort=title'}` }, true)
      reads.push({ status: answer.status, ms: performance.now() - started, during: importing })
      if (answer.status !== 200) t.fail(`a read during the import answered ${answer.status}`, { body: answer.body.slice(0, 300) })
    }
  })
  const started = performance.now()
  const imported = await streamImport(payload)
  const importMs = performance.now() - started
  importing = false
  await Promise.all(readers)
  const checked = { ...imported, json: () => JSON.parse(imported.body) }
  checkAgainstDocument(documented, t, 'POST', '/v1/import', asInjected(imported))

  const during = reads.filter((read) => read.during)
  const maxMs = Math.max(...reads.map((read) => read.ms))
  t.comment(`import of ${count} articles (${(payload.length / 1024 / 1024).toFixed(1)} MB): ${Math.round(importMs)} ms, answered ${imported.status}`)
  t.comment(`reads meanwhile: ${reads.length} (${JSON.stringify(tally(reads.map((read) => read.status)))}), max latency ${Math.round(maxMs)} ms`)
  t.equal(imported.status, 200, 'the import answers 200', { body: imported.body.slice(0, 500) })
  t.match(checked.json(), { counts: { authors: { created: 1 }, articles: { created: count } } }, `the report counts 1 author and ${count} articles created`)
  t.ok(during.length >= 10, `readers were answered while the import was in flight (${during.length} reads)`)
  t.ok(reads.every((read) => read.status === 200), 'every read during the import answered 200')

  const after = await call(t, { path: '/v1/articles?limit=1' })
  t.equal(after.json().meta.total, totalBefore + count, `the list now counts ${count} more articles`)
  const wire = await call(t, { path: '/v1/articles?author=bulk-wire&limit=1' })
  t.equal(wire.json().meta.total, count, 'the imported author lists all of them')
  t.equal(wire.json().data[0]?.slug, `wire-story-${count}`, 'the newest imported story comes first')
  const one = await call(t, { path: '/v1/articles/wire-story-2500' })
  t.equal(one.status, 200, 'an imported article reads anonymously by its slug')
  t.equal(one.json().title, 'Wire story 2500', 'with its title')
})
