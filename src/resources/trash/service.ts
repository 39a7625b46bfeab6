import type { Store } from '../../db/store.js'
import { Forbidden, NotFound } from '../../errors.js'
import type { Page } from '../../lib/list.js'
import { dayInZone, nowIso } from '../../lib/time.js'
import { hasRole, type Principal } from '../../lib/principal.js'
import { assertIfMatch } from '../../lib/entity-tags.js'
import { indexArticle, unindexArticle } from '../../search/index.js'
import { articleFields, isPublic, noteArticleChange, notePurged } from '../articles/changes.js'
import { articleQueries, type ArticleRow, type LabelName } from '../articles/queries.js'
import { keepOldSlugs } from '../articles/slugs.js'
import { authorQueries } from '../authors/queries.js'
import { carriedCorrections, replaceCorrections } from '../corrections/carried.js'
import { noteLabelTurnover } from '../labels/changes.js'
import { ensureLabels } from '../labels/links.js'
import { mediaQueries } from '../media/queries.js'
import { noteInlineImages } from '../media/service.js'
import { purgeAllPages, purgeExpiredPages } from '../page-trash/service.js'
import { changedBy } from '../revisions/service.js'
import { restoreSeo, seoValuesOf, storedSeo } from '../seo/service.js'
import { trashQueries, type Renumbered, type TrashedContent, type TrashedRow, type TrashScope } from './queries.js'
import type { TrashedArticleBody, TrashedArticleSummaryBody, TrashListQueryString } from './schemas.js'

const dayMs = 24 * 60 * 60 * 1000

/** The version a trashed article's ETag carries, for `If-Match` on restore and purge. */
export function trashedVersion (row: TrashedRow): string {
  return `trashed-article-${row.id}-v${row.version}`
}

function scopeFor (viewer: Principal, now: string): TrashScope {
  return { authorId: hasRole(viewer, 'editor') ? null : viewer.authorId, now }
}

/**
 * Takes an article out of the live tables into the trash, with its labels, comments and
 * revisions, in the caller's transaction. With `days` 0 there is no trash: it is deleted.
 * Answers the labels no other article carried, deleted with it (a restore makes them again).
 */
export async function trashArticle (tx: Store, article: ArticleRow, viewer: Principal, now: string, days: number): Promise<LabelName[]> {
  if (days > 0) {
    const trash = trashQueries(tx)
    // Frees the slugs of rows whose time is up before this one takes its place.
    notePurged(tx, await trash.purgeExpired(now), now)
    const content: TrashedContent = {
      article,
      labels: (await articleQueries(tx).labelsByArticle([article.id])).get(article.id) ?? [],
      comments: await trash.commentsOfArticle(article.id),
      revisions: await trash.revisionsOfArticle(article.id),
      featuredImage: (await mediaQueries(tx).featuredIdsByArticle([article.id])).get(article.id) ?? null,
      oldSlugs: (await articleQueries(tx).oldSlugsByArticle([article.id])).get(article.id) ?? [],
      corrections: await carriedCorrections(tx, article.id),
      coAuthors: (await articleQueries(tx).coAuthorsByArticle([article.id])).get(article.id) ?? [],
      seo: storedSeo((await seoValuesOf(tx, 'article', [article.id])).get(article.id)!)
    }
    await trash.insertTrashed({
      id: article.id,
      slug: article.slug,
      title: article.title,
      status: article.status,
      publishedAt: article.publishedAt,
      authorId: article.authorId,
      commentCount: article.commentCount,
      version: article.version,
      trashedAt: now,
      trashedBy: changedBy(viewer),
      purgeAt: new Date(Date.parse(now) + days * dayMs).toISOString(),
      content: JSON.stringify(content)
    })
  }
  const unusedLabels = await articleQueries(tx).deleteArticle(article.id)
  await unindexArticle(tx, article.id)
  return unusedLabels
}

/**
 * The co-authors a restored article comes back with: those still authors (one deleted
 * meanwhile left its bylines) and not its primary now (an heir of a reassignment may have been one).
 */
async function coAuthorsStill (tx: Store, coAuthors: number[], primary: number): Promise<number[]> {
  const existing = new Set((await authorQueries(tx).authorsByIds(coAuthors)).map((author) => author.id))
  return coAuthors.filter((id) => existing.has(id) && id !== primary)
}

/** What a trashed row keeps of the article, its labels, comments and revisions (JSON). */
export function parseContent (row: TrashedRow): TrashedContent {
  return JSON.parse(row.content) as TrashedContent
}

function summaryOf (row: TrashedRow, labels: string[]): TrashedArticleSummaryBody {
  return {
    id: row.id,
    slug: row.slug,
    title: row.title,
    status: row.status,
    publishedAt: row.publishedAt,
    authorId: row.authorId,
    labels,
    commentCount: row.commentCount,
    version: row.version,
    trashedAt: row.trashedAt,
    trashedBy: row.trashedBy,
    purgeAt: row.purgeAt
  }
}

export async function list (store: Store, viewer: Principal, query: TrashListQueryString): Promise<Page<TrashedArticleSummaryBody>> {
  const scope = scopeFor(viewer, nowIso())
  const limit = query.limit ?? 20
  const offset = query.offset ?? 0
  const trash = trashQueries(store)
  const items = (await trash.pageOfTrashed(scope, limit, offset)).map((row) => summaryOf(row, parseContent(row).labels))
  return { items, total: await trash.countTrashed(scope), limit, offset, nextCursor: null }
}

/**
 * A trashed article the viewer may see; a 404 otherwise, as for articles. `forUpdate`: read in
 * a unit of work that checks the row before it restores or purges it.
 */
async function findTrashed (store: Store, idOrSlug: string, viewer: Principal, forUpdate = false): Promise<TrashedRow> {
  const trash = trashQueries(store)
  const scope = scopeFor(viewer, nowIso())
  const row = forUpdate ? await trash.trashedByIdOrSlugForUpdate(idOrSlug, scope) : await trash.trashedByIdOrSlug(idOrSlug, scope)
  if (row === undefined) throw new NotFound(`There is no article "${idOrSlug}" in the trash`)
  return row
}

export async function findOne (store: Store, idOrSlug: string, viewer: Principal): Promise<{ item: TrashedArticleBody, version: string }> {
  const row = await findTrashed(store, idOrSlug, viewer)
  const { article, labels } = parseContent(row)
  return {
    item: { ...summaryOf(row, labels), excerpt: article.customExcerpt, body: article.body },
    version: trashedVersion(row)
  }
}

// The same rule as for deleting it: an author token acts only on its own drafts.
function assertMayAct (viewer: Principal, row: TrashedRow): void {
  if (viewer.role !== 'author') return
  if (row.authorId !== viewer.authorId) throw new Forbidden('An author token may act only on its own articles')
  if (row.status !== 'draft') throw new Forbidden('This article was published or scheduled: only an editor can restore or purge it')
}

/**
 * Puts the featured image back, unless it was deleted while the article was in the trash (a
 * trashed article does not hold its image: the library may delete it meanwhile). Answers
 * whether it did.
 */
async function restoreFeatured (tx: Store, articleId: number, mediaId: number | null): Promise<boolean> {
  if (mediaId === null) return false
  const queries = mediaQueries(tx)
  if (await queries.mediaById(mediaId) === undefined) return false
  await queries.setFeatured(articleId, mediaId)
  return true
}

/**
 * Puts a trashed article back as it was, under its id and slug, with its labels, comments
 * and revisions; its version goes up, so ETags from before the trash no longer match.
 * Returns the article's id, and the comments that came back under new ids.
 */
export async function restore (store: Store, timezone: string, idOrSlug: string, viewer: Principal, ifMatch: string | undefined): Promise<{ id: number, renumberedComments: Renumbered[] }> {
  return await store.transaction(async (tx) => {
    const row = await findTrashed(tx, idOrSlug, viewer, true)
    assertMayAct(viewer, row)
    assertIfMatch(ifMatch, trashedVersion(row))
    const content = parseContent(row)
    const now = nowIso()
    const trash = trashQueries(tx)
    const article = await trash.reinsertArticle({
      ...content.article,
      // What the trash may have changed meanwhile: an author reassigned, the time zone.
      authorId: row.authorId,
      publishedDay: content.article.publishedAt === null ? null : dayInZone(content.article.publishedAt, timezone),
      version: row.version + 1,
      updatedAt: now
    })
    // Labels deleted unused meanwhile come back, with slugs from their names.
    const turnover = { created: await ensureLabels(tx, content.labels), deleted: await articleQueries(tx).replaceLabels(article.id, content.labels) }
    await articleQueries(tx).replaceCoAuthors(article.id, await coAuthorsStill(tx, content.coAuthors ?? [], article.authorId))
    const renumberedComments = await trash.reinsertComments(content.comments)
    await trash.reinsertRevisions(content.revisions)
    // Those another article has not taken meanwhile.
    await keepOldSlugs(tx, article, content.oldSlugs ?? [], now)
    const corrections = content.corrections ?? []
    await replaceCorrections(tx, article.id, corrections, now)
    const featured = await restoreFeatured(tx, article.id, content.featuredImage ?? null)
    const seo = await restoreSeo(tx, 'article', article.id, content.seo)
    // The images its body shows are in use again.
    await noteInlineImages(tx, article.id, article.body)
    await trash.deleteTrashed(row.id)
    await indexArticle(tx, { ...article, labels: content.labels })
    noteArticleChange(tx, { kind: 'restored', after: article, fields: [...articleFields(content.labels), 'authorIds', ...(featured ? ['featuredImage'] : []), ...(seo ? ['seo'] : []), ...(corrections.length > 0 ? ['corrections', 'correctedAt'] : [])], now })
    noteLabelTurnover(tx, turnover, { publicBefore: false, publicAfter: isPublic(article, now) }, now)
    return { id: article.id, renumberedComments }
  })
}

export async function purge (store: Store, idOrSlug: string, viewer: Principal, ifMatch: string | undefined): Promise<void> {
  await store.transaction(async (tx) => {
    const row = await findTrashed(tx, idOrSlug, viewer, true)
    assertMayAct(viewer, row)
    assertIfMatch(ifMatch, trashedVersion(row))
    await trashQueries(tx).deleteTrashed(row.id)
    notePurged(tx, [row], nowIso())
  })
}

/** Empties the trash (editors), deleted pages too; returns how many articles and pages were purged. */
export async function purgeAll (store: Store, viewer: Principal): Promise<number> {
  return await store.transaction(async (tx) => {
    const now = nowIso()
    const purged = await trashQueries(tx).deleteAllTrashed(scopeFor(viewer, now))
    notePurged(tx, purged, now)
    return purged.length + await purgeAllPages(tx, now)
  })
}

/** Purges what has been in the trash its full time, articles and pages; at start-up. */
export async function purgeExpired (store: Store): Promise<number> {
  return await store.transaction(async (tx) => {
    const now = nowIso()
    const purged = await trashQueries(tx).purgeExpired(now)
    notePurged(tx, purged, now)
    return purged.length + await purgeExpiredPages(tx, now)
  })
}

/** Whether the article with this id is in the trash (an import leaves such articles alone). */
export async function isInTrash (store: Store, id: number, now: string): Promise<boolean> {
  return await trashQueries(store).isTrashed(id, now)
}
