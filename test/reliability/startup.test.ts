// `dateline serve` against a database it cannot or must not use: one clear line on stderr
// naming the file and the problem, a non-zero exit, no stack trace, and the file untouched.
import { randomBytes } from 'node:crypto'
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { spawnSync } from 'node:child_process'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { Writable } from 'node:stream'
import t, { type Test } from 'tap'
import { runCli } from '../../src/cli/main.js'
import { journalEntries, openDatabase, runMigrations } from '../../src/db/client.js'
import type { TapLike } from '../helper.js'
import { nonEmptyLines, sha256, spawnCli, within } from './server-process.js'

// Root ignores file modes: a chmod'ed file is read-only only for another user. As root, the
// file or folder is also made immutable (chattr +i), which binds root too; where chattr is not
// available, those cases run the server as `nobody` instead (a real approach, unlike skipping them).
const asRoot = process.getuid?.() === 0
const nobody = { uid: 65534, gid: 65534 }

function chattr (flag: '+i' | '-i', path: string): boolean {
  return spawnSync('chattr', [flag, path], { stdio: 'ignore' }).status === 0
}

const immutable = asRoot && (() => {
  const probe = join(mkdtempSync(join(tmpdir(), 'dateline-chattr-')), 'probe')
  writeFileSync(probe, '')
  const works = chattr('+i', probe) && chattr('-i', probe)
  rmSync(dirname(probe), { recursive: true, force: true })
  return works
})()

/** Paths made immutable, unlocked again before their folder is removed. */
const lockedPaths: string[] = []

/** Read-only for root too, where chattr works (see above). */
function lockForRoot (path: string): void {
  if (immutable && chattr('+i', path)) lockedPaths.push(path)
}

/** As root without chattr, the cases decided by file modes need another user. */
const runAsNobody = asRoot && !immutable

function tempDir (t: TapLike): string {
  const dir = mkdtempSync(join(tmpdir(), 'dateline-startup-'))
  t.teardown(() => {
    for (const path of lockedPaths.filter((locked) => locked.startsWith(dir))) chattr('-i', path)
    chmodSync(dir, 0o755)
    rmSync(dir, { recursive: true, force: true })
  })
  return dir
}

/** A Dateline database with a row in it, closed (so in WAL mode, with no -wal left). */
function datelineDatabase (file: string): void {
  const db = openDatabase(file)
  runMigrations(db)
  db.$client.prepare("insert into meta (key, value) values ('startup-test', 'kept')").run()
  db.$client.close()
}

interface Case {
  name: string
  /** Makes the files; returns the database path and the files that must not change. */
  arrange: (dir: string) => { database: string, untouched: string[] }
  problem: RegExp
  /** File modes decide it: as root, only a process of another user sees the problem. */
  modes?: boolean
  /** Also run as a real `dateline serve` process (each costs seconds: TypeScript is compiled at start). */
  process?: boolean
}

const cases: Case[] = [
  {
    name: 'a database folder that cannot be created (a file is in the way)',
    arrange: (dir) => {
      writeFileSync(join(dir, 'blocker'), 'not a folder\n')
      return { database: join(dir, 'blocker', 'data', 'dateline.db'), untouched: [join(dir, 'blocker')] }
    },
    problem: /folder .* cannot be created: a part of the path is a file, not a folder/
  },
  {
    // Node's recursive mkdir looped forever there: the start-up hung.
    name: 'a database folder that cannot be created (under /proc)',
    arrange: () => ({ database: '/proc/self/dateline-data/dateline.db', untouched: [] }),
    problem: /\(DATABASE_URL\): its folder \/proc\/self\/dateline-data cannot be created/,
    process: true
  },
  {
    name: 'a database folder that cannot be created (its parent is read-only)',
    arrange: (dir) => {
      mkdirSync(join(dir, 'locked'))
      chmodSync(join(dir, 'locked'), 0o555)
      lockForRoot(join(dir, 'locked'))
      chmodSync(dir, 0o755)
      return { database: join(dir, 'locked', 'data', 'dateline.db'), untouched: [] }
    },
    problem: /folder .* cannot be created: permission denied/,
    modes: true
  },
  {
    name: 'a read-only database file',
    arrange: (dir) => {
      const database = join(dir, 'dateline.db')
      datelineDatabase(database)
      chmodSync(database, 0o444)
      lockForRoot(database)
      // Only the file is read-only: its folder takes new files (-wal, -shm).
      chmodSync(dir, 0o777)
      return { database, untouched: [database] }
    },
    problem: /the file is read-only: permission denied/,
    modes: true,
    process: true
  },
  {
    name: 'a file of random bytes',
    arrange: (dir) => {
      const database = join(dir, 'dateline.db')
      writeFileSync(database, Buffer.concat([Buffer.from('garbage!'), randomBytes(8192)]))
      return { database, untouched: [database] }
    },
    problem: /the file is not an SQLite database/
  },
  {
    name: 'a text file',
    arrange: (dir) => {
      const database = join(dir, 'dateline.db')
      writeFileSync(database, 'These are my notes, not a database.\n'.repeat(40))
      return { database, untouched: [database] }
    },
    problem: /the file is not an SQLite database/
  },
  {
    name: 'a database from a newer version of Dateline',
    arrange: (dir) => {
      const database = join(dir, 'dateline.db')
      datelineDatabase(database)
      const db = openDatabase(database)
      const last = Math.max(...journalEntries().map((entry) => entry.when))
      db.$client.prepare('insert into __drizzle_migrations (hash, created_at) values (?, ?)').run('a-migration-from-the-future', last + 86_400_000)
      db.$client.close()
      return { database, untouched: [database] }
    },
    problem: /migrated by a newer version of Dateline \(1 migration this version does not know\)/,
    process: true
  }
]

interface Arranged { testCase: Case, dir: string, database: string, untouched: string[], hashes: string[], files: string[] }

function arrange (t: TapLike, testCase: Case): Arranged {
  const dir = tempDir(t)
  const { database, untouched } = testCase.arrange(dir)
  return { testCase, dir, database, untouched, hashes: untouched.map((file) => sha256(file)), files: readdirSync(dir).sort() }
}

/** The one-line refusal, and nothing touched. */
function checkRefusal (t: Test, arranged: Arranged, exitCode: number | null, stderr: string, output: string): void {
  t.ok(exitCode !== null && exitCode !== 0, `exits with a non-zero code (${exitCode})`)
  const lines = nonEmptyLines(stderr)
  t.equal(lines.length, 1, 'exactly one line on stderr', { output })
  t.match(lines[0], /^dateline: /, 'starting with the program name')
  t.ok(lines[0]?.includes(arranged.database), 'naming the database file', { line: lines[0] })
  t.match(lines[0], arranged.testCase.problem, 'and the problem')
  t.notMatch(output, /^\s+at /m, 'no stack trace')
  t.notMatch(output, /"level":(50|60)/, 'nothing logged as an error either')
  t.same(arranged.untouched.map((file) => sha256(file)), arranged.hashes, 'the file is unchanged (same SHA-256)')
  chmodSync(arranged.dir, 0o755)
  t.same(readdirSync(arranged.dir).sort(), arranged.files, 'no file was created beside it (-wal, -shm, a database)')
  t.notOk(existsSync(arranged.database) && !arranged.untouched.includes(arranged.database), 'no database was created')
}

function memoryStream (): { stream: Writable, text: () => string } {
  let text = ''
  return { stream: new Writable({ write (chunk, _encoding, callback) { text += String(chunk); callback() } }), text: () => text }
}

t.test('the CLI refuses a database it cannot use: one line naming the file, a non-zero exit, the file untouched', async (t) => {
  for (const testCase of cases) {
    if (testCase.modes === true && runAsNobody) continue // below, as nobody
    await t.test(testCase.name, async (t) => {
      const arranged = arrange(t, testCase)
      const stdout = memoryStream()
      const stderr = memoryStream()
      const code = await runCli(['migrate'], { stdout: stdout.stream, stderr: stderr.stream, env: { DATABASE_URL: arranged.database, DATELINE_DEMO: 'false' } })
      t.equal(stdout.text(), '', 'nothing on stdout')
      checkRefusal(t, arranged, code, stderr.text(), stderr.text())
    })
  }
})

t.test('dateline serve, as a process, refuses such a database the same way', async (t) => {
  if (asRoot) t.comment(immutable ? 'running as root: the read-only file and folder are also immutable (chattr +i)' : 'running as root without chattr: the cases decided by file modes run the server as nobody (uid 65534), whom file modes bind')
  const chosen = cases.filter((testCase) => testCase.process === true || (testCase.modes === true && runAsNobody))
  // Started together: most of each run is compiling the TypeScript sources.
  const runs = chosen.map((testCase) => {
    const arranged = arrange(t, testCase)
    const env = { PORT: '0', HOST: '127.0.0.1', DATABASE_URL: arranged.database, DATELINE_DEMO: 'false', LOG_LEVEL: 'info' }
    return { arranged, server: spawnCli(t, ['serve'], env, testCase.modes === true && runAsNobody ? { user: nobody } : {}) }
  })
  for (const { arranged, server } of runs) {
    await t.test(arranged.testCase.name, async (t) => {
      const exit = await within(60_000, 'the server exiting', server.exited)
      t.equal(exit.signal, null, 'exits by itself, not by a signal')
      checkRefusal(t, arranged, exit.code, server.stderr(), server.output())
    })
  }
})
