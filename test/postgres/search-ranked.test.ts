import t from 'tap'
import { openStore } from '../../src/db/open.js'
import type { PostgresHandle } from '../../src/db/postgres-store.js'
import * as schema from '../../src/db/schema.postgres.js'
import type { Store } from '../../src/db/store.js'
import type { Principal } from '../../src/lib/principal.js'
import { currentView, list } from '../../src/resources/articles/service.js'
import { searchQueries } from '../../src/search/queries.js'
import { rankedMatchLimit } from '../../src/search/query.js'
import { freshPostgresDatabase } from '../postgres.js'

// A search matching more articles than it ranks, on PostgreSQL, where the matches are counted
// and the newest found by a bitmap scan of the GIN index that never reads an article: the
// hidden matches (drafts, scheduled articles) are left out by id, so totals must still be
// exact and pages must agree across the boundary between the ranked matches and the rest.

const matching = rankedMatchLimit + 150
/** Articles without the word, after the matches: enough that it is no word most articles hold (query.ts, commonWordShare). */
const others = 1000
const past = '2024-06-01T09:00:00.000Z'
const future = '2999-01-01T00:00:00.000Z'

/** What becomes of article `i` (its id): a few drafts and scheduled ones among the matches. */
function statusOf (i: number): 'draft' | 'scheduled' | 'published' {
  return i % 97 === 0 ? 'draft' : i % 89 === 0 ? 'scheduled' : 'published'
}

/** Matches are ids 1…matching; two of them say "harbour" in their title too: one new, one old. */
const titled = { newer: matching - 300, older: 10 }

/**
 * Thousands of articles: their rows in a few multi-row inserts, their search rows by the
 * search module's own bulk writer (what start-up runs to index every article).
 */
async function fill (store: Store): Promise<void> {
  const db = store.handle as PostgresHandle
  await db.insert(schema.authors).values({ slug: 'ann', name: 'Ann', createdAt: past, updatedAt: past })
  const rows = Array.from({ length: matching + others }, (_, index) => {
    const i = index + 1
    const status = statusOf(i)
    const publishedAt = status === 'draft' ? null : status === 'scheduled' ? future : past
    return {
      id: i,
      slug: `a-${i}`,
      title: i === titled.newer || i === titled.older ? `Harbour news ${i}` : `News ${i}`,
      status,
      publishedAt,
      publishedDay: publishedAt?.slice(0, 10) ?? null,
      authorId: 1,
      createdAt: past,
      updatedAt: past,
      excerpt: '',
      body: i <= matching ? `The harbour, item ${i}.` : `The meadow, item ${i}.`
    }
  })
  await store.transaction(async (tx) => {
    const handle = tx.handle as PostgresHandle
    for (let at = 0; at < rows.length; at += 500) await handle.insert(schema.articles).values(rows.slice(at, at + 500))
    await searchQueries(tx).rebuildIndex(rows.map((row) => ({ id: row.id, text: { title: row.title, excerpt: '', body: row.body, labels: '' } })))
  })
}

const editor: Principal = { role: 'editor', authorId: null, tokenId: null }

async function searchPage (store: Store, viewer: Principal | null, position: { offset?: number, cursor?: string }): Promise<{ ids: number[], total: number, offset: number, nextCursor: string | null }> {
  const page = await list(store, { q: 'harbour ', limit: 100, ...position }, viewer, await currentView(store))
  return { ids: page.items.map((item) => item.id), total: page.total, offset: page.offset, nextCursor: page.nextCursor }
}

t.test('a search with more matches than it ranks: exact totals, and the same pages by offset and by cursor', async (t) => {
  const { url } = await freshPostgresDatabase(t)
  const store = await openStore(url, { timezone: 'UTC' })
  t.teardown(() => store.close())
  await fill(store)

  const visible = Array.from({ length: matching }, (_, i) => i + 1).filter((id) => statusOf(id) === 'published')
  const first = await searchPage(store, null, {})
  t.equal(first.total, visible.length, 'the total leaves out every draft and scheduled match, and only them')
  t.equal((await searchPage(store, editor, {})).total, matching, 'an editor\'s total counts them all')

  const byOffset: number[] = []
  for (let offset = 0; offset < visible.length; offset += 100) byOffset.push(...(await searchPage(store, null, { offset })).ids)
  const byCursor: number[] = []
  let cursor: string | null = null
  do {
    const page = await searchPage(store, null, cursor === null ? {} : { cursor })
    t.equal(page.offset, byCursor.length, 'a cursor page knows its offset')
    t.equal(page.total, visible.length)
    byCursor.push(...page.ids)
    cursor = page.nextCursor
  } while (cursor !== null)

  t.same(byCursor, byOffset, 'offset and cursor paging give the same sequence')
  t.equal(new Set(byOffset).size, visible.length, 'every visible match once')
  const newest = [...visible].reverse()
  const ranked = byOffset.slice(0, rankedMatchLimit)
  t.same([...ranked].sort((a, b) => b - a), newest.slice(0, rankedMatchLimit), 'the newest matches are ranked')
  t.equal(ranked[0], titled.newer, 'among them, the one with the word in its title first')
  t.same(byOffset.slice(rankedMatchLimit), newest.slice(rankedMatchLimit), 'the rest follow, newest first')
  t.ok(byOffset.indexOf(titled.older) > rankedMatchLimit, 'an older match is not ranked, whatever its title')
})

t.test('the rest of an unranked search (only a word most articles hold) is newest first, and counted exactly', async (t) => {
  const { url } = await freshPostgresDatabase(t)
  const store = await openStore(url, { timezone: 'UTC' })
  t.teardown(() => store.close())
  await fill(store)

  // "the" is in every article: left out while "harbour" remains, the one word otherwise (unranked).
  const page = await list(store, { q: 'the ', limit: 100, offset: 2100 }, null, await currentView(store))
  const visible = Array.from({ length: matching + others }, (_, i) => i + 1).filter((id) => statusOf(id) === 'published').reverse()
  t.equal(page.total, visible.length)
  t.same(page.items.map((item) => item.id), visible.slice(2100, 2200))

  const byCursor: number[] = []
  let cursor: string | undefined
  do {
    const next = await list(store, { q: 'the ', limit: 100, ...(cursor === undefined ? {} : { cursor }) }, null, await currentView(store))
    t.equal(next.offset, byCursor.length, 'a cursor page knows its offset')
    byCursor.push(...next.items.map((item) => item.id))
    cursor = next.nextCursor ?? undefined
  } while (cursor !== undefined)
  t.same(byCursor, visible, 'by cursor: every visible article once, newest first')
})
