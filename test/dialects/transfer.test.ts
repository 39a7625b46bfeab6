import { setTimeout as sleep } from 'node:timers/promises'
import t from 'tap'
import { idempotencyQueries } from '../../src/db/idempotency.js'
import type { PostgresDb } from '../../src/db/postgres.js'
import type { PostgresHandle } from '../../src/db/postgres-store.js'
import { authors as sqliteAuthors } from '../../src/db/schema.js'
import { authors as postgresAuthors } from '../../src/db/schema.postgres.js'
import { sqliteHandle } from '../../src/db/sqlite-store.js'
import type { Store } from '../../src/db/store.js'
import { demoQueries } from '../../src/demo/queries.js'
import { exportQueries } from '../../src/resources/export/queries.js'
import { feedQueries } from '../../src/resources/feeds/queries.js'
import { importQueries, type SourceKey, type Stage, type StagedRecord } from '../../src/resources/import/queries.js'
import { tokenQueries } from '../../src/resources/tokens/queries.js'
import { authenticate, createToken, findToken, listTokens, pageOfTokens, revokeToken, TokenUses } from '../../src/resources/tokens/service.js'
import { bothStores, insertOnBoth, sameOnBoth, type BothStores } from '../stores.js'

// Tokens, idempotency, import, export, feeds and the demo seed on PostgreSQL (issue 17): each
// query module answers as its SQLite twin does. Articles, authors, comments and days have
// their PostgreSQL modules from another branch, so their rows are put in directly here.

const now = '2024-06-01T00:00:00.000Z'

function at (day: string, time = '12:00:00'): string {
  return `${day}T${time}.000Z`
}

/** Three authors, articles in every state (two published at the same instant), labels, days, comments. */
async function newsroom (stores: BothStores): Promise<void> {
  await insertOnBoth(stores, 'authors', [
    { slug: 'ada', name: 'Ada', createdAt: at('2023-01-01'), updatedAt: at('2023-01-02') },
    { slug: 'bo', name: 'Bo', bio: 'Writes.', email: 'bo@example.com', createdAt: at('2023-01-01'), updatedAt: at('2023-01-01') },
    { slug: 'cy', name: 'Cy', createdAt: at('2023-02-01'), updatedAt: at('2023-02-01') }
  ])
  const article = (slug: string, status: 'draft' | 'scheduled' | 'published', publishedAt: string | null, authorId: number, updatedAt: string) => ({
    slug, status, publishedAt, publishedDay: publishedAt?.slice(0, 10) ?? null, authorId, createdAt: at('2023-12-01'), updatedAt, title: slug.toUpperCase(), excerpt: `${slug}…`, body: `<p>${slug}</p>`
  })
  await insertOnBoth(stores, 'articles', [
    article('first', 'published', at('2024-01-02', '10:00:00'), 1, at('2024-01-03')),
    article('tied', 'published', at('2024-01-02', '10:00:00'), 2, at('2024-01-02', '11:00:00')),
    article('draft', 'draft', null, 1, at('2024-02-01')),
    article('scheduled', 'scheduled', at('2024-09-01'), 2, at('2024-05-01')),
    article('future', 'published', at('2024-07-01'), 3, at('2024-05-02')),
    article('old', 'published', at('2023-12-31', '23:59:59'), 3, at('2023-12-31', '23:59:59'))
  ])
  await insertOnBoth(stores, 'labels', [
    { name: 'Zeta', key: 'zeta' }, { name: 'alpha', key: 'alpha' }, { name: 'Beta', key: 'beta' }, { name: 'Drafty', key: 'drafty' }
  ])
  await insertOnBoth(stores, 'articleLabels', [
    { articleId: 1, labelId: 1, position: 0 }, { articleId: 1, labelId: 2, position: 1 }, { articleId: 2, labelId: 2, position: 0 },
    { articleId: 3, labelId: 4, position: 0 }, { articleId: 5, labelId: 4, position: 0 }, { articleId: 6, labelId: 3, position: 0 }
  ])
  await insertOnBoth(stores, 'days', [
    { day: '2024-01-02', note: 'A busy day', createdAt: at('2024-01-02'), updatedAt: at('2024-01-05') },
    { day: '2024-02-10', note: null, createdAt: at('2024-02-10'), updatedAt: at('2024-02-10') }
  ])
  await insertOnBoth(stores, 'comments', [
    { articleId: 1, authorName: 'Reader', body: '<p>One</p>', status: 'approved', createdAt: at('2024-01-03'), updatedAt: at('2024-01-03') },
    { articleId: 1, parentId: 1, authorName: 'Other', authorEmail: 'o@example.com', body: '<p>Two</p>', status: 'pending', createdAt: at('2024-01-03'), updatedAt: at('2024-01-03') },
    { articleId: 2, authorName: 'Spam', authorUrl: 'https://spam.example', body: '<p>Buy</p>', status: 'spam', createdAt: at('2024-01-04'), updatedAt: at('2024-01-04') }
  ])
}

t.test('token queries: rows, lookups, pages and counts alike, revoking once', async (t) => {
  const stores = await bothStores(t)
  await insertOnBoth(stores, 'tokens', [
    { name: 'admin', role: 'admin', secretHash: 'hash-1', createdAt: at('2024-01-01') },
    { name: 'editor', role: 'editor', secretHash: 'hash-2', createdAt: at('2024-01-01'), expiresAt: at('2025-01-01') },
    { name: 'old', role: 'editor', secretHash: 'hash-3', createdAt: at('2023-01-01'), revokedAt: at('2023-06-01') }
  ])
  const same = async <T>(what: string, call: (store: Store) => Promise<T>): Promise<T> => await sameOnBoth(t, stores, what, call)

  const inserted = await same('an inserted token comes back whole', async (store) => await tokenQueries(store).insertToken({ name: 'new', role: 'admin', secretHash: 'hash-4', createdAt: at('2024-02-01', '08:30:00') }))
  t.equal(inserted.id, 4, 'with the next id')
  await same('every token, in id order', async (store) => await tokenQueries(store).allTokens())
  await same('one by id', async (store) => await tokenQueries(store).tokenById(2))
  await same('none for an unknown id, even past 2^31', async (store) => await tokenQueries(store).tokenById(2 ** 40))
  await same('an active token by its secret hash', async (store) => await tokenQueries(store).activeTokenBySecretHash('hash-2'))
  await same('a revoked one is not found', async (store) => await tokenQueries(store).activeTokenBySecretHash('hash-3'))
  await same('its use is noted', async (store) => { await tokenQueries(store).markTokenUsed(2, at('2024-03-01')); return await tokenQueries(store).tokenById(2) })
  t.equal((await tokenQueries(stores.postgres).tokenById(2))?.lastUsedAt, at('2024-03-01'), 'as the timestamp written')
  await same('revoking an active token succeeds', async (store) => await tokenQueries(store).revokeToken(1, at('2024-04-01')))
  const again = await same('revoking it again does not', async (store) => await tokenQueries(store).revokeToken(1, at('2024-04-02')))
  t.equal(again, false)
  await same('nor does revoking a token that is not there', async (store) => await tokenQueries(store).revokeToken(99, at('2024-04-02')))
  await same('counts, all and after an id', async (store) => [await tokenQueries(store).countTokens(), await tokenQueries(store).countTokens(2), await tokenQueries(store).countTokens(4)])
  await same('pages by offset and after an id', async (store) => [
    await tokenQueries(store).pageOfTokens(null, 2, 0), await tokenQueries(store).pageOfTokens(null, 2, 3), await tokenQueries(store).pageOfTokens(2, 10, 0), await tokenQueries(store).pageOfTokens(4, 10, 0)
  ])
  await insertOnBoth(stores, 'authors', [{ slug: 'ada', name: 'Ada', createdAt: now, updatedAt: now }])
  await same('an author token is bound to its author', async (store) => await tokenQueries(store).insertToken({ name: 'ada', role: 'author', authorId: 1, secretHash: 'hash-5', createdAt: now }))
  await same('and goes with the author', async (store) => {
    if (store.dialect === 'sqlite') sqliteHandle(store).delete(sqliteAuthors).run()
    else await (store.handle as PostgresHandle).delete(postgresAuthors)
    return (await tokenQueries(store).allTokens()).map((token) => token.name)
  })
})

t.test('the token service: created, paged by cursor, found, revoked and authenticated alike', async (t) => {
  const stores = await bothStores(t)
  // Secrets are random and times are the clock's: compared are what the services decide.
  const decided = ({ createdAt, ...token }: { createdAt: string }) => token
  const secrets = new Map<Store, string[]>()
  await sameOnBoth(t, stores, 'tokens are created with their defaults', async (store) => {
    const made = [await createToken(store, { role: 'admin' }), await createToken(store, { role: 'editor', name: '  Desk  ', expiresAt: '2999-01-01T01:00:00+01:00' }), await createToken(store, { role: 'editor', expiresAt: '2000-01-01T00:00:00Z' })]
    secrets.set(store, made.map((token) => token.secret))
    return made.map((token) => decided(token.token))
  })
  await sameOnBoth(t, stores, 'listed', async (store) => (await listTokens(store)).map(decided))
  await sameOnBoth(t, stores, 'paged: first page, then after its cursor', async (store) => {
    const first = await pageOfTokens(store, { limit: 2 })
    const second = await pageOfTokens(store, { limit: 2, cursor: first.nextCursor! })
    return [first, second].map((page) => ({ ...page, items: page.items.map(decided) }))
  })
  await sameOnBoth(t, stores, 'an author token needs an author', async (store) => await createToken(store, { role: 'author' }).then(() => 'created', (error: Error) => error.message))
  await sameOnBoth(t, stores, 'found, and not found', async (store) => [await findToken(store, 2), await findToken(store, 42)].map((token) => token === null ? null : decided(token)))
  await sameOnBoth(t, stores, 'revoked once', async (store) => [await revokeToken(store, 1), await revokeToken(store, 1)])
  await sameOnBoth(t, stores, 'secrets authenticate while active and unexpired', async (store) => {
    const uses = new TokenUses(store, (error) => { throw error })
    const principals = []
    for (const secret of [...secrets.get(store)!, 'dl_unknown']) principals.push(await authenticate(store, secret, null, uses))
    await uses.close()
    return principals
  })
  const used = await findToken(stores.postgres, 2)
  t.type(used?.lastUsedAt, 'string', 'and the use was written on PostgreSQL')
})

t.test('idempotency queries: answers kept, replaced, purged and stripped of secrets alike', async (t) => {
  const stores = await bothStores(t)
  const answer = (key: string, createdAt: string, body: string) => ({ scope: 'token:1', key, requestDigest: `digest-${key}`, status: 201, headers: JSON.stringify({ location: `/v1/x/${key}` }), body, createdAt })
  await sameOnBoth(t, stores, 'kept and read back byte for byte', async (store) => {
    const queries = idempotencyQueries(store)
    await queries.keepAnswer(answer('a', at('2024-01-01'), '{"id":1}'))
    await queries.keepAnswer(answer('b', at('2024-01-02'), '{"secret":"dl_abc","id":2}'))
    await queries.keepAnswer(answer('c', at('2024-01-03'), '{"SECRET":"DL_abc"}'))
    await queries.keepAnswer(answer('d', at('2024-01-04'), 'not JSON at all'))
    return [await queries.storedAnswer('token:1', 'a'), await queries.storedAnswer('token:1', 'd'), await queries.storedAnswer('token:2', 'a')]
  })
  await sameOnBoth(t, stores, 'a second answer under the same key replaces the first', async (store) => {
    await idempotencyQueries(store).keepAnswer({ ...answer('a', at('2024-01-05'), '{"id":5}'), status: 200 })
    return await idempotencyQueries(store).storedAnswer('token:1', 'a')
  })
  await sameOnBoth(t, stores, 'secrets are blanked, whatever the case of the marker (SQLite\'s LIKE)', async (store) => {
    await idempotencyQueries(store).forgetStoredSecrets()
    return await Promise.all(['b', 'c', 'd'].map(async (key) => (await idempotencyQueries(store).storedAnswer('token:1', key))?.body))
  })
  await sameOnBoth(t, stores, 'answers kept before the cut are purged, later ones stay', async (store) => {
    await idempotencyQueries(store).purgeExpired(at('2024-01-03'))
    return await Promise.all(['a', 'b', 'c', 'd'].map(async (key) => (await idempotencyQueries(store).storedAnswer('token:1', key))?.key ?? null))
  })
  const headers = '{"etag":"\\"1\\"","location":"/v1/x"}'
  await idempotencyQueries(stores.postgres).keepAnswer({ ...answer('e', now, ''), headers })
  const kept = await idempotencyQueries(stores.postgres).storedAnswer('token:1', 'e')
  t.strictSame(JSON.parse(kept!.headers), JSON.parse(headers), 'headers come back as the same JSON value (jsonb may order keys its own way)')
})

t.test('export queries: counts and keyset pages of every table alike', async (t) => {
  const stores = await bothStores(t)
  await sameOnBoth(t, stores, 'an empty database counts nothing', async (store) => await exportQueries(store).tableCounts())
  await newsroom(stores)
  const same = async <T>(what: string, call: (store: Store) => Promise<T>): Promise<T> => await sameOnBoth(t, stores, what, call)
  await same('every table counted', async (store) => await exportQueries(store).tableCounts())
  await same('authors after an id', async (store) => [await exportQueries(store).authorsAfter(0, 2), await exportQueries(store).authorsAfter(2, 2), await exportQueries(store).authorsAfter(3, 2)])
  await same('labels after an id', async (store) => [await exportQueries(store).labelsAfter(0, 3), await exportQueries(store).labelsAfter(3, 3)])
  await same('articles after an id, nulls and all', async (store) => [await exportQueries(store).articlesAfter(0, 4), await exportQueries(store).articlesAfter(4, 4)])
  await same('days after a day', async (store) => [await exportQueries(store).daysAfter('', 1), await exportQueries(store).daysAfter('2024-01-02', 5)])
  await same('comments after an id, with their parents', async (store) => [await exportQueries(store).commentsAfter(0, 2), await exportQueries(store).commentsAfter(2, 2)])
})

t.test('feed queries: the sitemap\'s counts and entries, ties and unpublished articles left out, alike', async (t) => {
  const stores = await bothStores(t)
  const same = async <T>(what: string, call: (store: Store) => Promise<T>): Promise<T> => await sameOnBoth(t, stores, what, call)
  await same('an empty database has nothing to list', async (store) => {
    const feeds = feedQueries(store)
    return [await feeds.countPublishedArticles(now), await feeds.newestPublishedUpdate(now), await feeds.newestDayUpdate(), await feeds.countDays(now), await feeds.countLabels(now), await feeds.dayEntries(now, 10, 0), await feeds.labelEntries(now, 10, 0)]
  })
  await newsroom(stores)
  await same('published articles counted, and when they last changed', async (store) => [await feedQueries(store).countPublishedArticles(now), await feedQueries(store).newestPublishedUpdate(now)])
  const entries = await same('article entries, newest first, a tie broken by id', async (store) => [await feedQueries(store).publishedArticleEntries(now, 2, 0), await feedQueries(store).publishedArticleEntries(now, 2, 2)])
  t.strictSame(entries[0]?.map((entry) => entry.key), ['tied', 'first'], 'the later id first')
  await same('days: counted with the editor\'s, listed newest first with their last change', async (store) => [
    await feedQueries(store).newestDayUpdate(), await feedQueries(store).countDays(now), await feedQueries(store).dayEntries(now, 2, 0), await feedQueries(store).dayEntries(now, 2, 2)
  ])
  const labels = await same('labels of published articles, by key, with their newest article\'s change', async (store) => [
    await feedQueries(store).countLabels(now), await feedQueries(store).labelEntries(now, 10, 0), await feedQueries(store).labelEntries(now, 1, 1)
  ])
  t.strictSame(labels[1], [{ key: 'alpha', lastmod: at('2024-01-03') }, { key: 'Beta', lastmod: at('2023-12-31', '23:59:59') }, { key: 'Zeta', lastmod: at('2024-01-03') }], 'sorted by key, not by case')
  await same('label names by key, only where a published article carries them', async (store) => Object.fromEntries(await feedQueries(store).publicLabelNamesByKeys(['alpha', 'zeta', 'drafty', 'nothing'], now)))
  await same('later, the future article is published too', async (store) => [await feedQueries(store).countPublishedArticles(at('2024-08-01')), Object.fromEntries(await feedQueries(store).publicLabelNamesByKeys(['drafty'], at('2024-08-01')))])
})

t.test('demo queries: emptiness and the demo\'s timeline alike', async (t) => {
  const stores = await bothStores(t)
  await sameOnBoth(t, stores, 'a new database is empty', async (store) => await demoQueries(store).isEmpty())
  await newsroom(stores)
  await sameOnBoth(t, stores, 'one with content is not', async (store) => await demoQueries(store).isEmpty())
  const times = { createdAt: at('2020-05-05', '05:05:05'), updatedAt: at('2020-05-06') }
  await sameOnBoth(t, stores, 'rows are moved onto the demo\'s timeline', async (store) => {
    const demo = demoQueries(store)
    await demo.setAuthorTimes(1, times)
    await demo.setArticleTimes(2, times)
    await demo.setCommentTimes(3, times)
    await demo.setDayTimes('2024-02-10', times)
    const exported = exportQueries(store)
    return [(await exported.authorsAfter(0, 1))[0], (await exported.articlesAfter(1, 1))[0], (await exported.commentsAfter(2, 1))[0], (await exported.daysAfter('2024-02-09', 1))[0]]
  })
})

t.test('import queries: remembered rows upserted alike, and an id the import gave is not given again', async (t) => {
  const stores = await bothStores(t)
  const key = (sourceId: string): SourceKey => ({ resource: 'author', format: 'ndjson', site: 'https://example.com', sourceId })
  await sameOnBoth(t, stores, 'nothing is remembered at first', async (store) => await importQueries(store).importedRow(key('1')))
  await sameOnBoth(t, stores, 'remembered, then remembered again with another row and digest', async (store) => await store.transaction(async (tx) => {
    const imports = importQueries(tx)
    await imports.rememberImportedRow(key('1'), 1, 'first', at('2024-01-01'))
    const first = await imports.importedRow(key('1'))
    await imports.rememberImportedRow(key('1'), 2, 'second', at('2024-01-02'))
    return [first, await imports.importedRow(key('1')), await imports.importedRow({ ...key('1'), format: 'wxr' })]
  }))
  const ids = await sameOnBoth(t, stores, 'an id the import gave is followed, a lower one is not', async (store) => await store.transaction(importedAuthorsWithAndWithoutIds))
  t.strictSame(ids, [10, 41, 42, 100, 101], 'the database\'s ids come after the largest one given')
  await sameOnBoth(t, stores, 'and still after the unit', async (store) => await insertAuthor(store, undefined))
})

/**
 * What the importer does: keeps a source id where it is free, else lets the database choose,
 * and remembers each row right after writing it. Answers the ids the authors got.
 */
async function importedAuthorsWithAndWithoutIds (tx: Store): Promise<number[]> {
  const remember = async (id: number): Promise<void> => {
    await importQueries(tx).rememberImportedRow({ resource: 'author', format: 'ndjson', site: 's', sourceId: String(id) }, id, 'digest', now)
  }
  for (const given of [41, undefined, 10, 100, undefined]) {
    const id = await insertAuthor(tx, given)
    await remember(id)
  }
  return (await exportQueries(tx).authorsAfter(0, 10)).map((author) => author.id)
}

/** An author written past the authors module, which has no PostgreSQL twin on this branch; answers its id. */
async function insertAuthor (tx: Store, id: number | undefined): Promise<number> {
  const row = { ...(id === undefined ? {} : { id }), slug: `author-${id ?? Math.random()}`, name: 'A', createdAt: now, updatedAt: now }
  if (tx.dialect === 'sqlite') return sqliteHandle(tx).insert(sqliteAuthors).values(row).returning().get().id
  const [inserted] = await (tx.handle as PostgresHandle).insert(postgresAuthors).values(row).returning()
  return inserted!.id
}

async function stagedOf (stage: Stage, kind: string, pageSize: number): Promise<StagedRecord[]> {
  const records: StagedRecord[] = []
  for await (const record of stage.each(kind, pageSize)) records.push(record)
  return records
}

/** The importer's pattern: the stage is filled outside the unit of work and read inside it. */
async function stageThroughAnImport (store: Store): Promise<unknown> {
  const stage = await importQueries(store).createStage()
  try {
    const added = []
    // Keys as the importer makes them: site and source id joined by a NUL character.
    for (const [kind, key] of [['author', 's\u0000a'], ['author', 's\u0000a'], ['article', 's\u0000a'], ['day', null], ['day', null], ['author', 's\u0000b'], ['author', 's\u0000c']] as const) {
      added.push(await stage.add(kind, key, JSON.stringify({ kind, key })))
    }
    const read = await store.transaction(async () => ({
      authors: await stagedOf(stage, 'author', 2),
      days: await stagedOf(stage, 'day', 1000),
      comments: await stagedOf(stage, 'comment', 1000),
      keys: [await stage.hasKey('author', 's\u0000b'), await stage.hasKey('article', 's\u0000b'), await stage.hasKey('author', 's')]
    }))
    return { added, read }
  } finally {
    await stage.drop()
  }
}

t.test('the import stage: duplicates refused, pages in file order, read inside the unit alike', async (t) => {
  // One pooled connection: the unit holds it, so the stage must not need one from the pool.
  const stores = await bothStores(t, { poolSize: 1 })
  const staged = await sameOnBoth(t, stores, 'staged and read back', stageThroughAnImport)
  t.match(staged, { added: [true, false, true, true, true, true, true] }, 'a repeated key is refused; records without a key never are')
  await sameOnBoth(t, stores, 'a second import stages afresh', stageThroughAnImport)
  const { rows } = await (stores.postgres.handle as PostgresDb).$client.query<{ open: number }>("select count(*)::int as open from pg_stat_activity where datname = current_database() and application_name = 'dateline'")
  t.equal(rows[0]?.open, 1, 'the stages\' own connections were closed: only the pool\'s remains')
})

t.test('a stage asked for inside a unit of work lives on its connection', async (t) => {
  const stores = await bothStores(t, { poolSize: 1 })
  await sameOnBoth(t, stores, 'staged and read back in the unit', async (store) => await store.transaction(async (tx) => {
    const stage = await importQueries(tx).createStage()
    await stage.add('comment', 'x', '{}')
    const records = await stagedOf(stage, 'comment', 10)
    await stage.drop()
    return records
  }))
})

t.test('on PostgreSQL, of two revocations of one token at once, exactly one succeeds', async (t) => {
  const { postgres } = await bothStores(t)
  const { token } = await createToken(postgres, { role: 'editor' })
  const revoke = async (at: string): Promise<boolean> => await postgres.transaction(async (tx) => await tokenQueries(tx).revokeToken(token.id, at))
  const outcomes = await Promise.all([revoke(at('2024-01-01')), revoke(at('2024-01-02'))])
  t.strictSame([...outcomes].sort(), [false, true])
  const winner = outcomes[0] === true ? at('2024-01-01') : at('2024-01-02')
  t.equal((await findToken(postgres, token.id))?.revokedAt, winner, 'the revocation that succeeded is the one whose time stands')
})

t.test('on PostgreSQL, a token\'s use is noted without waiting for a writer that holds its row', async (t) => {
  const { postgres } = await bothStores(t)
  const { token, secret } = await createToken(postgres, { role: 'editor' })
  const holder = await (postgres.handle as PostgresDb).$client.connect()
  await holder.query('begin')
  await holder.query('select 1 from tokens where id = $1 for update', [token.id])
  const errors: unknown[] = []
  const uses = new TokenUses(postgres, (error) => errors.push(error))
  t.match(await authenticate(postgres, secret, null, uses), { role: 'editor', tokenId: token.id }, 'the request is served at once')
  await sleep(300)
  t.equal((await findToken(postgres, token.id))?.lastUsedAt, null, 'the note waits while the row is held')
  await holder.query('rollback')
  holder.release()
  await sleep(1500)
  t.type((await findToken(postgres, token.id))?.lastUsedAt, 'string', 'and is written on a later try')
  await uses.close()
  t.strictSame(errors, [], 'nothing failed')
})
