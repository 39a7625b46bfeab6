import { defaultCommentDepth } from '../config.js'
import type { Store } from '../db/store.js'
import * as articleService from '../resources/articles/service.js'
import * as authorService from '../resources/authors/service.js'
import * as commentService from '../resources/comments/service.js'
import * as correctionService from '../resources/corrections/service.js'
import * as dayService from '../resources/dates/service.js'
import type { Principal } from '../lib/principal.js'
import { insertUpload, writeFiles } from '../resources/media/service.js'
import type { MediaStore } from '../resources/media/storage.js'
import * as pageService from '../resources/pages/service.js'
import * as redirectService from '../resources/redirects/service.js'
import { keepOldSlugs } from '../resources/articles/slugs.js'
import { articleQueries } from '../resources/articles/queries.js'
import { demoArticles, demoAuthors, demoComments, demoCorrections, demoDayNotes, demoOldSlugs, demoPages, demoRedirects } from './content.js'
import { demoImages, type DemoImage } from './images.js'
import { demoQueries } from './queries.js'

const seeder: Principal = { role: 'admin', authorId: null, tokenId: null }
const minute = 60 * 1000
const day = 24 * 60 * minute
const week = 7 * day

function later (iso: string, ms: number): string {
  return new Date(Date.parse(iso) + ms).toISOString()
}

/** Comments go in as a reader would post them, then a moderator sets their status. */
async function seedComments (tx: Store, articleIds: number[]): Promise<number[]> {
  const ids: number[] = []
  for (const comment of demoComments) {
    const { comment: created } = await commentService.createForArticle(tx, { commentsAutoApprove: false, commentDepth: defaultCommentDepth }, String(articleIds[comment.article]), {
      authorName: comment.authorName,
      body: comment.body,
      ...(comment.authorEmail === undefined ? {} : { authorEmail: comment.authorEmail }),
      ...(comment.replyTo === undefined ? {} : { parentId: ids[comment.replyTo]! })
    }, null)
    ids.push(created.id)
    if (comment.status !== 'pending') await commentService.updateOne(tx, created.id, { status: comment.status }, seeder, undefined)
  }
  return ids
}

interface Seeded {
  authorIds: number[]
  articles: Array<{ id: number, status: string, publishedAt: string | null, date: string | null }>
  commentIds: number[]
  correctionIds: number[]
}

/**
 * The services stamp rows with the clock, so a demo seeded in December would have articles
 * published in June but written in December, and comments months after them (and the feeds'
 * `updated` and Last-Modified would follow). This puts every row on the demo's own timeline:
 * authors join two weeks before the first article, an article is written an hour and a half
 * before it is published and last changed then, comments come as many minutes after it as
 * the content says and are moderated 20 minutes later, drafts are worked on the day after the
 * last article. The scheduled article alone keeps the seeding time: it is due a week after it.
 */
async function dateOnTimeline (tx: Store, seeded: Seeded): Promise<void> {
  const published = seeded.articles.map((article) => article.status === 'published' ? article.publishedAt : null).filter((at): at is string => at !== null).sort()
  const first = published[0]
  const last = published.at(-1)
  if (first === undefined || last === undefined) return
  const rows = demoQueries(tx)
  for (const id of seeded.authorIds) await rows.setAuthorTimes(id, { createdAt: later(first, -2 * week), updatedAt: later(first, -2 * week) })
  for (const article of seeded.articles) {
    if (article.status === 'scheduled') continue
    const times = article.status === 'published' && article.publishedAt !== null
      ? { createdAt: later(article.publishedAt, -90 * minute), updatedAt: article.publishedAt }
      : { createdAt: later(last, 20 * 60 * minute), updatedAt: later(last, 26 * 60 * minute) }
    await rows.setArticleTimes(article.id, times)
    // Each image was uploaded as its article was first written.
    await rows.setFeaturedImageTimes(article.id, { createdAt: times.createdAt, updatedAt: times.createdAt })
  }
  for (const [index, comment] of demoComments.entries()) {
    const publishedAt = seeded.articles[comment.article]!.publishedAt!
    const createdAt = later(publishedAt, comment.minutesAfter * minute)
    const updatedAt = comment.status === 'pending' ? createdAt : later(createdAt, 20 * minute)
    await rows.setCommentTimes(seeded.commentIds[index]!, { createdAt, updatedAt })
  }
  for (const [index, correction] of demoCorrections.entries()) {
    const correctedAt = later(seeded.articles[correction.article]!.publishedAt!, correction.minutesAfter * minute)
    await rows.setCorrectionTimes(seeded.correctionIds[index]!, { createdAt: correctedAt, updatedAt: correctedAt })
  }
  for (const { article } of demoDayNotes) {
    const { date, publishedAt } = seeded.articles[article]!
    const noted = later(publishedAt!, 30 * minute)
    await rows.setDayTimes(date!, { createdAt: noted, updatedAt: noted })
  }
}

/**
 * Fills an empty database with the demo blog, through the same services as the API
 * (so it is sanitised, slugged and dated like anything else). A database with any
 * content is left alone, so this is safe on every start. Returns whether it seeded.
 */
export async function seedDemo (store: Store, settings: { timezone: string, locale: string }, media: MediaStore | null): Promise<boolean> {
  if (!(await demoQueries(store).isEmpty())) return false
  // The images' files are written first, outside the unit of work (it may not wait for the
  // disk); if the unit writes nothing, they are removed.
  const images = media === null ? [] : await demoImages()
  const keys = media === null ? [] : await Promise.all(images.map(async (image) => await writeFiles(media, image)))
  const removeFiles = async () => { if (media !== null) for (const key of keys) await media.remove(key) }
  try {
    const seeded = await seedContent(store, settings, images.map((image, index) => ({ ...image, key: keys[index]! })))
    if (!seeded) await removeFiles()
    return seeded
  } catch (error) {
    await removeFiles()
    throw error
  }
}

async function seedContent (store: Store, settings: { timezone: string, locale: string }, images: Array<DemoImage & { key: string }>): Promise<boolean> {
  return await store.transaction(async (tx) => {
    if (!(await demoQueries(tx).isEmpty())) return false
    const authorIds = new Map<string, number>()
    for (const author of demoAuthors) {
      const { author: created } = await authorService.createOne(tx, author, seeder)
      authorIds.set(author.slug, created.id)
    }
    const articles: Seeded['articles'] = []
    for (const [index, article] of demoArticles.entries()) {
      const image = images.find((candidate) => candidate.article === index)
      const authorId = authorIds.get(article.author)!
      const featured = image === undefined
        ? null
        : (await insertUpload(tx, image.key, { fileName: image.fileName, original: image.original, image: image.image, fields: { alt: image.alt, credit: image.credit } }, authorId)).id
      const { article: created } = await articleService.createOne(tx, settings, {
        title: article.title,
        markdown: article.markdown,
        excerpt: article.excerpt ?? null,
        status: article.status,
        // The scheduled article stays a week ahead of whenever the demo is created.
        publishedAt: article.status === 'scheduled' ? new Date(Date.now() + week).toISOString() : article.publishedAt,
        authorId,
        labels: article.labels,
        featuredImage: featured,
        ...(article.seo === undefined ? {} : { seo: article.seo })
      }, seeder)
      articles.push(created)
    }
    const commentIds = await seedComments(tx, articles.map((article) => article.id))
    const correctionIds: number[] = []
    for (const correction of demoCorrections) {
      const corrected = articles[correction.article]!
      const correctedAt = later(corrected.publishedAt!, correction.minutesAfter * minute)
      correctionIds.push((await correctionService.createOne(tx, String(corrected.id), { note: correction.note, correctedAt }, seeder)).correction.id)
    }
    for (const { article, note } of demoDayNotes) {
      await dayService.updateOne(tx, settings, articles[article]!.date!, { note }, seeder, undefined)
    }
    await dateOnTimeline(tx, { authorIds: [...authorIds.values()], articles, commentIds, correctionIds })
    for (const { article, slug } of demoOldSlugs) {
      const row = (await articleQueries(tx).articleById(articles[article]!.id))!
      await keepOldSlugs(tx, row, [slug], row.publishedAt ?? row.createdAt)
    }
    for (const redirect of demoRedirects) await redirectService.createOne(tx, redirect)
    const pageIds = new Map<string, number>()
    for (const { title, slug, markdown, parent, position } of demoPages) {
      const { page } = await pageService.createOne(tx, { title, slug, markdown, position, status: 'published', parentId: parent === null ? null : pageIds.get(parent)! }, seeder)
      pageIds.set(slug, page.id)
    }
    return true
  })
}
