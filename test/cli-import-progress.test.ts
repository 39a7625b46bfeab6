import t from 'tap'
import { importCommand } from '../src/cli/transfer.js'
import { readConfig } from '../src/config.js'
import { openStore } from '../src/db/open.js'
import { cli, cliDatabase, fixturePath, lines, memoryStream } from './cli-run.js'

// `dateline import` of the WordPress theme test data (58 articles, read and written by the
// import's worker threads): the progress bar and lines. Apart from cli-import.test.ts and
// cli-import-theme.test.ts, each of whose files gets its own time limit: these imports are
// the slow part.

const themePath = fixturePath('wxr-theme-unit-test-data.xml')

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
