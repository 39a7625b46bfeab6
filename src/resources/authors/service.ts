import type { Db, DbOrTx } from '../../db/client.js'
import { Conflict, Forbidden, invalid, NotFound } from '../../errors.js'
import { assertIfMatch } from '../../plugins/http-cache.js'
import { mapPage, parseNames, parseSort, readPage, type Page } from '../../lib/list.js'
import { requestedSlug, slugify, uniqueSlug } from '../../lib/slug.js'
import { nowIso } from '../../lib/time.js'
import { hasRole } from '../../plugins/auth.js'
import type { Principal } from '../tokens/service.js'
import { latestSummariesByAuthor, reassignArticles, articleCountByAuthor } from '../articles/queries.js'
import { reassignTrashed, trashedCountByAuthor } from '../trash/queries.js'
import { publishDueArticles, toArticleSummaries } from '../articles/service.js'
import * as queries from './queries.js'
import { authorIncludes, authorSortFields, type AuthorBody, type AuthorListQueryString, type AuthorPatchBody, type NewAuthorBody } from './schemas.js'

/** The version an author's ETag carries, for `If-Match`. */
export function authorVersion (row: queries.AuthorRow): string {
  return `author-${row.id}-v${row.version}`
}

/** Editors, admins and the author themselves see the private `email`. */
function seesEmail (viewer: Principal | null, row: queries.AuthorRow): boolean {
  return hasRole(viewer, 'editor') || viewer?.authorId === row.id
}

const latestArticlesPerAuthor = 10

export interface AuthorReadOptions {
  include: Set<(typeof authorIncludes)[number]>
}

export function parseAuthorInclude (raw: string | undefined): AuthorReadOptions['include'] {
  return parseNames(raw, authorIncludes, 'include')
}

/** API objects for rows, with counts and embeds fetched for all rows at once. */
function present (db: DbOrTx, rows: queries.AuthorRow[], viewer: Principal | null, options: AuthorReadOptions): AuthorBody[] {
  const now = nowIso()
  const ids = rows.map((row) => row.id)
  const counts = queries.publishedCountsByAuthor(db, ids, now)
  const latest = options.include.has('articles') ? latestSummariesByAuthor(db, ids, latestArticlesPerAuthor, now) : null
  const summaries = latest === null ? null : toArticleSummaries(db, latest)
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
export function presentAuthors (db: DbOrTx, ids: number[], viewer: Principal | null): AuthorBody[] {
  return present(db, queries.authorsByIds(db, ids), viewer, { include: new Set() })
}

function findRow (db: DbOrTx, idOrSlug: string): queries.AuthorRow {
  const row = queries.authorBySlugOrId(db, idOrSlug)
  if (row === undefined) throw new NotFound(`There is no author "${idOrSlug}"`)
  return row
}

export function findOne (db: Db, idOrSlug: string, viewer: Principal | null, options: AuthorReadOptions): { author: AuthorBody, version: string } {
  publishDueArticles(db)
  const row = findRow(db, idOrSlug)
  return { author: present(db, [row], viewer, options)[0]!, version: authorVersion(row) }
}

export function list (db: Db, query: AuthorListQueryString, viewer: Principal | null): Page<AuthorBody> {
  const sort = parseSort(query.sort, authorSortFields, 'name')
  const include = parseAuthorInclude(query.include)
  const now = nowIso()
  publishDueArticles(db, now)
  const columns = queries.sortColumns(sort, now)
  const page = readPage(query, sort, {
    count: (after) => queries.countAuthors(db, after === undefined ? undefined : columns, after),
    fetch: (after, limit, offset) => queries.pageOfAuthors(db, { columns, after, limit, offset }),
    cursorOf: (result) => result.sortValues
  })
  return mapPage(page, (results) => present(db, results.map((result) => result.row), viewer, { include }))
}

function resolveSlug (db: DbOrTx, requested: string | undefined, name: string, exceptId?: number): string {
  if (requested !== undefined) return requestedSlug(requested, (candidate) => queries.authorSlugTaken(db, candidate, exceptId))
  return uniqueSlug(slugify(name, 'author'), (candidate) => queries.authorSlugTaken(db, candidate, exceptId))
}

export function createOne (db: Db, input: NewAuthorBody, viewer: Principal | null): { author: AuthorBody, version: string } {
  return db.transaction((tx) => {
    const now = nowIso()
    const row = queries.insertAuthor(tx, {
      slug: resolveSlug(tx, input.slug, input.name),
      name: input.name.trim(),
      bio: input.bio ?? null,
      avatarUrl: input.avatarUrl ?? null,
      url: input.url ?? null,
      email: input.email ?? null,
      createdAt: now,
      updatedAt: now
    })
    return { author: present(tx, [row], viewer, { include: new Set() })[0]!, version: authorVersion(row) }
  })
}

/** Editors edit any author; an author token edits its own profile. */
function assertMayEdit (viewer: Principal | null, row: queries.AuthorRow): void {
  if (hasRole(viewer, 'editor') || viewer?.authorId === row.id) return
  throw new Forbidden('An author token may edit only its own author profile')
}

export function updateOne (db: Db, idOrSlug: string, patch: AuthorPatchBody, viewer: Principal | null, ifMatch: string | undefined): { author: AuthorBody, version: string } {
  return db.transaction((tx) => {
    const current = findRow(tx, idOrSlug)
    assertMayEdit(viewer, current)
    assertIfMatch(ifMatch, authorVersion(current))
    const values: Partial<queries.NewAuthorRow> = { updatedAt: nowIso() }
    if (patch.name !== undefined) values.name = patch.name.trim()
    if (patch.slug !== undefined && patch.slug !== current.slug) values.slug = resolveSlug(tx, patch.slug, current.name, current.id)
    if (patch.bio !== undefined) values.bio = patch.bio
    if (patch.avatarUrl !== undefined) values.avatarUrl = patch.avatarUrl
    if (patch.url !== undefined) values.url = patch.url
    if (patch.email !== undefined) values.email = patch.email
    const row = queries.updateAuthor(tx, current.id, values)
    return { author: present(tx, [row], viewer, { include: new Set() })[0]!, version: authorVersion(row) }
  })
}

/**
 * Deletes an author. While they have articles this is a 409, unless `reassignTo` names
 * another author to take them over, in the same transaction.
 */
export function removeOne (db: Db, idOrSlug: string, reassignTo: string | undefined, ifMatch: string | undefined): void {
  db.transaction((tx) => {
    const current = findRow(tx, idOrSlug)
    assertIfMatch(ifMatch, authorVersion(current))
    // Trashed articles count: they may be restored, and must find their author.
    const articleCount = articleCountByAuthor(tx, current.id) + trashedCountByAuthor(tx, current.id)
    if (reassignTo !== undefined) {
      const heir = queries.authorBySlugOrId(tx, reassignTo)
      if (heir === undefined) throw invalid('querystring.reassignTo', `"${reassignTo}" is not an author`)
      if (heir.id === current.id) throw invalid('querystring.reassignTo', 'must be another author')
      reassignArticles(tx, current.id, heir.id, nowIso())
      reassignTrashed(tx, current.id, heir.id)
    } else if (articleCount > 0) {
      throw new Conflict(`The author still has ${articleCount} article${articleCount === 1 ? '' : 's'} (counting the trash); purge or reassign them (reassignTo=<author>)`)
    }
    queries.deleteAuthor(tx, current.id)
  })
}
