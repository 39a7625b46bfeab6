import t from 'tap'
import type { PostgresHandle } from '../../src/db/postgres-store.js'
import * as sqliteSchema from '../../src/db/schema.js'
import * as postgresSchema from '../../src/db/schema.postgres.js'
import { sqliteHandle } from '../../src/db/sqlite-store.js'
import type { Store } from '../../src/db/store.js'
import type { SiteSettings } from '../../src/lib/site-settings.js'
import { articleQueries } from '../../src/resources/articles/queries.js'
import { currentView, findOne, list as listArticles, removeOne, suggest, updateOne } from '../../src/resources/articles/service.js'
import type { ArticleListQueryString } from '../../src/resources/articles/schemas.js'
import { list as listLabels } from '../../src/resources/labels/service.js'
import { findOne as findRevision, list as listRevisions } from '../../src/resources/revisions/service.js'
import type { Principal } from '../../src/lib/principal.js'
import { indexArticle } from '../../src/search/index.js'
import { bothStores, onBoth, type BothStores } from '../stores.js'
import { ensureLabels } from '../../src/resources/labels/links.js'

// The articles, labels and revisions services answer alike on both databases, page after
// page: lists (cursors included, but for relevance, whose scores differ), searches with
// their snippets, suggestions, edits, revisions and deletion into the trash's absence.
// Fixtures go in through the query modules: the authors' service is another group's.

const createdAt = '2024-06-10T12:00:00.000Z'
const editor: Principal = { role: 'editor', authorId: null, tokenId: 1 }
const settings = {
  timezone: 'UTC', locale: 'en', commentsAutoApprove: false, commentRateLimit: 5, commentDepth: 3, searchRateLimit: 60,
  rateLimitWindowMs: 60_000, revisionsKept: 3, trashDays: 0, changesRetentionDays: 90, siteTitle: 'Dateline', siteDescription: '', siteUrl: null,
  articlePath: '/{slug}', pagePath: '/{slug}', sitemapPageSize: 50_000
} satisfies SiteSettings

const titles = ['Harbour lights', 'Market day', 'Storm over the harbour', 'Council votes', 'Bridge opens', 'Night market', 'Harbour wall repaired', 'Café reopens']

async function addAuthor (store: Store): Promise<void> {
  const row = { slug: 'ann', name: 'Ann', createdAt, updatedAt: createdAt }
  if (store.dialect === 'sqlite') sqliteHandle(store).insert(sqliteSchema.authors).values(row).run()
  else await (store.handle as PostgresHandle).insert(postgresSchema.authors).values(row)
}

async function world (t: Parameters<typeof bothStores>[0]): Promise<BothStores> {
  const stores = await bothStores(t)
  await onBoth(stores, async (store) => {
    await addAuthor(store)
    for (const [i, title] of titles.entries()) {
      await store.transaction(async (tx) => {
        // Pairs share a publication time: ties for the cursor to break.
        const publishedAt = i === 7 ? null : new Date(Date.UTC(2024, 4, 1 + Math.floor(i / 2), 9)).toISOString()
        const labels = i % 3 === 0 ? ['Sea'] : i % 3 === 1 ? ['Town', 'Sea'] : []
        const row = await articleQueries(tx).insertArticle({
          slug: `a${i}`, title, status: publishedAt === null ? 'draft' : 'published', publishedAt, publishedDay: publishedAt?.slice(0, 10) ?? null,
          authorId: 1, commentCount: i % 4, createdAt, updatedAt: createdAt, excerpt: `${title}, in brief.`, body: `<p>${title}. The harbour and the town, day ${i}.</p>`
        })
        await ensureLabels(tx, labels)
        await articleQueries(tx).replaceLabels(row.id, labels)
        await indexArticle(tx, { ...row, labels })
      })
    }
  })
  return stores
}

/**
 * Every page of a list, following `nextCursor`. Ordered by relevance (a search without a
 * sort), the order and the cursors (which carry scores) may differ: the items of all pages
 * are compared as a set, and the totals page by page.
 */
async function allPages (store: Store, query: ArticleListQueryString, viewer: Principal | null): Promise<unknown> {
  const pages: Array<Awaited<ReturnType<typeof listArticles>>> = []
  let cursor: string | undefined
  for (let guard = 0; guard < 20; guard++) {
    const page = await listArticles(store, { ...query, limit: 3, ...(cursor === undefined ? {} : { cursor }) }, viewer, await currentView(store))
    pages.push(page)
    if (page.nextCursor === null) break
    cursor = page.nextCursor
  }
  if (query.sort !== undefined || query.q === undefined) return pages
  return { items: pages.flatMap((page) => page.items).sort((a, b) => a.id - b.id), totals: pages.map((page) => page.total) }
}

t.test('article lists answer alike, page after page', async (t) => {
  const stores = await world(t)
  const queries: ArticleListQueryString[] = [
    {}, { sort: 'title' }, { sort: '-commentCount,title' }, { sort: 'publishedAt' }, { label: ['sea'] }, { label: ['Town', 'SEA'] },
    { from: '2024-05-02', to: '2024-05-03' }, { date: '2024-05-01' }, { q: 'harbour', sort: '-publishedAt' }, { q: 'harbour' },
    { q: 'cafe' }, { q: 'har' }, { q: 'town -market', sort: 'title' }, { fields: 'title,labels' }
  ]
  for (const query of queries) {
    for (const [viewer, who] of [[null, 'reader'], [editor, 'editor']] as const) {
      const pages = await onBoth(stores, async (store) => await allPages(store, query, viewer))
      t.same(pages.postgres, pages.sqlite, `${JSON.stringify(query)}, ${who}`)
    }
  }
})

/** The value with the times the clock wrote during the test (edits' `updatedAt`) made alike: they differ by the run. */
function withoutClock (value: unknown): unknown {
  const today = new Date().toISOString().slice(0, 10)
  return JSON.parse(JSON.stringify(value), (_, item: unknown) => typeof item === 'string' && /^\d{4}-\d\d-\d\dT/.test(item) && item >= today ? 'during the test' : item)
}

t.test('suggestions, labels, edits, revisions and deletion answer alike', async (t) => {
  const stores = await world(t)
  const answers = await onBoth(stores, async (store) => {
    const suggested = (await suggest(store, 'harb')).map((row) => row.id).sort()
    const labelsAsRead = [await listLabels(store, {}, null), await listLabels(store, { sort: '-articleCount', limit: 1 }, editor)]
    const edits = []
    for (const title of ['One', 'Two', 'Three', 'Four']) edits.push(await updateOne(store, settings, 'a0', { title, labels: [title] }, editor, undefined))
    const revisions = await listRevisions(store, (await articleQueries(store).articleBySlugOrId('a0'))!, {})
    const oldest = await findRevision(store, (await articleQueries(store).articleBySlugOrId('a0'))!, revisions.items.at(-1)!.number)
    await removeOne(store, settings, 'a0', editor, '"article-1-v5"')
    const gone = await findOne(store, 'a0', editor, {}).catch((error: { statusCode?: number }) => error.statusCode)
    return { suggested, labelsAsRead, edits, revisions, oldest, gone, labelsAfter: await listLabels(store, {}, editor) }
  })
  t.same(withoutClock(answers.postgres), withoutClock(answers.sqlite))
  t.equal(answers.sqlite.gone, 404)
  t.equal(answers.sqlite.revisions.total, 3, 'pruned to the three kept')
})
