import type { Store } from '../../db/store.js'
import { Forbidden, NotFound } from '../../errors.js'
import type { Page } from '../../lib/list.js'
import { hasRole, type Principal } from '../../lib/principal.js'
import type { ArticleRow } from '../articles/queries.js'
import { revisionQueries, type RevisionRow } from './queries.js'
import type { RevisionBody, RevisionListQueryString, RevisionSummaryBody } from './schemas.js'

/** Who made a change, as a revision records it: never a secret, only a token's role and id. */
export function changedBy (viewer: Principal): string {
  return viewer.tokenId === null ? 'admin' : `${viewer.role} token ${viewer.tokenId}`
}

/**
 * Keeps `current` (about to be replaced by an update) as the article's newest revision.
 * Runs in the update's transaction.
 */
export async function keepRevision (tx: Store, current: ArticleRow, labels: string[], viewer: Principal, now: string, kept: number): Promise<void> {
  await revisionQueries(tx).insertRevision({
    articleId: current.id,
    version: current.version,
    status: current.status,
    publishedAt: current.publishedAt,
    authorId: current.authorId,
    writtenAt: current.updatedAt,
    replacedAt: now,
    replacedBy: changedBy(viewer),
    title: current.title,
    customExcerpt: current.customExcerpt,
    labels: JSON.stringify(labels),
    body: current.body
  }, kept)
}

/** Editors see every article's history; an author token, its own articles'. */
export function assertMayReadHistory (viewer: Principal, article: ArticleRow): void {
  if (hasRole(viewer, 'editor') || viewer.authorId === article.authorId) return
  throw new Forbidden('Only editors and the article\'s author may see its revisions')
}

function summaryOf (row: RevisionRow): RevisionSummaryBody {
  return {
    number: row.number,
    version: row.version,
    title: row.title,
    status: row.status,
    publishedAt: row.publishedAt,
    authorId: row.authorId,
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
  return { ...summaryOf(row), excerpt: row.customExcerpt, labels: labelNames(row), body: row.body }
}

/** The label names a revision kept (a JSON array in its row). */
export function labelNames (row: RevisionRow): string[] {
  const names: unknown = JSON.parse(row.labels)
  return Array.isArray(names) ? names.filter((name): name is string => typeof name === 'string') : []
}
