import { UntilNextWrite, type Store } from '../../db/store.js'
import { Conflict, Forbidden, invalid, NotFound } from '../../errors.js'
import { assertIfMatch } from '../../plugins/http-cache.js'
import { mapPage, parseNames, parseSort, readPage, type Page } from '../../lib/list.js'
import { requestedSlug, slugify, uniqueSlug } from '../../lib/slug.js'
import { nowIso } from '../../lib/time.js'
import { hasRole } from '../../plugins/auth.js'
import type { Principal } from '../tokens/service.js'
import { articleQueries } from '../articles/queries.js'
import { trashQueries } from '../trash/queries.js'
import { toArticleSummaries } from '../articles/service.js'
import { currentView, viewInUnit, type View } from '../articles/view.js'
import { authorQueries, type AuthorRow, type NewAuthorRow } from './queries.js'
import { authorIncludes, authorSortFields, type AuthorBody, type AuthorListQueryString, type AuthorPatchBody, type NewAuthorBody } from './schemas.js'

/** The version an author's ETag carries, for `If-Match`. */
export function authorVersion (row: AuthorRow): string {
  return `author-${row.id}-v${row.version}`
}

/** Editors, admins and the author themselves see the private `email`. */
function seesEmail (viewer: Principal | null, row: AuthorRow): boolean {
  return hasRole(viewer, 'editor') || viewer?.authorId === row.id
}

const latestArticlesPerAuthor = 10

export interface AuthorReadOptions {
  include: Set<(typeof authorIncludes)[number]>
}

export function parseAuthorInclude (raw: string | undefined): AuthorReadOptions['include'] {
  return parseNames(raw, authorIncludes, 'include')
}

// Kept until the next write: at a million articles, counting a page's authors took 17 ms.
const publishedCountCache = new UntilNextWrite<number>(10_000)

async function publishedCountsByAuthor (store: Store, ids: number[], view: View): Promise<Map<number, number>> {
  if (ids.length === 0) return new Map()
  // `now` is left out of the key: a scheduled article is published by a write.
  const counted = await publishedCountCache.getMany(store, view.stamp, ids.map(String), async (missing) => {
    const counts = await authorQueries(store).publishedCountsByAuthor(missing.map(Number), view.now)
    return new Map([...counts].map(([id, count]) => [String(id), count]))
  })
  return new Map([...counted].map(([id, count]) => [Number(id), count]))
}

/** API objects for rows, with counts and embeds fetched for all rows at once. */
async function present (store: Store, rows: AuthorRow[], viewer: Principal | null, options: AuthorReadOptions, view: View): Promise<AuthorBody[]> {
  const ids = rows.map((row) => row.id)
  const counts = await publishedCountsByAuthor(store, ids, view)
  const latest = options.include.has('articles') ? await articleQueries(store).latestSummariesByAuthor(ids, latestArticlesPerAuthor, view.now) : null
  const summaries = latest === null ? null : await toArticleSummaries(store, latest)
  return rows.map((row) => {
    const author: AuthorBody = {
      id: row.id,
      slug: row.slug,
      name: row.name,
      bio: row.bio,
      avatarUrl: row.avatarUrl,
      url: row.url,
      articleCount: counts.get(row.id) ?? 0,
      createdAt: row.createdAt,
      updatedAt: row.updatedAt
    }
    if (seesEmail(viewer, row)) author.email = row.email
    if (summaries !== null) author.articles = summaries.filter((article) => article.authorId === row.id)
    return author
  })
}

/** Authors by id, as `viewer` may see them (for embedding in articles). */
export async function presentAuthors (store: Store, ids: number[], viewer: Principal | null, view: View): Promise<AuthorBody[]> {
  return await present(store, await authorQueries(store).authorsByIds(ids), viewer, { include: new Set() }, view)
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
      await articleQueries(tx).reassignArticles(current.id, heir.id, nowIso())
      await trashQueries(tx).reassignTrashed(current.id, heir.id)
    } else if (articleCount > 0) {
      throw new Conflict(`The author still has ${articleCount} article${articleCount === 1 ? '' : 's'} (counting the trash); purge or reassign them (reassignTo=<author>)`)
    }
    await authorQueries(tx).deleteAuthor(current.id)
  })
}
