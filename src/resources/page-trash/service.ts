import type { Store } from '../../db/store.js'
import { NotFound } from '../../errors.js'
import { assertIfMatch } from '../../lib/entity-tags.js'
import type { Page } from '../../lib/list.js'
import type { Principal } from '../../lib/principal.js'
import { nowIso } from '../../lib/time.js'
import { notePageChange, notePagesPurged } from '../pages/changes.js'
import { pageQueries, type PageRecord } from '../pages/queries.js'
import { currentSnapshot, fieldsOf, snapshotOf } from '../pages/snapshot.js'
import { noSeo, restoreSeo } from '../seo/service.js'
import { parentStillFits } from '../pages/tree.js'
import { changedBy } from '../revisions/service.js'
import { pageTrashQueries, type TrashedPageContent, type TrashedPageRow, type TrashedPageSummaryRow } from './queries.js'
import type { TrashedPageBody, TrashedPageListQueryString, TrashedPageSummaryBody } from './schemas.js'

// Deleted pages, as deleted articles (trash/service.ts): out of `pages`, kept for
// `DATELINE_TRASH_DAYS` with their revisions, their slug reserved. Only editors write pages,
// so only editors see and act on their trash.

const dayMs = 24 * 60 * 60 * 1000

/** The version a trashed page's ETag carries, for `If-Match` on restore and purge. */
export function trashedPageVersion (row: Pick<TrashedPageRow, 'id' | 'version'>): string {
  return `trashed-page-${row.id}-v${row.version}`
}

/**
 * Takes a page out of `pages` into the trash, with its revisions, in the caller's transaction
 * (the pages under it have been moved up by then). With `days` 0 there is no trash: it is deleted.
 */
export async function trashPage (tx: Store, page: PageRecord, viewer: Principal, now: string, days: number): Promise<void> {
  if (days > 0) {
    const trash = pageTrashQueries(tx)
    // Frees the slugs of rows whose time is up before this one takes its place.
    notePagesPurged(tx, await trash.purgeExpired(now), now)
    const content: TrashedPageContent = { page: await currentSnapshot(tx, page), createdAt: page.createdAt, revisions: await trash.revisionsOfPage(page.id) }
    await trash.insertTrashed({
      id: page.id,
      slug: page.slug,
      title: page.title,
      status: page.status,
      parentId: page.parentId,
      version: page.version,
      trashedAt: now,
      trashedBy: changedBy(viewer),
      purgeAt: new Date(Date.parse(now) + days * dayMs).toISOString(),
      content: JSON.stringify(content)
    })
  }
  // Its revisions go with the row (a cascade); the trash holds their copy.
  await pageQueries(tx).deletePage(page.id)
}

function parseContent (row: TrashedPageRow): TrashedPageContent {
  return JSON.parse(row.content) as TrashedPageContent
}

function summaryOf (row: TrashedPageSummaryRow): TrashedPageSummaryBody {
  return {
    id: row.id,
    slug: row.slug,
    title: row.title,
    status: row.status,
    parentId: row.parentId,
    version: row.version,
    trashedAt: row.trashedAt,
    trashedBy: row.trashedBy,
    purgeAt: row.purgeAt
  }
}

export async function list (store: Store, query: TrashedPageListQueryString): Promise<Page<TrashedPageSummaryBody>> {
  const now = nowIso()
  const limit = query.limit ?? 20
  const offset = query.offset ?? 0
  const trash = pageTrashQueries(store)
  const items = (await trash.pageOfTrashed(now, limit, offset)).map(summaryOf)
  return { items, total: await trash.countTrashed(now), limit, offset, nextCursor: null }
}

/** `forUpdate`: read in a unit of work that checks the row before it restores or purges it. */
async function findTrashed (store: Store, idOrSlug: string, forUpdate = false): Promise<TrashedPageRow> {
  const trash = pageTrashQueries(store)
  const now = nowIso()
  const row = forUpdate ? await trash.trashedByIdOrSlugForUpdate(idOrSlug, now) : await trash.trashedByIdOrSlug(idOrSlug, now)
  if (row === undefined) throw new NotFound(`There is no page "${idOrSlug}" in the trash`)
  return row
}

export async function findOne (store: Store, idOrSlug: string): Promise<{ item: TrashedPageBody, version: string }> {
  const row = await findTrashed(store, idOrSlug)
  const { id, version, trashedAt, trashedBy, purgeAt } = row
  return { item: { id, version, trashedAt, trashedBy, purgeAt, ...parseContent(row).page }, version: trashedPageVersion(row) }
}

/**
 * Puts a trashed page back under its id and slug, with its revisions; its version goes up, so
 * ETags from before the trash no longer match. It goes back under its parent if that is still
 * there (else to the top level); the pages that were under it stay where its delete moved them.
 */
export async function restore (store: Store, idOrSlug: string, ifMatch: string | undefined): Promise<{ id: number }> {
  return await store.transaction(async (tx) => {
    const row = await findTrashed(tx, idOrSlug, true)
    assertIfMatch(ifMatch, trashedPageVersion(row))
    const content = parseContent(row)
    const now = nowIso()
    const fields = fieldsOf(content.page)
    const parentId = fields.parentId !== null && await parentStillFits(tx, row.id, fields.parentId) ? fields.parentId : null
    const page: PageRecord = { ...fields, parentId, id: row.id, createdAt: content.createdAt, updatedAt: now, version: row.version + 1 }
    const trash = pageTrashQueries(tx)
    await trash.reinsertPage(page)
    await restoreSeo(tx, 'page', page.id, content.page.seo)
    await trash.reinsertRevisions(content.revisions)
    await trash.deleteTrashed(row.id)
    // Every field it keeps, in the snapshot's own order (jsonb keeps keys in an order of its own).
    notePageChange(tx, { page, kind: 'restored', fields: Object.keys(snapshotOf(page, noSeo)), statusBefore: null, statusAfter: page.status, now })
    return { id: page.id }
  })
}

export async function purge (store: Store, idOrSlug: string, ifMatch: string | undefined): Promise<void> {
  await store.transaction(async (tx) => {
    const row = await findTrashed(tx, idOrSlug, true)
    assertIfMatch(ifMatch, trashedPageVersion(row))
    await pageTrashQueries(tx).deleteTrashed(row.id)
    notePagesPurged(tx, [row], nowIso())
  })
}

/** Purges every trashed page, in the caller's unit (emptying the whole trash); answers how many. */
export async function purgeAllPages (tx: Store, now: string): Promise<number> {
  const purged = await pageTrashQueries(tx).deleteAllTrashed(now)
  notePagesPurged(tx, purged, now)
  return purged.length
}

/** Purges the pages whose time in the trash is up, in the caller's unit; answers how many. */
export async function purgeExpiredPages (tx: Store, now: string): Promise<number> {
  const purged = await pageTrashQueries(tx).purgeExpired(now)
  notePagesPurged(tx, purged, now)
  return purged.length
}

/** Whether a trashed page holds this slug (it keeps it until it is purged). */
export async function slugInPageTrash (store: Store, slug: string, now: string): Promise<boolean> {
  return await pageTrashQueries(store).slugInTrash(slug, now)
}

/** Whether the page with this id is in the trash (an import leaves such pages alone). */
export async function isPageInTrash (store: Store, id: number, now: string): Promise<boolean> {
  return await pageTrashQueries(store).isTrashed(id, now)
}
