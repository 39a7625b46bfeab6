import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { postgresJournalEntries } from '../../src/db/postgres.js'
import { bearer, build, request, tempDatabase } from '../helper.js'
import { admin, send, startServer, until } from '../reliability/server-process.js'
import { articleSlugs, comparable, ghostPath, jjPath, lines, password, ran, setup, tempDir, withClient, withoutImportTimes, type Item } from './cli-run.js'

// Every CLI command but backup and restore (backup.test.ts) with DATABASE_URL=postgres://…
// (issue: run Dateline on PostgreSQL), each on a fresh PostgreSQL database of its own, through
// runCli as `dateline` runs it; `serve` as a real child process.

// A dozen databases and a server process: on a loaded machine, longer than tap's default.
t.setTimeout(300_000)

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
  const unreachable = await send(server.port, { path: '/v1/authors' })
  t.equal(unreachable.status, 503, 'a request meanwhile is a 503, not a 500')
  t.match(JSON.parse(unreachable.body), { status: 503, detail: /cannot be reached/ })
  t.notMatch(unreachable.body, new RegExp(`${name}|postgres|ECONN`, 'i'), 'naming neither the database nor the error')

  await withClient(serverUrl.toString(), async (client) => { await client.query(`alter database ${name} allow_connections true`) })
  await until(10_000, '/readyz answering 200 again', async () => (await send(server.port, { path: '/readyz' })).status === 200)
  t.pass('and 200 again once it is back')
  t.equal((await send(server.port, { path: '/v1/authors' })).status, 200, 'reads work again')
  t.notOk(server.output().includes(password), 'the password is in no log line')
  server.child.kill('SIGTERM')
  t.same(await server.exited, { code: 0, signal: null }, 'SIGTERM ends it cleanly')
})
