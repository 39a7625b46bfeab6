import t from 'tap'
import { importCommand } from '../src/cli/transfer.js'
import { readConfig } from '../src/config.js'
import { openStore } from '../src/db/open.js'
import { cli, cliDatabase, comparable, exportedLines, fixturePath, lines, memoryStream } from './cli-run.js'

// `dateline import` of the WordPress theme test data (58 articles, read and written by the
// import's worker threads): a dry run, the progress bar and lines, and a second import. Apart
// from cli-import.test.ts, each of whose files gets its own time limit: these imports are
// the slow part.

type Item = Record<string, any>

const themePath = fixturePath('wxr-theme-unit-test-data.xml')
const ofType = (rows: Item[], type: string): Item[] => rows.filter((row) => row.type === type)

t.test('import --dry-run reports the counts and writes nothing', async (t) => {
  const { env } = cliDatabase(t)
  const before = await exportedLines(t, env)
  const run = await cli(['import', themePath, '--dry-run'], env)
  t.equal(run.code, 0, 'exits 0', { stderr: run.stderr })
  t.match(lines(run.stdout)[0], /^Dry run \(nothing written\): wxr$/, 'says nothing was written')
  t.ok(lines(run.stdout).some((line) => /^\s*articles\s+58 created, 0 updated, 0 unchanged, 0 skipped$/.test(line)), 'the counts a real import would give')
  const json = await cli(['import', themePath, '--dry-run', '--json'], env)
  t.match(JSON.parse(json.stdout), { dryRun: true, counts: { articles: { created: 58 }, comments: { created: 24, skipped: 9 } } })
  const after = await exportedLines(t, env)
  t.same(comparable(after.text), comparable(before.text), 'the database is unchanged')
  t.same(ofType(after.rows, 'article'), [], 'no article')
})

t.test('a progress bar goes to stderr when it is a terminal; the summary stays alone on stdout', async (t) => {
  const { env } = cliDatabase(t)
  const run = await cli(['import', themePath], env, { ttyStderr: true })
  t.equal(run.code, 0)
  t.match(run.stderr, /\d+% \| [\d.]+ of [\d.]+ MB \| [\d,]+ items/, 'the bar shows percent, megabytes and items')
  t.match(lines(run.stdout)[0], /^Imported: wxr$/)
  t.notMatch(run.stdout, /\u001b\[|%/, 'no bar on stdout')
  t.match(run.stderr, /MB\/s \| (\d+ s left|\d+ min left|time left unknown)/, 'the time left, in words')
  t.notMatch(run.stderr, /ETA|LLs|NFs|NaN|Infinity|undefined/, 'never a placeholder or a number that is not one')
})

t.test('without a terminal, progress is plain lines on stderr: periodic ones and a last one', async (t) => {
  const { env } = cliDatabase(t)
  const run = await cli(['import', themePath], env)
  t.equal(run.code, 0)
  const progress = lines(run.stderr)
  t.ok(progress.length >= 1, 'something on stderr', { stderr: run.stderr })
  t.match(progress.at(-1), /^import: read [\d.]+ MB, [\d,]+ items in [\d.]+ s$/, 'the last line says how much was read, in how long')
  t.notMatch(run.stderr, /\u001b\[|NaN|Infinity/, 'no terminal escapes, no bad numbers')

  // A line as often as asked: with no pause between them, one per chunk read or item parsed.
  const { file } = cliDatabase(t)
  const config = readConfig({ DATABASE_URL: file })
  const store = await openStore(file, { timezone: config.timezone })
  t.teardown(async () => { await store.close() })
  const stderr = memoryStream()
  const report = await importCommand(store, config, { file: themePath, dryRun: true, progressEveryMs: 0 }, stderr.stream)
  const periodic = lines(stderr.text()).slice(0, -1)
  t.ok(periodic.length > 1, `periodic lines (${periodic.length})`)
  for (const line of periodic) t.match(line, /^import: read [\d.]+ of [\d.]+ MB \(\d+ %\), [\d,]+ items, [\d.]+ MB\/s, (\d+ s left|\d+ min left|[\d.]+ h left|time left unknown)$/)
  t.equal(report.counts.articles.created, 58, 'and the import itself is as without them')
})

t.test('importing a file again reports as many authors as the first time, an article without one given to "Imported"', async (t) => {
  const { env } = cliDatabase(t)
  const first = JSON.parse((await cli(['import', themePath, '--json'], env)).stdout) as Item
  const again = JSON.parse((await cli(['import', themePath, '--json'], env)).stdout) as Item
  t.same(first.counts.authors, { created: 3, updated: 0, unchanged: 0, skipped: 0 }, 'two authors in the file, and "Imported" for the articles naming none of them')
  t.same(again.counts.authors, { created: 0, updated: 0, unchanged: 3, skipped: 0 }, 'the same three, unchanged')
  for (const resource of ['articles', 'comments', 'days']) {
    const total = (counts: Item): number => counts.created + counts.updated + counts.unchanged + counts.skipped
    t.equal(total(again.counts[resource]), total(first.counts[resource]), `${resource}: the same total`)
  }
})
