import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import pg from 'pg'
import { drizzle } from 'drizzle-orm/node-postgres'
import { migrate } from 'drizzle-orm/node-postgres/migrator'
import t, { type Test } from 'tap'
import { runCli } from '../../src/cli/main.js'
import { postgresJournalEntries, postgresMigrationsFolder } from '../../src/db/postgres.js'
import { adminSecret, bearer, build, request, tempDatabase } from '../helper.js'
import { freshPostgresDatabase } from '../postgres.js'
import { admin, send, startServer, until } from '../reliability/server-process.js'

// Every CLI command with DATABASE_URL=postgres://… (issue: run Dateline on PostgreSQL), each
// on a fresh PostgreSQL database of its own, through runCli as `dateline` runs it; `serve` as a
// real child process. The URLs carry a password: the test server trusts local connections and
// never asks for it, so every line printed can be checked for it.

type Item = Record<string, any>

interface CliRun { code: number, stdout: string, stderr: string }

const password = 'pg-Secret-4711'

async function cli (argv: string[], env: NodeJS.ProcessEnv): Promise<CliRun> {
  let stdout = ''
  let stderr = ''
  const code = await runCli(argv, {
    stdout: new Writable({ write (chunk, _encoding, callback) { stdout += String(chunk); callback() } }),
    stderr: new Writable({ write (chunk, _encoding, callback) { stderr += String(chunk); callback() } }),
    env
  })
  return { code, stdout, stderr }
}

/** `cli`, checked to exit `code` and to print the password nowhere. */
async function ran (t: Test, argv: string[], env: NodeJS.ProcessEnv, code = 0): Promise<CliRun> {
  const run = await cli(argv, env)
  t.equal(run.code, code, `dateline ${argv.join(' ')} exits ${code}`, { stdout: run.stdout, stderr: run.stderr })
  t.notOk(`${run.stdout}${run.stderr}`.includes(password), 'the password is printed nowhere')
  return run
}

const lines = (text: string): string[] => text.split('\n').filter((line) => line !== '')

const fixturePath = (name: string): string => new URL(`../../../shared/fixtures/${name}`, import.meta.url).pathname
const ghostPath = fixturePath('blogger-legacy-ghost-sample.xml')
const jjPath = fixturePath('blogger-legacy-jjsfavoritethings-2008.xml')

/** A fresh PostgreSQL database, its URL with a password, and the CLI's environment for it. */
async function setup (t: Test, options: { unmigrated?: boolean } = {}): Promise<{ url: string, name: string, env: NodeJS.ProcessEnv }> {
  const database = await freshPostgresDatabase(t, options)
  const url = new URL(database.url)
  url.password = password
  return { url: url.toString(), name: database.name, env: { DATABASE_URL: url.toString(), DATELINE_DEMO: 'false' } }
}

function tempDir (t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'dateline-pg-cli-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** Runs `work` on one plain connection to the database at `url`. */
async function withClient<T> (url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return await work(client)
  } finally {
    await client.end()
  }
}

/** The export as text lines, the header's exportedAt blanked (the one thing allowed to differ). */
function comparable (text: string): string[] {
  const [first, ...rest] = lines(text)
  return [JSON.stringify({ ...JSON.parse(first ?? '{}'), exportedAt: '(export time)' }), ...rest]
}

/** `comparable`, and the authors' times blanked: an import stamps the authors it makes with the time it ran. */
function withoutImportTimes (text: string): string[] {
  return comparable(text).map((line) => {
    const row = JSON.parse(line) as Item
    return row.type === 'author' ? JSON.stringify({ ...row, createdAt: '(import time)', updatedAt: '(import time)' }) : line
  })
}

async function articleSlugs (t: Test, url: string): Promise<string[]> {
  const app = await build(t, { databaseUrl: url })
  const list = await request(app, t, { method: 'GET', url: '/v1/articles?limit=100', headers: bearer(adminSecret) })
  await app.close()
  return list.json().data.map((article: Item) => article.slug).sort()
}

t.test('migrate creates the tables in an empty PostgreSQL database and says where, without the password', async (t) => {
  const { env, name } = await setup(t, { unmigrated: true })
  const run = await ran(t, ['migrate'], env)
  t.match(run.stdout, new RegExp(`^Migrated postgres://postgres:\\*\\*\\*@127\\.0\\.0\\.1:5432/${name}\\.\\n$`), 'the URL, its password as ***')
  const applied = await withClient(env.DATABASE_URL!, async (client) => (await client.query('select count(*)::int as count from __drizzle_migrations')).rows[0].count)
  t.equal(applied, postgresJournalEntries().length, 'every migration applied')
  await ran(t, ['migrate'], env)
  t.equal(await withClient(env.DATABASE_URL!, async (client) => (await client.query('select count(*)::int as count from __drizzle_migrations')).rows[0].count), applied, 'a second migrate applies nothing again')
})

t.test('the postgresql:// spelling works as well', async (t) => {
  const { env } = await setup(t, { unmigrated: true })
  const url = env.DATABASE_URL!.replace(/^postgres:/, 'postgresql:')
  const run = await ran(t, ['migrate'], { ...env, DATABASE_URL: url })
  t.match(run.stdout, /^Migrated postgresql:\/\/postgres:\*\*\*@/)
})

t.test('a database that does not exist or a bad URL: one line, the password hidden', async (t) => {
  const missing = `postgres://postgres:${password}@127.0.0.1:5432/dl_pg_no_such_database`
  const run = await ran(t, ['migrate'], { DATABASE_URL: missing }, 1)
  t.equal(lines(run.stderr).length, 1, 'one line')
  t.match(run.stderr, /does not exist \(3D000\)/)
  const bad = await ran(t, ['migrate'], { DATABASE_URL: `postgres://postgres:${password}@127.0.0.1:5432/` }, 2)
  t.match(bad.stderr, /^dateline: invalid setting DATABASE_URL="postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:5432\/": must name one database/)
})

t.test('seed fills an empty PostgreSQL database with the demo blog once; export prints it', async (t) => {
  const { env, url } = await setup(t)
  t.equal((await ran(t, ['seed'], env)).stdout, 'Added the demo blog.\n')
  t.equal((await ran(t, ['seed'], env)).stdout, 'The database has content already; left it alone.\n')
  const exported = await ran(t, ['export'], env)
  const rows = lines(exported.stdout).map((line) => JSON.parse(line) as Item)
  t.match(rows[0], { type: 'header', format: 'dateline' })
  const articles = rows.filter((row) => row.type === 'article')
  t.ok(articles.length > 0, 'the demo articles are exported')
  const slugs = await articleSlugs(t, url)
  t.same(articles.map((article) => article.slug).sort(), slugs, 'the same articles the API lists')
})

t.test('token create, list and revoke on PostgreSQL: the secret works against the API until revoked', async (t) => {
  const { env, url } = await setup(t)
  const created = await ran(t, ['token', 'create', '--role', 'editor', '--name', 'ci'], env)
  t.match(created.stdout, /^dl_[A-Za-z0-9_-]{43}\n$/, 'the secret alone on stdout')
  const secret = created.stdout.trim()
  const app = await build(t, { databaseUrl: url })
  t.equal((await request(app, t, { method: 'POST', url: '/v1/authors', headers: bearer(secret), payload: { name: 'Made By CI' } })).statusCode, 201, 'the token writes')

  const listed = await ran(t, ['token', 'list'], env)
  const [header, row, ...others] = lines(listed.stdout)
  t.equal(header, 'id\trole\tauthor\tname\tcreated\tlast used\tstate')
  t.same(others, [], 'one token')
  const [id, role, , name, , lastUsed, state] = row!.split('\t')
  t.same([role, name, state], ['editor', 'ci', 'active'])
  t.not(lastUsed, '-', 'its last use is recorded')
  t.notOk(listed.stdout.includes(secret), 'never the secret')

  t.equal((await ran(t, ['token', 'revoke', id!], env)).stdout, `Revoked token ${id}.\n`)
  t.equal((await request(app, t, { method: 'POST', url: '/v1/authors', headers: bearer(secret), payload: { name: 'Too Late' } })).statusCode, 401, 'a revoked token is refused at once')
  t.match(lines((await ran(t, ['token', 'list'], env)).stdout)[1], /\trevoked$/)
  const again = await ran(t, ['token', 'revoke', id!], env, 1)
  t.match(again.stderr, /there is no active token/)
})

t.test('import and export on PostgreSQL give the lines the same commands give on SQLite', async (t) => {
  const onPostgres = await setup(t)
  const file = tempDatabase(t)
  const onSqlite = { DATABASE_URL: file, DATELINE_DEMO: 'false' }
  for (const env of [onPostgres.env, onSqlite]) {
    await ran(t, ['import', jjPath], env)
    await ran(t, ['import', ghostPath], env)
  }
  const again = await ran(t, ['import', ghostPath], onPostgres.env)
  t.ok(lines(again.stdout).some((line) => /^\s*articles\s+0 created, 0 updated, 2 unchanged/.test(line)), 'a second import changes nothing')
  const postgresExport = (await ran(t, ['export'], onPostgres.env)).stdout
  const sqliteExport = (await ran(t, ['export'], onSqlite)).stdout
  t.ok(lines(postgresExport).length > 10, 'the export has the imported rows')
  t.same(withoutImportTimes(postgresExport), withoutImportTimes(sqliteExport), 'PostgreSQL and SQLite export the same lines but for the times of the export and the import')

  // A dry run writes nothing; the export, imported into that database through a file, exports alike.
  const second = await setup(t)
  const exportFile = join(tempDir(t), 'site.ndjson')
  t.equal((await ran(t, ['export', exportFile], onPostgres.env)).stdout, '', 'nothing on stdout when writing a file')
  const dryRun = await ran(t, ['import', exportFile, '--dry-run', '--json'], second.env)
  t.ok((JSON.parse(dryRun.stdout) as Item).counts.articles.created > 3, 'a dry run counts what it would create')
  t.same(await articleSlugs(t, second.url), [], 'and writes nothing')
  await ran(t, ['import', exportFile], second.env)
  t.same(comparable((await ran(t, ['export'], second.env)).stdout), comparable(readFileSync(exportFile, 'utf8')), 're-imported, the same lines')
})

t.test('serve on PostgreSQL: ready, serving writes, and /readyz answers 503 while the database refuses connections', async (t) => {
  const { url, name } = await setup(t)
  const server = await startServer(t, url, { LOG_LEVEL: 'info' })
  const author = await send(server.port, { method: 'POST', path: '/v1/authors', headers: admin, body: { name: 'Served Desk' } })
  t.equal(author.status, 201, 'a write through the HTTP server')
  const read = await send(server.port, { path: `/v1/authors/${JSON.parse(author.body).slug}` })
  t.equal(read.status, 200, 'and read back')
  t.match(server.output(), /Using postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:5432\//, 'the start-up line names the database')

  // The database goes away under the running server: its connections ended, new ones refused.
  const serverUrl = new URL(url)
  serverUrl.pathname = '/postgres'
  await withClient(serverUrl.toString(), async (client) => {
    await client.query(`alter database ${name} allow_connections false`)
    await client.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1', [name])
  })
  await until(10_000, '/readyz answering 503', async () => (await send(server.port, { path: '/readyz' })).status === 503)
  t.pass('/readyz answers 503 while the database is unreachable')
  t.equal((await send(server.port, { path: '/healthz' })).status, 200, '/healthz still answers: the process is up')

  await withClient(serverUrl.toString(), async (client) => { await client.query(`alter database ${name} allow_connections true`) })
  await until(10_000, '/readyz answering 200 again', async () => (await send(server.port, { path: '/readyz' })).status === 200)
  t.pass('and 200 again once it is back')
  t.equal((await send(server.port, { path: '/v1/authors' })).status, 200, 'reads work again')
  t.notOk(server.output().includes(password), 'the password is in no log line')
  server.child.kill('SIGTERM')
  t.same(await server.exited, { code: 0, signal: null }, 'SIGTERM ends it cleanly')
})

t.test('backup writes a pg_dump archive; restore loads it into another, empty database', async (t) => {
  const source = await setup(t)
  await ran(t, ['seed'], source.env)
  await ran(t, ['import', ghostPath], source.env)
  const dir = tempDir(t)
  const file = join(dir, 'nested', 'blog.dump')
  const backup = await ran(t, ['backup', file], source.env)
  t.match(backup.stdout, new RegExp(`^Backed up the PostgreSQL database ${source.name} at 127\\.0\\.0\\.1:5432 to ${file} \\(pg_dump custom format, \\d+ bytes\\)\\.\\n$`))
  t.equal(readFileSync(file).subarray(0, 5).toString('latin1'), 'PGDMP', 'a pg_dump custom-format archive')

  const refused = await ran(t, ['backup', file], source.env, 1)
  t.match(refused.stderr, /the file exists; give --force/)
  await ran(t, ['backup', file, '--force'], source.env)

  const target = await setup(t, { unmigrated: true })
  const restored = await ran(t, ['restore', file], target.env)
  t.equal(restored.stdout, `Restored the PostgreSQL database ${target.name} at 127.0.0.1:5432 from ${file}.\n`)
  t.same(comparable((await ran(t, ['export'], target.env)).stdout), comparable((await ran(t, ['export'], source.env)).stdout), 'the restored database exports what the original does')
  t.same(await articleSlugs(t, target.url), await articleSlugs(t, source.url), 'and the API serves it')
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
