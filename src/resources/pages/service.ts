import type { Store } from '../../db/store.js'
import { Conflict, NotFound } from '../../errors.js'
import { assertIfMatch } from '../../lib/entity-tags.js'
import { deriveExcerpt, sanitizeArticleHtml } from '../../lib/html.js'
import { mapPage, readPage, type Page } from '../../lib/list.js'
import { hasRole, type Principal } from '../../lib/principal.js'
import { requestedSlug, slugify, uniqueSlug } from '../../lib/slug.js'
import { nowIso } from '../../lib/time.js'
import { isVisibleText, singleLine } from '../../lib/values.js'
import type { SiteSettings } from '../../lib/site-settings.js'
import { assertParentFits } from '../../lib/tree.js'
import { bodyHtml, customExcerpt } from '../articles/service.js'
import { findOne as revisionOf, keepPageRevision } from '../page-revisions/service.js'
import { restore as restoreTrashed, slugInPageTrash, trashPage } from '../page-trash/service.js'
import { kindOfEdit, notePageChange } from './changes.js'
import { pageQueries, type PageFields, type PageLink, type PageRecord, type PageStatus } from './queries.js'
import { pageTree, parentStillFits } from './tree.js'
import { imageStill, noSeo, presentSeo, seoValuesOf, writeSeo } from '../seo/service.js'
import type { SeoBody } from '../seo/schemas.js'
import { childrenListed, maxPosition, type NewPageBody, type PageBody, type PageListQueryString, type PagePatchBody } from './schemas.js'

// Pages are the site's, not a writer's: about, contact, masthead. So they have no author and
// only editors write them; authors read them as readers do (drafts hidden). Like articles, they
// keep revisions (page-revisions/) and go to a trash when deleted (page-trash/).

/** The children one delete moves up to the deleted page's parent, in its one unit of work. */
export const maxChildrenMoved = 1000

function seesDrafts (viewer: Principal | null): boolean {
  return hasRole(viewer, 'editor')
}

function visibleTo (page: { status: string }, viewer: Principal | null): boolean {
  return page.status === 'published' || seesDrafts(viewer)
}

/** The version a page's ETag carries, for `If-Match`. */
export function pageVersion (page: Pick<PageRecord, 'id' | 'version'>): string {
  return `page-${page.id}-v${page.version}`
}

function present ({ id, slug, title, excerpt, status, parentId, position, createdAt, updatedAt, body }: PageRecord, seo: SeoBody): PageBody {
  return { id, slug, title, excerpt, status, parentId, position, seo, createdAt, updatedAt, body }
}

/** API objects for pages, their search and social metadata read for all of them at once. */
async function presentAll (store: Store, pages: PageRecord[]): Promise<PageBody[]> {
  const seo = await presentSeo(store, 'page', pages.map((page) => page.id))
  return pages.map((page) => present(page, seo.get(page.id)!))
}

async function presentOne (store: Store, page: PageRecord): Promise<PageBody> {
  return (await presentAll(store, [page]))[0]!
}

function summary ({ id, slug, title, status, position }: PageLink): PageLink {
  return { id, slug, title, status, position }
}

async function findRecord (store: Store, idOrSlug: string, viewer: Principal | null, forUpdate = false): Promise<PageRecord> {
  const pages = pageQueries(store)
  const page = forUpdate ? await pages.pageBySlugOrIdForUpdate(idOrSlug) : await pages.pageBySlugOrId(idOrSlug)
  // A draft is not there for readers, as the list does not show it to them either.
  if (page === undefined || !visibleTo(page, viewer)) throw new NotFound(`There is no page "${idOrSlug}"`)
  return page
}

/** The list's one order (a cursor carries it): the id follows, added by the query module. */
const treeOrder = ['parent', 'position', 'title'].map((field) => ({ field, descending: false }))

/** Pages in tree order (top level first, then each parent's by position); drafts for editors only. */
export async function list (store: Store, query: PageListQueryString, viewer: Principal | null): Promise<Page<PageBody>> {
  const publishedOnly = !seesDrafts(viewer)
  const parentId = query.parent === undefined ? undefined : query.parent === 'none' ? null : (await findRecord(store, query.parent, viewer)).id
  const filters = { publishedOnly, ...(parentId === undefined ? {} : { parentId }), ...(query.noindex === undefined ? {} : { noindex: query.noindex }) }
  const pages = pageQueries(store)
  const page = await readPage(query, treeOrder, {
    count: async (after) => await pages.countPages(filters, after),
    fetch: async (after, limit, offset) => await pages.listPages({ filters, after, limit, offset }),
    cursorOf: (row) => row.sortValues
  })
  return await mapPage(page, async (rows) => await presentAll(store, rows))
}

/** A page with its parent and the pages right under it, as far as the reader may see them. */
export async function findOne (store: Store, idOrSlug: string, viewer: Principal | null): Promise<{ page: PageBody, version: string }> {
  const pages = pageQueries(store)
  const page = await findRecord(store, idOrSlug, viewer)
  const parent = page.parentId === null ? undefined : await pages.pageBySlugOrId(String(page.parentId))
  const children = await pages.childrenOf(page.id, !seesDrafts(viewer), childrenListed)
  return {
    page: {
      ...await presentOne(store, page),
      parent: parent === undefined || !visibleTo(parent, viewer) ? null : summary(parent),
      children: children.map(summary)
    },
    version: pageVersion(page)
  }
}

/** A page in the history routes (revisions): an editor's, who sees drafts too. */
export async function findPageForHistory (store: Store, idOrSlug: string, viewer: Principal): Promise<PageRecord> {
  return await findRecord(store, idOrSlug, viewer)
}

/** Whether another page has the slug, or a trashed page keeps it for its restore. */
async function slugTaken (tx: Store, slug: string, exceptId?: number): Promise<boolean> {
  return await pageQueries(tx).pageSlugTaken(slug, exceptId) || await slugInPageTrash(tx, slug, nowIso())
}

async function resolveSlug (tx: Store, requested: string | undefined, title: string, exceptId?: number): Promise<string> {
  const taken = async (candidate: string): Promise<boolean> => await slugTaken(tx, candidate, exceptId)
  if (requested !== undefined) return await requestedSlug(requested, taken)
  return await uniqueSlug(slugify(title, 'page'), taken)
}

export async function createOne (store: Store, input: NewPageBody, viewer: Principal): Promise<{ page: PageBody, version: string }> {
  return await store.transaction(async (tx) => {
    const now = nowIso()
    const parentId = input.parentId ?? null
    if (parentId !== null) await assertParentFits(pageTree(tx), undefined, parentId)
    const body = bodyHtml(input) ?? ''
    const custom = customExcerpt(input.excerpt)
    const fields: PageFields = {
      slug: await resolveSlug(tx, input.slug, input.title),
      title: input.title,
      status: input.status ?? 'draft',
      parentId,
      position: input.position ?? 0,
      customExcerpt: custom,
      excerpt: custom ?? deriveExcerpt(body),
      body
    }
    const id = await pageQueries(tx).insertPage({ ...fields, createdAt: now, updatedAt: now })
    const page: PageRecord = { id, ...fields, createdAt: now, updatedAt: now, version: 1 }
    const seo = await writeSeo(tx, 'page', id, noSeo, input.seo, viewer)
    notePageChange(tx, { page, kind: 'created', fields: ['title', ...(seo ? ['seo'] : [])], statusBefore: null, statusAfter: page.status, now })
    return { page: await presentOne(tx, page), version: pageVersion(page) }
  })
}

/** The fields a patch changes, with their new values. */
async function changedFields (tx: Store, current: PageRecord, patch: PagePatchBody): Promise<Partial<PageFields>> {
  const changed: Partial<PageFields> = {}
  if (patch.title !== undefined && patch.title !== current.title) changed.title = patch.title
  if (patch.slug !== undefined && patch.slug !== current.slug) changed.slug = await resolveSlug(tx, patch.slug, patch.title ?? current.title, current.id)
  if (patch.status !== undefined && patch.status !== current.status) changed.status = patch.status
  if (patch.position !== undefined && patch.position !== current.position) changed.position = patch.position
  if (patch.parentId !== undefined && patch.parentId !== current.parentId) {
    if (patch.parentId !== null) await assertParentFits(pageTree(tx), current.id, patch.parentId)
    changed.parentId = patch.parentId
  }
  const body = bodyHtml(patch)
  if (body !== undefined && body !== current.body) changed.body = body
  if (patch.excerpt !== undefined || changed.body !== undefined) {
    const custom = patch.excerpt === undefined ? current.customExcerpt : customExcerpt(patch.excerpt)
    const excerpt = custom ?? deriveExcerpt(changed.body ?? current.body)
    if (custom !== current.customExcerpt) changed.customExcerpt = custom
    if (excerpt !== current.excerpt) changed.excerpt = excerpt
  }
  return changed
}

/** Changes a page; the version it replaces is kept as a revision (none when nothing changed). */
export async function updateOne (store: Store, settings: Pick<SiteSettings, 'revisionsKept'>, idOrSlug: string, patch: PagePatchBody, ifMatch: string | undefined, viewer: Principal): Promise<{ page: PageBody, version: string }> {
  return await store.transaction(async (tx) => {
    const current = await findRecord(tx, idOrSlug, viewer, true)
    assertIfMatch(ifMatch, pageVersion(current))
    const changed = await changedFields(tx, current, patch)
    const seoBefore = (await seoValuesOf(tx, 'page', [current.id])).get(current.id)!
    const seoChanged = await writeSeo(tx, 'page', current.id, seoBefore, patch.seo, viewer)
    // The derived excerpt follows the body: the API names the fields a client sent.
    const fields = [...Object.keys(changed).filter((field) => field !== 'customExcerpt'), ...(seoChanged ? ['seo'] : [])]
    if (fields.length === 0) return { page: await presentOne(tx, current), version: pageVersion(current) }
    const now = nowIso()
    await keepPageRevision(tx, current, seoBefore, viewer, now, settings.revisionsKept)
    await pageQueries(tx).updatePage(current.id, { ...changed, updatedAt: now })
    const page: PageRecord = { ...current, ...changed, updatedAt: now, version: current.version + 1 }
    notePageChange(tx, { page, kind: kindOfEdit(current.status, page.status), fields, statusBefore: current.status, statusAfter: page.status, now })
    return { page: await presentOne(tx, page), version: pageVersion(page) }
  })
}

/**
 * Makes an earlier revision the page again: an update like any other (so the version it
 * replaces is kept as a revision too, and `If-Match` guards it). A parent deleted since, or
 * one the page no longer fits under, is not restored: the page stays where it is.
 */
export async function restoreRevision (store: Store, settings: Pick<SiteSettings, 'revisionsKept'>, idOrSlug: string, number: number, viewer: Principal, ifMatch: string | undefined): Promise<{ page: PageBody, version: string }> {
  const current = await findRecord(store, idOrSlug, viewer)
  const { snapshot } = await revisionOf(store, current, number)
  const parentFits = snapshot.parentId === null || snapshot.parentId === current.parentId || await parentStillFits(store, current.id, snapshot.parentId)
  const seo = { ...snapshot.seo, socialImage: await imageStill(store, snapshot.seo.socialImage) }
  return await updateOne(store, settings, String(current.id), { ...snapshot, seo, parentId: parentFits ? snapshot.parentId : current.parentId }, ifMatch, viewer)
}

/**
 * Deletes a page: to the trash (for `settings.trashDays`, as articles), from where it can be
 * restored; for good when that is 0. The pages under it move up to its parent, as WordPress does.
 */
export async function removeOne (store: Store, settings: Pick<SiteSettings, 'trashDays'>, idOrSlug: string, ifMatch: string | undefined, viewer: Principal): Promise<void> {
  await store.transaction(async (tx) => {
    const pages = pageQueries(tx)
    const current = await findRecord(tx, idOrSlug, viewer, true)
    assertIfMatch(ifMatch, pageVersion(current))
    const children = await pages.childCount(current.id)
    if (children > maxChildrenMoved) throw new Conflict(`Page ${current.id} has ${children} pages under it; at most ${maxChildrenMoved} are moved up in one request: move some first (PATCH /v1/pages/{id} with parentId)`)
    const now = nowIso()
    for (const child of await pages.moveChildren(current.id, current.parentId, now)) {
      notePageChange(tx, { page: child, kind: 'updated', fields: ['parentId'], statusBefore: child.status, statusAfter: child.status, now })
    }
    await trashPage(tx, current, viewer, now, settings.trashDays)
    notePageChange(tx, { page: current, kind: settings.trashDays > 0 ? 'trashed' : 'deleted', fields: [], statusBefore: current.status, statusAfter: null, now })
  })
}

/** Brings a page back from the trash and answers it as a read would. */
export async function restoreFromTrash (store: Store, idOrSlug: string, viewer: Principal, ifMatch: string | undefined): Promise<{ page: PageBody, version: string }> {
  const { id } = await restoreTrashed(store, idOrSlug, ifMatch)
  return await findOne(store, String(id), viewer)
}

export interface ImportedPageInput {
  title: string
  /** The file's slug: kept when free, else one derived as for a new page. */
  slug: string | null
  /** HTML as the file has it: sanitised here. */
  body: string
  excerpt: string | null
  status: PageStatus
  position: number
  createdAt: string
  updatedAt: string
}

/** A page locked for an import's write, or undefined when it is gone. */
export async function findImportedPage (tx: Store, id: number): Promise<PageRecord | undefined> {
  return await pageQueries(tx).pageBySlugOrIdForUpdate(String(id))
}

/**
 * A page an import writes (a WordPress or Blogger page, a page line of our export): new, or
 * the one an earlier import of the same row made (`existing`), which keeps its slug and parent.
 */
export async function writeImportedPage (tx: Store, input: ImportedPageInput, existing: PageRecord | undefined, now: string): Promise<number> {
  const pages = pageQueries(tx)
  const line = singleLine(input.title, 300)
  const title = isVisibleText(line) ? line : 'Untitled page'
  const body = sanitizeArticleHtml(input.body)
  const excerptText = input.excerpt === null ? '' : [...singleLine(input.excerpt, 1000)].join('')
  const customExcerpt = excerptText === '' ? null : excerptText
  const common = { title, body, customExcerpt, excerpt: customExcerpt ?? deriveExcerpt(body), status: input.status, position: Math.min(Math.max(0, input.position), maxPosition) }
  if (existing !== undefined) {
    await pages.updatePage(existing.id, { ...common, updatedAt: input.updatedAt })
    notePageChange(tx, { page: existing, kind: kindOfEdit(existing.status, input.status), fields: ['title', 'body', 'excerpt', 'status', 'position'], statusBefore: existing.status, statusAfter: input.status, now })
    return existing.id
  }
  const slug = await uniqueSlug(slugify(input.slug ?? title, 'page'), async (candidate) => await slugTaken(tx, candidate))
  const id = await pages.insertPage({ ...common, slug, parentId: null, createdAt: input.createdAt, updatedAt: input.updatedAt })
  notePageChange(tx, { page: { id, slug }, kind: 'created', fields: ['title'], statusBefore: null, statusAfter: input.status, now })
  return id
}

/** Puts an imported page under the parent its file names; answers why not when that would close a cycle or nest too deep. */
export async function setImportedPageParent (tx: Store, id: number, parentId: number | null, now: string): Promise<string | null> {
  const current = await findImportedPage(tx, id)
  if (current === undefined || current.parentId === parentId) return null
  if (parentId !== null) {
    try {
      await assertParentFits(pageTree(tx), id, parentId)
    } catch (error) {
      const problem = (error as { errors?: Array<{ message: string }> }).errors?.[0]
      if (problem === undefined) throw error
      return `its parent is not kept: it ${problem.message}`
    }
  }
  await pageQueries(tx).updatePage(id, { parentId, updatedAt: current.updatedAt })
  notePageChange(tx, { page: current, kind: 'updated', fields: ['parentId'], statusBefore: current.status, statusAfter: current.status, now })
  return null
}
