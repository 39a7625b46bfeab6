import { execFile } from 'node:child_process'
import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { eq, getTableName, sql } from 'drizzle-orm'
import { drizzle } from 'drizzle-orm/node-postgres'
import pg from 'pg'
import t from 'tap'
import { DatabaseUnusable, openDatabase, runMigrations, type Db } from '../src/db/client.js'
import { advanceIdentities, isPostgresUrl, openPostgres, postgresJournalEntries, postgresMigrationsFolder, runPostgresMigrations, type Postgres } from '../src/db/postgres.js'
import * as sqliteSchema from '../src/db/schema.js'
import * as pgSchema from '../src/db/schema.postgres.js'
import { timestampFromPostgres } from '../src/db/schema.postgres.js'
import type { TapLike } from './helper.js'
import { freshPostgresDatabase, postgresTestUrl } from './postgres.js'

const run = promisify(execFile)
const projectRoot = fileURLToPath(new URL('../', import.meta.url))
const serverUrl = postgresTestUrl() ?? 'postgres://postgres@127.0.0.1:5432/test'

async function open (t: TapLike, url: string, options = {}): Promise<Postgres> {
  const postgres = await openPostgres(url, options)
  t.teardown(() => postgres.pool.end())
  return postgres
}

async function migrated (t: TapLike): Promise<Postgres & { url: string }> {
  const { url } = await freshPostgresDatabase(t)
  return { ...await open(t, url), url }
}

async function appliedMigrations (postgres: Postgres): Promise<number> {
  const { rows } = await postgres.pool.query<{ applied: number }>('select count(*)::int as applied from public.__drizzle_migrations')
  return rows[0]!.applied
}

async function publicTables (postgres: Postgres): Promise<string[]> {
  const { rows } = await postgres.pool.query<{ name: string }>("select table_name as name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by 1")
  return rows.map((row) => row.name)
}

t.test('the migrations make every table on an empty database, and running them again changes nothing', async (t) => {
  const { url } = await freshPostgresDatabase(t, { unmigrated: true })
  const postgres = await open(t, url)
  t.same(await publicTables(postgres), [], 'the database starts empty')

  await runPostgresMigrations(postgres.db)
  const tables = await publicTables(postgres)
  for (const table of ['authors', 'articles', 'comments', 'search_documents', 'write_stamp', '__drizzle_migrations']) t.ok(tables.includes(table), `${table} exists`)
  t.equal(await appliedMigrations(postgres), postgresJournalEntries().length, 'every migration is recorded once')
  const { rows } = await postgres.pool.query('select id, stamp from write_stamp')
  t.same(rows, [{ id: 1, stamp: '0' }], 'the write stamp has its one row')

  await runPostgresMigrations(postgres.db)
  t.same(await publicTables(postgres), tables, 'a second run makes no table')
  t.equal(await appliedMigrations(postgres), postgresJournalEntries().length, 'nor records a migration again')
})

t.test('instances migrating one new database at once take turns', async (t) => {
  const { url } = await freshPostgresDatabase(t, { unmigrated: true })
  const instances = await Promise.all([open(t, url), open(t, url), open(t, url)])
  await Promise.all(instances.map((instance) => runPostgresMigrations(instance.db)))
  t.equal(await appliedMigrations(instances[0]!), postgresJournalEntries().length, 'each migration ran once')
  const { rows } = await instances[0]!.pool.query<{ rows: number }>('select count(*)::int as rows from write_stamp')
  t.equal(rows[0]!.rows, 1, 'the write stamp row was made once')
})

t.test('a database migrated by a newer Dateline is refused, before and after opening', async (t) => {
  const { url } = await freshPostgresDatabase(t)
  const postgres = await open(t, url)
  const newest = Math.max(...postgresJournalEntries().map((entry) => entry.when))
  await postgres.pool.query('insert into public.__drizzle_migrations (hash, created_at) values ($1, $2)', ['from-the-future', newest + 1000])

  const refusal = /^cannot use the PostgreSQL database dl_pg_\w+ at [^:]+:\d+: it was migrated by a newer version of Dateline \(1 migration this version does not know\)/
  await t.rejects(runPostgresMigrations(postgres.db), refusal, 'migrating refuses it')
  await t.rejects(openPostgres(url), refusal, 'opening refuses it')
  t.equal(await appliedMigrations(postgres), postgresJournalEntries().length + 1, 'nothing was migrated or removed')
})

t.test('timestamps come back exactly as written: milliseconds, UTC, Z', async (t) => {
  const postgres = await migrated(t)
  const instants = ['2015-06-25T14:03:00.000Z', '2015-06-25T14:03:00.010Z', '2015-06-25T14:03:00.999Z', '1999-12-31T23:59:59.123Z', '0001-01-01T00:00:00.000Z', '9999-12-31T23:59:59.999Z']
  for (const [index, instant] of instants.entries()) {
    await postgres.db.insert(pgSchema.authors).values({ slug: `a${index}`, name: 'A', createdAt: instant, updatedAt: instant })
  }
  const rows = await postgres.db.select({ createdAt: pgSchema.authors.createdAt }).from(pgSchema.authors).orderBy(pgSchema.authors.id)
  t.same(rows.map((row) => row.createdAt), instants, 'each instant reads back as the same string')

  const stored = await postgres.pool.query<{ same: boolean }>("select created_at = '2015-06-25 16:03:00.01+02'::timestamptz as same from authors where slug = 'a1'")
  t.equal(stored.rows[0]!.same, true, 'the string is stored as that instant, not as local time')

  // A session in another time zone gets other text from the server; the column still reads UTC.
  const elsewhere = new pg.Pool({ connectionString: postgres.url, options: '-c TimeZone=Asia/Kathmandu' })
  t.teardown(() => elsewhere.end())
  const [far] = await drizzle(elsewhere).select({ createdAt: pgSchema.authors.createdAt }).from(pgSchema.authors).where(eq(pgSchema.authors.slug, 'a2'))
  t.equal(far?.createdAt, '2015-06-25T14:03:00.999Z', 'read in UTC+05:45, still the UTC string')
})

t.test('PostgreSQL timestamp text is read in whatever offset it carries', async (t) => {
  t.equal(timestampFromPostgres('2015-06-25 14:03:00+00'), '2015-06-25T14:03:00.000Z')
  t.equal(timestampFromPostgres('2015-06-25 16:03:00.12+02'), '2015-06-25T14:03:00.120Z')
  t.equal(timestampFromPostgres('2015-06-25 08:48:00.5-05:15'), '2015-06-25T14:03:00.500Z')
  t.equal(timestampFromPostgres('0099-03-01 00:00:00+00'), '0099-03-01T00:00:00.000Z', 'a two-digit year stays itself')
  t.equal(timestampFromPostgres(new Date('2015-06-25T14:03:00.007Z')), '2015-06-25T14:03:00.007Z', 'a Date from node-postgres itself')
  t.throws(() => timestampFromPostgres('infinity'), RangeError, 'no instant: refused, not guessed')
})

t.test('days, JSON and identities keep what was written', async (t) => {
  const { db } = await migrated(t)
  const now = '2015-06-25T14:03:00.000Z'
  await db.insert(pgSchema.days).values({ day: '2015-06-25', createdAt: now, updatedAt: now })
  const [day] = await db.select().from(pgSchema.days)
  t.equal(day?.day, '2015-06-25', 'a day reads back as YYYY-MM-DD')

  const [author] = await db.insert(pgSchema.authors).values({ id: 41, slug: 'kept', name: 'Kept', createdAt: now, updatedAt: now }).returning()
  t.equal(author?.id, 41, 'an explicit id is kept (imports keep ids)')
  const [article] = await db.insert(pgSchema.articles).values({ slug: 's', status: 'draft', authorId: 41, createdAt: now, updatedAt: now, title: 'T', excerpt: '', body: '' }).returning()
  await db.insert(pgSchema.articleRevisions).values({ articleId: article!.id, number: 1, version: 1, status: 'draft', authorId: 41, writtenAt: now, replacedAt: now, replacedBy: 'token 1', title: 'T', labels: JSON.stringify(['Café', 'b "quoted"']), body: '' })
  const [revision] = await db.select({ labels: pgSchema.articleRevisions.labels }).from(pgSchema.articleRevisions)
  t.equal(revision?.labels, '["Café","b \\"quoted\\""]', 'a JSON array reads back as JSON.stringify wrote it')
  await db.update(pgSchema.articleRevisions).set({ labels: '"just a string"' })
  const [scalar] = await db.select({ labels: pgSchema.articleRevisions.labels }).from(pgSchema.articleRevisions)
  t.equal(scalar?.labels, '"just a string"', 'so does a JSON string, quotes and all')
  t.same(await db.select().from(pgSchema.authors).where(eq(pgSchema.authors.id, Number.MAX_SAFE_INTEGER)), [], 'the largest id the API takes finds nothing, without an out-of-range error')
  const [next] = await db.insert(pgSchema.authors).values({ slug: 'next', name: 'Next', createdAt: now, updatedAt: now }).returning()
  t.equal(next?.id, 1, 'an identity does not follow an id given to it…')
  await advanceIdentities(db)
  const [after] = await db.insert(pgSchema.authors).values({ slug: 'after', name: 'After', createdAt: now, updatedAt: now }).returning()
  t.equal(after?.id, 42, '…until advanceIdentities moves it past the largest id')
  await db.delete(pgSchema.authors).where(eq(pgSchema.authors.id, 42))
  await advanceIdentities(db)
  const [later] = await db.insert(pgSchema.authors).values({ slug: 'later', name: 'Later', createdAt: now, updatedAt: now }).returning()
  t.equal(later?.id, 43, 'and never back: a deleted id is not given again')

  await t.rejects(db.insert(pgSchema.articleRevisions).values({ articleId: article!.id, number: 2, version: 2, status: 'draft', authorId: 41, writtenAt: now, replacedAt: now, replacedBy: 'x', title: 'T', labels: 'not json', body: '' }), 'text that is not JSON is refused')
})

t.test('the search configuration folds accents and stems, and the words configuration only folds', async (t) => {
  const { pool } = await migrated(t)
  const match = async (configuration: string, text: string, query: string): Promise<boolean> => {
    const { rows } = await pool.query<{ found: boolean }>('select to_tsvector($1::regconfig, $2) @@ to_tsquery($1::regconfig, $3) as found', [configuration, text, query])
    return rows[0]!.found
  }
  const plainMatch = async (text: string, query: string): Promise<boolean> => {
    const { rows } = await pool.query<{ found: boolean }>("select to_tsvector('dateline', $1) @@ plainto_tsquery('dateline', $2) as found", [text, query])
    return rows[0]!.found
  }
  t.equal(await plainMatch('Café résumés', 'cafe resume'), true, '"cafe resume" finds "Café résumés"')
  t.equal(await plainMatch('cafe resume', 'Café résumés'), true, 'and the other way round')
  t.equal(await plainMatch('Café résumés', 'tea'), false, 'another word does not')
  t.equal(await plainMatch('The Who', 'the who'), true, 'no stop words dropped, as with FTS5')
  t.equal(await match('dateline_words', 'Happiness', 'happin:*'), true, 'a half-typed word is a prefix of the word as written')
  t.equal(await match('dateline', 'Happiness', 'happin:*'), false, 'and not of its stem: why both vectors exist')
  const { rows } = await pool.query<{ folded: string }>("select dateline_unaccent('Crème Brûlée') as folded")
  t.equal(rows[0]!.folded, 'Creme Brulee', 'the immutable unaccent wrapper folds too')
})

t.test('a search document goes with its article', async (t) => {
  const { db } = await migrated(t)
  const now = '2015-06-25T14:03:00.000Z'
  const [author] = await db.insert(pgSchema.authors).values({ slug: 'a', name: 'A', createdAt: now, updatedAt: now }).returning()
  const [article] = await db.insert(pgSchema.articles).values({ slug: 's', status: 'published', authorId: author!.id, createdAt: now, updatedAt: now, title: 'Café', excerpt: '', body: '' }).returning()
  await db.execute(sql`insert into search_documents (article_id, title, excerpt, body, labels, document, words)
    values (${article!.id}, 'Café', '', 'résumés', 'food',
      setweight(to_tsvector('dateline', 'Café'), 'A') || setweight(to_tsvector('dateline', 'food'), 'B') || setweight(to_tsvector('dateline', 'résumés'), 'C'),
      to_tsvector('dateline_words', 'Café food résumés'))`)
  const found = await db.select({ id: pgSchema.searchDocuments.articleId }).from(pgSchema.searchDocuments)
    .where(sql`${pgSchema.searchDocuments.document} @@ websearch_to_tsquery('dateline', 'cafe resume')`)
  t.same(found, [{ id: article!.id }], 'the weighted vector is searchable')
  await db.delete(pgSchema.articles).where(eq(pgSchema.articles.id, article!.id))
  t.same(await db.select().from(pgSchema.searchDocuments), [], 'deleting the article deletes its search row')
})

t.test('text sorts byte by byte, as on SQLite, whatever the database locale', async (t) => {
  const { pool, db } = await migrated(t)
  const { rows } = await pool.query<{ collation: string | null }>("select collation_name as collation from information_schema.columns where table_name = 'articles' and column_name = 'title'")
  t.equal(rows[0]!.collation, 'C', 'articles.title is collated "C"')

  const sqlite = openDatabase(':memory:')
  t.teardown(() => sqlite.$client.close())
  runMigrations(sqlite)
  const names = ['b', 'B', 'a', 'é', 'e', 'Z', '_x', 'ß', '10', '9']
  const labels = names.map((name, index) => ({ name, key: `k${index}` }))
  sqlite.insert(sqliteSchema.labels).values(labels).run()
  await db.insert(pgSchema.labels).values(labels)
  const onSqlite = sqlite.select({ name: sqliteSchema.labels.name }).from(sqliteSchema.labels).orderBy(sqliteSchema.labels.name).all()
  const onPostgres = await db.select({ name: pgSchema.labels.name }).from(pgSchema.labels).orderBy(pgSchema.labels.name)
  t.same(onPostgres, onSqlite, 'the same order as SQLite gives')
})

t.test('opening fails as DatabaseUnusable, one line naming the database, never the password', async (t) => {
  const password = 's3cret-pw'
  const at = (change: (url: URL) => void): string => {
    const url = new URL(serverUrl)
    url.password = password
    change(url)
    return url.toString()
  }
  const cases: Array<[string, string, RegExp]> = [
    ['a URL that is not one', `postgres://dateline:${password}@127.0.0.1:notaport/test`, /^cannot use DATABASE_URL: it is not a valid PostgreSQL URL/],
    ['a password that is not percent-encoded', `postgres://dateline:${password}%zz@127.0.0.1/test`, /^cannot use DATABASE_URL: it is not a valid PostgreSQL URL/],
    ['nothing listening on the port', at((url) => { url.hostname = '127.0.0.1'; url.port = '1' }), /^cannot use the PostgreSQL database \w+ at 127\.0\.0\.1:1: the connection was refused/],
    ['an unknown database', at((url) => { url.pathname = '/dl_pg_no_such_database' }), /^cannot use the PostgreSQL database dl_pg_no_such_database at .+: the database does not exist/],
    ['an unknown user', at((url) => { url.username = 'dl_pg_nobody' }), /^cannot use the PostgreSQL database \w+ at .+: .*dl_pg_nobody/]
  ]
  for (const [what, url, message] of cases) {
    const error = await openPostgres(url, { connectTimeoutMs: 2000 }).then(() => undefined, (error: unknown) => error)
    t.type(error, DatabaseUnusable, `${what}: DatabaseUnusable`)
    t.match((error as Error).message, message, `${what}: says why`)
    t.notOk((error as Error).message.includes(password), `${what}: no password in the message`)
    t.notOk((error as Error).message.includes('\n'), `${what}: one line`)
  }
})

t.test('DATABASE_URL names PostgreSQL by its scheme', async (t) => {
  t.ok(isPostgresUrl('postgres://u@h/db'))
  t.ok(isPostgresUrl('postgresql://u@h:5432/db'))
  t.ok(isPostgresUrl('POSTGRES://u@h/db'))
  t.notOk(isPostgresUrl('./data/dateline.db'))
  t.notOk(isPostgresUrl(':memory:'))
  t.notOk(isPostgresUrl('/var/lib/postgres://x'))
})

t.test('no statement runs past the statement timeout; pools hold 10 connections unless told', async (t) => {
  const { url } = await freshPostgresDatabase(t)
  const quick = await open(t, url, { statementTimeoutMs: 200 })
  await t.rejects(quick.pool.query('select pg_sleep(2)'), { code: '57014' }, 'a 2 s statement is cancelled at 200 ms')
  const { rows } = await quick.pool.query<{ timezone: string, datestyle: string }>('select current_setting($1) as timezone, current_setting($2) as datestyle', ['TimeZone', 'DateStyle'])
  t.same(rows[0], { timezone: 'UTC', datestyle: 'ISO, MDY' }, 'sessions run in UTC with ISO dates')
  t.equal(quick.pool.options.max, 10)
  const small = await open(t, url, { poolSize: 3 })
  t.equal(small.pool.options.max, 3)
})

// --- The two schemas side by side ---------------------------------------------------

interface TableShape {
  columns: Record<string, { notNull: boolean, default: string | null }>
  primaryKey: string[]
  /** "name unique (a, b)", sorted. */
  indexes: string[]
  /** "(author_id) → authors(id) on delete restrict", sorted. */
  foreignKeys: string[]
  checks: string[]
}

/** SQLite's full-text machinery (migrations 0003–0005), which PostgreSQL does with search_documents. */
const sqliteOnly = /^(articles_text|articles_search(_\w+)?|articles_words(_\w+)?)$/
/** PostgreSQL's own: its full-text table and the cross-instance write stamp. */
const postgresOnly = ['search_documents', 'write_stamp']

function sqliteShapes (db: Db): Map<string, TableShape> {
  const sqlite = db.$client
  const tables = sqlite.prepare("select name, sql from sqlite_master where type = 'table' and name not like 'sqlite_%' and name <> '__drizzle_migrations' order by name").all() as Array<{ name: string, sql: string }>
  const shapes = new Map<string, TableShape>()
  for (const { name, sql: definition } of tables) {
    const columns = sqlite.pragma(`table_info(${name})`) as Array<{ name: string, notnull: number, dflt_value: string | null, pk: number }>
    const indexes = (sqlite.pragma(`index_list(${name})`) as Array<{ name: string, unique: number, origin: string }>)
      .filter((index) => index.origin !== 'pk')
      .map((index) => `${index.name} ${index.unique === 1 ? 'unique ' : ''}(${(sqlite.pragma(`index_info(${index.name})`) as Array<{ name: string }>).map((column) => column.name).join(', ')})`)
    const keys = sqlite.pragma(`foreign_key_list(${name})`) as Array<{ id: number, table: string, from: string, to: string, on_delete: string }>
    const foreignKeys = [...new Set(keys.map((key) => key.id))].map((id) => {
      const parts = keys.filter((key) => key.id === id)
      return `(${parts.map((part) => part.from).join(', ')}) → ${parts[0]!.table}(${parts.map((part) => part.to).join(', ')}) on delete ${parts[0]!.on_delete.toLowerCase()}`
    })
    shapes.set(name, {
      columns: Object.fromEntries(columns.map((column) => [column.name, { notNull: column.notnull === 1 || column.pk > 0, default: column.dflt_value }])),
      primaryKey: columns.filter((column) => column.pk > 0).sort((a, b) => a.pk - b.pk).map((column) => column.name),
      indexes: indexes.sort(),
      foreignKeys: foreignKeys.sort(),
      checks: [...definition.matchAll(/CONSTRAINT "(\w+)" CHECK/g)].map((found) => found[1]!).sort()
    })
  }
  return shapes
}

const deleteActions: Record<string, string> = { a: 'no action', r: 'restrict', c: 'cascade', n: 'set null', d: 'set default' }

async function postgresShapes (pool: pg.Pool): Promise<Map<string, TableShape>> {
  const shapes = new Map<string, TableShape>()
  const columns = await pool.query<{ table: string, column: string, nullable: string, default: string | null }>(`
    select c.table_name as table, c.column_name as column, c.is_nullable as nullable, c.column_default as default
    from information_schema.columns c join information_schema.tables t using (table_schema, table_name)
    where c.table_schema = 'public' and t.table_type = 'BASE TABLE' and c.table_name <> '__drizzle_migrations'
    order by c.table_name, c.ordinal_position`)
  for (const row of columns.rows) {
    const shape = shapes.get(row.table) ?? { columns: {}, primaryKey: [], indexes: [], foreignKeys: [], checks: [] }
    // PostgreSQL writes a text default with its cast (`''::text`), SQLite as given.
    shape.columns[row.column] = { notNull: row.nullable === 'NO', default: row.default?.replace(/::text$/, '') ?? null }
    shapes.set(row.table, shape)
  }
  const indexes = await pool.query<{ table: string, name: string, unique: boolean, primary: boolean, columns: string[] }>(`
    select t.relname as table, i.relname as name, x.indisunique as unique, x.indisprimary as primary,
      array(select a.attname from unnest(x.indkey) with ordinality k(attnum, position)
        join pg_attribute a on a.attrelid = x.indrelid and a.attnum = k.attnum order by k.position)::text[] as columns
    from pg_index x join pg_class i on i.oid = x.indexrelid join pg_class t on t.oid = x.indrelid
    join pg_namespace n on n.oid = t.relnamespace where n.nspname = 'public'`)
  for (const index of indexes.rows) {
    const shape = shapes.get(index.table)
    if (shape === undefined) continue
    if (index.primary) shape.primaryKey = index.columns
    else shape.indexes.push(`${index.name} ${index.unique ? 'unique ' : ''}(${index.columns.join(', ')})`)
  }
  const constraints = await pool.query<{ table: string, name: string, type: string, columns: string[], target: string | null, targetColumns: string[] | null, onDelete: string }>(`
    select t.relname as table, c.conname as name, c.contype as type, c.confdeltype as "onDelete", r.relname as target,
      array(select attname from unnest(c.conkey) with ordinality k(attnum, position) join pg_attribute a on a.attrelid = c.conrelid and a.attnum = k.attnum order by k.position)::text[] as columns,
      array(select attname from unnest(c.confkey) with ordinality k(attnum, position) join pg_attribute a on a.attrelid = c.confrelid and a.attnum = k.attnum order by k.position)::text[] as "targetColumns"
    from pg_constraint c join pg_class t on t.oid = c.conrelid left join pg_class r on r.oid = c.confrelid
    join pg_namespace n on n.oid = t.relnamespace where n.nspname = 'public' and c.contype in ('f', 'c')`)
  for (const constraint of constraints.rows) {
    const shape = shapes.get(constraint.table)
    if (shape === undefined) continue
    if (constraint.type === 'c') shape.checks.push(constraint.name)
    else shape.foreignKeys.push(`(${constraint.columns.join(', ')}) → ${constraint.target}(${constraint.targetColumns!.join(', ')}) on delete ${deleteActions[constraint.onDelete]}`)
  }
  for (const shape of shapes.values()) {
    shape.indexes.sort()
    shape.foreignKeys.sort()
    shape.checks.sort()
  }
  return shapes
}

t.test('the PostgreSQL schema is the SQLite schema, but for the listed differences', async (t) => {
  const sqlite = openDatabase(':memory:')
  t.teardown(() => sqlite.$client.close())
  runMigrations(sqlite)
  const { pool } = await migrated(t)
  const lite = sqliteShapes(sqlite)
  const postgres = await postgresShapes(pool)

  const liteTables = [...lite.keys()].filter((name) => !sqliteOnly.test(name)).sort()
  const postgresTables = [...postgres.keys()].filter((name) => !postgresOnly.includes(name)).sort()
  t.same(postgresTables, liteTables, 'the same tables, once the full-text ones are set aside')
  t.ok([...lite.keys()].some((name) => sqliteOnly.test(name)) && postgresOnly.every((name) => postgres.has(name)), 'the differences listed exist (the list is not stale)')
  for (const table of liteTables) t.same(postgres.get(table), lite.get(table), `${table}: columns, nullability, defaults, keys, indexes, checks`)

  // The harness notices a difference: a column made nullable on one side.
  await pool.query('alter table authors alter column name drop not null')
  t.notSame((await postgresShapes(pool)).get('authors'), lite.get('authors'), 'a changed column is noticed')
})

// Compile time: each table's row reads the same from either database, so one row mapper and
// one set of services serve both. `true satisfies false` does not compile.
type Mutual<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false
type Agree<S extends { $inferSelect: unknown, $inferInsert: unknown }, P extends { $inferSelect: unknown, $inferInsert: unknown }> =
  Mutual<S['$inferSelect'], P['$inferSelect']> extends true ? Mutual<S['$inferInsert'], P['$inferInsert']> : false
/** Rows agree; every PostgreSQL insert is a valid SQLite insert, not the other way round. */
type AgreeStricterInsert<S extends { $inferSelect: unknown, $inferInsert: unknown }, P extends { $inferSelect: unknown, $inferInsert: unknown }> =
  Mutual<S['$inferSelect'], P['$inferSelect']> extends true ? ([P['$inferInsert']] extends [S['$inferInsert']] ? true : false) : false

const rowTypesAgree = {
  authors: true satisfies Agree<typeof sqliteSchema.authors, typeof pgSchema.authors>,
  articles: true satisfies Agree<typeof sqliteSchema.articles, typeof pgSchema.articles>,
  labels: true satisfies Agree<typeof sqliteSchema.labels, typeof pgSchema.labels>,
  pages: true satisfies Agree<typeof sqliteSchema.pages, typeof pgSchema.pages>,
  article_labels: true satisfies Agree<typeof sqliteSchema.articleLabels, typeof pgSchema.articleLabels>,
  article_authors: true satisfies Agree<typeof sqliteSchema.articleAuthors, typeof pgSchema.articleAuthors>,
  tokens: true satisfies Agree<typeof sqliteSchema.tokens, typeof pgSchema.tokens>,
  meta: true satisfies Agree<typeof sqliteSchema.meta, typeof pgSchema.meta>,
  days: true satisfies Agree<typeof sqliteSchema.days, typeof pgSchema.days>,
  comments: true satisfies Agree<typeof sqliteSchema.comments, typeof pgSchema.comments>,
  imported_rows: true satisfies Agree<typeof sqliteSchema.importedRows, typeof pgSchema.importedRows>,
  idempotency_keys: true satisfies Agree<typeof sqliteSchema.idempotencyKeys, typeof pgSchema.idempotencyKeys>,
  article_revisions: true satisfies Agree<typeof sqliteSchema.articleRevisions, typeof pgSchema.articleRevisions>,
  // Positions: SQLite's AUTOINCREMENT fills one in; PostgreSQL's come from write_stamp (db/change-log.postgres.ts).
  changes: true satisfies AgreeStricterInsert<typeof sqliteSchema.changes, typeof pgSchema.changes>,
  // SQLite lets an insert leave out `id` (an integer primary key is the rowid, which SQLite
  // fills in); PostgreSQL, with no identity here, wants the article's id, as the trash gives.
  trashed_articles: true satisfies AgreeStricterInsert<typeof sqliteSchema.trashedArticles, typeof pgSchema.trashedArticles>,
  webhooks: true satisfies Agree<typeof sqliteSchema.webhooks, typeof pgSchema.webhooks>,
  webhook_deliveries: true satisfies Agree<typeof sqliteSchema.webhookDeliveries, typeof pgSchema.webhookDeliveries>,
  media: true satisfies Agree<typeof sqliteSchema.media, typeof pgSchema.media>,
  article_media: true satisfies Agree<typeof sqliteSchema.articleMedia, typeof pgSchema.articleMedia>,
  article_old_slugs: true satisfies Agree<typeof sqliteSchema.articleOldSlugs, typeof pgSchema.articleOldSlugs>,
  redirects: true satisfies Agree<typeof sqliteSchema.redirects, typeof pgSchema.redirects>,
  article_corrections: true satisfies Agree<typeof sqliteSchema.articleCorrections, typeof pgSchema.articleCorrections>,
  article_previews: true satisfies Agree<typeof sqliteSchema.articlePreviews, typeof pgSchema.articlePreviews>,
  seo_fields: true satisfies Agree<typeof sqliteSchema.seoFields, typeof pgSchema.seoFields>,
  page_revisions: true satisfies Agree<typeof sqliteSchema.pageRevisions, typeof pgSchema.pageRevisions>,
  // As trashed_articles: the page's own id, which PostgreSQL wants given.
  trashed_pages: true satisfies AgreeStricterInsert<typeof sqliteSchema.trashedPages, typeof pgSchema.trashedPages>
}

t.test('every shared table\'s row type is checked against its SQLite twin', async (t) => {
  const shared = Object.values(pgSchema.postgresTables).map((table) => getTableName(table)).filter((name) => !postgresOnly.includes(name)).sort()
  t.same(Object.keys(rowTypesAgree).sort(), shared, 'the compile-time check above lists every shared table')
})

// --- Schema and migrations agree ------------------------------------------------------

function tempDir (t: TapLike): string {
  const dir = mkdtempSync(join(tmpdir(), 'dateline-drizzle-kit-pg-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

t.test('schema.postgres.ts and the committed PostgreSQL migrations agree', async (t) => {
  const dir = tempDir(t)
  cpSync(postgresMigrationsFolder, join(dir, 'migrations'), { recursive: true })
  // drizzle-kit prefixes `out` with "./", so it must be relative to its working directory.
  writeFileSync(join(dir, 'drizzle.config.ts'), `export default ${JSON.stringify({ dialect: 'postgresql', schema: join(projectRoot, 'src/db/schema.postgres.ts'), out: './migrations' })}\n`)
  const list = (): string[] => readdirSync(join(dir, 'migrations'), { recursive: true }).map(String).sort()
  const before = list()
  const { stdout, stderr } = await run(join(projectRoot, 'node_modules/.bin/drizzle-kit'), ['generate', '--config', join(dir, 'drizzle.config.ts')], { cwd: dir, timeout: 30_000 })
  t.match(`${stdout}${stderr}`, /No schema changes/, 'drizzle-kit generate reports no changes')
  t.same(list(), before, 'drizzle-kit wrote no new migration')
})
