import { redirectStatuses, type RedirectStatus } from '../../db/schema.js'
import type { Store } from '../../db/store.js'
import { conflictOn, invalid, NotFound } from '../../errors.js'
import { assertIfMatch } from '../../lib/entity-tags.js'
import { mapPage, readPage, type Page, type PageRequest } from '../../lib/list.js'
import type { Principal } from '../../lib/principal.js'
import { articlePathOf, canonicalPath, type ArticlePathParts } from '../../lib/site-paths.js'
import { nowIso } from '../../lib/time.js'
import { articleNamed, formerlyNamed } from '../articles/service.js'
import { isSitePath, pathOf, redirectTarget, requestedAddress, sourcePath, withQuery } from './paths.js'
import { redirectQueries, type NewRedirectRow, type RedirectRow } from './queries.js'
import type { NewRedirectBody, RedirectBody, RedirectMatchBody, RedirectPatchBody } from './schemas.js'

// Where a path on the front end has moved: an editor's redirect from it, or, for an article's
// path under a slug the article had before (or its id where the slug goes), the article's
// path now. Redirects may lead on to each other; a lookup answers the end of the chain.

/** Hops a lookup follows, and the longest chain of editors' redirects a write may make. */
export const maxHops = 8

/** How the site's front end spells an article's path: the template and its reader (lib/site-paths.ts). */
export interface ArticlePaths {
  template: string
  read: (path: string) => ArticlePathParts | null
}

export function redirectVersion (row: RedirectRow): string {
  return `redirect-${row.id}-v${row.version}`
}

function present (row: RedirectRow): RedirectBody {
  return { id: row.id, from: row.fromPath, to: row.target, status: row.status as RedirectStatus, createdAt: row.createdAt, updatedAt: row.updatedAt }
}

const isTemporary = (status: RedirectStatus): boolean => status === 302 || status === 307

/** A chain is moved for good only if each hop is: a temporary hop makes the whole temporary, keeping the first hop's method rule. */
function chainedStatus (first: RedirectStatus, next: RedirectStatus): RedirectStatus {
  if (isTemporary(first) || !isTemporary(next)) return first
  return first === 308 ? 307 : 302
}

interface Hop {
  target: string
  status: RedirectStatus
  redirectId: number | null
}

/** The id or slug an article path names, as a read by `{id}` in the API takes it. */
function articleKey (parts: ArticlePathParts): string {
  return parts.id === undefined ? parts.slug! : String(parts.id)
}

/** Where the article a front-end path names has moved, if it has: null when the path is its path now, or names none the viewer sees. */
async function articleHop (store: Store, path: string, paths: ArticlePaths, viewer: Principal | null): Promise<Hop | null> {
  const parts = paths.read(path)
  if (parts === null) return null
  const named = await articleNamed(store, articleKey(parts), viewer)
  const article = named === undefined && parts.id === undefined ? await formerlyNamed(store, parts.slug!, viewer) : named
  if (article === undefined || article === null || article === 'hidden') return null
  const now = articlePathOf(paths.template, article)
  return canonicalPath(now) === path ? null : { target: now, status: 301, redirectId: null }
}

/** A site target's path in its one spelling, as redirects are kept from. */
function pathAt (target: string): string {
  return canonicalPath(pathOf(target))
}

async function nextHop (store: Store, path: string, paths: ArticlePaths, viewer: Principal | null): Promise<Hop | null> {
  const redirect = await redirectQueries(store).redirectFrom(path)
  if (redirect !== undefined) return { target: redirect.target, status: redirect.status as RedirectStatus, redirectId: redirect.id }
  return await articleHop(store, path, paths, viewer)
}

/**
 * Where a path on the front end has moved to, as `viewer` may be sent: 404 when it has not
 * moved, when its chain loops, or when it ends at an article the viewer may not see (a reader
 * is never sent to a draft). The query the path was asked with is carried to the location.
 */
export async function lookUp (store: Store, requested: string, paths: ArticlePaths, viewer: Principal | null): Promise<RedirectMatchBody> {
  const { path, query } = requestedAddress(requested, 'querystring.path')
  const notMoved = new NotFound(`Nothing redirects from ${path}`)
  const seen = new Set([path])
  let first: Hop | null = null
  let status: RedirectStatus | null = null
  let target = path
  for (let hops = 0; hops < maxHops && isSitePath(target); hops++) {
    const hop = await nextHop(store, pathAt(target), paths, viewer)
    if (hop === null) break
    if (isSitePath(hop.target) && seen.has(pathAt(hop.target))) throw notMoved
    seen.add(pathAt(hop.target))
    first ??= hop
    status = status === null ? hop.status : chainedStatus(status, hop.status)
    target = hop.target
  }
  if (first === null || status === null) throw notMoved
  if (isSitePath(target)) {
    const parts = paths.read(pathAt(target))
    if (parts !== null && await articleNamed(store, articleKey(parts), viewer) === 'hidden') throw notMoved
  }
  return { path, location: withQuery(target, query), status, redirectId: first.redirectId }
}

async function findRow (store: Store, id: number, forUpdate = false): Promise<RedirectRow> {
  const redirects = redirectQueries(store)
  const row = forUpdate ? await redirects.redirectByIdForUpdate(id) : await redirects.redirectById(id)
  if (row === undefined) throw new NotFound(`There is no redirect ${id}`)
  return row
}

async function assertFromFree (store: Store, from: string, exceptId?: number): Promise<void> {
  const holder = await redirectQueries(store).redirectFrom(from)
  if (holder !== undefined && holder.id !== exceptId) throw conflictOn('body.from', `Redirect ${holder.id} is already from ${from}`)
}

/**
 * Refuses a redirect to its own path, or one that editors' redirects would lead back from to
 * where it starts (a loop no reader gets out of), or on past `maxHops`.
 */
async function assertLeadsAway (store: Store, from: string, target: string, exceptId?: number, field = 'body.to'): Promise<void> {
  let next = target
  for (let hops = 1; isSitePath(next); hops++) {
    if (pathAt(next) === from) throw invalid(field, hops === 1 ? 'points at its own path' : 'leads back to where it is from through other redirects')
    if (hops > maxHops) throw invalid(field, `leads on through more than ${maxHops} redirects`)
    const onward = await redirectQueries(store).redirectFrom(pathAt(next))
    if (onward === undefined || onward.id === exceptId) return
    next = onward.target
  }
}

function noteRedirectChange (tx: Store, row: RedirectRow, kind: 'created' | 'updated' | 'deleted', fields: string[], at: string): void {
  // Editors' business, like the list: readers meet redirects one path at a time.
  tx.noteChange({ resource: 'redirect', resourceId: String(row.id), slug: null, kind, fields, articleId: null, authorId: null, publicBefore: false, publicAfter: false, at })
}

/** A redirect an import brings (our own export's): created, or the one from the same path brought up to it; skipped, with why, if the API would refuse it. */
export async function writeImportedRedirect (tx: Store, input: { from: string, to: string, status: number, createdAt: string, updatedAt: string }): Promise<'created' | 'updated' | 'unchanged' | { skipped: string }> {
  if (!(redirectStatuses as readonly number[]).includes(input.status)) return { skipped: `${input.status} is not a redirect status` }
  const redirects = redirectQueries(tx)
  let from: string
  let target: string
  try {
    from = sourcePath(input.from, 'from')
    target = redirectTarget(input.to, 'to')
    const existing = await redirects.redirectFrom(from)
    if (existing !== undefined && existing.target === target && existing.status === input.status) return 'unchanged'
    await assertLeadsAway(tx, from, target, existing?.id, 'to')
    if (existing === undefined) {
      const row = await redirects.insertRedirect({ fromPath: from, target, status: input.status, version: 1, createdAt: input.createdAt, updatedAt: input.updatedAt })
      noteRedirectChange(tx, row, 'created', ['from', 'to', 'status'], input.updatedAt)
      return 'created'
    }
    const row = await redirects.updateRedirect(existing.id, { target, status: input.status, version: existing.version + 1, updatedAt: input.updatedAt })
    noteRedirectChange(tx, row, 'updated', ['to', 'status'], input.updatedAt)
    return 'updated'
  } catch (error) {
    // The API's refusals (a bad path, a loop) skip the line; anything else is the import's failure.
    if ((error as { errors?: unknown }).errors === undefined) throw error
    return { skipped: (error as Error).message }
  }
}

export async function createOne (store: Store, input: NewRedirectBody): Promise<{ redirect: RedirectBody, version: string }> {
  const from = sourcePath(input.from, 'body.from')
  const target = redirectTarget(input.to, 'body.to')
  return await store.transaction(async (tx) => {
    await assertFromFree(tx, from)
    await assertLeadsAway(tx, from, target)
    const now = nowIso()
    const row = await redirectQueries(tx).insertRedirect({ fromPath: from, target, status: input.status ?? 301, version: 1, createdAt: now, updatedAt: now })
    noteRedirectChange(tx, row, 'created', ['from', 'to', 'status'], now)
    return { redirect: present(row), version: redirectVersion(row) }
  })
}

export async function findOne (store: Store, id: number): Promise<{ redirect: RedirectBody, version: string }> {
  const row = await findRow(store, id)
  return { redirect: present(row), version: redirectVersion(row) }
}

export async function pageOfRedirects (store: Store, request: PageRequest): Promise<Page<RedirectBody>> {
  const redirects = redirectQueries(store)
  const page = await readPage(request, [], {
    count: async (after) => await redirects.countRedirects(after === undefined ? undefined : Number(after[0])),
    fetch: async (after, limit, offset) => await redirects.pageOfRedirects(after === null ? null : Number(after[0]), limit, offset),
    cursorOf: (row) => [row.id]
  })
  return await mapPage(page, (rows) => rows.map(present))
}

export async function updateOne (store: Store, id: number, patch: RedirectPatchBody, ifMatch: string | undefined): Promise<{ redirect: RedirectBody, version: string }> {
  const from = patch.from === undefined ? undefined : sourcePath(patch.from, 'body.from')
  const target = patch.to === undefined ? undefined : redirectTarget(patch.to, 'body.to')
  return await store.transaction(async (tx) => {
    const current = await findRow(tx, id, true)
    assertIfMatch(ifMatch, redirectVersion(current))
    const values: Partial<NewRedirectRow> = {}
    if (from !== undefined && from !== current.fromPath) values.fromPath = from
    if (target !== undefined && target !== current.target) values.target = target
    if (patch.status !== undefined && patch.status !== current.status) values.status = patch.status
    if (Object.keys(values).length === 0) return { redirect: present(current), version: redirectVersion(current) }
    if (values.fromPath !== undefined) await assertFromFree(tx, values.fromPath, id)
    await assertLeadsAway(tx, values.fromPath ?? current.fromPath, values.target ?? current.target, id)
    const now = nowIso()
    const row = await redirectQueries(tx).updateRedirect(id, { ...values, version: current.version + 1, updatedAt: now })
    const fields = [['fromPath', 'from'], ['target', 'to'], ['status', 'status']].filter(([column]) => column! in values).map(([, field]) => field!)
    noteRedirectChange(tx, row, 'updated', fields, now)
    return { redirect: present(row), version: redirectVersion(row) }
  })
}

export async function removeOne (store: Store, id: number, ifMatch: string | undefined): Promise<void> {
  await store.transaction(async (tx) => {
    const current = await findRow(tx, id, true)
    assertIfMatch(ifMatch, redirectVersion(current))
    await redirectQueries(tx).deleteRedirect(id)
    noteRedirectChange(tx, current, 'deleted', [], nowIso())
  })
}
