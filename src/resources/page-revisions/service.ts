import type { Store } from '../../db/store.js'
import { NotFound } from '../../errors.js'
import type { Page } from '../../lib/list.js'
import type { Principal } from '../../lib/principal.js'
import type { PageRecord } from '../pages/queries.js'
import type { PageSnapshot } from '../pages/schemas.js'
import { parseSnapshot, snapshotOf } from '../pages/snapshot.js'
import { changedBy } from '../revisions/service.js'
import type { SeoValues } from '../seo/queries.js'
import { pageRevisionQueries, type PageRevisionSummaryRow } from './queries.js'
import type { PageRevisionBody, PageRevisionListQueryString, PageRevisionSummaryBody } from './schemas.js'

/**
 * Keeps `current` (about to be replaced by an update) as the page's newest revision, pruning
 * beyond `kept` as articles do. Runs in the update's transaction.
 */
export async function keepPageRevision (tx: Store, current: PageRecord, seo: SeoValues, viewer: Principal, now: string, kept: number): Promise<void> {
  await pageRevisionQueries(tx).insertRevision({
    pageId: current.id,
    version: current.version,
    title: current.title,
    slug: current.slug,
    status: current.status,
    writtenAt: current.updatedAt,
    replacedAt: now,
    replacedBy: changedBy(viewer),
    snapshot: JSON.stringify(snapshotOf(current, seo))
  }, kept)
}

function summaryOf (row: PageRevisionSummaryRow): PageRevisionSummaryBody {
  return {
    number: row.number,
    version: row.version,
    writtenAt: row.writtenAt,
    replacedAt: row.replacedAt,
    replacedBy: row.replacedBy,
    title: row.title,
    slug: row.slug,
    status: row.status
  }
}

export async function list (store: Store, page: PageRecord, query: PageRevisionListQueryString): Promise<Page<PageRevisionSummaryBody>> {
  const limit = query.limit ?? 20
  const offset = query.offset ?? 0
  const revisions = pageRevisionQueries(store)
  const items = (await revisions.pageOfRevisions(page.id, limit, offset)).map(summaryOf)
  return { items, total: await revisions.countRevisions(page.id), limit, offset, nextCursor: null }
}

/** The revision as kept: a snapshot of the page, and when and by whom it was replaced. */
export async function findOne (store: Store, page: PageRecord, number: number): Promise<{ revision: PageRevisionBody, snapshot: PageSnapshot }> {
  const row = await pageRevisionQueries(store).revision(page.id, number)
  if (row === undefined) throw new NotFound(`Page ${page.id} has no revision ${number}`)
  const snapshot = parseSnapshot(row.snapshot)
  const { number: n, version, writtenAt, replacedAt, replacedBy } = row
  return { revision: { number: n, version, writtenAt, replacedAt, replacedBy, ...snapshot }, snapshot }
}
