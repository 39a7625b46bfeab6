import t from 'tap'
import { cli, cliDatabase, comparable, exportedLines, fixturePath, lines } from './cli-run.js'
import { build } from './helper.js'

// `dateline import` of the WordPress theme test data (58 articles, read and written by the
// import's worker threads): a dry run, a second import, and the slugs posts had before. Apart
// from cli-import-progress.test.ts: each file gets its own time limit, and these imports are
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

t.test('a post\'s _wp_old_slug answers 301 to its slug; importing again keeps it once', async (t) => {
  const { file, env } = cliDatabase(t)
  t.equal((await cli(['import', themePath], env)).code, 0)
  const app = await build(t, { databaseUrl: file })
  const moved = await app.inject({ method: 'GET', url: '/v1/articles/8-2?include=author' })
  t.equal(moved.statusCode, 301, 'the old slug WordPress kept for post 8')
  t.equal(moved.headers.location, '/v1/articles/text-category-blocks?include=author')
  t.same(moved.json(), { slug: 'text-category-blocks' })
  t.equal((await app.inject({ method: 'GET', url: moved.headers.location as string })).statusCode, 200)
  await app.close()

  t.equal((await cli(['import', themePath], env)).code, 0)
  const again = await build(t, { databaseUrl: file })
  t.equal((await again.inject({ method: 'GET', url: '/v1/articles/8-2' })).headers.location, '/v1/articles/text-category-blocks', 'the same after a second import')
})
