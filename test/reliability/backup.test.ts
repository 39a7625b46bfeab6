// `dateline backup` (online, while a server writes) and `dateline restore` (checked first,
// never over an existing database without --force, never over one in use).
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { migrate } from 'drizzle-orm/better-sqlite3/migrator'
import t from 'tap'
import { buildApp } from '../../src/app.js'
import { journalEntries, migrationsFolder, openDatabase } from '../../src/db/client.js'
import { sqliteHandle } from '../../src/db/sqlite-store.js'
import { adminSecret, createArticle, createAuthor, type TapLike } from '../helper.js'
import { cli } from '../cli-run.js'
import { admin, nonEmptyLines, send, sha256, sleep, startServer, until, within } from './server-process.js'

function tempDir (t: TapLike): string {
  const dir = mkdtempSync(join(tmpdir(), 'dateline-backup-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** A closed Dateline database at `file` holding one author and the articles titled. */
async function databaseWith (t: TapLike, file: string, titles: string[]): Promise<void> {
  const app = await buildApp({ databaseUrl: file, timezone: 'UTC', locale: 'en-US', demo: false, adminToken: adminSecret })
  await app.ready()
  const author = await createAuthor(app, t, { name: 'Archive Desk' })
  for (const title of titles) await createArticle(app, t, { title, authorId: author.id, status: 'published', labels: ['Archive'] })
  await app.close()
}

function titlesIn (file: string): string[] {
  const db = new Database(file, { readonly: true })
  try {
    return (db.prepare('select title from articles order by id').all() as Array<{ title: string }>).map((row) => row.title)
  } finally {
    db.close()
  }
}

const sidecars = (file: string) => ['-wal', '-shm'].filter((suffix) => existsSync(`${file}${suffix}`))

t.test('dateline backup while the server takes writes: a sound copy with every write acknowledged before it began; restored, it is served', async (t) => {
  const file = join(tempDir(t), 'dateline.db')
  const server = await startServer(t, file)
  const author = await send(server.port, { method: 'POST', path: '/v1/authors', headers: admin, body: { name: 'Backup Desk' } })
  t.equal(author.status, 201)
  const authorId = JSON.parse(author.body).id as number

  const acknowledged: Array<{ id: number, title: string, at: number }> = []
  const failures: string[] = []
  let stop = false
  const writers = Array.from({ length: 4 }, async (_, worker) => {
    for (let n = 1; !stop; n++) {
      const title = `Backup w${worker} n${n}`
      const answer = await send(server.port, { method: 'POST', path: '/v1/articles', headers: admin, body: { title, body: `<p>${'Copy. '.repeat(200)}</p>`, authorId, status: 'published', labels: ['Backup', `Writer ${worker}`] } })
      if (answer.status !== 201) failures.push(`${answer.status} ${answer.body}`)
      else acknowledged.push({ id: JSON.parse(answer.body).id, title, at: Date.now() })
    }
  })
  await until(15_000, 'writes being acknowledged', () => acknowledged.length >= 40)

  const backupFile = join(tempDir(t), 'nightly', 'dateline-2026-06-25.db')
  const startedAt = Date.now()
  const before = acknowledged.filter((write) => write.at <= startedAt)
  const backup = await cli(['backup', backupFile], { DATABASE_URL: file })
  const finishedAt = Date.now()
  await sleep(50)
  stop = true
  await within(10_000, 'the writers stopping', Promise.all(writers))
  t.equal(backup.code, 0, 'dateline backup exits 0', { stderr: backup.stderr })
  t.match(backup.stdout, new RegExp(`^Backed up ${file} to ${backupFile} \\(\\d+ pages, \\d+ bytes\\)\\.\\n$`))
  t.same(failures, [], 'every write during the backup was acknowledged (the backup held nobody up into an error)')
  const during = acknowledged.filter((write) => write.at > startedAt && write.at <= finishedAt).length
  t.comment(`${before.length} writes acknowledged before the backup began, ${during} while it ran (${finishedAt - startedAt} ms)`)

  t.same(sidecars(backupFile), [], 'the backup is one file, no -wal or -shm beside it')
  const copy = new Database(backupFile, { readonly: true })
  t.teardown(() => copy.close())
  t.same(copy.pragma('integrity_check'), [{ integrity_check: 'ok' }], 'the backup passes PRAGMA integrity_check')
  t.same(copy.pragma('foreign_key_check'), [], 'and PRAGMA foreign_key_check')
  t.equal(copy.pragma('journal_mode', { simple: true }), 'delete', 'in rollback-journal mode: a self-contained file')
  const rows = new Map((copy.prepare('select id, title from articles').all() as Array<{ id: number, title: string }>).map((row) => [row.id, row.title]))
  t.same(before.filter((write) => rows.get(write.id) !== write.title), [], `every write acknowledged before the backup began is in it (${before.length})`)
  const labelled = copy.prepare('select count(distinct article_id) as n from article_labels').get() as { n: number }
  t.equal(labelled.n, rows.size, 'each article in it has its labels: the copy is one consistent moment')
  const searchable = copy.prepare('select count(*) as n from articles_text').get() as { n: number }
  t.equal(searchable.n, rows.size, 'and its search row')

  const overLive = await cli(['restore', backupFile, '--force'], { DATABASE_URL: file })
  t.equal(overLive.code, 1, 'restore --force over the database the server has open is refused')
  t.match(overLive.stderr, /^dateline: cannot restore into .*: another process has it open \(a running server\?\); stop it first\n$/)
  const stillServed = await send(server.port, { path: `/v1/articles/${acknowledged.at(-1)!.id}`, headers: admin })
  t.equal(stillServed.status, 200, 'the running server still serves its latest article')

  const backupHash = sha256(backupFile)
  const restoredFile = join(tempDir(t), 'restored', 'dateline.db')
  const restored = await cli(['restore', backupFile], { DATABASE_URL: restoredFile })
  t.equal(restored.code, 0, 'restore into a fresh path exits 0', { stderr: restored.stderr })
  t.equal(restored.stdout, `Restored ${restoredFile} from ${backupFile}.\n`)
  t.equal(sha256(backupFile), backupHash, 'the backup file itself is unchanged')

  const second = await startServer(t, restoredFile)
  const served: string[] = []
  for (let offset = 0; ; offset += 100) {
    const page = await send(second.port, { path: `/v1/articles?limit=100&offset=${offset}`, headers: admin })
    t.equal(page.status, 200)
    const data = JSON.parse(page.body).data as Array<{ title: string }>
    served.push(...data.map((article) => article.title))
    if (data.length < 100) break
  }
  t.equal(served.length, rows.size, `a server started on the restored file lists every article of the backup (${rows.size})`)
  t.same(before.filter((write) => !served.includes(write.title)), [], 'including every write acknowledged before the backup')
  const one = await send(second.port, { path: `/v1/articles/${before[0]!.id}` })
  t.equal(one.status, 200, 'an article reads back anonymously')
  t.match(JSON.parse(one.body), { title: before[0]!.title, labels: ['Backup', /^Writer \d$/] })
  const search = await send(second.port, { path: `/v1/search?q=${encodeURIComponent('backup')}` })
  t.ok(search.status === 200 || search.status === 404, 'search answers on the restored database')

  for (const running of [server, second]) running.child.kill('SIGTERM')
  t.same(await within(15_000, 'the servers stopping', Promise.all([server.exited, second.exited])), [{ code: 0, signal: null }, { code: 0, signal: null }], 'both servers stop cleanly')
})

t.test('restore over an existing database: refused without --force (the file unchanged); with it, replaced and the old WAL removed', async (t) => {
  const dir = tempDir(t)
  const source = join(dir, 'source.db')
  await databaseWith(t, source, ['From the backup'])
  const backupFile = join(dir, 'backup.db')
  t.equal((await cli(['backup', backupFile], { DATABASE_URL: source })).code, 0, 'a backup to restore')

  const target = join(dir, 'target.db')
  await databaseWith(t, target, ['Already here'])
  const targetHash = sha256(target)
  const files = readdirSync(dir).sort()

  const refused = await cli(['restore', backupFile], { DATABASE_URL: target })
  t.equal(refused.code, 1, 'exits non-zero')
  t.equal(nonEmptyLines(refused.stderr).length, 1, 'with one line')
  t.equal(refused.stderr, `dateline: cannot restore into ${target}: a database is there; give --force to replace it (stop the server first)\n`)
  t.equal(sha256(target), targetHash, 'the database is unchanged (same SHA-256)')
  t.same(readdirSync(dir).sort(), files, 'and nothing was written beside it')

  // A WAL left by a server that crashed: it belongs to the old database and must not be
  // replayed into the restored one.
  const old = new Database(target)
  old.pragma('wal_autocheckpoint = 0')
  old.prepare("update articles set title = 'Changed in the WAL'").run()
  copyFileSync(`${target}-wal`, join(dir, 'stale-wal'))
  old.close()
  copyFileSync(join(dir, 'stale-wal'), `${target}-wal`)
  t.ok(existsSync(`${target}-wal`), 'a stale -wal lies beside the target')

  const forced = await cli(['restore', backupFile, '--force'], { DATABASE_URL: target })
  t.equal(forced.code, 0, 'restore --force exits 0', { stderr: forced.stderr })
  t.same(sidecars(target), [], 'the old -wal and -shm are gone')
  t.same(titlesIn(target), ['From the backup'], 'the database is the backup\'s, nothing of the old one replayed into it')
  const db = new Database(target, { readonly: true })
  t.teardown(() => db.close())
  t.same(db.pragma('integrity_check'), [{ integrity_check: 'ok' }])
})

/** A copy of `backup` with one b-tree page overwritten by noise. */
function corruptCopy (backup: string, to: string): void {
  copyFileSync(backup, to)
  const db = new Database(to)
  const pageSize = db.pragma('page_size', { simple: true }) as number
  const { rootpage } = db.prepare("select rootpage from sqlite_master where name = 'articles_title_idx'").get() as { rootpage: number }
  db.close()
  const bytes = readFileSync(to)
  randomBytes(pageSize).copy(bytes, (rootpage - 1) * pageSize)
  writeFileSync(to, bytes)
}

t.test('restore refuses a backup that is damaged, not a database, not Dateline\'s, or from a newer Dateline; nothing is written', async (t) => {
  const dir = tempDir(t)
  const source = join(dir, 'source.db')
  await databaseWith(t, source, ['One', 'Two', 'Three'])
  const backupFile = join(dir, 'backup.db')
  t.equal((await cli(['backup', backupFile], { DATABASE_URL: source })).code, 0)

  const damaged = join(dir, 'damaged.db')
  corruptCopy(backupFile, damaged)
  const text = join(dir, 'notes.txt')
  writeFileSync(text, 'Not a database at all.\n')
  const noise = join(dir, 'noise.db')
  writeFileSync(noise, randomBytes(16_384))
  const foreign = join(dir, 'foreign.db')
  const other = new Database(foreign)
  other.exec("create table notes (body text); insert into notes values ('hello')")
  other.pragma('journal_mode = DELETE')
  other.close()
  const newer = join(dir, 'newer.db')
  copyFileSync(backupFile, newer)
  const future = new Database(newer)
  future.prepare('insert into __drizzle_migrations (hash, created_at) values (?, ?)').run('from-the-future', Math.max(...journalEntries().map((entry) => entry.when)) + 1)
  future.close()

  const cases: Array<[string, string, RegExp]> = [
    ['a damaged backup', damaged, /it failed its integrity check|it is damaged/],
    ['a text file', text, /it is not an SQLite database/],
    ['random bytes', noise, /it is not an SQLite database/],
    ['an SQLite database that is not Dateline\'s', foreign, /it is an SQLite database, but not a Dateline one/],
    ['a backup from a newer Dateline', newer, /migrated by a newer version of Dateline/]
  ]
  for (const [name, file, problem] of cases) {
    const hash = sha256(file)
    const target = join(dir, `target-for-${name.replace(/\W+/g, '-')}`, 'dateline.db')
    const run = await cli(['restore', file, '--force'], { DATABASE_URL: target })
    t.equal(run.code, 1, `${name}: refused`)
    t.equal(nonEmptyLines(run.stderr).length, 1, `${name}: one line`, { stderr: run.stderr })
    t.match(run.stderr, new RegExp(`^dateline: cannot restore ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `), `${name}: naming the file`)
    t.match(run.stderr, problem, `${name}: and the problem`)
    t.notOk(existsSync(target), `${name}: no database was created`)
    t.equal(sha256(file), hash, `${name}: the file is unchanged`)
  }
})

t.test('backup refuses an existing file without --force, :memory: and a missing database', async (t) => {
  const dir = tempDir(t)
  const source = join(dir, 'source.db')
  await databaseWith(t, source, ['Kept'])
  const existing = join(dir, 'existing.db')
  writeFileSync(existing, 'yesterday\'s backup\n')

  const refused = await cli(['backup', existing], { DATABASE_URL: source })
  t.equal(refused.code, 1)
  t.equal(refused.stderr, `dateline: cannot back up to ${existing}: the file exists; give --force to replace it\n`)
  t.equal(readFileSync(existing, 'utf8'), 'yesterday\'s backup\n', 'the existing file is untouched')

  const forced = await cli(['backup', existing, '--force'], { DATABASE_URL: source })
  t.equal(forced.code, 0, '--force replaces it')
  t.same(titlesIn(existing), ['Kept'])

  const memory = await cli(['backup', join(dir, 'm.db')], { DATABASE_URL: ':memory:' })
  t.equal(memory.code, 1)
  t.match(memory.stderr, /^dateline: cannot back up :memory:/)
  const missing = await cli(['backup', join(dir, 'x.db')], { DATABASE_URL: join(dir, 'nothing-here.db') })
  t.equal(missing.code, 1)
  t.match(missing.stderr, /there is no such database/)
  t.notOk(existsSync(join(dir, 'nothing-here.db')), 'and creates none')
  const noFile = await cli(['backup'], { DATABASE_URL: source })
  t.equal(noFile.code, 2, 'backup without a file is a usage error')
})

t.test('restore accepts a backup from an older Dateline: the next start applies the missing migrations', async (t) => {
  const dir = tempDir(t)
  // The first three migrations only, as an older release would have left the database.
  const folder = join(dir, 'old-migrations')
  const entries = journalEntries().slice(0, 3)
  mkdirSync(join(folder, 'meta'), { recursive: true })
  for (const entry of entries) copyFileSync(join(migrationsFolder, `${entry.tag}.sql`), join(folder, `${entry.tag}.sql`))
  writeFileSync(join(folder, 'meta/_journal.json'), JSON.stringify({ ...JSON.parse(readFileSync(join(migrationsFolder, 'meta/_journal.json'), 'utf8')), entries }))
  const old = join(dir, 'old.db')
  const db = openDatabase(old)
  migrate(db, { migrationsFolder: folder })
  db.$client.close()

  const target = join(dir, 'restored.db')
  const restored = await cli(['restore', old], { DATABASE_URL: target })
  const pending = journalEntries().length - 3
  t.equal(restored.code, 0, { stderr: restored.stderr })
  t.equal(restored.stdout, `Restored ${target} from ${old} (${pending} migrations to apply at the next start).\n`)
  const app = await buildApp({ databaseUrl: target, timezone: 'UTC', locale: 'en-US', demo: false, adminToken: adminSecret })
  t.teardown(() => app.close())
  await app.ready()
  t.same(sqliteHandle(app.store).$client.prepare('select count(*) as n from __drizzle_migrations').get(), { n: journalEntries().length }, 'the app starts on it, migrated to this version')
})
