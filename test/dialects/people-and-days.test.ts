import { setTimeout as sleep } from 'node:timers/promises'
import t, { type Test } from 'tap'
import { asc, eq } from 'drizzle-orm'
import { metaQueries } from '../../src/db/meta.js'
import type { PostgresDb } from '../../src/db/postgres.js'
import * as sqliteSchema from '../../src/db/schema.js'
import * as postgresSchema from '../../src/db/schema.postgres.js'
import { sqliteHandle } from '../../src/db/sqlite-store.js'
import type { Store } from '../../src/db/store.js'
import type { CursorValue, SortKey } from '../../src/lib/list.js'
import type { ArticleRow } from '../../src/resources/articles/queries.js'
import { authorQueries, type AuthorSortField } from '../../src/resources/authors/queries.js'
import * as authorService from '../../src/resources/authors/service.js'
import { commentQueries, type CommentRow, type CommentSortField, type ModerationFilters } from '../../src/resources/comments/queries.js'
import { dayQueries, type DayRange } from '../../src/resources/dates/queries.js'
import * as dayService from '../../src/resources/dates/service.js'
import type { RevisionRow } from '../../src/resources/revisions/queries.js'
import { trashQueries, type TrashedRow } from '../../src/resources/trash/queries.js'
import * as trashService from '../../src/resources/trash/service.js'
import type { Principal } from '../../src/lib/principal.js'
import { at, bothStores, sameOutcomeOnBoth, type BothStores } from '../stores.js'

// Authors, comments, days, the trash and meta answer the same on PostgreSQL as on SQLite.
// Where a service needs another group's PostgreSQL module (articles: publishing what is due,
// finding a visible article), the query modules are called directly; articles are put in
// through the trash's `reinsertArticle`, the one article write these modules have.

const now = '2026-06-25T12:00:00.000Z'
const editor: Principal = { role: 'editor', authorId: null, tokenId: null }
const settings = { locale: 'en-US' }

function article (id: number, authorId: number, status: ArticleRow['status'], publishedAt: string | null): ArticleRow {
  return {
    id,
    slug: `article-${id}`,
    status,
    publishedAt,
    publishedDay: publishedAt?.slice(0, 10) ?? null,
    authorId,
    commentCount: 0,
    version: 1,
    createdAt: '2025-01-01T00:00:00.000Z',
    updatedAt: '2025-01-01T00:00:00.000Z',
    unpublishAt: null,
    title: `Article ${id}`,
    customExcerpt: null,
    excerpt: `About ${id}`,
    body: `<p>Body ${id}</p>`
  }
}

const articles = [
  article(1, 1, 'published', '2026-03-01T10:00:00.000Z'),
  // The same time as article 1: ties are broken by id.
  article(2, 1, 'published', '2026-03-01T10:00:00.000Z'),
  article(3, 2, 'published', '2026-04-15T08:00:00.000Z'),
  article(4, 2, 'scheduled', '2026-12-01T09:00:00.000Z'),
  article(5, 3, 'draft', null),
  // Published, but not yet by `now`: counted nowhere.
  article(6, 3, 'published', '2027-01-01T00:00:00.000Z'),
  article(7, 4, 'published', '2025-12-31T23:00:00.000Z')
]

/** [article, parent (by its number here), status, createdAt]: ids follow the order. */
const commentPlan: Array<[number, number | null, CommentRow['status'], string]> = [
  [1, null, 'approved', '2026-03-02T00:00:00.000Z'],
  [1, null, 'approved', '2026-03-02T00:00:00.000Z'],
  [1, 1, 'approved', '2026-03-03T00:00:00.000Z'],
  [1, 3, 'approved', '2026-03-04T00:00:00.000Z'],
  [1, 1, 'pending', '2026-03-03T00:00:00.000Z'],
  [1, null, 'spam', '2026-03-05T00:00:00.000Z'],
  [3, null, 'approved', '2026-03-02T00:00:00.000Z'],
  [3, 7, 'rejected', '2026-04-20T00:00:00.000Z'],
  [2, null, 'approved', '2026-03-06T00:00:00.000Z'],
  [1, 4, 'approved', '2026-03-07T00:00:00.000Z']
]

async function authorAt (store: Store, time: string, name: string, slug?: string) {
  return await at(time, async () => await authorService.createOne(store, { name, ...(slug === undefined ? {} : { slug }), email: `${name.length}@example.org` }, editor))
}

/** Four authors (names that sort differently by byte than by dictionary; two created at once), articles, comments. */
async function seed (store: Store): Promise<unknown> {
  const made = [
    await authorAt(store, '2026-01-01T00:00:00.000Z', 'Ada Lovelace'),
    await authorAt(store, '2026-01-02T00:00:00.000Z', 'ada lovelace'),
    await authorAt(store, '2026-01-02T00:00:00.000Z', 'Émile Zola'),
    await authorAt(store, '2026-01-03T00:00:00.000Z', 'Zed', 'zed')
  ]
  for (const row of articles) await trashQueries(store).reinsertArticle(row)
  const comments = commentQueries(store)
  for (const [articleId, parent, status, createdAt] of commentPlan) {
    await comments.insertComment({ articleId, parentId: parent, authorName: `Reader ${createdAt}`, authorUrl: null, authorEmail: null, body: '<p>Hi</p>', status, createdAt, updatedAt: createdAt })
  }
  for (const id of [1, 2, 3]) await comments.recountApproved(id)
  return made
}

async function seeded (t: Test): Promise<BothStores> {
  const stores = await bothStores(t)
  await sameOutcomeOnBoth(t, stores, 'the seed writes the same rows', seed)
  return stores
}

/** Every article's comment count, read past the query modules (the articles module is not this group's). */
async function commentCounts (store: Store): Promise<Array<{ id: number, commentCount: number }>> {
  if (store.dialect === 'sqlite') {
    const { articles } = sqliteSchema
    return sqliteHandle(store).select({ id: articles.id, commentCount: articles.commentCount }).from(articles).orderBy(asc(articles.id)).all()
  }
  const { articles } = postgresSchema
  return await (store.handle as PostgresDb).select({ id: articles.id, commentCount: articles.commentCount }).from(articles).orderBy(asc(articles.id))
}

/** Takes an article out of the live tables as trashing does, past the articles module (not this group's). */
async function deleteArticle (store: Store, id: number): Promise<void> {
  if (store.dialect === 'sqlite') {
    sqliteHandle(store).delete(sqliteSchema.articles).where(eq(sqliteSchema.articles.id, id)).run()
    return
  }
  await (store.handle as PostgresDb).delete(postgresSchema.articles).where(eq(postgresSchema.articles.id, id))
}

/** jsonb writes object keys in its own order: the trashed content compared as the value it is. */
function withParsedContent (row: TrashedRow | undefined): unknown {
  return row === undefined ? undefined : { ...row, content: JSON.parse(row.content) as unknown }
}

t.test('meta: values read, overwritten and removed alike', async (t) => {
  const stores = await bothStores(t)
  await sameOutcomeOnBoth(t, stores, 'meta', async (store) => {
    const meta = metaQueries(store)
    const seen = [await meta.read('parity-probe')]
    await meta.write('parity-probe', 'UTC')
    seen.push(await meta.read('parity-probe'))
    await meta.write('parity-probe', 'Europe/Berlin')
    seen.push(await meta.read('parity-probe'))
    await meta.remove('parity-probe')
    seen.push(await meta.read('parity-probe'))
    return seen
  })
})

const authorSorts: Array<SortKey<AuthorSortField>[]> = [
  [{ field: 'name', descending: false }],
  [{ field: 'name', descending: true }],
  [{ field: 'createdAt', descending: false }],
  [{ field: 'createdAt', descending: true }],
  [{ field: 'articleCount', descending: false }],
  [{ field: 'articleCount', descending: true }],
  [{ field: 'articleCount', descending: true }, { field: 'name', descending: false }],
  [{ field: 'createdAt', descending: false }, { field: 'name', descending: true }]
]

/** Every page of a list, two rows at a time by cursor, with the count after each cursor. */
async function walkAuthors (store: Store, sort: SortKey<AuthorSortField>[]): Promise<unknown[]> {
  const authors = authorQueries(store)
  const pages: unknown[] = []
  let after: CursorValue[] | null = null
  for (let guard = 0; guard < 10; guard++) {
    const page = await authors.pageOfAuthors({ sort, now, after, limit: 2, offset: 0 })
    const remaining = after === null ? await authors.countAuthors(now) : await authors.countAuthors(now, sort, after)
    pages.push({ ids: page.map((result) => result.row.id), sortValues: page.map((result) => result.sortValues), remaining })
    if (page.length < 2) break
    after = page.at(-1)!.sortValues
  }
  return pages
}

t.test('authors: lookups, counts, keyset pages in every sort, writes through the service', async (t) => {
  const stores = await seeded(t)
  await sameOutcomeOnBoth(t, stores, 'by id, by slug, missing, an id past 2^31', async (store) => {
    const authors = authorQueries(store)
    return [await authors.authorBySlugOrId('1'), await authors.authorBySlugOrId('ada-lovelace-2'), await authors.authorBySlugOrId('nobody'), await authors.authorBySlugOrId('999999999999999'), await authors.authorById(3)]
  })
  await sameOutcomeOnBoth(t, stores, 'locked for update inside a unit', async (store) => await store.transaction(async (tx) => await authorQueries(tx).authorBySlugOrIdForUpdate('zed')))
  await sameOutcomeOnBoth(t, stores, 'several by id', async (store) => await authorQueries(store).authorsByIds([3, 1, 99]))
  await sameOutcomeOnBoth(t, stores, 'slugs taken', async (store) => {
    const authors = authorQueries(store)
    return [await authors.authorSlugTaken('zed'), await authors.authorSlugTaken('zed', 4), await authors.authorSlugTaken('zed', 1), await authors.authorSlugTaken('Zed')]
  })
  await sameOutcomeOnBoth(t, stores, 'published counts', async (store) => [...await authorQueries(store).publishedCountsByAuthor([1, 2, 3, 4, 99], now)])
  for (const sort of authorSorts) {
    await sameOutcomeOnBoth(t, stores, `pages by ${sort.map((key) => (key.descending ? '-' : '') + key.field).join(',')}`, async (store) => await walkAuthors(store, sort))
  }
  await sameOutcomeOnBoth(t, stores, 'a page by offset', async (store) => (await authorQueries(store).pageOfAuthors({ sort: authorSorts[0]!, now, after: null, limit: 2, offset: 1 })).map((result) => result.row.id))

  await sameOutcomeOnBoth(t, stores, 'an update with the current version', async (store) => await authorService.updateOne(store, 'zed', { bio: 'Writes on sport.', slug: 'ada-lovelace' }, editor, '"author-4-v1"'), '2026-06-25T13:00:00.000Z')
  await sameOutcomeOnBoth(t, stores, 'an update with a stale version is refused', async (store) => await authorService.updateOne(store, '4', { bio: 'Lost.' }, editor, '"author-4-v1"'))
  await sameOutcomeOnBoth(t, stores, 'a new author whose name is taken gets a numbered slug', async (store) => await authorService.createOne(store, { name: 'Zed' }, editor))
  await sameOutcomeOnBoth(t, stores, 'several by id, one of them just updated', async (store) => await authorQueries(store).authorsByIds([4, 3, 1, 2]))
  await sameOutcomeOnBoth(t, stores, 'deleted', async (store) => {
    await authorQueries(store).deleteAuthor(5)
    return await authorQueries(store).authorById(5)
  })
})

t.test('authors on PostgreSQL: updates with the same If-Match, at once: one goes through, the others are refused', async (t) => {
  const { postgres } = await seeded(t)
  const bios = ['First.', 'Second.', 'Third.', 'Fourth.']
  const results = await Promise.allSettled(bios.map(async (bio) => await authorService.updateOne(postgres, 'zed', { bio }, editor, '"author-4-v1"')))
  t.equal(results.filter((result) => result.status === 'fulfilled').length, 1, 'one update went through')
  const refusals = results.flatMap((result) => result.status === 'rejected' ? [(result.reason as { statusCode?: number }).statusCode] : [])
  t.same(refusals, [412, 412, 412], 'the others were refused: the version they named was gone')
  t.equal((await authorQueries(postgres).authorById(4))?.version, 2, 'the version moved once')
})

/** Every page of approved comments, two at a time by cursor, with the count after each cursor. */
async function walkApproved (store: Store, articleId: number, topLevelOnly: boolean): Promise<unknown[]> {
  const comments = commentQueries(store)
  const pages: unknown[] = []
  let after: CursorValue[] | undefined
  for (let guard = 0; guard < 10; guard++) {
    const page = await comments.pageOfApproved(articleId, topLevelOnly, after ?? null, 2, 0)
    pages.push({ ids: page.map((row) => row.id), remaining: await comments.countApproved(articleId, topLevelOnly, after) })
    if (page.length < 2) break
    after = [page.at(-1)!.createdAt, page.at(-1)!.id]
  }
  return pages
}

async function walkModeration (store: Store, filters: ModerationFilters, sort: SortKey<CommentSortField>[]): Promise<unknown[]> {
  const comments = commentQueries(store)
  const pages: unknown[] = []
  let after: CursorValue[] | undefined
  for (let guard = 0; guard < 10; guard++) {
    const page = await comments.pageForModeration({ filters, sort, after: after ?? null, limit: 3, offset: 0 })
    pages.push({ ids: page.map((row) => row.id), remaining: await comments.countForModeration(filters, after === undefined ? undefined : sort, after) })
    if (page.length < 3) break
    const last = page.at(-1)!
    after = [...sort.map((key) => last[key.field]), last.id]
  }
  return pages
}

const moderationFilters: ModerationFilters[] = [{}, { status: 'approved' }, { articleId: 1 }, { onArticlesOf: 2 }, { status: 'approved', onArticlesOf: 1 }, { articleId: 99 }]
const commentSorts: Array<SortKey<CommentSortField>[]> = [
  [{ field: 'createdAt', descending: true }],
  [{ field: 'createdAt', descending: false }],
  [{ field: 'updatedAt', descending: false }, { field: 'createdAt', descending: true }]
]

t.test('comments: threads, pages, moderation, counts kept, replies moved up when a comment goes', async (t) => {
  const stores = await seeded(t)
  await sameOutcomeOnBoth(t, stores, 'approved counts on the articles', commentCounts)
  await sameOutcomeOnBoth(t, stores, 'one comment; a missing one', async (store) => [await commentQueries(store).commentById(3), await commentQueries(store).commentById(99)])
  for (const topLevelOnly of [false, true]) {
    for (const articleId of [1, 3, 5]) {
      await sameOutcomeOnBoth(t, stores, `approved pages of article ${articleId}${topLevelOnly ? ', top level' : ''}`, async (store) => await walkApproved(store, articleId, topLevelOnly))
    }
  }
  await sameOutcomeOnBoth(t, stores, 'approved replies at any depth', async (store) => await commentQueries(store).approvedRepliesBelow([1, 2, 7]))
  await sameOutcomeOnBoth(t, stores, 'no roots, no replies', async (store) => await commentQueries(store).approvedRepliesBelow([]))
  await sameOutcomeOnBoth(t, stores, 'the chain to a comment', async (store) => [await commentQueries(store).chainTo(10), await commentQueries(store).chainTo(1), await commentQueries(store).chainTo(99)])
  await sameOutcomeOnBoth(t, stores, 'the first approved of each article', async (store) => await commentQueries(store).firstApprovedByArticle([1, 3, 2, 99], 2))
  for (const filters of moderationFilters) {
    for (const sort of commentSorts) {
      await sameOutcomeOnBoth(t, stores, `moderation ${JSON.stringify(filters)} by ${sort.map((key) => (key.descending ? '-' : '') + key.field).join(',')}`, async (store) => await walkModeration(store, filters, sort))
    }
  }
  await sameOutcomeOnBoth(t, stores, 'a moderation page by offset', async (store) => (await commentQueries(store).pageForModeration({ filters: {}, sort: commentSorts[0]!, after: null, limit: 4, offset: 3 })).map((row) => row.id))

  await sameOutcomeOnBoth(t, stores, 'an approved comment marked spam, counted again', async (store) => await store.transaction(async (tx) => {
    const comments = commentQueries(tx)
    const before = await comments.commentByIdForUpdate(9)
    const row = await comments.updateComment(9, { status: 'spam', updatedAt: '2026-06-25T12:00:00.000Z' })
    await comments.recountApproved(before!.articleId)
    return row
  }))
  await sameOutcomeOnBoth(t, stores, 'a comment deleted: its replies move to its parent', async (store) => {
    const comments = commentQueries(store)
    await comments.deleteComment((await comments.commentById(3))!)
    await comments.recountApproved(1)
    return [await comments.chainTo(10), await comments.approvedRepliesBelow([1]), await commentCounts(store)]
  })
  await sameOutcomeOnBoth(t, stores, 'a reply linked to its parent', async (store) => {
    await commentQueries(store).setParent(9, 2)
    return await commentQueries(store).chainTo(9)
  })
  await sameOutcomeOnBoth(t, stores, 'an article deleted takes its comments', async (store) => {
    await deleteArticle(store, 3)
    return [await commentQueries(store).commentById(7), await commentQueries(store).countForModeration({})]
  })
})

t.test('comments on PostgreSQL: approvals of one article at once are all counted', async (t) => {
  const { postgres } = await seeded(t)
  // The first unit has counted and holds the article until the second is counting too: a
  // count that began before the first unit's commit would miss its comment.
  let secondCounting: () => void = () => {}
  const secondStarted = new Promise<void>((resolve) => { secondCounting = resolve })
  const first = postgres.transaction(async (tx) => {
    await commentQueries(tx).updateComment(5, { status: 'approved', updatedAt: now })
    await commentQueries(tx).recountApproved(1)
    await secondStarted
    await sleep(200)
  })
  await sleep(50)
  const second = postgres.transaction(async (tx) => {
    await commentQueries(tx).updateComment(6, { status: 'approved', updatedAt: now })
    const counted = commentQueries(tx).recountApproved(1)
    secondCounting()
    await counted
  })
  await Promise.all([first, second])
  t.same((await commentCounts(postgres))[0], { id: 1, commentCount: 7 }, 'both approvals are in the count (five before)')
})

const dayRanges: DayRange[] = [{}, { from: '2026-01-01' }, { to: '2026-03-31' }, { from: '2026-02-01', to: '2026-02-31' }, { from: '2026-04-01', to: '2026-04-31' }, { from: '2027-01-01' }]

async function walkDays (store: Store, range: DayRange, descending: boolean): Promise<unknown[]> {
  const days = dayQueries(store)
  const pages: unknown[] = []
  let after: string | null = null
  for (let guard = 0; guard < 10; guard++) {
    const page = await days.pageOfDays(now, range, descending, after, 2, 0)
    pages.push({ page, remaining: await days.countDays(now, range, descending, after) })
    if (page.length < 2) break
    after = page.at(-1)!.day
  }
  return pages
}

t.test('days: known days from articles and notes, pages both ways, notes kept by version, the archive', async (t) => {
  const stores = await seeded(t)
  await sameOutcomeOnBoth(t, stores, 'a day with a note', async (store) => await dayService.createOne(store, settings, { date: '2026-05-05', note: 'Quiet.' }, editor))
  await sameOutcomeOnBoth(t, stores, 'a day with no note', async (store) => await dayService.createOne(store, settings, { date: '2024-02-29' }, editor))
  await sameOutcomeOnBoth(t, stores, 'a day that exists through its articles is not created again', async (store) => await dayService.createOne(store, settings, { date: '2026-03-01' }, editor))
  for (const range of dayRanges) {
    for (const descending of [true, false]) {
      await sameOutcomeOnBoth(t, stores, `days ${JSON.stringify(range)} ${descending ? 'newest' : 'oldest'} first`, async (store) => await walkDays(store, range, descending))
    }
  }
  await sameOutcomeOnBoth(t, stores, 'a cursor past a day no calendar has', async (store) => await dayQueries(store).pageOfDays(now, {}, true, '2026-04-31', 10, 0))
  await sameOutcomeOnBoth(t, stores, 'a page by offset', async (store) => await dayQueries(store).pageOfDays(now, {}, true, null, 2, 1))
  await sameOutcomeOnBoth(t, stores, 'one day at a time', async (store) => {
    const days = dayQueries(store)
    return [await days.knownDay(now, '2026-03-01'), await days.knownDay(now, '2026-05-05'), await days.knownDay(now, '2026-12-01'), await days.knownDay(now, '2026-07-01'), await days.dayRow('2024-02-29')]
  })
  await sameOutcomeOnBoth(t, stores, 'articles of one day, of several', async (store) => {
    const days = dayQueries(store)
    const ids = (rows: ArticleRow[]) => rows.map((row) => row.id)
    return [ids(await days.publishedOnDays(now, ['2026-03-01'])), ids(await days.publishedOnDays(now, ['2026-03-01', '2025-12-31', '2026-12-01'])), await days.publishedOnDays(now, [])]
  })
  await sameOutcomeOnBoth(t, stores, 'whole rows of a day', async (store) => await dayQueries(store).publishedOnDays(now, ['2026-04-15']))
  await sameOutcomeOnBoth(t, stores, 'the archive by month', async (store) => await dayQueries(store).monthlyCounts(now))

  await sameOutcomeOnBoth(t, stores, 'a note given to a day of articles', async (store) => await dayService.updateOne(store, settings, '2026-03-01', { note: 'Two at once.' }, editor, '"day-2026-03-01-v0"'), '2026-06-25T13:00:00.000Z')
  await sameOutcomeOnBoth(t, stores, 'a note changed', async (store) => await dayService.updateOne(store, settings, '2026-05-05', { note: null }, editor, '"day-2026-05-05-v1"'))
  await sameOutcomeOnBoth(t, stores, 'a stale version is refused', async (store) => await dayService.updateOne(store, settings, '2026-05-05', { note: 'Lost.' }, editor, '"day-2026-05-05-v1"'))
  await sameOutcomeOnBoth(t, stores, 'a day with articles is not deleted', async (store) => await dayService.removeOne(store, '2026-03-01', undefined))
  await sameOutcomeOnBoth(t, stores, 'a day of notes only is', async (store) => {
    await dayService.removeOne(store, '2026-05-05', '"day-2026-05-05-v2"')
    return await dayQueries(store).knownDay(now, '2026-05-05')
  })
})

t.test('days on PostgreSQL: notes with the same If-Match, at once: one goes through, the others are refused', async (t) => {
  const { postgres } = await seeded(t)
  await dayService.createOne(postgres, settings, { date: '2026-05-05', note: 'Quiet.' }, editor)
  const notes = ['First.', 'Second.', 'Third.', 'Fourth.']
  const results = await Promise.allSettled(notes.map(async (note) => await dayService.updateOne(postgres, settings, '2026-05-05', { note }, editor, '"day-2026-05-05-v1"')))
  t.equal(results.filter((result) => result.status === 'fulfilled').length, 1, 'one went through')
  const refusals = results.flatMap((result) => result.status === 'rejected' ? [(result.reason as { statusCode?: number }).statusCode] : [])
  t.same(refusals, [412, 412, 412], 'the others were refused')
  t.equal((await dayQueries(postgres).dayRow('2026-05-05'))?.version, 2, 'the version moved once')
})

function revision (articleId: number, number: number): RevisionRow {
  return {
    articleId,
    number,
    version: number,
    status: 'draft',
    publishedAt: null,
    authorId: 1,
    writtenAt: `2025-0${number}-01T00:00:00.000Z`,
    replacedAt: `2025-0${number + 1}-01T00:00:00.000Z`,
    replacedBy: 'token 1',
    unpublishAt: null,
    authorIds: null,
    seo: null,
    title: `Draft ${number}`,
    customExcerpt: null,
    labels: '["news","sport"]',
    body: '<p>Draft</p>'
  }
}

/** What trashing does (trash/service.ts, trashArticle), with the article deleted past the articles module. */
async function trashLikeTheService (store: Store, id: number, trashedAt: string, days: number): Promise<unknown> {
  const trash = trashQueries(store)
  const purged = await trash.purgeExpired(trashedAt)
  const row = articles.find((candidate) => candidate.id === id)!
  const content = { article: row, labels: ['news'], comments: await trash.commentsOfArticle(id), revisions: await trash.revisionsOfArticle(id) }
  const trashed = await trash.insertTrashed({
    id,
    slug: row.slug,
    title: row.title,
    status: row.status,
    publishedAt: row.publishedAt,
    authorId: row.authorId,
    commentCount: row.commentCount,
    version: row.version,
    trashedAt,
    trashedBy: 'token 1',
    purgeAt: new Date(Date.parse(trashedAt) + days * 86_400_000).toISOString(),
    content: JSON.stringify(content)
  })
  await deleteArticle(store, id)
  return { purged, trashed: withParsedContent(trashed) }
}

const ownerOfDraft: Principal = { role: 'author', authorId: 3, tokenId: 1 }

t.test('trash: articles kept with their comments and revisions, listed by scope, restored with ids renumbered, purged', async (t) => {
  const stores = await seeded(t)
  await sameOutcomeOnBoth(t, stores, 'revisions written', async (store) => {
    await trashQueries(store).reinsertRevisions([revision(1, 1), revision(1, 2)])
    await trashQueries(store).reinsertRevisions([])
    return await trashQueries(store).revisionsOfArticle(1)
  })
  await sameOutcomeOnBoth(t, stores, 'three articles trashed', async (store) => [
    await trashLikeTheService(store, 1, '2026-06-20T00:00:00.000Z', 30),
    await trashLikeTheService(store, 5, '2026-06-20T00:00:00.000Z', 30),
    await trashLikeTheService(store, 2, '2026-06-01T00:00:00.000Z', 10)
  ])
  await sameOutcomeOnBoth(t, stores, 'the article\'s comments and revisions left with it', async (store) => [await trashQueries(store).commentsOfArticle(1), await trashQueries(store).revisionsOfArticle(1)])
  await sameOutcomeOnBoth(t, stores, 'listed for an editor and for an author', async (store) => [await trashService.list(store, editor, {}), await trashService.list(store, ownerOfDraft, {}), await trashService.list(store, editor, { limit: 1, offset: 1 })])
  await sameOutcomeOnBoth(t, stores, 'one, by id and slug; past its purge time, gone', async (store) => [
    await trashService.findOne(store, '1', editor),
    withParsedContent(await trashQueries(store).trashedByIdOrSlug('article-5', { authorId: 3, now })),
    await trashQueries(store).trashedByIdOrSlug('article-2', { authorId: null, now }),
    await trashService.findOne(store, 'article-1', ownerOfDraft)
  ])
  await sameOutcomeOnBoth(t, stores, 'questions about the trash', async (store) => {
    const trash = trashQueries(store)
    return [await trash.countTrashed({ authorId: null, now }), await trash.slugInTrash('article-1', now), await trash.slugInTrash('article-2', now), await trash.isTrashed(5, now), await trash.isTrashed(3, now), await trash.trashedCountByAuthor(1)]
  })
  const restored = await sameOutcomeOnBoth(t, stores, 'restored while an import holds one of its comments\' ids', async (store) => {
    const trash = trashQueries(store)
    const row = (await trash.trashedByIdOrSlugForUpdate('1', { authorId: null, now }))!
    await commentQueries(store).insertComment({ id: 3, articleId: 3, parentId: null, authorName: 'Imported', authorUrl: null, authorEmail: null, body: '<p>From elsewhere</p>', status: 'approved', createdAt: now, updatedAt: now })
    const content = trashService.parseContent(row)
    const article = await trash.reinsertArticle({ ...content.article, version: row.version + 1, updatedAt: now })
    const renumbered = await trash.reinsertComments(content.comments)
    await trash.reinsertRevisions(content.revisions)
    await trash.deleteTrashed(row.id)
    return [article, renumbered, await trash.commentsOfArticle(1), await commentQueries(store).approvedRepliesBelow([1]), await trash.revisionsOfArticle(1), await trash.isTrashed(1, now)]
  })
  t.same(restored[1], [{ from: 3, to: 11 }], 'the comment whose id was taken came back as the next one')
  await sameOutcomeOnBoth(t, stores, 'an author may not purge what an editor published; a stale version is refused', async (store) => [
    await trashService.purge(store, 'article-5', { role: 'author', authorId: 1, tokenId: 2 }, undefined).catch((error: Error) => error.message),
    await trashService.purge(store, 'article-5', ownerOfDraft, '"trashed-article-5-v2"').catch((error: Error) => error.message)
  ])
  await sameOutcomeOnBoth(t, stores, 'purged by its owner', async (store) => {
    await trashService.purge(store, 'article-5', ownerOfDraft, '"trashed-article-5-v1"')
    return await trashQueries(store).countTrashed({ authorId: null, now: '2026-01-01T00:00:00.000Z' })
  })
  await sameOutcomeOnBoth(t, stores, 'reassigned, then emptied for one author and expired for the rest', async (store) => {
    const trash = trashQueries(store)
    await trash.reassignTrashed(1, 4)
    return [await trash.trashedCountByAuthor(1), await trash.trashedCountByAuthor(4), await trashService.purgeAll(store, ownerOfDraft), await trash.purgeExpired('2026-06-12T00:00:00.000Z'), await trash.countTrashed({ authorId: null, now: '2026-01-01T00:00:00.000Z' })]
  })
})

t.test('trash on PostgreSQL: one article purged twice at once: one purge goes through, the other finds nothing', async (t) => {
  const { postgres } = await seeded(t)
  // The service reads the scope at the real time: the row is trashed then.
  await trashLikeTheService(postgres, 5, new Date().toISOString(), 30)
  // Three connections open and idle, so the purges start together rather than one per connection made.
  await Promise.all([1, 2, 3].map(async () => await postgres.transaction(async (tx) => await tx.writeStamp())))
  const results = await Promise.allSettled([1, 2, 3].map(async () => await trashService.purge(postgres, 'article-5', ownerOfDraft, '"trashed-article-5-v1"')))
  t.equal(results.filter((result) => result.status === 'fulfilled').length, 1, 'one purge went through')
  const refusals = results.flatMap((result) => result.status === 'rejected' ? [(result.reason as { statusCode?: number }).statusCode] : [])
  t.same(refusals, [404, 404], 'the others found it gone')
})

t.test('on PostgreSQL, units racing for one unique value: authors of one name get distinct slugs, one day is created once', async (t) => {
  const { postgres } = await seeded(t)
  await Promise.all([1, 2, 3].map(async () => await postgres.transaction(async (tx) => await tx.writeStamp())))
  const made = await Promise.all([1, 2, 3].map(async () => await authorService.createOne(postgres, { name: 'Same Name' }, editor)))
  t.same(made.map((result) => result.author.slug).sort(), ['same-name', 'same-name-2', 'same-name-3'], 'each took the next free slug')
  const days = await Promise.allSettled([1, 2, 3].map(async () => await dayService.createOne(postgres, settings, { date: '2026-05-05', note: 'Quiet.' }, editor)))
  t.equal(days.filter((result) => result.status === 'fulfilled').length, 1, 'the day was created once')
  const refusals = days.flatMap((result) => result.status === 'rejected' ? [(result.reason as { statusCode?: number }).statusCode] : [])
  t.same(refusals, [409, 409], 'the others found it there')
})

t.test('on PostgreSQL, a cursor whose values its columns cannot hold is refused (400), not a failed cast (500)', async (t) => {
  const { postgres } = await bothStores(t)
  const authors = authorQueries(postgres)
  const comments = commentQueries(postgres)
  const forged: Array<[string, () => Promise<unknown>]> = [
    ['a time that is not one', async () => await authors.pageOfAuthors({ sort: [{ field: 'createdAt', descending: false }], now, after: ['yesterday', 1], limit: 2, offset: 0 })],
    ['a number for a name', async () => await authors.countAuthors(now, [{ field: 'name', descending: false }], [12, 1])],
    ['a count past int4', async () => await authors.pageOfAuthors({ sort: [{ field: 'articleCount', descending: true }], now, after: [2 ** 40, 1], limit: 2, offset: 0 })],
    ['a number for a comment\'s time', async () => await comments.pageOfApproved(1, false, [5, 1], 2, 0)],
    ['a time with another offset', async () => await comments.countForModeration({}, [{ field: 'updatedAt', descending: true }], ['2026-06-25T12:00:00+02:00', 1])]
  ]
  for (const [what, call] of forged) await t.rejects(call(), { statusCode: 400, errors: [{ path: 'querystring.cursor' }] }, what)
  t.same(await authors.pageOfAuthors({ sort: [{ field: 'createdAt', descending: false }], now, after: [now, 1], limit: 2, offset: 0 }), [], 'a cursor that fits is read')
})

