import type { Store } from '../../db/store.js'
import { Conflict, Forbidden, invalid, NotFound } from '../../errors.js'
import { assertIfMatch } from '../../lib/entity-tags.js'
import { mapPage, parseNames, parseSort, readPage, type Page } from '../../lib/list.js'
import { requestedSlug, slugify, uniqueSlug } from '../../lib/slug.js'
import { nowIso } from '../../lib/time.js'
import { hasRole, type Principal } from '../../lib/principal.js'
import { articleQueries } from '../articles/queries.js'
import { trashQueries } from '../trash/queries.js'
import { publishDueArticles } from '../articles/service.js'
import { present, type AuthorReadOptions } from './presenter.js'
import { authorQueries, type AuthorRow, type NewAuthorRow } from './queries.js'
import { authorIncludes, authorSortFields, type AuthorBody, type AuthorListQueryString, type AuthorPatchBody, type NewAuthorBody } from './schemas.js'

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
  await publishDueArticles(store)
  const row = await findRow(store, idOrSlug)
  return { author: (await present(store, [row], viewer, options))[0]!, version: authorVersion(row) }
}

export async function list (store: Store, query: AuthorListQueryString, viewer: Principal | null): Promise<Page<AuthorBody>> {
  const sort = parseSort(query.sort, authorSortFields, 'name')
  const include = parseAuthorInclude(query.include)
  const now = nowIso()
  await publishDueArticles(store, now)
  const authors = authorQueries(store)
  const page = await readPage(query, sort, {
    count: async (after) => await authors.countAuthors(now, after === undefined ? undefined : sort, after),
    fetch: async (after, limit, offset) => await authors.pageOfAuthors({ sort, now, after, limit, offset }),
    cursorOf: (result) => result.sortValues
  })
  return await mapPage(page, async (results) => await present(store, results.map((result) => result.row), viewer, { include }))
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
    return { author: (await present(tx, [row], viewer, { include: new Set() }))[0]!, version: authorVersion(row) }
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
    return { author: (await present(tx, [row], viewer, { include: new Set() }))[0]!, version: authorVersion(row) }
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
      await articleQueries(tx).reassignArticles(current.id, heir.id, nowIso())
      await trashQueries(tx).reassignTrashed(current.id, heir.id)
    } else if (articleCount > 0) {
      throw new Conflict(`The author still has ${articleCount} article${articleCount === 1 ? '' : 's'} (counting the trash); purge or reassign them (reassignTo=<author>)`)
    }
    await authorQueries(tx).deleteAuthor(current.id)
  })
}
