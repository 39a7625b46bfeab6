import t from 'tap'
import type { SiteSettings } from '../../src/lib/site-settings.js'
import type { Store } from '../../src/db/store.js'
import * as articleService from '../../src/resources/articles/service.js'
import * as authorService from '../../src/resources/authors/service.js'
import * as commentService from '../../src/resources/comments/service.js'
import * as dayService from '../../src/resources/dates/service.js'
import * as trashService from '../../src/resources/trash/service.js'
import type { Principal } from '../../src/lib/principal.js'
import { bothStores, sameOutcomeOnBoth } from '../stores.js'

// Authors, comments, days and the trash through their services (with the articles'), on
// both databases at a stopped clock: the same answers, and the same refusals.

const editor: Principal = { role: 'editor', authorId: null, tokenId: null }
const settings = {
  timezone: 'UTC', locale: 'en-US', commentsAutoApprove: true, commentRateLimit: 5, commentDepth: 3, searchRateLimit: 60,
  rateLimitWindowMs: 60_000, revisionsKept: 3, trashDays: 30, changesRetentionDays: 90, siteTitle: 'Dateline', siteDescription: '', siteUrl: null,
  articlePath: '/{slug}', pagePath: '/{slug}', sitemapPageSize: 50_000
} satisfies SiteSettings
const now = '2026-06-25T12:00:00.000Z'

async function world (store: Store): Promise<unknown> {
  const made: unknown[] = []
  for (const name of ['Ada', 'Bea', 'Cy']) made.push(await authorService.createOne(store, { name }, editor))
  const plan: Array<[string, number, string | null]> = [['One', 1, '2026-03-01T10:00:00.000Z'], ['Two', 1, '2026-03-01T10:00:00.000Z'], ['Three', 2, '2026-04-15T08:00:00.000Z'], ['Four', 2, null], ['Five', 3, '2025-12-31T23:00:00.000Z']]
  for (const [title, authorId, publishedAt] of plan) {
    made.push(await articleService.createOne(store, settings, { title, markdown: `About ${title}.`, authorId, labels: ['News'], status: publishedAt === null ? 'draft' : 'published', ...(publishedAt === null ? {} : { publishedAt }) }, editor))
  }
  const reader = { authorName: 'Reader', body: '<p>Hello there</p>' }
  made.push(await commentService.createForArticle(store, settings, 'one', reader, null))
  made.push(await commentService.createForArticle(store, settings, 'one', { ...reader, parentId: 1 }, null))
  made.push(await commentService.createForArticle(store, settings, 'one', { ...reader, parentId: 2 }, null))
  made.push(await commentService.createForArticle(store, settings, 'one', { ...reader, parentId: 3 }, null))
  made.push(await commentService.createForArticle(store, settings, 'three', reader, editor))
  made.push(await dayService.createOne(store, settings, { date: '2026-05-05', note: 'Quiet.' }, editor))
  return made
}

t.test('authors, comments, days and the trash through their services', async (t) => {
  const stores = await bothStores(t)
  t.ok(await sameOutcomeOnBoth(t, stores, 'the world', world, now), 'the world was made')
  const include = new Set(['articles'] as const)
  await sameOutcomeOnBoth(t, stores, 'authors listed in each sort', async (store) => await Promise.all(['name', '-articleCount', 'createdAt,-name'].map(async (sort) => await authorService.list(store, { sort, limit: 2, include: 'articles' }, editor))), now)
  await sameOutcomeOnBoth(t, stores, 'an author with articles', async (store) => await authorService.findOne(store, 'ada', null, { include }), now)
  await sameOutcomeOnBoth(t, stores, 'an author with articles is not deleted', async (store) => await authorService.removeOne(store, 'cy', undefined, undefined), now)
  await sameOutcomeOnBoth(t, stores, 'their articles go to another', async (store) => {
    await authorService.removeOne(store, 'cy', 'bea', '"author-3-v1"')
    return await authorService.findOne(store, 'bea', null, { include })
  }, now)
  await sameOutcomeOnBoth(t, stores, 'comments as a list and as threads', async (store) => [await commentService.listForArticle(store, 'one', { limit: 2 }, null, await commentService.currentView(store)), await commentService.threadsForArticle(store, settings, 'one', {}, null, await commentService.currentView(store))], now)
  await sameOutcomeOnBoth(t, stores, 'the moderation queue', async (store) => await commentService.listForModeration(store, { sort: 'createdAt', limit: 3 }, editor), now)
  await sameOutcomeOnBoth(t, stores, 'a comment held, then deleted', async (store) => {
    const held = await commentService.updateOne(store, 2, { status: 'pending' }, editor, '"comment-2-v1"')
    await commentService.removeOne(store, 2, editor, undefined)
    return [held, await commentService.threadsForArticle(store, settings, 'one', {}, null, await commentService.currentView(store)), await articleService.findOne(store, 'one', null, {})]
  }, '2026-06-25T13:00:00.000Z')
  await sameOutcomeOnBoth(t, stores, 'days listed, one day, the archive', async (store) => [
    await dayService.list(store, settings, { include: 'articles' }, null),
    await dayService.list(store, settings, { year: 2026, month: 2 }, null),
    await dayService.findOne(store, settings, '2026-03-01', null),
    await dayService.archive(store)
  ], now)
  await sameOutcomeOnBoth(t, stores, 'an article trashed and listed', async (store) => {
    await articleService.removeOne(store, settings, 'one', editor, undefined)
    return [await trashService.list(store, editor, {}), await trashService.findOne(store, 'one', editor)]
  }, now)
  const restored = await sameOutcomeOnBoth(t, stores, 'restored with its comments', async (store) => {
    const article = await articleService.restoreFromTrash(store, settings, 'one', editor, undefined)
    return [article, await commentService.threadsForArticle(store, settings, 'one', {}, null, await commentService.currentView(store))]
  }, '2026-06-25T14:00:00.000Z')
  t.ok(restored, 'the article came back')
})

t.test('on PostgreSQL, many comments posted on one article at once all land and are all counted', async (t) => {
  const { postgres } = await bothStores(t)
  await authorService.createOne(postgres, { name: 'Ada' }, editor)
  await articleService.createOne(postgres, settings, { title: 'One', markdown: 'About one.', authorId: 1, status: 'published' }, editor)
  // Staff comments are approved and counted in the unit that posts them; readers' wait (pending).
  const posted = await Promise.allSettled(Array.from({ length: 40 }, async (_, i) => await commentService.createForArticle(postgres, { ...settings, commentsAutoApprove: false }, 'one', { authorName: 'Reader', body: `<p>Comment ${i}</p>` }, i % 2 === 0 ? editor : null)))
  t.same(posted.filter((result) => result.status === 'rejected').map((result) => String((result as PromiseRejectedResult).reason)), [], 'every post went through (no deadlock between them)')
  t.equal((await articleService.findOne(postgres, 'one', null, {})).article.commentCount, 20, 'every approved one is counted')
})
