import type { Store } from '../../db/store.js'
import { Conflict, Forbidden, invalid, NotFound } from '../../errors.js'
import { assertIfMatch } from '../../lib/entity-tags.js'
import { mapPage, parseNames, parseSort, readPage, type Page } from '../../lib/list.js'
import { requestedSlug, slugify, uniqueSlug } from '../../lib/slug.js'
import { nowIso } from '../../lib/time.js'
import { acceptedEmail, acceptedHttpUrl, singleLine, withoutControls } from '../../lib/values.js'
import { hasRole, type Principal } from '../../lib/principal.js'
import { noteArticlesUpdated } from '../articles/changes.js'
import { articleQueries } from '../articles/queries.js'
import { trashQueries } from '../trash/queries.js'
import { currentView, viewInUnit } from '../articles/view.js'
import { present, type AuthorReadOptions } from './presenter.js'
import { authorQueries, type AuthorRow, type NewAuthorRow } from './queries.js'
import { authorIncludes, authorSortFields, type AuthorBody, type AuthorListQueryString, type AuthorPatchBody, type NewAuthorBody } from './schemas.js'
import { noteAuthorChange } from './changes.js'

/** The version an author's ETag carries, for `If-Match`. */
export function authorVersion (row: AuthorRow): string {
  return `author-${row.id}-v${row.version}`
}

export function parseAuthorInclude (raw: string | undefined): AuthorReadOptions['include'] {
  return parseNames(raw, authorIncludes, 'include')
}

/** `forUpdate`: read in a unit of work that checks the row before it writes it. */
async function findRow (store: Store, idOrSlug: string, forUpdate = false): Promise<AuthorRow> {
  const authors = authorQueries(store)
  const row = forUpdate ? await authors.authorBySlugOrIdForUpdate(idOrSlug) : await authors.authorBySlugOrId(idOrSlug)
  if (row === undefined) throw new NotFound(`There is no author "${idOrSlug}"`)
  return row
}

export async function findOne (store: Store, idOrSlug: string, viewer: Principal | null, options: AuthorReadOptions): Promise<{ author: AuthorBody, version: string }> {
  const view = await currentView(store)
  const row = await findRow(store, idOrSlug)
  return { author: (await present(store, [row], viewer, options, view))[0]!, version: authorVersion(row) }
}

export async function list (store: Store, query: AuthorListQueryString, viewer: Principal | null): Promise<Page<AuthorBody>> {
  const sort = parseSort(query.sort, authorSortFields, 'name')
  const include = parseAuthorInclude(query.include)
  const view = await currentView(store)
  const { now } = view
  const authors = authorQueries(store)
  const page = await readPage(query, sort, {
    count: async (after) => await authors.countAuthors(now, after === undefined ? undefined : sort, after),
    fetch: async (after, limit, offset) => await authors.pageOfAuthors({ sort, now, after, limit, offset }),
    cursorOf: (result) => result.sortValues
  })
  return await mapPage(page, async (results) => await present(store, results.map((result) => result.row), viewer, { include }, view))
}

async function resolveSlug (store: Store, requested: string | undefined, name: string, exceptId?: number): Promise<string> {
  const taken = async (candidate: string) => await authorQueries(store).authorSlugTaken(candidate, exceptId)
  if (requested !== undefined) return await requestedSlug(requested, taken)
  return await uniqueSlug(slugify(name, 'author'), taken)
}

export async function createOne (store: Store, input: NewAuthorBody, viewer: Principal | null): Promise<{ author: AuthorBody, version: string }> {
  return await store.transaction(async (tx) => {
    const now = nowIso()
    const row = await authorQueries(tx).insertAuthor({
      slug: await resolveSlug(tx, input.slug, input.name),
      name: input.name.trim(),
      bio: input.bio ?? null,
      avatarUrl: input.avatarUrl ?? null,
      url: input.url ?? null,
      email: input.email ?? null,
      createdAt: now,
      updatedAt: now
    })
    noteAuthorChange(tx, { after: row, now })
    return { author: (await present(tx, [row], viewer, { include: new Set() }, viewInUnit(now)))[0]!, version: authorVersion(row) }
  })
}

/** Editors edit any author; an author token edits its own profile. */
function assertMayEdit (viewer: Principal | null, row: AuthorRow): void {
  if (hasRole(viewer, 'editor') || viewer?.authorId === row.id) return
  throw new Forbidden('An author token may edit only its own author profile')
}

export async function updateOne (store: Store, idOrSlug: string, patch: AuthorPatchBody, viewer: Principal | null, ifMatch: string | undefined): Promise<{ author: AuthorBody, version: string }> {
  return await store.transaction(async (tx) => {
    const current = await findRow(tx, idOrSlug, true)
    assertMayEdit(viewer, current)
    assertIfMatch(ifMatch, authorVersion(current))
    const values: Partial<NewAuthorRow> = { updatedAt: nowIso() }
    if (patch.name !== undefined) values.name = patch.name.trim()
    if (patch.slug !== undefined && patch.slug !== current.slug) values.slug = await resolveSlug(tx, patch.slug, current.name, current.id)
    if (patch.bio !== undefined) values.bio = patch.bio
    if (patch.avatarUrl !== undefined) values.avatarUrl = patch.avatarUrl
    if (patch.url !== undefined) values.url = patch.url
    if (patch.email !== undefined) values.email = patch.email
    const row = await authorQueries(tx).updateAuthor(current.id, values)
    noteAuthorChange(tx, { before: current, after: row, now: values.updatedAt! })
    return { author: (await present(tx, [row], viewer, { include: new Set() }, viewInUnit()))[0]!, version: authorVersion(row) }
  })
}

/**
 * Deletes an author. While they have articles this is a 409, unless `reassignTo` names
 * another author to take them over, in the same transaction.
 */
export async function removeOne (store: Store, idOrSlug: string, reassignTo: string | undefined, ifMatch: string | undefined): Promise<void> {
  await store.transaction(async (tx) => {
    const current = await findRow(tx, idOrSlug, true)
    assertIfMatch(ifMatch, authorVersion(current))
    // Trashed articles count: they may be restored, and must find their author.
    const articleCount = await articleQueries(tx).articleCountByAuthor(current.id) + await trashQueries(tx).trashedCountByAuthor(current.id)
    if (reassignTo !== undefined) {
      // Locked too: deleted meanwhile, it would leave the articles an author that is not there.
      const heir = await authorQueries(tx).authorBySlugOrIdForUpdate(reassignTo)
      if (heir === undefined) throw invalid('querystring.reassignTo', `"${reassignTo}" is not an author`)
      if (heir.id === current.id) throw invalid('querystring.reassignTo', 'must be another author')
      const now = nowIso()
      // A mirror has the articles under the author being deleted: each entry says to read it again.
      noteArticlesUpdated(tx, await articleQueries(tx).reassignArticles(current.id, heir.id, now), ['authorId'], now)
      // Trashed articles serve nothing: a restore logs them, under their author then.
      await trashQueries(tx).reassignTrashed(current.id, heir.id)
    } else if (articleCount > 0) {
      throw new Conflict(`The author still has ${articleCount} article${articleCount === 1 ? '' : 's'} (counting the trash); purge or reassign them (reassignTo=<author>)`)
    }
    // Articles they co-author stay with their other authors: the byline just loses a name (the primary's count above is what blocks).
    noteArticlesUpdated(tx, await articleQueries(tx).dropCoAuthor(current.id, nowIso()), ['authorIds'], nowIso())
    await authorQueries(tx).deleteAuthor(current.id)
    noteAuthorChange(tx, { before: current, now: nowIso() })
  })
}

/** An author as an import brings it, in our terms (see src/resources/import/). */
export interface ImportedAuthorValues {
  /** As the source has it: made one line here, "Unknown author" when nothing is left. */
  name: string
  /** The slug the source used; made unique, or derived from the name when null. */
  slug: string | null
  bio: string | null
  /** Kept when an http(s) address, as the email when one; dropped otherwise. */
  avatarUrl: string | null
  url: string | null
  email: string | null
  createdAt: string
  updatedAt: string
  /** Our id to give a new author when it is free (a round trip of our own export). */
  preferredId?: number
}

/**
 * An author an import may update, by id: locked until the import's unit ends, so an author
 * deleted meanwhile is found gone (and made again) rather than updated after it went.
 */
export async function findImportedAuthor (tx: Store, id: number): Promise<AuthorRow | undefined> {
  return await authorQueries(tx).authorByIdForUpdate(id)
}

/**
 * Creates an imported author, or rewrites `existing` with what the source now says, by the
 * rules an author follows (one-line name, unique slug, only addresses that are addresses),
 * with the source's own times. Runs inside the import's transaction.
 */
export async function writeImportedAuthor (tx: Store, input: ImportedAuthorValues, existing: AuthorRow | undefined): Promise<AuthorRow> {
  const authors = authorQueries(tx)
  const values = {
    name: singleLine(input.name, 120) || 'Unknown author',
    bio: input.bio === null ? null : [...withoutControls(input.bio)].slice(0, 5000).join(''),
    avatarUrl: acceptedHttpUrl(input.avatarUrl),
    url: acceptedHttpUrl(input.url),
    email: acceptedEmail(input.email),
    updatedAt: input.updatedAt
  }
  const preferredIdFree = existing === undefined && input.preferredId !== undefined && await authors.authorById(input.preferredId) === undefined
  const row = existing !== undefined
    ? await authors.updateAuthor(existing.id, values)
    : await authors.insertAuthor({
      ...values,
      ...(preferredIdFree ? { id: input.preferredId } : {}),
      slug: await uniqueSlug(slugify(input.slug ?? values.name, 'author'), async (candidate) => await authors.authorSlugTaken(candidate)),
      createdAt: input.createdAt
    })
  noteAuthorChange(tx, { before: existing, after: row, now: nowIso() })
  return row
}

// Articles an import brings without an author it knows are given to this one.
const fallbackAuthorSlug = 'imported'

/** The author imports give articles whose author is not in the file, if there is one yet (locked, as above). */
export async function findImportFallbackAuthor (tx: Store): Promise<AuthorRow | undefined> {
  return await authorQueries(tx).authorBySlugOrIdForUpdate(fallbackAuthorSlug)
}

export async function createImportFallbackAuthor (tx: Store, now: string): Promise<AuthorRow> {
  const row = await authorQueries(tx).insertAuthor({ slug: fallbackAuthorSlug, name: 'Imported', bio: 'Articles whose author was not in the imported file.', createdAt: now, updatedAt: now })
  noteAuthorChange(tx, { after: row, now })
  return row
}
