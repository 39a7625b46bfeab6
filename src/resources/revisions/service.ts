import type { Store } from '../../db/store.js'
import { Forbidden, NotFound } from '../../errors.js'
import type { Page } from '../../lib/list.js'
import type { Principal } from '../../lib/principal.js'
import { isEditorOrOnByline } from '../articles/byline.js'
import type { ArticleRow } from '../articles/queries.js'
import type { SeoValues } from '../seo/queries.js'
import type { StoredSeoBody } from '../seo/schemas.js'
import { noSeo, storedSeo } from '../seo/service.js'
import { revisionQueries, type RevisionRow } from './queries.js'
import type { RevisionBody, RevisionListQueryString, RevisionSummaryBody } from './schemas.js'

/** Who made a change, as a revision records it: never a secret, only a token's role and id. */
export function changedBy (viewer: Principal): string {
  return viewer.tokenId === null ? 'admin' : `${viewer.role} token ${viewer.tokenId}`
}

/** An article as a revision keeps it: its row, and what lives beside it. */
export interface ArticleSnapshot {
  row: ArticleRow
  labels: string[]
  /** The byline after the primary author. */
  coAuthors: number[]
  seo: SeoValues
}

/**
 * Keeps the article as it is (about to be replaced by an update) as its newest revision.
 * Runs in the update's transaction.
 */
export async function keepRevision (tx: Store, current: ArticleSnapshot, viewer: Principal, now: string, kept: number): Promise<void> {
  const { row } = current
  await revisionQueries(tx).insertRevision({
    articleId: row.id,
    version: row.version,
    status: row.status,
    publishedAt: row.publishedAt,
    unpublishAt: row.unpublishAt,
    authorId: row.authorId,
    authorIds: JSON.stringify([row.authorId, ...current.coAuthors]),
    writtenAt: row.updatedAt,
    replacedAt: now,
    replacedBy: changedBy(viewer),
    title: row.title,
    customExcerpt: row.customExcerpt,
    labels: JSON.stringify(current.labels),
    seo: JSON.stringify(storedSeo(current.seo)),
    body: row.body
  }, kept)
}

/** Editors see every article's history; an author token, the history of the articles on its byline. */
export async function assertMayReadHistory (store: Store, viewer: Principal, article: ArticleRow): Promise<void> {
  if (await isEditorOrOnByline(store, viewer, article)) return
  throw new Forbidden('Only editors and the article\'s authors may see its revisions')
}

function summaryOf (row: RevisionRow): RevisionSummaryBody {
  return {
    number: row.number,
    version: row.version,
    title: row.title,
    status: row.status,
    publishedAt: row.publishedAt,
    authorId: row.authorId,
    authorIds: bylineOf(row),
    writtenAt: row.writtenAt,
    replacedAt: row.replacedAt,
    replacedBy: row.replacedBy
  }
}

export async function list (store: Store, article: ArticleRow, query: RevisionListQueryString): Promise<Page<RevisionSummaryBody>> {
  const limit = query.limit ?? 20
  const offset = query.offset ?? 0
  const revisions = revisionQueries(store)
  const items = (await revisions.pageOfRevisions(article.id, limit, offset)).map(summaryOf)
  return { items, total: await revisions.countRevisions(article.id), limit, offset, nextCursor: null }
}

export async function findOne (store: Store, article: ArticleRow, number: number): Promise<RevisionBody> {
  const row = await revisionQueries(store).revision(article.id, number)
  if (row === undefined) throw new NotFound(`Article ${article.id} has no revision ${number}`)
  return { ...summaryOf(row), unpublishAt: row.unpublishAt, excerpt: row.customExcerpt, labels: labelNames(row), seo: seoOf(row), body: row.body }
}

/** The label names a revision kept (a JSON array in its row). */
export function labelNames (row: RevisionRow): string[] {
  const names: unknown = JSON.parse(row.labels)
  return Array.isArray(names) ? names.filter((name): name is string => typeof name === 'string') : []
}

/** The byline a revision kept; one of its primary author alone when kept before bylines. */
function bylineOf (row: RevisionRow): number[] {
  const ids: unknown = row.authorIds === null ? null : JSON.parse(row.authorIds)
  return Array.isArray(ids) && ids.length > 0 && ids.every((id) => Number.isSafeInteger(id)) ? ids as number[] : [row.authorId]
}

/** The search and social metadata a revision kept; none set when kept before they existed. */
function seoOf (row: RevisionRow): StoredSeoBody {
  return row.seo === null ? storedSeo(noSeo) : { ...storedSeo(noSeo), ...JSON.parse(row.seo) as Partial<StoredSeoBody> }
}
