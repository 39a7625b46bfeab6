import type { FastifyInstance } from 'fastify'
import t, { type Test } from 'tap'
import { adminSecret, bearer, build, checkAgainstDocument, tempDatabase } from '../helper.js'
import { freshPostgresDatabase } from '../postgres.js'

// Editors racing with one If-Match, over real sockets, against one instance of the app or two
// sharing the database: each round exactly one PATCH wins (200), every other is refused (412,
// or 409), none is a 5xx, and what is stored is exactly the winner's edit. The winner's ETag
// starts the next round. On PostgreSQL the row lock (`…ForUpdate`) queues the editors; on
// SQLite the unit holds the write lock: the same answers, which is the point of running both.

const editors = 40
const rounds = 3

type Database = 'postgres' | 'sqlite'

interface Answer {
  status: number
  etag: string
  json: () => any
}

/** An instance of the app listening on a port of its own, asked through fetch. */
interface Instance {
  app: FastifyInstance
  send: (t: Test, method: string, path: string, headers?: Record<string, string>, body?: unknown) => Promise<Answer>
}

async function listening (t: Test, databaseUrl: string): Promise<Instance> {
  // Moderators post many comments from one address here.
  const app = await build(t, { databaseUrl, commentRateLimit: 10_000 })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as { port: number }
  return {
    app,
    async send (t, method, path, headers = {}, body) {
      // An empty header is left out: `{ authorization: '' }` asks as an anonymous reader.
      const sent = Object.entries({ ...bearer(adminSecret), ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers }).filter(([, value]) => value !== '')
      const response = await fetch(`http://127.0.0.1:${port}${path}`, {
        method,
        headers: Object.fromEntries(sent),
        ...(body === undefined ? {} : { body: JSON.stringify(body) })
      })
      const text = await response.text()
      const answer = { status: response.status, etag: response.headers.get('etag') ?? '', json: () => JSON.parse(text) }
      const injected = { statusCode: response.status, headers: Object.fromEntries(response.headers), body: text, json: answer.json }
      checkAgainstDocument(app, t, method, path, injected as unknown as Parameters<typeof checkAgainstDocument>[4])
      return answer
    }
  }
}

/** `count` instances of the app on one fresh database of the kind asked for. */
async function instancesOn (t: Test, database: Database, count: number): Promise<Instance[]> {
  const url = database === 'postgres' ? (await freshPostgresDatabase(t)).url : tempDatabase(t)
  const instances: Instance[] = []
  for (let i = 0; i < count; i++) instances.push(await listening(t, url))
  return instances
}

function versionOf (etag: string): number {
  const match = /^"[a-z]+-\d+-v(\d+)\./.exec(etag)
  if (match === null) throw new Error(`no version in the ETag ${etag}`)
  return Number(match[1])
}

function tally (statuses: number[]): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const status of statuses) counts[status] = (counts[status] ?? 0) + 1
  return counts
}

interface Race {
  /** The resource's path. */
  path: string
  /** Editor `i`'s edit in round `round`. */
  edit: (round: number, i: number) => Record<string, unknown>
  /** Whether the stored resource holds exactly that edit. */
  holds: (stored: any, edit: Record<string, unknown>) => boolean
}

/**
 * `rounds` rounds of `editors` PATCHes at once with one If-Match, spread over the instances
 * (editor i sends to instance i mod n); each round starts from the last winner's ETag.
 */
async function raceRounds (t: Test, instances: Instance[], race: Race): Promise<void> {
  const first = await instances[0]!.send(t, 'GET', race.path)
  t.equal(first.status, 200, 'the contested resource reads')
  let etag = first.etag
  for (let round = 1; round <= rounds; round++) {
    const answers = await Promise.all(Array.from({ length: editors }, async (_, i) =>
      await instances[i % instances.length]!.send(t, 'PATCH', race.path, { 'if-match': etag }, race.edit(round, i))))
    const statuses = answers.map((answer) => answer.status)
    t.comment(`round ${round}: ${JSON.stringify(tally(statuses))}`)
    t.equal(statuses.filter((status) => status >= 500).length, 0, `round ${round}: no 5xx`)
    t.equal(statuses.filter((status) => status === 200).length, 1, `round ${round}: exactly one PATCH wins`)
    t.equal(statuses.filter((status) => status === 412 || status === 409).length, editors - 1, `round ${round}: the others are refused (412/409)`)
    const winner = statuses.indexOf(200)
    if (winner === -1) return
    for (const answer of answers.filter((answer) => answer.status !== 200)) {
      t.equal(answer.json().type, answer.status === 412 ? 'https://dateline.dev/problems/precondition-failed' : 'https://dateline.dev/problems/conflict')
    }
    // Read through an instance other than the winner's, where there is one.
    const reader = instances[(winner + 1) % instances.length]!
    const stored = await reader.send(t, 'GET', race.path)
    t.ok(race.holds(stored.json(), race.edit(round, winner)), `round ${round}: the stored resource is the winner's edit`)
    t.equal(versionOf(stored.etag), versionOf(etag) + 1, `round ${round}: one version more, not ${versionOf(stored.etag) - versionOf(etag)}`)
    t.equal(versionOf(answers[winner]!.etag), versionOf(stored.etag), `round ${round}: the winner was told that version`)
    etag = answers[winner]!.etag
  }
}

async function newArticlePath (t: Test, instance: Instance): Promise<string> {
  const author = await instance.send(t, 'POST', '/v1/authors', {}, { name: 'Race Desk' })
  const created = await instance.send(t, 'POST', '/v1/articles', {}, { title: 'Contested headline', body: '<p>Start.</p>', status: 'published', authorId: author.json().id })
  t.equal(created.status, 201, 'the contested article is created')
  return `/v1/articles/${created.json().id as number}`
}

const articleRace = (path: string): Race => ({
  path,
  edit: (round, i) => ({ title: `Round ${round}, editor ${i}`, body: `<p>Edited by ${i} in round ${round}.</p>` }),
  holds: (stored, edit) => stored.title === edit.title && stored.body === edit.body
})

const authorRace = (path: string): Race => ({
  path,
  edit: (round, i) => ({ bio: `Rewritten by editor ${i} in round ${round}.` }),
  holds: (stored, edit) => stored.bio === edit.bio
})

const statuses = ['approved', 'rejected', 'spam', 'pending'] as const

const commentRace = (path: string): Race => ({
  path,
  // Each round every editor moves the comment to one status, and the body says who did.
  edit: (round, i) => ({ status: statuses[(round + i) % statuses.length], body: `Moderated by ${i} in round ${round}.` }),
  holds: (stored, edit) => stored.status === edit.status && stored.body === `<p>${edit.body as string}</p>`
})

for (const database of ['postgres', 'sqlite'] as const) {
  for (const count of [1, 2]) {
    const where = `on ${database === 'postgres' ? 'PostgreSQL' : 'SQLite'}, ${count === 1 ? 'one instance' : 'two instances sharing the database'}`

    t.test(`${editors} editors PATCH one article with one If-Match, ${rounds} rounds, ${where}`, async (t) => {
      const instances = await instancesOn(t, database, count)
      await raceRounds(t, instances, articleRace(await newArticlePath(t, instances[0]!)))
    })
  }
}

for (const database of ['postgres', 'sqlite'] as const) {
  t.test(`authors and comments moderation under the same race, two instances on ${database === 'postgres' ? 'PostgreSQL' : 'SQLite'}`, async (t) => {
    const instances = await instancesOn(t, database, 2)
    const [a, b] = instances as [Instance, Instance]
    const author = await a.send(t, 'POST', '/v1/authors', {}, { name: 'Contested Author' })
    await t.test('the author', async (t) => { await raceRounds(t, instances, authorRace(`/v1/authors/${author.json().id as number}`)) })

    const article = await newArticlePath(t, a)
    const posted = await b.send(t, 'POST', `${article}/comments`, { authorization: '' }, { authorName: 'A reader', body: 'First!' })
    if (posted.status !== 201) return t.fail(`a reader's comment was refused: ${posted.status}`)
    const comment = `/v1/comments/${posted.json().id as number}`
    await t.test('the comment', async (t) => { await raceRounds(t, instances, commentRace(comment)) })

    // The article's count follows the status that won, whichever instance answered.
    const stored = (await a.send(t, 'GET', comment)).json()
    const counted = (await b.send(t, 'GET', article)).json().commentCount
    t.equal(counted, stored.status === 'approved' ? 1 : 0, `commentCount is ${counted} with the comment ${stored.status as string}`)
  })
}

// Writes that lock rows in different orders at once (a comment locks itself then its article;
// deleting an article locks it then its comments; new articles race for one slug and for new
// labels): PostgreSQL's deadlocks and unique violations must be retried or refused, never a 500.
t.test('a mixed storm of writes on two instances sharing PostgreSQL: no 5xx, and the counts stay exact', async (t) => {
  const instances = await instancesOn(t, 'postgres', 2)
  const on = (i: number): Instance => instances[i % instances.length]!
  const main = await newArticlePath(t, on(0))
  const doomed = await newArticlePath(t, on(1))
  const comments: number[] = []
  for (let i = 0; i < 20; i++) comments.push((await on(i).send(t, 'POST', `${main}/comments`, {}, { authorName: 'Staff', body: `Comment ${i}` })).json().id)
  for (let i = 0; i < 5; i++) await on(i).send(t, 'POST', `${doomed}/comments`, {}, { authorName: 'Staff', body: `Doomed ${i}` })
  const authorId = (await on(0).send(t, 'GET', main)).json().authorId as number
  const startVersion = versionOf((await on(0).send(t, 'GET', main)).etag)

  const groups: Record<string, { allowed: number[], runs: Array<Promise<Answer>> }> = {
    'edits of one article': { allowed: [200], runs: [] },
    'new comments': { allowed: [201], runs: [] },
    'moderation': { allowed: [200, 404], runs: [] },
    'deleted comments': { allowed: [204], runs: [] },
    'replies to comments being deleted': { allowed: [201, 400, 404, 409], runs: [] },
    'articles with one title': { allowed: [201], runs: [] },
    'author edits': { allowed: [200], runs: [] },
    'the article deleted': { allowed: [204], runs: [] },
    'comments on the article being deleted': { allowed: [201, 404], runs: [] },
    'reads': { allowed: [200], runs: [] }
  }
  const add = (group: string, run: Promise<Answer>): void => { groups[group]!.runs.push(run) }
  for (let i = 0; i < 10; i++) {
    add('edits of one article', on(i).send(t, 'PATCH', main, {}, { title: `Storm edit ${i}`, labels: [`storm-${i % 3}`, 'shared'] }))
    add('new comments', on(i + 1).send(t, 'POST', `${main}/comments`, {}, { authorName: 'Staff', body: `Storm comment ${i}` }))
    add('moderation', on(i).send(t, 'PATCH', `/v1/comments/${comments[i]!}`, {}, { status: i % 2 === 0 ? 'rejected' : 'spam' }))
    add('articles with one title', on(i + 1).send(t, 'POST', '/v1/articles', {}, { title: 'One title for all', body: '<p>Same.</p>', status: 'published', authorId, labels: [`fresh-${i % 2}`] }))
    add('reads', on(i).send(t, 'GET', `/v1/articles?limit=${i + 1}&include=author`))
  }
  for (let i = 10; i < 15; i++) {
    add('deleted comments', on(i).send(t, 'DELETE', `/v1/comments/${comments[i]!}`))
    add('replies to comments being deleted', on(i + 1).send(t, 'POST', `${main}/comments`, {}, { authorName: 'Staff', body: `Reply to ${i}`, parentId: comments[i] }))
    add('author edits', on(i).send(t, 'PATCH', `/v1/authors/${authorId}`, {}, { bio: `Bio ${i}` }))
    add('comments on the article being deleted', on(i + 1).send(t, 'POST', `${doomed}/comments`, {}, { authorName: 'Staff', body: `Late ${i}` }))
  }
  add('the article deleted', on(0).send(t, 'DELETE', doomed))

  const outcomes: Record<string, number[]> = {}
  for (const [group, { allowed, runs }] of Object.entries(groups)) {
    const answers = await Promise.all(runs)
    const statuses = answers.map((answer) => answer.status)
    for (const answer of answers.filter((answer) => answer.status >= 500)) t.comment(group, answer.status, JSON.stringify(answer.json()))
    outcomes[group] = statuses
    t.same(statuses.filter((status) => !allowed.includes(status)), [], `${group}: ${JSON.stringify(tally(statuses))}`)
  }

  const stored = await on(1).send(t, 'GET', main)
  t.equal(versionOf(stored.etag), startVersion + outcomes['edits of one article']!.filter((status) => status === 200).length, 'every edit of the article is one version')
  const approved = await on(0).send(t, 'GET', `${main}/comments?limit=100`)
  t.equal(stored.json().commentCount, approved.json().meta.total, `commentCount (${stored.json().commentCount as number}) is the approved comments listed`)
  const replies = outcomes['replies to comments being deleted']!.filter((status) => status === 201).length
  t.equal(approved.json().meta.total, 20 - 10 - 5 + 10 + replies, 'approved: 20, less 10 moderated away and 5 deleted, plus the new comments and replies')
  const titled = await on(1).send(t, 'GET', '/v1/articles?q=title&limit=100')
  const slugs = titled.json().data.map((row: { slug: string }) => row.slug)
  t.equal(new Set(slugs).size, 10, `ten articles with one title have ten slugs: ${slugs.join(', ')}`)
  t.equal((await on(1).send(t, 'GET', doomed)).status, 404, 'the deleted article is gone')
})
