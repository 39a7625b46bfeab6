import { readFileSync, statSync } from 'node:fs'
import { setTimeout } from 'node:timers/promises'
import { PassThrough } from 'node:stream'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import t, { type Test } from 'tap'
import { openStore } from '../../src/db/open.js'
import type { SqliteStore } from '../../src/db/sqlite-store.js'
import type { Store } from '../../src/db/store.js'
import { exportLines } from '../../src/resources/export/service.js'
import { importFile, readAndImport } from '../../src/resources/import/service.js'
import { writerThreadFor } from '../../src/resources/import/writer.js'
import { adminSecret, bearer, build, tempDatabase } from '../helper.js'
import { postgresTestUrl } from '../postgres.js'

// Issue 19: a large file is read and its bodies sanitised in a reader thread while the import writes
// and, into an SQLite file, runs in a writer thread of its own. Neither may change what is
// imported, in what order, or what a failed import leaves; and other requests are answered
// while it applies.

const settings = { timezone: 'UTC', locale: 'en-US' }
const fixtureNames = ['blogger-legacy-ghost-sample.xml', 'blogger-legacy-jjsfavoritethings-2008.xml', 'wxr-wordpress-com-2025.xml', 'wxr-theme-unit-test-data.xml']
const fixture = (name: string): string => readFileSync(new URL(`../../../shared/fixtures/${name}`, import.meta.url), 'utf8')

async function * chunked (text: string, size = 16 * 1024): AsyncGenerator<Buffer> {
  const bytes = Buffer.from(text)
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size)
}

const testStarted = new Date().toISOString()

/**
 * The whole database as our export writes it, without the header (it carries the export
 * time), and with the times an import gives rows it has no time for (now) made one.
 */
async function contentOf (store: Store): Promise<string[]> {
  const lines: string[] = []
  for await (const line of exportLines(store, { settings, mediaBase: null })) lines.push(line.replace(/"\d{4}-\d\d-\d\dT[\d:.]+Z"/g, (time) => time.slice(1, -1) >= testStarted ? '"(imported at)"' : time))
  return lines.slice(1)
}

async function openedStore (t: Test, location: string): Promise<Store> {
  const store = await openStore(location, { timezone: 'UTC' })
  t.teardown(async () => { await store.close() })
  return store
}

/** A Dateline NDJSON export of `count` articles, each with a comment; `broken`: a line that is not JSON after them. */
function ndjsonFile (count: number, broken = false): string {
  const at = '2024-03-01T10:00:00.000Z'
  const lines = [{ type: 'header', format: 'dateline', version: 1, exportedAt: at, counts: { authors: 1, articles: count, comments: count } },
    { type: 'author', id: 1, slug: 'ada', name: 'Ada', bio: null, avatarUrl: null, url: null, email: 'ada@example.org', createdAt: at, updatedAt: at }]
  for (let id = 1; id <= count; id++) {
    const body = `<p>Story ${id} <script>alert(1)</script><a href="javascript:x()" onclick="y()">link</a> ${'words of the day '.repeat(40)}</p>`
    lines.push({ type: 'article', id, slug: `story-${id}`, title: `Story ${id}`, body, excerpt: null, status: 'published', publishedAt: at, authorId: 1, labels: ['News'], createdAt: at, updatedAt: at } as never)
  }
  for (let id = 1; id <= count; id++) {
    lines.push({ type: 'comment', id, articleId: id, parentId: null, authorName: 'Reader', authorUrl: null, authorEmail: null, body: `<p>Nice <img src=x onerror=alert(1)> ${id}</p>`, status: 'approved', createdAt: at, updatedAt: at } as never)
  }
  return lines.map((line) => JSON.stringify(line)).join('\n') + (broken ? '\n{"type": "article", oops\n' : '\n')
}

t.test('the writer thread and the reader thread import each real export exactly as one thread alone did', async (t) => {
  for (const name of fixtureNames) {
    const file = fixture(name)
    const serial = await openedStore(t, ':memory:')
    await readAndImport(serial, settings, chunked(file), { dryRun: false })
    const parallel = await openedStore(t, tempDatabase(t))
    t.ok(writerThreadFor(parallel), `${name}: a file database is imported from a writer thread`)
    const report = await importFile(parallel, settings, chunked(file), { dryRun: false })
    t.ok(report.counts.articles.created > 0, `${name}: articles were imported`)
    const [expected, actual] = [await contentOf(serial), await contentOf(parallel)]
    t.equal(actual.length, expected.length, `${name}: as many rows`)
    t.same(actual, expected, `${name}: the same rows, with the same ids, in the same order`)
  }
})

t.test('with a reader thread beside the main thread, an in-memory database gets what one thread alone gave', async (t) => {
  const file = ndjsonFile(300)
  const serial = await openedStore(t, ':memory:')
  const serialReport = await readAndImport(serial, settings, chunked(file), { dryRun: false })
  const read = await openedStore(t, ':memory:')
  const readReport = await importFile(read, settings, chunked(file), { dryRun: false })
  t.same(readReport, serialReport, 'the same report')
  const content = await contentOf(read)
  t.same(content, await contentOf(serial), 'the same rows')
  t.notOk(content.some((line) => /<script|javascript:|onclick=|onerror=/.test(line)), 'every body was sanitised')
})

async function total (app: FastifyInstance, path: string): Promise<number> {
  return (await app.inject({ method: 'GET', url: `${path}?limit=1`, headers: bearer(adminSecret) })).json().meta.total
}

async function importThroughApi (app: FastifyInstance, file: string): Promise<LightMyRequestResponse> {
  return await app.inject({ method: 'POST', url: '/v1/import', headers: { ...bearer(adminSecret), 'content-type': 'application/x-ndjson' }, payload: file })
}

t.test('a bad record after hundreds read in a reader thread leaves nothing behind and answers the problem the main thread answers', async (t) => {
  const file = ndjsonFile(400, true)
  // The suite's database (in memory, or PostgreSQL), imported on the main thread; on SQLite a
  // file too, imported from a writer thread (on PostgreSQL, a second database).
  const inMemory = await build(t)
  const onFile = await build(t, postgresTestUrl() === undefined ? { databaseUrl: tempDatabase(t) } : {})
  const answers = [await importThroughApi(inMemory, file), await importThroughApi(onFile, file)]
  for (const [i, response] of answers.entries()) {
    t.equal(response.statusCode, 400, `${i}: 400`)
    t.match(response.headers['content-type'], /^application\/problem\+json/, `${i}: a problem document`)
  }
  t.same(answers[1]!.json(), answers[0]!.json(), 'the same problem from the writer thread as from the main thread')
  t.match(answers[1]!.json(), { detail: /line 803/ }, 'naming the line')
  for (const app of [inMemory, onFile]) {
    t.equal(await total(app, '/v1/articles'), 0, 'no article was imported')
    t.equal(await total(app, '/v1/authors'), 0, 'no author was imported')
    t.equal(await total(app, '/v1/comments'), 0, 'no comment was imported')
  }
})

t.test('while an import applies, reads are answered from the last commit and writes wait for it', async (t) => {
  const app = await build(t, { databaseUrl: tempDatabase(t) })
  const order: string[] = []
  let during: Promise<void> | undefined
  const importing = importFile(app.store, settings, chunked(ndjsonFile(1500)), {
    dryRun: false,
    onApply: () => {
      order.push('apply begins')
      during = (async () => {
        const write = app.inject({ method: 'POST', url: '/v1/authors', headers: bearer(adminSecret), payload: { name: 'Grace' } })
          .then(async (response) => { order.push(`write answered ${response.statusCode}, ${await total(app, '/v1/articles')} articles then`) })
        order.push(`read answered, ${await total(app, '/v1/articles')} articles`)
        await write
      })()
    }
  })
  t.equal((await importing).counts.articles.created, 1500, 'the import answers')
  await during
  t.same(order, ['apply begins', 'read answered, 0 articles', 'write answered 201, 1500 articles then'],
    'a read is answered during the apply phase, without the import\'s rows; a write waits until the import has committed')
  const authors = await app.inject({ method: 'GET', url: '/v1/authors?limit=100' })
  t.same(authors.json().data.map((author: { name: string }) => author.name).sort(), ['Ada', 'Grace'], 'both the import and the write are in')
})

t.test('an upload still arriving holds no lock: writes are answered meanwhile, and the import after it', async (t) => {
  const app = await build(t, postgresTestUrl() === undefined ? { databaseUrl: tempDatabase(t) } : {})
  const file = ndjsonFile(50)
  const upload = new PassThrough()
  upload.write(file.slice(0, 1000))
  const importing = app.inject({ method: 'POST', url: '/v1/import', headers: { ...bearer(adminSecret), 'content-type': 'application/x-ndjson' }, payload: upload })
  const write = await app.inject({ method: 'POST', url: '/v1/authors', headers: bearer(adminSecret), payload: { name: 'Grace' } })
  t.equal(write.statusCode, 201, 'a write is answered while the upload has not ended')
  upload.end(file.slice(1000))
  const imported = await importing
  t.equal(imported.statusCode, 200, 'the import answers once its file is in')
  t.equal(imported.json().counts.articles.created, 50, 'with every article')
})

t.test('the writer thread checkpoints what it wrote after answering, and the main connection leaves that to it', async (t) => {
  const location = tempDatabase(t)
  const app = await build(t, { databaseUrl: location })
  const client = (app.store as SqliteStore).handle.$client
  const sizeBefore = statSync(location).size
  const report = await importFile(app.store, settings, chunked(ndjsonFile(1500)), { dryRun: false })
  t.equal(report.counts.articles.created, 1500)
  t.equal(client.pragma('wal_autocheckpoint', { simple: true }), 0, 'as the import answers, the main connection\'s next commit would not checkpoint')
  const write = await app.inject({ method: 'POST', url: '/v1/authors', headers: bearer(adminSecret), payload: { name: 'Grace' } })
  t.equal(write.statusCode, 201, 'writes go on meanwhile')
  while (client.pragma('wal_autocheckpoint', { simple: true }) === 0) await setTimeout(10)
  t.equal(client.pragma('wal_autocheckpoint', { simple: true }), 1000, 'once the writer has closed its connection, this one checkpoints again')
  t.ok(statSync(location).size > sizeBefore + 1024 * 1024, `the imported pages are in the database file (${sizeBefore} -> ${statSync(location).size} bytes), copied there by the writer`)
  t.equal(await total(app, '/v1/articles'), 1500)
})
