import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import t, { type Test } from 'tap'
import { runCli } from '../src/cli/main.js'
import { cli, cliDatabase, comparable, exportedLines, fixturePath, lines, memoryStream, type CliRun } from './cli-run.js'
import { adminSecret, bearer, build, request } from './helper.js'

// `dateline import` and `dateline export` (issue 7), run through runCli with in-memory
// stdout/stderr and temp databases. The imports of the WordPress theme test data, with their
// progress output, are in cli-import-progress.test.ts.

type Item = Record<string, any>

const ghostPath = fixturePath('blogger-legacy-ghost-sample.xml')
const jjPath = fixturePath('blogger-legacy-jjsfavoritethings-2008.xml')
const themePath = fixturePath('wxr-theme-unit-test-data.xml')

const ofType = (rows: Item[], type: string): Item[] => rows.filter((row) => row.type === type)

function oneErrorLine (t: Test, run: CliRun, code: number, pattern: RegExp): void {
  t.equal(run.code, code, `exits ${code}`)
  t.equal(run.stdout, '', 'nothing on stdout')
  t.equal(lines(run.stderr).length, 1, 'exactly one line on stderr', { stderr: run.stderr })
  t.match(run.stderr, pattern)
  t.notMatch(run.stderr, /\n\s+at |Error:/, 'no stack trace')
}

t.test('import prints a summary, exits 0, and the articles are there for the API', async (t) => {
  const { file, env } = cliDatabase(t)
  const run = await cli(['import', ghostPath], env)
  t.equal(run.code, 0, 'exits 0', { stderr: run.stderr })
  const out = lines(run.stdout)
  t.match(out[0], /^Imported: blogger-legacy$/, 'says what was imported and in which format')
  t.ok(out.some((line) => /^\s*authors\s+1 created, 0 updated, 0 unchanged, 0 skipped$/.test(line)), 'a line per resource with its counts')
  t.ok(out.some((line) => /^\s*articles\s+2 created, 0 updated, 0 unchanged, 1 skipped$/.test(line)))
  t.ok(out.some((line) => /^\s*comments\s+0 created/.test(line)))
  t.ok(out.some((line) => /1 × article: duplicate source id in file/.test(line)), 'and the skip reasons')
  t.notMatch(run.stdout, /\u001b\[/, 'no terminal escapes on stdout')
  t.notMatch(run.stderr, /\u001b\[/, 'no progress bar when stderr is not a terminal')

  const app = await build(t, { databaseUrl: file })
  const list = await request(app, t, { method: 'GET', url: '/v1/articles', headers: bearer(adminSecret) })
  t.same(list.json().data.map((article: Item) => article.slug).sort(), ['rhoncus', 'vestibulum'], 'the API serves what the CLI imported')
})

t.test('import a second time reports every row unchanged', async (t) => {
  const { env } = cliDatabase(t)
  t.equal((await cli(['import', jjPath], env)).code, 0)
  const before = await exportedLines(t, env)
  const again = await cli(['import', jjPath], env)
  t.equal(again.code, 0)
  t.ok(lines(again.stdout).some((line) => /^\s*articles\s+0 created, 0 updated, 4 unchanged, 0 skipped$/.test(line)), '4 articles unchanged')
  t.ok(lines(again.stdout).some((line) => /^\s*comments\s+0 created, 0 updated, 3 unchanged, 0 skipped$/.test(line)), '3 comments unchanged')
  t.ok(lines(again.stdout).some((line) => /timezone = America\/Los_Angeles/.test(line)), 'the settings found in the file are listed')
  t.same(comparable((await exportedLines(t, env)).text), comparable(before.text), 'nothing changed')
})

t.test('import --json prints the report as parseable JSON', async (t) => {
  const { env } = cliDatabase(t)
  const run = await cli(['import', jjPath, '--json'], env)
  t.equal(run.code, 0)
  const report = JSON.parse(run.stdout) as Item
  t.match(report, {
    format: 'blogger-legacy',
    dryRun: false,
    counts: {
      authors: { created: 1, updated: 0, unchanged: 0, skipped: 0 },
      articles: { created: 4, updated: 0, unchanged: 0, skipped: 0 },
      comments: { created: 3, updated: 0, unchanged: 0, skipped: 0 },
      days: { created: 0, updated: 0, unchanged: 0, skipped: 0 }
    }
  }, 'the same report as POST /v1/import')
  t.equal(report.skipped.length, 48)
  t.notMatch(run.stdout, /jlueck@gmail\.com/, 'no e-mail in the report')
  t.notMatch(run.stderr, /jlueck@gmail\.com/, 'nor in the progress output')
})

t.test('a malformed file exits 2 with one line on stderr and changes nothing', async (t) => {
  const { dir, env } = cliDatabase(t)
  t.equal((await cli(['import', ghostPath], env)).code, 0)
  const before = await exportedLines(t, env)
  const jj = readFileSync(jjPath, 'utf8')
  const cut = jj.indexOf('kind#comment')
  const broken = join(dir, 'broken.xml')
  writeFileSync(broken, `${jj.slice(0, cut)}\n<<garbage>>`)
  const run = await cli(['import', broken], env)
  oneErrorLine(t, run, 2, /^dateline: The file cannot be imported: line \d+, column \d+: /)
  const empty = join(dir, 'empty.xml')
  writeFileSync(empty, '')
  oneErrorLine(t, await cli(['import', empty, '--json'], env), 2, /^dateline: The file cannot be imported: .*empty/)
  const doctype = join(dir, 'doctype.xml')
  writeFileSync(doctype, '<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n<rss version="2.0"><channel><title>&xxe;</title></channel></rss>\n')
  oneErrorLine(t, await cli(['import', doctype], env), 2, /^dateline: The file cannot be imported: line 2, column 1: .*DOCTYPE/)
  t.same(comparable((await exportedLines(t, env)).text), comparable(before.text), 'nothing of the broken files was imported')
})

t.test('a missing file exits 1 with one line; a bad --format or no file is a usage error', async (t) => {
  const { dir, env } = cliDatabase(t)
  const missing = join(dir, 'no-such-export.xml')
  oneErrorLine(t, await cli(['import', missing], env), 1, /^dateline: .*no-such-export\.xml/)
  const wrong = await cli(['import', ghostPath, '--format', 'wxr'], env)
  oneErrorLine(t, wrong, 2, /^dateline: The file cannot be imported: .*not a WordPress export/)
  const bogus = await cli(['import', ghostPath, '--format', 'ghost'], env)
  t.equal(bogus.code, 2, '--format ghost exits 2')
  t.match(bogus.stderr, /^dateline: --format must be one of blogger-legacy, blogger-2018, blogger-api, wxr, ndjson\n/)
  const none = await cli(['import'], env)
  t.equal(none.code, 2, 'no file exits 2')
  t.match(none.stderr, /^dateline: import needs a file\n/)
  t.same(ofType((await exportedLines(t, env)).rows, 'article'), [], 'nothing was imported')
  const forced = await cli(['import', ghostPath, '--format', 'blogger-legacy'], env)
  t.equal(forced.code, 0, 'the right --format imports')
})

t.test('export writes NDJSON to a file or to stdout', async (t) => {
  const { dir, env } = cliDatabase(t)
  t.equal((await cli(['import', jjPath], env)).code, 0)
  const target = join(dir, 'out.ndjson')
  const toFile = await cli(['export', target], env)
  t.equal(toFile.code, 0, 'export <file> exits 0')
  t.equal(toFile.stdout, '', 'nothing on stdout when writing a file')
  t.ok(existsSync(target), 'the file exists')
  const fileText = readFileSync(target, 'utf8')
  const toStdout = await exportedLines(t, env)
  t.same(comparable(fileText), comparable(toStdout.text), 'the file and stdout hold the same lines')
  const rows = toStdout.rows
  t.match(rows[0], { type: 'header', format: 'dateline', version: 5, counts: { authors: 1, articles: 4, comments: 3, labels: 4, days: 0 } })
  t.equal(ofType(rows, 'article').length, 4)
  t.equal(ofType(rows, 'comment').length, 3)
  t.match(ofType(rows, 'author')[0], { name: 'JJ', email: 'jlueck@gmail.com' }, 'authors with their e-mails')
  t.ok(fileText.endsWith('\n'))
})

t.test('round trip through the CLI: import, export, import into another database, export again', async (t) => {
  const first = cliDatabase(t)
  const second = cliDatabase(t)
  t.equal((await cli(['import', themePath], first.env)).code, 0)
  t.equal((await cli(['import', ghostPath], first.env)).code, 0)
  const exportFile = join(first.dir, 'site.ndjson')
  t.equal((await cli(['export', exportFile], first.env)).code, 0)
  const run = await cli(['import', exportFile, '--json'], second.env)
  t.equal(run.code, 0, 'the export imports', { stderr: run.stderr })
  const report = JSON.parse(run.stdout) as Item
  const header = JSON.parse(lines(readFileSync(exportFile, 'utf8'))[0]!) as Item
  t.match(report, { format: 'ndjson', counts: { authors: { created: header.counts.authors }, articles: { created: header.counts.articles }, comments: { created: header.counts.comments } } }, 'every row created')
  t.same(comparable((await exportedLines(t, second.env)).text), comparable(readFileSync(exportFile, 'utf8')), 'the second database exports the same lines but for exportedAt')
})

t.test('export into a pipe that closes early (dateline export | head) ends quietly with exit 0', async (t) => {
  const { env } = cliDatabase(t)
  t.equal((await cli(['import', ghostPath], env)).code, 0)
  let written = 0
  const closedPipe = new Writable({
    write (_chunk, _encoding, callback) {
      // The reader took the first line and went away, as `head -1` does.
      callback(written++ === 0 ? null : Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }))
    }
  })
  closedPipe.on('error', () => {})
  const stderr = memoryStream()
  const code = await runCli(['export'], { stdout: closedPipe, stderr: stderr.stream, env })
  t.equal(code, 0, 'exit 0')
  t.equal(stderr.text(), '', 'nothing on stderr')
  t.ok(written >= 1, 'the first line was written')
})
