import { UntilNextWrite, type Store } from '../../db/store.js'
import { hasRole, type Principal } from '../../lib/principal.js'
import { articleQueries } from '../articles/queries.js'
import { toArticleSummaries } from '../articles/summaries.js'
import type { View } from '../articles/view.js'
import { authorQueries, type AuthorRow } from './queries.js'
import type { authorIncludes, AuthorBody } from './schemas.js'

// Authors as the API shows them, apart from the service: articles embed their authors, so
// the articles service depends on this module and the authors service on the articles one.

/** Editors, admins and the author themselves see the private `email`. */
function seesEmail (viewer: Principal | null, row: AuthorRow): boolean {
  return hasRole(viewer, 'editor') || viewer?.authorId === row.id
}

const latestArticlesPerAuthor = 10

export interface AuthorReadOptions {
  include: Set<(typeof authorIncludes)[number]>
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
export async function present (store: Store, rows: AuthorRow[], viewer: Principal | null, options: AuthorReadOptions, view: View): Promise<AuthorBody[]> {
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
    if (summaries !== null) author.articles = summaries.filter((article) => article.authorIds.includes(row.id)).slice(0, latestArticlesPerAuthor)
    return author
  })
}

/** Authors by id, as `viewer` may see them (for embedding in articles). */
export async function presentAuthors (store: Store, ids: number[], viewer: Principal | null, view: View): Promise<AuthorBody[]> {
  return await present(store, await authorQueries(store).authorsByIds(ids), viewer, { include: new Set() }, view)
}
