import type { Store } from '../../db/store.js'
import { invalid } from '../../errors.js'
import { labelKey } from '../../lib/values.js'
import { findVisibleArticle } from '../articles/service.js'
import { authorQueries } from '../authors/queries.js'
import { readLog } from '../changes/service.js'
import type { LiveChange } from './live.js'
import type { StreamQueryString } from './schemas.js'

/** What a subscriber follows: null where it does not filter. */
export interface StreamFilter {
  articleId: number | null
  authorId: number | null
  labelKey: string | null
}

/** The filter a query asks for: an article a reader can see (404 otherwise), an author that exists. */
export async function filterFor (store: Store, query: StreamQueryString): Promise<StreamFilter> {
  const article = query.article === undefined ? null : await findVisibleArticle(store, query.article, null)
  let authorId: number | null = null
  if (query.author !== undefined) {
    const author = await authorQueries(store).authorBySlugOrId(query.author)
    if (author === undefined) throw invalid('querystring.author', `"${query.author}" is not an author`)
    authorId = author.id
  }
  return { articleId: article?.id ?? null, authorId, labelKey: query.label === undefined ? null : labelKey(query.label) }
}

export function matches (filter: StreamFilter, change: LiveChange): boolean {
  const { entry, shown } = change
  if (filter.articleId !== null && entry.articleId !== filter.articleId) return false
  if (filter.authorId !== null && (entry.articleId === null || entry.authorId !== filter.authorId)) return false
  if (filter.labelKey === null) return true
  // A removed article's labels are gone with it: a mirror deletes what it does not have.
  if (shown.kind === 'removed' && shown.resource === 'article') return true
  return change.labels.some((name) => labelKey(name) === filter.labelKey)
}

/** A resume point the log still holds (410 otherwise, as `GET /v1/changes` answers). */
export async function assertResumable (store: Store, since: number): Promise<void> {
  await readLog(store, { since, limit: 1 }, null)
}

/** One Server-Sent Event: the change as JSON, its position the event's id (what `Last-Event-ID` resumes from). */
export function asEvent (change: LiveChange): string {
  return `id: ${change.shown.position}\ndata: ${JSON.stringify(change.shown)}\n\n`
}
