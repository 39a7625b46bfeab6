import t from 'tap'
import type { PostgresHandle } from '../../src/db/postgres-store.js'
import * as sqliteSchema from '../../src/db/schema.js'
import * as postgresSchema from '../../src/db/schema.postgres.js'
import { sqliteHandle } from '../../src/db/sqlite-store.js'
import type { Store } from '../../src/db/store.js'
import type { CursorValue } from '../../src/lib/list.js'
import { articleQueries, type ArticleFilters } from '../../src/resources/articles/queries.js'
import { indexArticle, snippets, unindexArticle } from '../../src/search/index.js'
import { searchQueries } from '../../src/search/queries.js'
import { similarCandidates, stemmed, toFtsQuery, type FtsQuery } from '../../src/search/query.js'
import { bothStores, onBoth, type BothStores } from '../stores.js'
import { ensureLabels } from '../../src/resources/labels/links.js'

// Full-text search on PostgreSQL (tsvector, ts_rank) finds what SQLite's FTS5 finds, counts
// it alike and cuts the same snippets. Only the order by relevance may differ
// (src/search/queries.postgres.ts says why): relevance lists are compared as sets.

const now = '2024-06-10T12:00:00.000Z'

interface Fixture { slug: string, title: string, body: string, labels?: string[], excerpt?: string, publishedAt?: string, status?: 'draft' | 'published' }

const fixtures: Fixture[] = [
  { slug: 'harbour', title: 'Harbour lights', labels: ['Sea', 'Night'], body: '<p>The harbour at night, well-known to sailors. Attacked by gulls.</p>' },
  { slug: 'market', title: 'Market day in town', labels: ['Town'], body: '<p>See example.com for the Café Résumé, version 1.2.3.</p>' },
  { slug: 'storm', title: 'Storm warning', labels: ['Weather'], body: '<p>A storm is coming to the harbour. The harbours of the coast close.</p>' },
  { slug: 'lights', title: 'Northern lights', body: '<p>Sea air and lights over the water, seen from the harbour wall.</p>', excerpt: 'Lights seen at sea' },
  { slug: 'draft', title: 'Harbour plans', status: 'draft', body: '<p>Not yet public harbour plans.</p>' },
  { slug: 'attack', title: 'An attack on the market', labels: ['Town', 'Crime'], body: '<p>Stalls were attacked at night.</p>', publishedAt: '2024-06-02T10:00:00.000Z' }
]

async function addAuthor (store: Store): Promise<void> {
  const row = { slug: 'ann', name: 'Ann', createdAt: now, updatedAt: now }
  if (store.dialect === 'sqlite') sqliteHandle(store).insert(sqliteSchema.authors).values(row).run()
  else await (store.handle as PostgresHandle).insert(postgresSchema.authors).values(row)
}

async function addArticle (store: Store, fixture: Fixture): Promise<void> {
  await store.transaction(async (tx) => {
    const publishedAt = fixture.status === 'draft' ? null : fixture.publishedAt ?? '2024-06-01T09:00:00.000Z'
    const articles = articleQueries(tx)
    const row = await articles.insertArticle({
      slug: fixture.slug,
      title: fixture.title,
      status: fixture.status ?? 'published',
      publishedAt,
      publishedDay: publishedAt?.slice(0, 10) ?? null,
      authorId: 1,
      createdAt: now,
      updatedAt: now,
      excerpt: fixture.excerpt ?? '',
      body: fixture.body
    })
    await ensureLabels(tx, fixture.labels ?? [])
    await articles.replaceLabels(row.id, fixture.labels ?? [])
    await indexArticle(tx, { ...row, labels: fixture.labels ?? [] })
  })
}

async function world (t: Parameters<typeof bothStores>[0]): Promise<BothStores> {
  const stores = await bothStores(t)
  await onBoth(stores, async (store) => {
    await addAuthor(store)
    for (const fixture of fixtures) await addArticle(store, fixture)
  })
  return stores
}

const reader: ArticleFilters = { visibility: { publishedOnly: true, alsoAuthorId: null, now } }
const editor: ArticleFilters = { visibility: { publishedOnly: false, alsoAuthorId: null, now } }

/** Who a search finds: in publication order (the same on both), by relevance as a set, and how many. */
async function found (store: Store, search: FtsQuery, filters: ArticleFilters): Promise<{ byTime: number[], byRelevance: number[], total: number }> {
  const articles = articleQueries(store)
  const withSearch = { ...filters, search }
  const byTime = await articles.pageOfArticles({ filters: withSearch, sort: [{ field: 'publishedAt', descending: true }], after: null, limit: 50, offset: 0 })
  const byRelevance = await articles.pageOfArticles({ filters: withSearch, sort: [{ field: 'relevance', descending: false }], after: null, limit: 50, offset: 0 })
  return { byTime: byTime.map((row) => row.id), byRelevance: byRelevance.map((row) => row.id).sort((a, b) => a - b), total: await articles.countArticles(withSearch) }
}

const searches: Array<[string, string]> = [
  ['harbour', 'a word, in titles and bodies'],
  ['harbours', 'another form of a word (stemmed)'],
  ['harbour night', 'every word must be there'],
  ['"storm is coming"', 'a phrase'],
  ['"coming storm"', 'a phrase in another order finds nothing'],
  ['"lights sea"', 'a phrase never runs from the title into the labels'],
  ['harbour -storm', 'an exclusion'],
  ['harb', 'a word being typed, as a prefix'],
  ['sailor', 'a typed word in full finds its other forms'],
  ['harbour sto', 'whole words and a prefix'],
  ['-storm harb', 'an exclusion with only a prefix'],
  ['cafe resume', 'accents are folded'],
  ['Café', 'accents in the search too'],
  ['example', 'a domain name is words'],
  ['known', 'so is a hyphenated word'],
  ['3 ', 'and a version number'],
  ['attack ', 'stems: attack finds attacked'],
  ['sea', 'labels and excerpts are searched'],
  ['town crime', 'labels only'],
  ['plans', 'drafts are found only by those who may see them'],
  ['zebra', 'nothing'],
  ["harbour's \\night", 'quotes and backslashes are no syntax'],
  ['\u0301harbour', 'a lone combining mark']
]

t.test('searches find the same articles, count them alike, and keep relevance pages whole', async (t) => {
  const stores = await world(t)
  for (const [q, what] of searches) {
    for (const [filters, who] of [[reader, 'reader'], [editor, 'editor']] as const) {
      const answers = await onBoth(stores, async (store) => await found(store, toFtsQuery(q), filters))
      t.same(answers.postgres, answers.sqlite, `${what} (${JSON.stringify(q)}, ${who})`)
    }
  }
  const harbour = await onBoth(stores, async (store) => await found(store, toFtsQuery('harbour'), reader))
  t.ok(harbour.sqlite.total >= 3, 'the searches are not all empty')
})

t.test('a title match outranks a body match on both', async (t) => {
  const stores = await world(t)
  const first = await onBoth(stores, async (store) => {
    const rows = await articleQueries(store).pageOfArticles({ filters: { ...reader, search: toFtsQuery('storm ') }, sort: [{ field: 'relevance', descending: false }], after: null, limit: 1, offset: 0 })
    return rows.map((row) => row.slug)
  })
  t.same(first.postgres, first.sqlite)
  t.same(first.sqlite, ['storm'])
})

t.test('a cursor over relevance walks every hit once', async (t) => {
  const stores = await world(t)
  const walks = await onBoth(stores, async (store) => {
    const articles = articleQueries(store)
    const filters = { ...editor, search: toFtsQuery('harbour') }
    const sort = [{ field: 'relevance' as const, descending: false }]
    const ids: number[] = []
    let after: CursorValue[] | null = null
    for (let guard = 0; guard < 10; guard++) {
      const rows = await articles.pageOfArticles({ filters, sort, after, limit: 2, offset: 0 })
      if (rows.length === 0) break
      ids.push(...rows.map((row) => row.id))
      const last = rows.at(-1)!
      after = [last.relevance, last.id]
      t.equal(await articles.countArticles(filters, sort, after), (await articles.countArticles(filters)) - ids.length, `${store.dialect}: what is left after a page is counted`)
    }
    return ids
  })
  t.equal(new Set(walks.postgres).size, walks.postgres.length, 'no hit twice')
  t.same([...walks.postgres].sort(), [...walks.sqlite].sort())
})

t.test('an unranked search (only a common word) lists newest written first on both', async (t) => {
  const stores = await world(t)
  const common = toFtsQuery('harbour ', 'q', (stems) => new Map(stems.map((stem) => [stem, 0.9])))
  t.equal(common.ranked, false)
  const answers = await onBoth(stores, async (store) => (await articleQueries(store).pageOfArticles({ filters: { ...editor, search: common }, sort: [{ field: 'relevance', descending: false }], after: null, limit: 10, offset: 0 })).map((row) => [row.id, row.relevance]))
  t.same(answers.postgres, answers.sqlite)
})

t.test('snippets, indexed texts, word counts and unindexing agree', async (t) => {
  const stores = await world(t)
  const answers = await onBoth(stores, async (store) => {
    const search = searchQueries(store)
    return {
      snippets: [...await snippets(store, toFtsQuery('harbour cafe'), [1, 2, 3, 4])],
      prefixSnippets: [...await snippets(store, toFtsQuery('sai'), [1])],
      texts: [...await search.indexedTexts([2, 1, 99])],
      words: [...await search.articlesWithWords(['harbour', 'night', 'attack', 'cafe', 'zebra', "o'neil"].map(stemmed))],
      articles: await search.articleCount(),
      documents: await search.documentsAfter(0, 1000),
      pages: [await search.documentsAfter(0, 2), await search.documentsAfter(2, 2), await search.documentsAfter(4, 100), await search.documentsAfter(1000, 2)],
      unindexed: await unindexArticle(store, 3),
      again: await unindexArticle(store, 3),
      afterUnindex: await found(store, toFtsQuery('storm'), editor)
    }
  })
  t.same(answers.postgres, answers.sqlite)
  t.match(answers.sqlite.snippets[0]?.[1], /<mark>Harbour<\/mark>/)
  t.same(answers.sqlite.words.find(([word]) => word === 'harbour'), ['harbour', 4], 'harbour and harbours count as one word')
  t.equal(answers.sqlite.again, undefined)
  t.same(answers.sqlite.afterUnindex.byTime, [], 'an unindexed article is not found')
  t.ok(answers.sqlite.documents.length > 4)
  t.same(answers.sqlite.pages.flat(), answers.sqlite.documents, 'read a page at a time, by id, every article comes once, with its labels')
  t.same(answers.sqlite.pages.map((page) => page.length), [2, 2, answers.sqlite.documents.length - 4, 0])
})

t.test('rebuilding the index, and texts written first then indexed (an import), find the same', async (t) => {
  const stores = await world(t)
  const answers = await onBoth(stores, async (store) => {
    await store.transaction(async (tx) => {
      const search = searchQueries(tx)
      const documents = await search.documentsAfter(0, 1000)
      await search.rebuildIndex(documents.map((document) => ({ id: document.id, text: { title: document.title, excerpt: document.excerpt, body: document.body.replace(/<[^>]+>/g, ''), labels: document.labels.join(' ') } })))
      await search.unindexArticle(2)
      await search.writeText(2, { title: 'Market day', excerpt: '', body: 'first text', labels: '' })
      await search.deleteText(2)
      await search.writeText(2, { title: 'Market day', excerpt: '', body: 'kites over the fair', labels: 'Town' })
      await search.indexTexts([2])
    })
    return { kites: await found(store, toFtsQuery('kite'), editor), first: await found(store, toFtsQuery('first'), editor), harbour: await found(store, toFtsQuery('harbour'), editor) }
  })
  t.same(answers.postgres, answers.sqlite)
  t.same(answers.sqlite.kites.byTime, [2])
  t.same(answers.sqlite.first.byTime, [])
})

t.test('title suggestions and similar articles find the same articles', async (t) => {
  const stores = await world(t)
  const answers = await onBoth(stores, async (store) => {
    const search = searchQueries(store)
    const suggestions = async (typed: string): Promise<number[]> => (await search.titleSuggestions(toFtsQuery(typed), now, 10)).map((row) => row.id).sort()
    return {
      har: await suggestions('har'),
      lights: await suggestions('lights'),
      notInTitle: await suggestions('sailors'),
      excluded: await suggestions('lights -northern'),
      similar: [...(await search.similarArticles(['harbour', 'night', 'market'], 1, now, 10, similarCandidates)).keys()].sort(),
      none: [...(await search.similarArticles([], 1, now, 10, similarCandidates)).keys()]
    }
  })
  t.same(answers.postgres, answers.sqlite)
  t.same(answers.sqlite.har, [1], 'published titles only')
  t.same(answers.sqlite.notInTitle, [])
})
