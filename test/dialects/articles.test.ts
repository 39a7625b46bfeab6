import t from 'tap'
import type { PostgresHandle } from '../../src/db/postgres-store.js'
import * as sqliteSchema from '../../src/db/schema.js'
import * as postgresSchema from '../../src/db/schema.postgres.js'
import { sqliteHandle } from '../../src/db/sqlite-store.js'
import type { Store } from '../../src/db/store.js'
import type { CursorValue, SortKey } from '../../src/lib/list.js'
import type { SiteSettings } from '../../src/lib/site-settings.js'
import { articleQueries, type ArticleFilters, type ArticleSortField, type NewArticleRow } from '../../src/resources/articles/queries.js'
import { updateOne } from '../../src/resources/articles/service.js'
import { labelQueries, type LabelFilters, type LabelSortField } from '../../src/resources/labels/queries.js'
import { revisionQueries } from '../../src/resources/revisions/queries.js'
import type { Principal } from '../../src/lib/principal.js'
import { indexArticle } from '../../src/search/index.js'
import { toFtsQuery } from '../../src/search/query.js'
import { bothStores, onBoth, type BothStores } from '../stores.js'
import { ensureLabels } from '../../src/resources/labels/links.js'

// Articles, labels and revisions on PostgreSQL answer as on SQLite: the same calls on a
// fresh database of each, the answers compared whole.

const now = '2024-06-10T12:00:00.000Z'

/** Authors belong to another query module: their rows go in as they are. */
async function addAuthor (store: Store, slug: string): Promise<void> {
  const row = { slug, name: slug, createdAt: now, updatedAt: now }
  if (store.dialect === 'sqlite') sqliteHandle(store).insert(sqliteSchema.authors).values(row).run()
  else await (store.handle as PostgresHandle).insert(postgresSchema.authors).values(row)
}

interface ArticleFixture {
  slug: string
  title: string
  status?: NewArticleRow['status']
  publishedAt?: string | null
  authorId?: number
  commentCount?: number
  body?: string
  labels?: string[]
}

async function addArticle (store: Store, fixture: ArticleFixture): Promise<void> {
  await store.transaction(async (tx) => {
    const articles = articleQueries(tx)
    const publishedAt = fixture.publishedAt === undefined ? '2024-06-01T09:00:00.000Z' : fixture.publishedAt
    const row = await articles.insertArticle({
      slug: fixture.slug,
      title: fixture.title,
      status: fixture.status ?? 'published',
      publishedAt,
      publishedDay: publishedAt?.slice(0, 10) ?? null,
      authorId: fixture.authorId ?? 1,
      commentCount: fixture.commentCount ?? 0,
      createdAt: now,
      updatedAt: now,
      excerpt: `About ${fixture.title}`,
      body: fixture.body ?? `<p>${fixture.title}</p>`
    })
    await ensureLabels(tx, fixture.labels ?? [])
    await articles.replaceLabels(row.id, fixture.labels ?? [])
    await indexArticle(tx, { ...row, labels: fixture.labels ?? [] })
  })
}

const fixtures: ArticleFixture[] = [
  { slug: 'harbour', title: 'Harbour lights', labels: ['Sea', 'Night'], commentCount: 3, body: '<p>The harbour at night, well-known to sailors.</p>' },
  { slug: 'market', title: 'Market day', labels: ['Town'], commentCount: 3, body: '<p>See example.com for the café résumé.</p>' },
  // The same time as the first two: ties broken by id.
  { slug: 'storm', title: 'Storm warning', labels: ['sea', 'Weather'], body: '<p>A storm is coming to the harbour.</p>' },
  { slug: 'alpha', title: 'Alpha', publishedAt: '2024-05-20T08:30:00.000Z', authorId: 2, labels: ['Town', 'Night'] },
  { slug: 'zeta', title: 'alpha again', publishedAt: '2024-06-09T23:59:59.999Z', authorId: 2, commentCount: 7 },
  { slug: 'draft', title: 'A draft', status: 'draft', publishedAt: null, authorId: 2, labels: ['Secret'] },
  { slug: 'due', title: 'Due now', status: 'scheduled', publishedAt: '2024-06-05T00:00:00.000Z', labels: ['Sea'] },
  { slug: 'later', title: 'Later on', status: 'scheduled', publishedAt: '2024-07-01T00:00:00.000Z' }
]

async function world (t: Parameters<typeof bothStores>[0]): Promise<BothStores> {
  const stores = await bothStores(t)
  await onBoth(stores, async (store) => {
    await addAuthor(store, 'ann')
    await addAuthor(store, 'bob')
    for (const fixture of fixtures) await addArticle(store, fixture)
  })
  return stores
}

const reader: ArticleFilters = { visibility: { publishedOnly: true, alsoAuthorId: null, now } }
const editor: ArticleFilters = { visibility: { publishedOnly: false, alsoAuthorId: null, now } }
const authorTwo: ArticleFilters = { visibility: { publishedOnly: true, alsoAuthorId: 2, now } }

function sortOf (raw: string): SortKey<ArticleSortField>[] {
  return raw.split(',').map((part) => ({ field: part.replace(/^-/, '') as ArticleSortField, descending: part.startsWith('-') }))
}

/** Every page of a list, two at a time, each after the last row of the one before (a keyset cursor). */
async function keysetPages (store: Store, filters: ArticleFilters, sort: SortKey<ArticleSortField>[]): Promise<Array<{ ids: number[], after: number }>> {
  const articles = articleQueries(store)
  const pages: Array<{ ids: number[], after: number }> = []
  let after: CursorValue[] | null = null
  for (let guard = 0; guard < 20; guard++) {
    const rows = await articles.pageOfArticles({ filters, sort, after, limit: 2, offset: 0 })
    if (rows.length === 0) break
    const last = rows.at(-1)!
    after = [...sort.map((key) => last[key.field] as CursorValue), last.id]
    pages.push({ ids: rows.map((row) => row.id), after: await articles.countArticles(filters, sort, after) })
  }
  return pages
}

t.test('pages of articles come in the same order, ties and NULL times included, page after page', async (t) => {
  const stores = await world(t)
  for (const [filters, who] of [[reader, 'reader'], [editor, 'editor'], [authorTwo, 'author 2']] as const) {
    for (const sort of ['-publishedAt', 'publishedAt', 'title', '-title', '-commentCount,title', 'updatedAt', '-createdAt']) {
      const pages = await onBoth(stores, async (store) => await keysetPages(store, filters, sortOf(sort)))
      t.same(pages.postgres, pages.sqlite, `${who}, sort ${sort}`)
      t.ok(pages.sqlite.length > 0, `${who}, sort ${sort}: the list is not empty`)
    }
  }
})

t.test('whole rows, offsets and counts agree', async (t) => {
  const stores = await world(t)
  const page = await onBoth(stores, async (store) => await articleQueries(store).pageOfArticles({ filters: editor, sort: sortOf('-publishedAt'), after: null, limit: 3, offset: 2 }))
  t.same(page.postgres, page.sqlite, 'rows with every column, NULLs and timestamps alike')
  t.equal(page.sqlite.length, 3)
  const counts = await onBoth(stores, async (store) => await Promise.all([reader, editor, authorTwo].map(async (filters) => await articleQueries(store).countArticles(filters))))
  t.same(counts.postgres, counts.sqlite)
  t.same(counts.sqlite, [5, 8, 6], 'drafts and scheduled articles only for those who may see them')
})

t.test('filters narrow alike', async (t) => {
  const stores = await world(t)
  const filterSets: Array<[string, ArticleFilters]> = [
    ['status', { ...editor, status: 'scheduled' }],
    ['author', { ...reader, authorId: 2 }],
    ['one label, any spelling of its key', { ...editor, labelKeys: ['sea'] }],
    ['all of two labels', { ...editor, labelKeys: ['town', 'night'] }],
    ['a label nobody has', { ...editor, labelKeys: ['nothing'] }],
    ['a day', { ...reader, day: '2024-06-01' }],
    ['between times', { ...reader, fromTimestamp: '2024-05-20T08:30:00.000Z', toTimestamp: '2024-06-01T09:00:00.000Z' }],
    ['between days', { ...editor, fromDay: '2024-06-02', toDay: '2024-07-01' }]
  ]
  for (const [name, filters] of filterSets) {
    const answers = await onBoth(stores, async (store) => {
      const articles = articleQueries(store)
      const rows = await articles.pageOfArticles({ filters, sort: sortOf('-publishedAt'), after: null, limit: 10, offset: 0 })
      return { ids: rows.map((row) => row.id), total: await articles.countArticles(filters) }
    })
    t.same(answers.postgres, answers.sqlite, name)
  }
})

t.test('single reads, slugs and labels agree', async (t) => {
  const stores = await world(t)
  const answers = await onBoth(stores, async (store) => {
    const articles = articleQueries(store)
    return {
      bySlug: await articles.articleBySlugOrId('market'),
      byId: await articles.articleBySlugOrId('3'),
      missing: await articles.articleBySlugOrId('9999999999'),
      locked: await store.transaction(async (tx) => await articleQueries(tx).articleBySlugOrIdForUpdate('harbour')),
      byIds: (await articles.articlesByIds([5, 42, 1, 3])).map((row) => row.id),
      taken: [await articles.articleSlugTaken('market'), await articles.articleSlugTaken('market', 2), await articles.articleSlugTaken('free')],
      labels: [...await articles.labelsByArticle([1, 2, 3, 4, 5, 6])],
      oneLabelList: [...await articles.labelsByArticle([4])],
      perAuthor: [await articles.articleCountByAuthor(1), await articles.articleCountByAuthor(2)],
      next: await articles.nextScheduledAt(),
      times: (await articles.publishedTimes()).sort((a, b) => a.id - b.id),
      latest: (await articles.latestSummariesByAuthor([1, 2], 2, now)).map((row) => row.id),
      shared: [...await articles.sharedLabelCounts(1, now, 10)]
    }
  })
  t.same(answers.postgres, answers.sqlite)
  t.equal(answers.sqlite.bySlug?.slug, 'market')
  t.same(answers.sqlite.byIds, [5, 1, 3], 'in the order asked, missing ids left out')
  t.same(answers.sqlite.oneLabelList, [[4, ['Town', 'Night']]])
  t.same(answers.sqlite.labels.find(([id]) => id === 3), [3, ['Sea', 'Weather']], 'the first spelling of a label is kept')
})

t.test('writes answer alike: updates, publishing what is due, reassigning, relabelling and deleting', async (t) => {
  const stores = await world(t)
  const later = '2024-06-11T00:00:00.000Z'
  const answers = await onBoth(stores, async (store) => {
    const articles = articleQueries(store)
    const labels = labelQueries(store)
    const updated = await articles.updateArticle(1, { title: 'Harbour lights, again', updatedAt: later })
    const published = await articles.publishDue(now)
    await articles.setPublishedDay(2, '2024-05-31')
    await articles.reassignArticles(2, 1, later)
    await ensureLabels(store, ['Wind', 'sea'])
    await articles.replaceLabels(3, ['Wind', 'sea'])
    const afterRelabel = await labels.pageOfLabels({ filters: { now, inUseOnly: false }, sort: [{ field: 'name', descending: false }], after: null, limit: 50, offset: 0 })
    await articles.deleteArticle(6)
    const afterDelete = await labels.countLabels({ now, inUseOnly: false })
    return {
      updated,
      published,
      again: await articles.publishDue(now),
      rows: await articles.articlesByIds([1, 2, 4, 5, 6, 7]),
      afterRelabel,
      afterDelete
    }
  })
  t.same(answers.postgres, answers.sqlite)
  t.equal(answers.sqlite.updated.version, 2, 'the version moves on')
  t.same(answers.sqlite.published, [{ id: 7, slug: 'due', authorId: 1 }], 'the one article due is published, and named for the change log')
  t.same(answers.sqlite.again, [])
  t.ok(answers.sqlite.afterRelabel.some((label) => label.name === 'Wind'), 'a new label is made')
  t.notOk(answers.sqlite.afterRelabel.some((label) => label.name === 'Weather'), 'a label no article carries any more is gone')
  t.ok(answers.sqlite.afterRelabel.some((label) => label.name === 'Secret'))
  t.equal(answers.sqlite.afterDelete, answers.sqlite.afterRelabel.length - 1, 'the deleted article\'s only label went with it')
})

t.test('labels: the same pages by name and by count, with cursors, and the same counts', async (t) => {
  const stores = await world(t)
  for (const inUseOnly of [false, true]) {
    for (const raw of ['name', '-name', '-articleCount', 'articleCount,name']) {
      const sort = raw.split(',').map((part) => ({ field: part.replace(/^-/, '') as LabelSortField, descending: part.startsWith('-') }))
      const filters: LabelFilters = { now, inUseOnly }
      const pages = await onBoth(stores, async (store) => {
        const labels = labelQueries(store)
        const seen = []
        let after: CursorValue[] | null = null
        for (let guard = 0; guard < 20; guard++) {
          const rows = await labels.pageOfLabels({ filters, sort, after, limit: 2, offset: 0 })
          if (rows.length === 0) break
          after = rows.at(-1)!.sortValues
          seen.push({ rows, left: await labels.countLabels(filters, sort, after) })
        }
        return { seen, total: await labels.countLabels(filters), offset: await labels.pageOfLabels({ filters, sort, after: null, limit: 2, offset: 1 }) }
      })
      t.same(pages.postgres, pages.sqlite, `in use only: ${inUseOnly}, sort ${raw}`)
    }
  }
})

t.test('revisions: numbered, pruned to those kept, newest first, gone with their article', async (t) => {
  const stores = await world(t)
  const answers = await onBoth(stores, async (store) => {
    const revisions = revisionQueries(store)
    for (let version = 1; version <= 5; version++) {
      await revisions.insertRevision({
        articleId: 1,
        version,
        status: 'published',
        publishedAt: version % 2 === 0 ? null : '2024-06-01T09:00:00.000Z',
        authorId: 1,
        writtenAt: now,
        replacedAt: now,
        replacedBy: 'token 1',
        title: `Version ${version}`,
        customExcerpt: version === 3 ? 'custom' : null,
        labels: JSON.stringify(['Sea', `v${version}`]),
        body: '<p>body</p>'
      }, 3)
    }
    const kept = { count: await revisions.countRevisions(1), page: await revisions.pageOfRevisions(1, 2, 1), one: await revisions.revision(1, 5), pruned: await revisions.revision(1, 2) }
    await articleQueries(store).deleteArticle(1)
    return { ...kept, afterDelete: await revisions.countRevisions(1) }
  })
  t.same(answers.postgres, answers.sqlite)
  t.equal(answers.sqlite.count, 3)
  t.same(answers.sqlite.page.map((row) => row.number), [4, 3])
  t.equal(answers.sqlite.pruned, undefined)
  t.equal(answers.sqlite.afterDelete, 0)
})

const settings = {
  timezone: 'UTC',
  locale: 'en',
  commentsAutoApprove: false,
  commentRateLimit: 5,
  commentDepth: 3,
  searchRateLimit: 60,
  rateLimitWindowMs: 60_000,
  revisionsKept: 50,
  trashDays: 30,
  changesRetentionDays: 90,
  siteTitle: 'Dateline',
  siteDescription: '',
  siteUrl: null,
  articlePath: '/{slug}',
  pagePath: '/{slug}',
  sitemapPageSize: 50_000
} satisfies SiteSettings

const editorToken: Principal = { role: 'editor', authorId: null, tokenId: 1 }

t.test('concurrent edits with one If-Match: exactly one wins, the others are refused, nothing is lost', async (t) => {
  const stores = await world(t)
  const editors = 20
  const outcomes = await onBoth(stores, async (store) => {
    const results = await Promise.allSettled(Array.from({ length: editors }, async (_, i) =>
      await updateOne(store, settings, 'harbour', { title: `Edited by ${i}` }, editorToken, '"article-1-v1"')))
    const refusals = results.filter((result) => result.status === 'rejected').map((result) => (result.reason as { statusCode?: number }).statusCode)
    const row = await articleQueries(store).articleById(1)
    return { won: results.filter((result) => result.status === 'fulfilled').length, refusals: [...new Set(refusals)], version: row?.version, revisions: await revisionQueries(store).countRevisions(1) }
  })
  t.same(outcomes.postgres, outcomes.sqlite)
  t.same(outcomes.postgres, { won: 1, refusals: [412], version: 2, revisions: 1 }, 'one 200 for the version, 412 for every other editor')
})

t.test('editors who read again after a refusal each get their edit in, one version apiece', async (t) => {
  const stores = await world(t)
  const editors = 10
  const outcomes = await onBoth(stores, async (store) => {
    await Promise.all(Array.from({ length: editors }, async (_, i) => {
      for (;;) {
        const current = await articleQueries(store).articleBySlugOrId('harbour')
        try {
          return await updateOne(store, settings, 'harbour', { title: `${current!.title} ${i}` }, editorToken, `"article-1-v${current!.version}"`)
        } catch (error) {
          if ((error as { statusCode?: number }).statusCode !== 412) throw error
        }
      }
    }))
    const row = await articleQueries(store).articleById(1)
    return { version: row!.version, words: row!.title.split(' ').length, revisions: await revisionQueries(store).countRevisions(1) }
  })
  t.same(outcomes.postgres, outcomes.sqlite)
  t.same(outcomes.postgres, { version: editors + 1, words: 2 + editors, revisions: editors }, 'every edit built on the one before')
})

t.test('on PostgreSQL, a cursor whose values its columns cannot hold is refused as a bad cursor (400), not a 500', async (t) => {
  const stores = await world(t)
  const articles = articleQueries(stores.postgres)
  const labels = labelQueries(stores.postgres)
  const forged: Array<[string, CursorValue[]]> = [
    ['-publishedAt', ['not a time', 1]],
    ['-publishedAt', ['0000-01-01T00:00:00.000Z', 1]],
    ['-commentCount', ['three', 1]],
    ['title', ['a\u0000b', 1]],
    ['relevance', ['best', 1]]
  ]
  for (const [sort, after] of forged) {
    const filters = sort === 'relevance' ? { ...editor, search: toFtsQuery('harbour') } : editor
    await t.rejects(articles.pageOfArticles({ filters, sort: sortOf(sort), after, limit: 2, offset: 0 }), { statusCode: 400, errors: [{ path: 'querystring.cursor' }] }, `${sort}: ${JSON.stringify(after)}`)
    await t.rejects(articles.countArticles(filters, sortOf(sort), after), { statusCode: 400, errors: [{ path: 'querystring.cursor' }] })
  }
  await t.rejects(labels.pageOfLabels({ filters: { now, inUseOnly: false }, sort: [{ field: 'articleCount', descending: true }], after: [2 ** 40, 1], limit: 2, offset: 0 }), { statusCode: 400, errors: [{ path: 'querystring.cursor' }] })
  const fine = await onBoth(stores, async (store) => (await articleQueries(store).pageOfArticles({ filters: editor, sort: sortOf('-publishedAt'), after: [null, 8], limit: 10, offset: 0 })).map((row) => row.id))
  t.same(fine.postgres, fine.sqlite, 'a NULL time in a cursor is a real position')
})

t.test('days in year 0 (no such year on PostgreSQL) filter as on SQLite', async (t) => {
  const stores = await world(t)
  for (const filters of [{ ...editor, day: '0000-01-01' }, { ...editor, fromDay: '0000-12-31' }, { ...editor, toDay: '0000-01-01' }]) {
    const answers = await onBoth(stores, async (store) => await articleQueries(store).countArticles(filters))
    t.same(answers.postgres, answers.sqlite, JSON.stringify(filters))
  }
})

t.test('a label given to one article while another drops its last use is kept, on both', async (t) => {
  const stores = await world(t)
  const rounds = 25
  const outcomes = await onBoth(stores, async (store) => {
    const kept: string[][] = []
    for (let round = 0; round < rounds; round++) {
      const name = `Passing ${round}`
      await store.transaction(async (tx) => await ensureLabels(tx, [name]) && await articleQueries(tx).replaceLabels(4, [name]))
      await Promise.all([
        store.transaction(async (tx) => await articleQueries(tx).replaceLabels(4, [])),
        store.transaction(async (tx) => await ensureLabels(tx, [name]) && await articleQueries(tx).replaceLabels(5, [name]))
      ])
      kept.push((await articleQueries(store).labelsByArticle([5])).get(5) ?? [])
    }
    return kept
  })
  t.same(outcomes.postgres, outcomes.sqlite)
  t.same(outcomes.postgres, Array.from({ length: rounds }, (_, round) => [`Passing ${round}`]))
})
