import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { drizzle } from 'drizzle-orm/node-postgres'
import { migrate } from 'drizzle-orm/node-postgres/migrator'
import t from 'tap'
import { postgresJournalEntries, postgresMigrationsFolder } from '../../src/db/postgres.js'
import { demoArticles } from '../../src/demo/content.js'
import { build, tempDatabase } from '../helper.js'
import { articleSlugs, comparable, ghostPath, lines, password, ran, setup, tempDir, withClient } from './cli-run.js'

// `dateline backup` and `dateline restore` with DATABASE_URL=postgres://…: pg_dump's archive,
// checked before it is loaded, loaded in one transaction, never into a database in use.

// A dozen databases, each dumped or restored by the client tools: longer than tap's default on a loaded machine.
t.setTimeout(300_000)

t.test('backup writes a pg_dump archive; restore loads it into another, empty database', async (t) => {
  const source = await setup(t)
  await ran(t, ['seed'], source.env)
  await ran(t, ['import', ghostPath], source.env)
  const dir = tempDir(t)
  const file = join(dir, 'nested', 'blog.dump')
  const backup = await ran(t, ['backup', file], source.env)
  const imageCount = demoArticles.length
  t.match(backup.stdout, new RegExp(`^Backed up the PostgreSQL database ${source.name} at 127\\.0\\.0\\.1:5432 to ${file} \\(pg_dump custom format, \\d+ bytes\\)\\.\\n` +
    `Backed up the images of ${source.env.DATELINE_MEDIA_DIR} to ${file}\\.media \\(${imageCount} images, \\d+ bytes\\)\\.\\n$`), 'the database, then the demo\'s images beside it')
  t.equal(readFileSync(file).subarray(0, 5).toString('latin1'), 'PGDMP', 'a pg_dump custom-format archive')

  const refused = await ran(t, ['backup', file], source.env, 1)
  t.match(refused.stderr, /the file exists; give --force/)
  await ran(t, ['backup', file, '--force'], source.env)

  const target = await setup(t, { unmigrated: true })
  const restored = await ran(t, ['restore', file], target.env)
  t.equal(restored.stdout, `Restored the PostgreSQL database ${target.name} at 127.0.0.1:5432 from ${file}.\nRestored ${imageCount} images to ${target.env.DATELINE_MEDIA_DIR}.\n`)
  // The CLI's export names each image's file in the media folder, which is the target's own.
  const inFolder = (text: string, folder: string) => comparable(text).map((line) => line.replaceAll(`file://${folder}/`, 'file://(media folder)/'))
  t.same(inFolder((await ran(t, ['export'], target.env)).stdout, target.env.DATELINE_MEDIA_DIR!), inFolder((await ran(t, ['export'], source.env)).stdout, source.env.DATELINE_MEDIA_DIR!), 'the restored database exports what the original does')
  t.same(await articleSlugs(t, target.url), await articleSlugs(t, source.url), 'and the API serves it')
})

t.test('a restored database gets a new scope for its write stamps: list ETags handed out before the restore never match after it', async (t) => {
  const source = await setup(t)
  const app = await build(t, { databaseUrl: source.url })
  await app.close()
  const scopeOf = async (url: string): Promise<string | undefined> => await withClient(url, async (client) =>
    (await client.query<{ value: string }>("select value from meta where key = 'stamp-scope'")).rows[0]?.value)
  const before = await scopeOf(source.url)
  t.ok(before, 'the source has a scope once a server ran on it')
  const file = join(tempDir(t), 'blog.dump')
  await ran(t, ['backup', file], source.env)
  const target = await setup(t, { unmigrated: true })
  await ran(t, ['restore', file], target.env)
  t.equal(await scopeOf(target.url), undefined, 'the restore leaves none')
  const restoredApp = await build(t, { databaseUrl: target.url })
  t.not(restoredApp.stampScope, before, 'the next start makes a new one')
  t.equal(await scopeOf(target.url), restoredApp.stampScope, 'and keeps it for the other instances')
})

t.test('restore over a database with tables: refused without --force, and while another session uses it; with --force, everything replaced', async (t) => {
  const source = await setup(t)
  await ran(t, ['import', ghostPath], source.env)
  const file = join(tempDir(t), 'blog.dump')
  await ran(t, ['backup', file], source.env)

  const target = await setup(t)
  await ran(t, ['seed'], target.env)
  // A table a newer Dateline might have added: the restore must not leave it behind.
  await withClient(target.url, async (client) => { await client.query('create table from_a_newer_version (id int)') })
  const before = await articleSlugs(t, target.url)

  const unforced = await ran(t, ['restore', file], target.env, 1)
  t.match(unforced.stderr, /it has tables; give --force/)
  t.equal(lines(unforced.stderr).length, 1)

  const app = await build(t, { databaseUrl: target.url })
  const busy = await ran(t, ['restore', file, '--force'], target.env, 1)
  t.match(busy.stderr, /other sessions? (is|are) connected to it \(a running server\?\)/)
  await app.close()
  t.same(await articleSlugs(t, target.url), before, 'the database is unchanged by either refusal')

  await ran(t, ['restore', file, '--force'], target.env)
  t.same(await articleSlugs(t, target.url), await articleSlugs(t, source.url), 'the backup\'s articles replace the old ones')
  const leftover = await withClient(target.url, async (client) => (await client.query("select to_regclass('public.from_a_newer_version') as found")).rows[0].found)
  t.equal(leftover, null, 'nothing of the old database is left')
})

t.test('restore refuses what is not a Dateline backup this version can load, and changes nothing', async (t) => {
  const dir = tempDir(t)
  const target = await setup(t, { unmigrated: true })
  const tablesIn = async (): Promise<number> => await withClient(target.url, async (client) => (await client.query("select count(*)::int as count from pg_tables where schemaname = 'public'")).rows[0].count)

  const missing = await ran(t, ['restore', join(dir, 'nothing.dump')], target.env, 1)
  t.match(missing.stderr, /there is no such file/)

  const sqliteFile = tempDatabase(t)
  await ran(t, ['migrate'], { DATABASE_URL: sqliteFile })
  const sqlite = await ran(t, ['restore', sqliteFile], target.env, 1)
  t.match(sqlite.stderr, /it is not a PostgreSQL backup \(pg_dump --format=custom\)/)

  const truncated = join(dir, 'truncated.dump')
  const source = await setup(t)
  const whole = join(dir, 'whole.dump')
  await ran(t, ['backup', whole], source.env)
  writeFileSync(truncated, readFileSync(whole).subarray(0, 200))
  const damaged = await ran(t, ['restore', truncated], target.env, 1)
  t.match(damaged.stderr, /pg_restore cannot read/)

  const foreign = await setup(t, { unmigrated: true })
  await withClient(foreign.url, async (client) => { await client.query('create table notes (id int primary key, body text)') })
  const foreignFile = join(dir, 'foreign.dump')
  await ran(t, ['backup', foreignFile], foreign.env)
  const notDateline = await ran(t, ['restore', foreignFile], target.env, 1)
  t.match(notDateline.stderr, /a PostgreSQL backup, but not of a Dateline database/)

  const newer = await setup(t)
  await withClient(newer.url, async (client) => { await client.query("insert into __drizzle_migrations (hash, created_at) values ('from-the-future', 99999999999999)") })
  const newerFile = join(dir, 'newer.dump')
  await ran(t, ['backup', newerFile], newer.env)
  const fromNewer = await ran(t, ['restore', newerFile], target.env, 1)
  t.match(fromNewer.stderr, /made by a newer version of Dateline \(1 migration this version does not know\)/)

  for (const run of [missing, sqlite, damaged, notDateline, fromNewer]) t.equal(lines(run.stderr).length, 1, 'each refusal is one line')
  t.equal(await tablesIn(), 0, 'the target was never written')
})

t.test('restore of a backup from an older Dateline: the next start applies the missing migrations', async (t) => {
  const journal = postgresJournalEntries()
  const source = await setup(t, { unmigrated: true })
  // An older Dateline's database: the first migration only.
  const olderFolder = mkdtempSync(join(tmpdir(), 'dateline-older-migrations-'))
  t.teardown(() => rmSync(olderFolder, { recursive: true, force: true }))
  cpSync(postgresMigrationsFolder, olderFolder, { recursive: true })
  const journalFile = join(olderFolder, 'meta', '_journal.json')
  const parsed = JSON.parse(readFileSync(journalFile, 'utf8')) as { entries: unknown[] }
  writeFileSync(journalFile, JSON.stringify({ ...parsed, entries: parsed.entries.slice(0, 1) }))
  await withClient(source.url, async (client) => {
    await migrate(drizzle(client), { migrationsFolder: olderFolder, migrationsSchema: 'public', migrationsTable: '__drizzle_migrations' })
  })
  const file = join(tempDir(t), 'older.dump')
  await ran(t, ['backup', file], source.env)

  const target = await setup(t, { unmigrated: true })
  const restored = await ran(t, ['restore', file], target.env)
  const pending = journal.length - 1
  t.match(restored.stdout, new RegExp(`\\(${pending} migrations? to apply at the next start\\)`))
  await ran(t, ['migrate'], target.env)
  const applied = await withClient(target.url, async (client) => (await client.query('select count(*)::int as count from __drizzle_migrations')).rows[0].count)
  t.equal(applied, journal.length, 'migrated to this version')
  t.ok(existsSync(file), 'the backup file is left as it was')
})

t.test('backup of a database that does not exist: one line, no file', async (t) => {
  const file = join(tempDir(t), 'none.dump')
  const run = await ran(t, ['backup', file], { DATABASE_URL: `postgres://postgres:${password}@127.0.0.1:5432/dl_pg_no_such_database` }, 1)
  t.equal(lines(run.stderr).length, 1)
  t.match(run.stderr, /^dateline: cannot back up the PostgreSQL database dl_pg_no_such_database at 127\.0\.0\.1:5432: .*does not exist/)
  t.notOk(existsSync(file), 'no file written')
})
