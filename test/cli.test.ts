import { existsSync } from 'node:fs'
import t, { type Test } from 'tap'
import { cli } from './cli-run.js'
import { adminSecret, bearer, build, createArticle, createAuthor, request, tempDatabase } from './helper.js'


function lines (text: string): string[] {
  return text.split('\n').filter((line) => line !== '')
}

const secretPattern = /^dl_[A-Za-z0-9_-]{43}$/

/** A temp database file and the environment pointing the CLI at it. */
function setup (t: Test): { file: string, env: NodeJS.ProcessEnv } {
  const file = tempDatabase(t)
  return { file, env: { DATABASE_URL: file, DATELINE_DEMO: 'false' } }
}

async function createdSecret (t: Test, argv: string[], env: NodeJS.ProcessEnv): Promise<string> {
  const run = await cli(argv, env)
  t.equal(run.code, 0, `${argv.join(' ')} exits 0`)
  t.match(run.stdout, /^dl_[A-Za-z0-9_-]{43}\n$/, 'stdout is the secret alone')
  return run.stdout.trim()
}

t.test('token create prints only the secret, and the secret works against an app on the same database', async (t) => {
  const { file, env } = setup(t)
  const run = await cli(['token', 'create', '--role', 'editor', '--name', 'ci'], env)
  t.equal(run.code, 0)
  t.equal(lines(run.stdout).length, 1, 'one line on stdout')
  const secret = run.stdout.trim()
  t.match(secret, secretPattern)
  t.equal(run.stdout, `${secret}\n`)
  t.notOk(run.stderr.includes(secret), 'the secret is not repeated on stderr')

  const app = await build(t, { databaseUrl: file })
  const created = await request(app, t, { method: 'POST', url: '/v1/authors', headers: bearer(secret), payload: { name: 'Made By CI' } })
  t.equal(created.statusCode, 201, 'an editor token can create authors')
  const read = await request(app, t, { method: 'GET', url: '/v1/authors', headers: bearer(secret) })
  t.equal(read.statusCode, 200)
  t.same(read.json().data.map((a: Record<string, any>) => a.name), ['Made By CI'])
})

t.test('token create --role author --author <slug> binds the token to that author', async (t) => {
  const { file, env } = setup(t)
  const seeded = await cli(['seed'], env)
  t.equal(seeded.code, 0)
  const secret = await createdSecret(t, ['token', 'create', '--role', 'author', '--author', 'zoe-lindqvist'], env)

  const app = await build(t, { databaseUrl: file })
  const own = await request(app, t, { method: 'PATCH', url: '/v1/authors/zoe-lindqvist', headers: bearer(secret), payload: { bio: 'Edited with my own token.' } })
  t.equal(own.statusCode, 200, 'the author edits their own profile')
  t.type(own.json().email, 'string', 'and sees their own email')
  const other = await request(app, t, { method: 'PATCH', url: '/v1/authors/tomas-brennan', headers: bearer(secret), payload: { bio: 'Not mine.' } })
  t.equal(other.statusCode, 403, 'but not another author\'s')
  const tomas = await request(app, t, { method: 'GET', url: '/v1/authors/tomas-brennan' })
  t.not(tomas.json().bio, 'Not mine.')
  const forbidden = await request(app, t, { method: 'POST', url: '/v1/authors', headers: bearer(secret), payload: { name: 'Nope' } })
  t.equal(forbidden.statusCode, 403, 'an author token is not an editor')
})

t.test('token create --author accepts an author made through the API, by id', async (t) => {
  const { file, env } = setup(t)
  const app = await build(t, { databaseUrl: file })
  const author = await createAuthor(app, t, { name: 'Api Made', email: 'api@example.org' })
  const secret = await createdSecret(t, ['token', 'create', '--role', 'author', '--author', String(author.id)], env)
  const read = await request(app, t, { method: 'GET', url: `/v1/authors/${author.id}`, headers: bearer(secret) })
  t.equal(read.statusCode, 200)
  t.equal(read.json().email, 'api@example.org')
})

t.test('an author token without --author, or with an unknown author, is refused with one line', async (t) => {
  const { env } = setup(t)
  for (const argv of [
    ['token', 'create', '--role', 'author'],
    ['token', 'create', '--role', 'author', '--author', 'nobody-here']
  ]) {
    const run = await cli(argv, env)
    t.not(run.code, 0, `${argv.join(' ')} fails`)
    t.equal(run.stdout, '', 'no secret is printed')
    t.equal(lines(run.stderr).length, 1, 'one line on stderr')
    t.match(run.stderr, /author/)
    t.notMatch(run.stderr, /\n\s+at /, 'no stack trace')
  }
  const list = await cli(['token', 'list'], env)
  t.equal(lines(list.stdout).length, 1, 'no token was stored (only the header line)')
})

t.test('token create refuses a name with control characters or nothing visible, as the API does', async (t) => {
  const { env } = setup(t)
  for (const name of ['ci\u001b[31m', '\u200b', 'nul\u0000']) {
    const run = await cli(['token', 'create', '--role', 'editor', '--name', name], env)
    t.not(run.code, 0, `${JSON.stringify(name)} is refused`)
    t.equal(run.stdout, '', 'no secret is printed')
    t.match(run.stderr, /name/)
  }
  const list = await cli(['token', 'list'], env)
  t.equal(lines(list.stdout).length, 1, 'no token was stored (only the header line)')
})

t.test('token create refuses a bad role, an editor bound to an author and a bad expiry', async (t) => {
  const { env } = setup(t)
  for (const argv of [
    ['token', 'create'],
    ['token', 'create', '--role', 'superuser'],
    ['token', 'create', '--role', 'editor', '--author', 'zoe-lindqvist'],
    ['token', 'create', '--role', 'editor', '--expires-at', 'next tuesday']
  ]) {
    const run = await cli(argv, env)
    t.not(run.code, 0, `${argv.join(' ')} fails`)
    t.equal(run.stdout, '')
    t.ok(run.stderr.length > 0, 'says why')
    t.notMatch(run.stderr, /\n\s+at /, 'no stack trace')
  }
  const list = await cli(['token', 'list'], env)
  t.equal(lines(list.stdout).length, 1, 'no token was stored')
})

t.test('a token created with a past --expires-at is refused by the app', async (t) => {
  const { file, env } = setup(t)
  const secret = await createdSecret(t, ['token', 'create', '--role', 'editor', '--expires-at', '2020-01-01T00:00:00Z'], env)
  const app = await build(t, { databaseUrl: file })
  const response = await request(app, t, { method: 'GET', url: '/v1/articles', headers: bearer(secret) })
  t.equal(response.statusCode, 401)
  const list = await cli(['token', 'list'], env)
  t.match(list.stdout, /\texpired\n/, 'token list shows it as expired')
})

t.test('token list lists tokens without their secrets', async (t) => {
  const { env } = setup(t)
  await cli(['seed'], env)
  const editor = await createdSecret(t, ['token', 'create', '--role', 'editor', '--name', 'ci'], env)
  const author = await createdSecret(t, ['token', 'create', '--role', 'author', '--author', 'amara-whitcombe', '--name', 'amara laptop'], env)
  const run = await cli(['token', 'list'], env)
  t.equal(run.code, 0)
  const rows = lines(run.stdout)
  t.equal(rows.length, 3, 'a header and two tokens')
  t.match(rows[0], /^id\trole\tauthor\tname/)
  t.match(rows[1], /^\d+\teditor\t-\tci\t/)
  t.match(rows[2], /^\d+\tauthor\t\d+\tamara laptop\t/)
  t.match(rows[1], /\tactive$/)
  for (const secret of [editor, author]) {
    t.notOk(run.stdout.includes(secret), 'no secret in the list')
    t.notOk(run.stdout.includes(secret.slice(3)), 'nor its random part')
  }
  t.notOk(run.stdout.includes('dl_'), 'nothing secret-shaped at all')
})

t.test('token revoke makes the token a 401 at once', async (t) => {
  const { file, env } = setup(t)
  const secret = await createdSecret(t, ['token', 'create', '--role', 'editor', '--name', 'short-lived'], env)
  const app = await build(t, { databaseUrl: file })
  t.equal((await request(app, t, { method: 'GET', url: '/v1/articles', headers: bearer(secret) })).statusCode, 200, 'works before')

  const id = lines((await cli(['token', 'list'], env)).stdout)[1]!.split('\t')[0]!
  const revoked = await cli(['token', 'revoke', id], env)
  t.equal(revoked.code, 0)
  t.match(revoked.stdout, new RegExp(`\\b${id}\\b`))

  const after = await request(app, t, { method: 'GET', url: '/v1/articles', headers: bearer(secret) })
  t.equal(after.statusCode, 401, 'refused after')
  t.ok(after.headers['www-authenticate'])
  const list = await cli(['token', 'list'], env)
  t.match(lines(list.stdout)[1], /\trevoked$/)

  const again = await cli(['token', 'revoke', id], env)
  t.equal(again.code, 1, 'revoking twice exits 1')
})

t.test('token revoke of an unknown id exits 1; a missing or non-numeric id is a usage error', async (t) => {
  const { env } = setup(t)
  const unknown = await cli(['token', 'revoke', '999'], env)
  t.equal(unknown.code, 1)
  t.equal(unknown.stdout, '')
  t.match(unknown.stderr, /999/)
  t.equal(lines(unknown.stderr).length, 1)
  for (const argv of [['token', 'revoke'], ['token', 'revoke', 'abc'], ['token'], ['token', 'rotate']]) {
    const run = await cli(argv, env)
    t.not(run.code, 0, `${argv.join(' ')} fails`)
    t.ok(run.stderr.length > 0)
  }
})

t.test('migrate creates and migrates the database and exits 0', async (t) => {
  const { file, env } = setup(t)
  t.notOk(existsSync(file))
  const run = await cli(['migrate'], env)
  t.equal(run.code, 0)
  t.equal(run.stderr, '')
  t.ok(existsSync(file), 'the database file exists')
  const again = await cli(['migrate'], env)
  t.equal(again.code, 0, 'migrating twice is fine')
  const app = await build(t, { databaseUrl: file })
  const list = await request(app, t, { method: 'GET', url: '/v1/authors' })
  t.equal(list.statusCode, 200)
  t.equal(list.json().meta.total, 0, 'migrate adds no content')
})

t.test('--database-url overrides DATABASE_URL', async (t) => {
  const { env } = setup(t)
  const other = tempDatabase(t)
  const run = await cli(['migrate', '--database-url', other], env)
  t.equal(run.code, 0)
  t.ok(existsSync(other), 'the flag\'s database was used')
  t.notOk(existsSync(String(env.DATABASE_URL)), 'the environment\'s was not')
})

t.test('seed fills an empty database once and leaves it alone after', async (t) => {
  const { file, env } = setup(t)
  const first = await cli(['seed'], env)
  t.equal(first.code, 0)
  const app = await build(t, { databaseUrl: file })
  const counts = async () => ({
    authors: (await request(app, t, { method: 'GET', url: '/v1/authors', headers: bearer(adminSecret) })).json().meta.total,
    articles: (await request(app, t, { method: 'GET', url: '/v1/articles', headers: bearer(adminSecret) })).json().meta.total
  })
  const before = await counts()
  t.ok(before.authors >= 3, 'demo authors were added')
  t.ok(before.articles > 0, 'demo articles were added')
  const slugs = (await request(app, t, { method: 'GET', url: '/v1/authors?limit=100' })).json().data.map((a: Record<string, any>) => a.slug)
  for (const slug of ['zoe-lindqvist', 'tomas-brennan', 'amara-whitcombe']) t.ok(slugs.includes(slug), `${slug} exists`)

  const second = await cli(['seed'], env)
  t.equal(second.code, 0)
  t.not(second.stdout, first.stdout, 'the second run says it left the database alone')
  t.same(await counts(), before, 'counts unchanged')
})

t.test('seed leaves a database with content alone', async (t) => {
  const { file, env } = setup(t)
  const app = await build(t, { databaseUrl: file })
  const author = await createAuthor(app, t, { name: 'Already Here' })
  await createArticle(app, t, { title: 'Existing story', authorId: author.id, status: 'published' })
  const run = await cli(['seed'], env)
  t.equal(run.code, 0)
  const authors = (await request(app, t, { method: 'GET', url: '/v1/authors' })).json()
  t.same(authors.data.map((a: Record<string, any>) => a.name), ['Already Here'])
  t.equal((await request(app, t, { method: 'GET', url: '/v1/articles', headers: bearer(adminSecret) })).json().meta.total, 1)
})

t.test('a bad setting exits 2 with exactly one stderr line naming it, before touching the database', async (t) => {
  const cases: Array<[string, string]> = [
    ['DATELINE_TIMEZONE', 'Mars/Olympus'],
    ['PORT', '70000'],
    ['DATELINE_DEMO', 'maybe'],
    ['DATELINE_ADMIN_TOKEN', 'short'],
    ['LOG_LEVEL', 'shouty'],
    ['DATABASE_URL', 'postgres://db.example.org/'],
    ['DATABASE_URL', 'mysql://db.example.org/dateline']
  ]
  for (const [name, value] of cases) {
    const { file, env } = setup(t)
    const run = await cli(['migrate'], { ...env, [name]: value })
    t.equal(run.code, 2, `${name}=${value} exits 2`)
    t.equal(run.stdout, '')
    const errorLines = lines(run.stderr)
    t.equal(errorLines.length, 1, 'one line')
    t.match(errorLines[0], name, `the line names ${name}`)
    t.notOk(existsSync(file), 'the database was not created')
  }
})

t.test('a bad setting given as a flag is named too', async (t) => {
  const { env } = setup(t)
  const run = await cli(['migrate', '--port', 'eighty'], env)
  t.equal(run.code, 2)
  t.equal(lines(run.stderr).length, 1)
  t.match(run.stderr, /--port "eighty"/, 'by the flag the user typed')
})

t.test('an unknown command or option fails with a usage hint', async (t) => {
  const { env } = setup(t)
  const unknown = await cli(['frobnicate'], env)
  t.not(unknown.code, 0)
  t.match(unknown.stderr, /frobnicate/)
  t.match(unknown.stderr, /--help/)
  t.notMatch(unknown.stderr, /\n\s+at /)
  const option = await cli(['migrate', '--frobnicate'], env)
  t.not(option.code, 0)
  t.match(option.stderr, /frobnicate/)
  t.notOk(existsSync(String(env.DATABASE_URL)), 'nothing ran')
})

t.test('--help prints the usage', async (t) => {
  const { env } = setup(t)
  for (const argv of [['--help'], ['-h'], ['help'], ['token', '--help']]) {
    const run = await cli(argv, env)
    t.equal(run.code, 0, `${argv.join(' ')} exits 0`)
    t.match(run.stdout, /^Usage: dateline/)
    for (const command of ['serve', 'migrate', 'seed', 'token create', 'token list', 'token revoke']) t.match(run.stdout, command)
    t.equal(run.stderr, '')
  }
  t.notOk(existsSync(String(env.DATABASE_URL)), 'help touches no database')
})
