import { execFile } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { migrate } from 'drizzle-orm/better-sqlite3/migrator'
import type { FastifyInstance } from 'fastify'
import t from 'tap'
import { buildApp } from '../src/app.js'
import { migrationsFolder, openDatabase, type Db } from '../src/db/client.js'
import { sqliteHandle } from '../src/db/sqlite-store.js'
import { adminSecret, bearer, build, createAuthor, request, tempDatabase, type TapLike } from './helper.js'

const run = promisify(execFile)
const projectRoot = fileURLToPath(new URL('../', import.meta.url))
const schemaFile = join(projectRoot, 'src/db/schema.ts')
const drizzleKit = join(projectRoot, 'node_modules/.bin/drizzle-kit')

interface JournalEntry { idx: number, tag: string, when: number }
interface Journal { entries: JournalEntry[], [key: string]: unknown }

const journal = JSON.parse(readFileSync(join(migrationsFolder, 'meta/_journal.json'), 'utf8')) as Journal

function tempDir (t: TapLike, prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** A migrations folder holding only the first `count` journal entries. */
function firstMigrations (t: TapLike, count: number): string {
  const folder = tempDir(t, 'dateline-migrations-')
  mkdirSync(join(folder, 'meta'))
  const entries = journal.entries.slice(0, count)
  for (const entry of entries) cpSync(join(migrationsFolder, `${entry.tag}.sql`), join(folder, `${entry.tag}.sql`))
  writeFileSync(join(folder, 'meta/_journal.json'), JSON.stringify({ ...journal, entries }, null, 2))
  return folder
}

function schemaOf (db: Db): unknown[] {
  return db.$client.prepare('select type, name, tbl_name, sql from sqlite_master order by name').all()
}

function open (t: TapLike, path: string): Db {
  const db = openDatabase(path)
  t.teardown(() => { if (db.$client.open) db.$client.close() })
  return db
}

const admin = bearer(adminSecret)

async function totalOf (app: FastifyInstance, t: TapLike, url: string): Promise<number> {
  const response = await request(app, t, { method: 'GET', url, headers: admin })
  if (response.statusCode !== 200) throw new Error(`GET ${url} answered ${response.statusCode}: ${response.body}`)
  return response.json().meta.total
}

t.test('a database file is opened in WAL mode with foreign keys and a busy timeout', async (t) => {
  const db = open(t, tempDatabase(t))
  t.equal(db.$client.pragma('journal_mode', { simple: true }), 'wal')
  t.equal(db.$client.pragma('foreign_keys', { simple: true }), 1)
  t.equal(db.$client.pragma('busy_timeout', { simple: true }), 5000)

  const app = await build(t, { databaseUrl: tempDatabase(t) })
  t.equal(sqliteHandle(app.store).$client.pragma('journal_mode', { simple: true }), 'wal', 'the app\'s own connection too')
  t.equal(sqliteHandle(app.store).$client.pragma('foreign_keys', { simple: true }), 1)
  t.equal(sqliteHandle(app.store).$client.pragma('busy_timeout', { simple: true }), 5000)
})

t.test('migrations give the same schema applied at once or one at a time', async (t) => {
  const all = journal.entries.length
  t.ok(all >= 1, `the journal lists migrations (${all})`)
  const upgraded = open(t, tempDatabase(t))
  for (let count = 1; count <= all; count++) {
    const folder = firstMigrations(t, count)
    migrate(upgraded, { migrationsFolder: folder })
    const fresh = open(t, tempDatabase(t))
    migrate(fresh, { migrationsFolder: folder })
    t.same(schemaOf(upgraded), schemaOf(fresh), `after ${journal.entries[count - 1]!.tag}, upgrading step by step = applying at once`)
    t.same(upgraded.$client.prepare('select count(*) as n from __drizzle_migrations').get(), { n: count }, `${count} migration(s) recorded`)
  }
  const viaApp = open(t, tempDatabase(t))
  migrate(viaApp, { migrationsFolder })
  t.same(schemaOf(upgraded), schemaOf(viaApp), 'the committed migrations folder gives the same schema')
  const tables = (schemaOf(viaApp) as Array<{ type: string, name: string }>).filter((row) => row.type === 'table').map((row) => row.name)
  for (const table of ['authors', 'articles', 'labels', 'article_labels', 'tokens']) t.ok(tables.includes(table), `the ${table} table exists`)
})

async function drizzleKitGenerate (t: TapLike, migrations: string): Promise<{ output: string, before: string[], after: string[] }> {
  const dir = tempDir(t, 'dateline-drizzle-kit-')
  cpSync(migrations, join(dir, 'migrations'), { recursive: true })
  // drizzle-kit prefixes `out` with "./", so it must be relative to its working directory.
  writeFileSync(join(dir, 'drizzle.config.ts'), `export default ${JSON.stringify({ dialect: 'sqlite', schema: schemaFile, out: './migrations' })}\n`)
  const list = () => readdirSync(join(dir, 'migrations'), { recursive: true }).map(String).sort()
  const before = list()
  const { stdout, stderr } = await run(drizzleKit, ['generate', '--config', join(dir, 'drizzle.config.ts')], { cwd: dir, timeout: 20_000 })
  return { output: `${stdout}${stderr}`, before, after: list() }
}

t.test('the drizzle schema and the committed migrations agree', async (t) => {
  const { output, before, after } = await drizzleKitGenerate(t, migrationsFolder)
  t.match(output, /No schema changes/, 'drizzle-kit generate reports no changes', { output })
  t.notMatch(output, /Error/, 'drizzle-kit ran without an error', { output })
  t.same(after, before, 'drizzle-kit wrote no new migration')

  // The harness itself notices a difference: with no migrations, drizzle-kit writes one.
  const empty = tempDir(t, 'dateline-empty-migrations-')
  const control = await drizzleKitGenerate(t, empty)
  t.ok(control.after.some((file) => file.endsWith('.sql')), 'a schema ahead of its migrations gets a new migration file', { output: control.output })
})

t.test('the demo fills an empty database with a small blog', async (t) => {
  const app = await build(t, { demo: true })
  t.equal(await totalOf(app, t, '/v1/authors'), 3, '3 authors')
  const published = await request(app, t, { method: 'GET', url: '/v1/articles?status=published&limit=100', headers: admin })
  t.equal(published.statusCode, 200)
  const articles = published.json().data as Array<{ status: string, date: string, publishedAt: string }>
  t.ok(articles.length >= 12, `at least 12 published articles (${articles.length})`)
  t.ok(articles.every((article) => article.status === 'published' && Date.parse(article.publishedAt) <= Date.now()), 'all published in the past')
  const dates = new Set(articles.map((article) => article.date))
  t.ok(dates.size >= 5, `over at least 5 distinct dates (${[...dates].join(', ')})`)
  t.ok(await totalOf(app, t, '/v1/articles?status=draft') >= 1, 'a draft')
  const scheduled = await request(app, t, { method: 'GET', url: '/v1/articles?status=scheduled', headers: admin })
  t.equal(scheduled.statusCode, 200)
  t.ok(scheduled.json().data.length >= 1, 'a scheduled article')
  for (const article of scheduled.json().data) t.ok(Date.parse(article.publishedAt) > Date.now(), `${article.slug} is due in the future`)

  const anonymous = await request(app, t, { method: 'GET', url: '/v1/articles?limit=100' })
  t.equal(anonymous.json().meta.total, articles.length, 'anonymous readers see exactly the published ones')
})

t.test('starting again with demo on adds nothing to a seeded database', async (t) => {
  const databaseUrl = tempDatabase(t)
  const options = { databaseUrl, timezone: 'UTC', locale: 'en-US', demo: true, adminToken: adminSecret }
  const first = await buildApp(options)
  await first.ready()
  const counts = async (app: FastifyInstance) => ({
    authors: await totalOf(app, t, '/v1/authors'),
    published: await totalOf(app, t, '/v1/articles?status=published'),
    drafts: await totalOf(app, t, '/v1/articles?status=draft'),
    scheduled: await totalOf(app, t, '/v1/articles?status=scheduled')
  })
  const seeded = await counts(first)
  t.equal(seeded.authors, 3)
  await first.close()

  const second = await buildApp(options)
  t.teardown(() => second.close())
  await second.ready()
  t.same(await counts(second), seeded, 'the same authors and articles, none added')
})

t.test('a database with content is left alone when demo is on', async (t) => {
  const databaseUrl = tempDatabase(t)
  const options = { databaseUrl, timezone: 'UTC', locale: 'en-US', adminToken: adminSecret }
  const first = await buildApp({ ...options, demo: false })
  await first.ready()
  const author = await createAuthor(first, t, { name: 'Only Author' })
  await first.close()

  const second = await buildApp({ ...options, demo: true })
  t.teardown(() => second.close())
  await second.ready()
  const authors = await request(second, t, { method: 'GET', url: '/v1/authors', headers: admin })
  t.equal(authors.statusCode, 200)
  t.same(authors.json().data.map((row: { id: number }) => row.id), [author.id], 'only the existing author')
  t.equal(await totalOf(second, t, '/v1/articles'), 0, 'no demo articles')
})
