// The test files that use the suite's database, one per line, for `npm test` pointed at
// PostgreSQL (scripts/test.sh): test/postgres/, and every other file that calls build(),
// testDatabaseUrl() or lastingDatabaseUrl() of test/helper.ts (the only code that reads
// DATELINE_TEST_DATABASE_URL) itself or through a test module it imports (the role matrix's
// module, say). test/dialects/ compares both databases whichever is selected, and test/cluster/
// runs on a PostgreSQL server of its own (.ci/run's third pass): they are left out. test/s3/
// is in when the suite is pointed at an S3 server too (DATELINE_TEST_S3_ENDPOINT).
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'

const test = resolve('test')
const helper = join(test, 'helper.ts')
const usesDatabase = /\b(build|testDatabaseUrl|lastingDatabaseUrl)\(/
const relativeImport = /\bfrom\s*'(\.{1,2}\/[^']+)'/g

function testFiles (dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return testFiles(path)
    return entry.name.endsWith('.test.ts') ? [path] : []
  })
}

/** Whether `file`, or a module under test/ it imports (helper.ts aside: it defines them), calls them. */
function reachesDatabase (file, seen = new Set()) {
  if (seen.has(file)) return false
  seen.add(file)
  const text = readFileSync(file, 'utf8')
  if (usesDatabase.test(text)) return true
  return [...text.matchAll(relativeImport)]
    .map((match) => resolve(dirname(file), match[1].replace(/\.js$/, '.ts')))
    .filter((target) => target.startsWith(test) && target !== helper && target.endsWith('.ts'))
    .some((target) => reachesDatabase(target, seen))
}

const postgres = join(test, 'postgres')
const dialects = join(test, 'dialects')
const cluster = join(test, 'cluster')
const s3 = join(test, 's3')
const withS3 = (process.env.DATELINE_TEST_S3_ENDPOINT ?? '') !== ''
const files = testFiles(test).sort().filter((file) =>
  file.startsWith(postgres + '/') ||
  (file.startsWith(s3 + '/') ? withS3 : !file.startsWith(dialects + '/') && !file.startsWith(cluster + '/') && reachesDatabase(file)))
for (const file of files) console.log(relative(process.cwd(), file))
