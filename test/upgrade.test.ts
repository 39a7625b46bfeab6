import { readFileSync } from 'node:fs'
import Database from 'better-sqlite3'
import type { FastifyInstance } from 'fastify'
import pg from 'pg'
import t, { type Test } from 'tap'
import { adminSecret, bearer, build, request, tempDatabase } from './helper.js'
import { inventory, type Inventory } from './fixtures/upgrade/inventory.js'
import { freshPostgresDatabase } from './postgres.js'
import { labelKey } from '../src/lib/values.js'
import { giveLabelsSlugs } from '../src/resources/labels/backfill.js'

// A database made by an earlier Dateline migrates forward when this one starts on it, and
// keeps its data: a fixture of each kind (test/fixtures/upgrade, remade by make.ts there) is
// loaded into a fresh database, the app is built on it as production builds it (which runs
// the migrations), and everything the API answered before is answered again, to the value.

const fixtures = new URL('./fixtures/upgrade/', import.meta.url)

interface Made {
  inventory: Inventory
  tokenSecret: string
}

const expected = JSON.parse(readFileSync(new URL('expected.json', fixtures), 'utf8')) as { madeBy: string, sqlite: Made, postgres: Made }

/**
 * `actual` cut down to the fields `expected` has, at every depth (arrays keep their length):
 * fields a later version adds to an answer are not a loss, a field missing or changed is.
 */
function asRecorded (actual: unknown, recorded: unknown): unknown {
  if (Array.isArray(recorded) && Array.isArray(actual)) return actual.map((item, i) => asRecorded(item, recorded[i]))
  if (recorded !== null && typeof recorded === 'object' && actual !== null && typeof actual === 'object' && !Array.isArray(actual)) {
    return Object.fromEntries(Object.keys(recorded).filter((key) => key in actual).map((key) => [key, asRecorded((actual as Record<string, unknown>)[key], (recorded as Record<string, unknown>)[key])]))
  }
  return actual
}

function maxId (rows: Array<{ id: number }>): number {
  return Math.max(...rows.map((row) => row.id))
}

/** Every id of each kind the fixture holds, trashed articles included. */
function recordedIds (made: Made): { articles: number[], comments: number[], authors: number[] } {
  const inventory = made.inventory as any
  const articles = Object.keys(inventory.byId).map(Number).concat(inventory.trash.data.map((row: { id: number }) => row.id))
  const comments = Object.values(inventory.queue).flatMap((list: any) => list.data.map((row: { id: number }) => row.id as number))
  const authors = inventory.authors.data.map((row: { id: number }) => row.id as number)
  return { articles, comments, authors }
}

async function keepsItsData (t: Test, app: FastifyInstance, made: Made): Promise<void> {
  const now = await inventory(app)
  const recorded = made.inventory as any
  t.ok(Object.keys(recorded.byId).length >= 10 && recorded.trash.total >= 1 && recorded.tokens.total >= 2, 'the fixture has articles, trash and tokens to keep')
  for (const [part, before] of Object.entries(made.inventory)) {
    t.strictSame(asRecorded(now[part], before), before, `${part}: as the API answered before the upgrade`)
  }

  // The token made before the upgrade still works (its hash was kept), and was not taken for another.
  const editor = bearer(made.tokenSecret)
  t.equal((await request(app, t, { method: 'GET', url: '/v1/articles?status=draft', headers: editor })).statusCode, 200, 'the old editor token is accepted')
  t.equal((await request(app, t, { method: 'GET', url: '/v1/tokens', headers: editor })).statusCode, 403, 'and is still an editor\'s, not an admin\'s')

  // Search finds old articles: the index came through.
  const newest = recorded.articles.published.data[0]
  const word = String(newest.title).split(/\W+/).find((part) => part.length >= 5)!
  const found = await request(app, t, { method: 'GET', url: `/v1/articles?q=${encodeURIComponent(word)}` })
  t.ok(found.json().data.some((row: { id: number }) => row.id === newest.id), `searching "${word}" finds "${newest.title as string}"`)

  // Writes work, and new rows take new ids.
  const ids = recordedIds(made)
  const author = await request(app, t, { method: 'POST', url: '/v1/authors', headers: editor, payload: { name: 'After the upgrade' } })
  t.equal(author.statusCode, 201, 'an author is created')
  t.ok(author.json().id > Math.max(...ids.authors), 'with an id after the old ones')
  const article = await request(app, t, { method: 'POST', url: '/v1/articles', headers: editor, payload: { title: newest.title, body: '<p>New.</p>', status: 'published', authorId: author.json().id } })
  t.equal(article.statusCode, 201, 'an article is created')
  t.ok(article.json().id > Math.max(...ids.articles), 'with an id after every old one, trashed ones too')
  t.not(article.json().slug, newest.slug, 'and a slug of its own beside the old one with its title')
  const comment = await request(app, t, { method: 'POST', url: `/v1/articles/${newest.id as number}/comments`, payload: { authorName: 'Reader', body: 'After the upgrade.' } })
  t.equal(comment.statusCode, 201, 'a comment is posted on an old article')
  t.ok(comment.json().id > Math.max(...ids.comments), 'with an id after the old ones')

  // An old article is edited with the ETag it has now: its history grows from what was kept.
  const old = await request(app, t, { method: 'GET', url: `/v1/articles/${newest.id as number}`, headers: bearer(adminSecret) })
  const edited = await request(app, t, { method: 'PATCH', url: `/v1/articles/${newest.id as number}`, headers: { ...bearer(adminSecret), 'if-match': String(old.headers.etag) }, payload: { excerpt: 'Edited after the upgrade.' } })
  t.equal(edited.statusCode, 200, 'an old article is edited')
  const history = await request(app, t, { method: 'GET', url: `/v1/articles/${newest.id as number}/revisions`, headers: bearer(adminSecret) })
  t.equal(history.json().meta.total, recorded.revisions[newest.id].total + 1, 'its history keeps the old revisions and one more')

  // A trashed article comes back with its comments.
  const trashed = recorded.trash.data[0]
  const restored = await request(app, t, { method: 'POST', url: `/v1/trash/${trashed.id as number}/restore`, headers: bearer(adminSecret) })
  t.equal(restored.statusCode, 200, 'an article trashed before the upgrade is restored')
  const back = await request(app, t, { method: 'GET', url: `/v1/articles/${trashed.id as number}`, headers: bearer(adminSecret) })
  t.equal(back.json().slug, trashed.slug, 'under its old id and slug')
  t.ok(maxId([article.json()]) > trashed.id)
}

t.test(`an SQLite database made by ${expected.madeBy} migrates forward and keeps its data`, async (t) => {
  const file = tempDatabase(t)
  const loaded = new Database(file)
  loaded.exec(readFileSync(new URL('sqlite.sql', fixtures), 'utf8'))
  loaded.close()
  await keepsItsData(t, await build(t, { databaseUrl: file }), expected.sqlite)
})

t.test(`a PostgreSQL database made by ${expected.madeBy} migrates forward and keeps its data`, async (t) => {
  const { url } = await freshPostgresDatabase(t, { unmigrated: true })
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    await client.query(readFileSync(new URL('postgres.sql', fixtures), 'utf8'))
  } finally {
    await client.end()
  }
  await keepsItsData(t, await build(t, { databaseUrl: url }), expected.postgres)
})

// Labels made before slugs (migration 0016, PostgreSQL's 0008) get them from the step that
// follows the migrations: the fixture's, and names SQL could not slug, or would slug alike.
const labelsBeforeSlugs: Array<[number, string]> = [[101, 'Café'], [102, 'Cafe'], [103, 'Ειδήσεις'], [104, '🎉'], [105, '2015'], [106, 'weather report']]

async function labelsGotSlugs (t: Test, app: FastifyInstance): Promise<void> {
  const labels = (await request(app, t, { method: 'GET', url: '/v1/labels?limit=100', headers: bearer(adminSecret) })).json().data as Array<{ id: number, name: string, slug: string }>
  const slugOf = new Map(labels.map((label) => [label.id, label.slug]))
  t.same(labelsBeforeSlugs.map(([id]) => slugOf.get(id)), ['cafe', 'cafe-2', 'ειδησεις', 'label', 'label-2015', 'weather-report'], 'accents folded, a clash numbered, any script kept, a name of no letters or only digits given "label"')
  t.equal(slugOf.get(1), 'weather', 'the fixture\'s labels too')
  t.equal(new Set(slugOf.values()).size, labels.length, 'every slug is a label\'s own')
  t.ok(labels.every((label) => /^(?=[\p{Ll}\p{Lm}\p{Lo}\p{N}-]*[\p{Ll}\p{Lm}\p{Lo}])[\p{Ll}\p{Lm}\p{Lo}\p{N}]+(?:-[\p{Ll}\p{Lm}\p{Lo}\p{N}]+)*$/u.test(label.slug)), 'each a valid slug')
  t.equal((await request(app, t, { method: 'GET', url: '/v1/labels/cafe-2', headers: bearer(adminSecret) })).json().name, 'Cafe', 'a label page found by its new slug')
  t.equal(await giveLabelsSlugs(app.store), 0, 'the step finds nothing to do once done')
}

t.test('labels of an SQLite database made before slugs get unique slugs when it is opened', async (t) => {
  const file = tempDatabase(t)
  const loaded = new Database(file)
  loaded.exec(readFileSync(new URL('sqlite.sql', fixtures), 'utf8'))
  const insert = loaded.prepare('insert into labels (id, name, key) values (?, ?, ?)')
  for (const [id, name] of labelsBeforeSlugs) insert.run(id, name, labelKey(name))
  loaded.close()
  await labelsGotSlugs(t, await build(t, { databaseUrl: file }))
})

t.test('labels of a PostgreSQL database made before slugs get unique slugs when it is opened', async (t) => {
  const { url } = await freshPostgresDatabase(t, { unmigrated: true })
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    await client.query(readFileSync(new URL('postgres.sql', fixtures), 'utf8'))
    for (const [id, name] of labelsBeforeSlugs) await client.query('insert into public.labels (id, name, key) values ($1, $2, $3)', [id, name, labelKey(name)])
  } finally {
    await client.end()
  }
  await labelsGotSlugs(t, await build(t, { databaseUrl: url }))
})
