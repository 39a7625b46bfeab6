import { changeLogQueries, type ChangedResource, type LoggedChange } from '../../db/change-log.js'
import { metaQueries } from '../../db/meta.js'
import { changedResources, changeKinds } from '../../db/schema.js'
import type { Store } from '../../db/store.js'
import { Gone } from '../../errors.js'
import { parseNames } from '../../lib/list.js'
import { hasRole, type Principal } from '../../lib/principal.js'
import { articleQueries } from '../articles/queries.js'
import { privateAuthorFields } from '../authors/changes.js'
import type { ChangeBody, ChangeListQueryString } from './schemas.js'

/** Where the pruning of the log has reached: a `since` before it may have missed entries. */
export const prunedThroughKey = 'changes-pruned-through'

/** Positions looked at per request at most: positions are dense, so this bounds a page's cost whatever the filters. */
const scanWindow = 5000

export interface ChangePage {
  items: ChangeBody[]
  since: number
  nextSince: number
  head: number
  limit: number
}

/** A field whose change only editors are told of (an author's email). */
function isPrivate (entry: LoggedChange, field: string): boolean {
  return entry.resource === 'author' && privateAuthorFields.has(field)
}

/** An entry as the log has it, which is how editors see it. */
export function asLogged (entry: LoggedChange): ChangeBody {
  return { position: entry.position, at: entry.at, resource: entry.resource, id: entry.resourceId, slug: entry.slug, kind: entry.kind, fields: entry.fields, articleId: entry.articleId }
}

/**
 * An entry as `viewer` sees it. Editors see it as it is; other readers see what they could see
 * of the resource: a change to something they saw before and see after is an update, one that
 * makes it visible a creation, one that hides it a removal, and the rest nothing at all. An
 * author token also sees as they are the entries of its own articles (and their comments,
 * which it moderates), and the article entries of those it co-authors (`coAuthored`).
 */
function asSeenBy (entry: LoggedChange, viewer: Principal | null, coAuthored: ReadonlySet<number>): ChangeBody | null {
  const seen = asLogged(entry)
  if (hasRole(viewer, 'editor') || (viewer?.authorId != null && entry.authorId === viewer.authorId)) return seen
  if (entry.resource === 'article' && entry.articleId !== null && coAuthored.has(entry.articleId)) return seen
  const fields = entry.fields.filter((field) => !isPrivate(entry, field))
  if (entry.publicBefore && entry.publicAfter) return { ...seen, kind: 'updated', fields }
  if (entry.publicAfter) return { ...seen, kind: 'created', fields }
  if (entry.publicBefore) return { ...seen, kind: 'removed', fields: [] }
  return null
}

/** An entry and what a reader is shown of it. */
export interface ShownChange {
  entry: LoggedChange
  shown: ChangeBody
}

interface LogRead {
  since: number
  limit: number
  resources?: ChangedResource[]
}

/** The articles of `entries` that `authorId` co-authors (as their bylines are now). */
async function coAuthoredAmong (store: Store, entries: LoggedChange[], authorId: number): Promise<Set<number>> {
  const ids = [...new Set(entries.flatMap((entry) => entry.resource === 'article' && entry.articleId !== null && entry.authorId !== authorId ? [entry.articleId] : []))]
  if (ids.length === 0) return new Set()
  const coAuthors = await articleQueries(store).coAuthorsByArticle(ids)
  return new Set(ids.filter((id) => coAuthors.get(id)?.includes(authorId) === true))
}

/** The entries after `since` that `viewer` sees something of, as it sees them; 410 past the retention. */
export async function readLog (store: Store, read: LogRead, viewer: Principal | null): Promise<{ changes: ShownChange[], nextSince: number, head: number }> {
  const { since, limit, resources } = read
  const log = changeLogQueries(store)
  const prunedThrough = Number(await metaQueries(store).read(prunedThroughKey) ?? 0)
  if (since < prunedThrough) {
    throw new Gone(`Entries after position ${since} are no longer kept (the log keeps DATELINE_CHANGES_RETENTION_DAYS days, up to position ${prunedThrough} is gone): read the lists again, then follow the log from meta.head`)
  }
  const head = await log.head()
  const through = Math.min(head, since + scanWindow)
  const editor = hasRole(viewer, 'editor')
  const entries = since >= through
    ? []
    : await log.entries({ since, through, limit, ...(resources === undefined ? {} : { resources }), publicOnly: !editor, alsoAuthorId: editor ? null : viewer?.authorId ?? null })
  const nextSince = entries.length === limit ? entries.at(-1)!.position : Math.max(since, through)
  const coAuthored = editor || viewer?.authorId == null ? new Set<number>() : await coAuthoredAmong(store, entries, viewer.authorId)
  const changes: ShownChange[] = []
  for (const entry of entries) {
    const shown = asSeenBy(entry, viewer, coAuthored)
    if (shown !== null) changes.push({ entry, shown })
  }
  return { changes, nextSince, head }
}

export async function list (store: Store, query: ChangeListQueryString, viewer: Principal | null): Promise<ChangePage> {
  const since = query.since ?? 0
  const limit = query.limit ?? 100
  const resources = query.resource === undefined ? undefined : [...parseNames(query.resource, changedResources, 'resource')]
  const kinds = query.kind === undefined ? undefined : parseNames(query.kind, changeKinds, 'kind')
  const { changes, nextSince, head } = await readLog(store, { since, limit, ...(resources === undefined ? {} : { resources }) }, viewer)
  const items = changes.map(({ shown }) => shown).filter((item) => kinds === undefined || kinds.has(item.kind))
  return { items, since, nextSince, head, limit }
}

/** The log's last position now. */
export async function head (store: Store): Promise<number> {
  return await changeLogQueries(store).head()
}

const dayMs = 24 * 60 * 60 * 1000

/**
 * Deletes the entries older than `days` and notes the last position deleted: a reader asking
 * from before it may have missed entries, and is told so (410) rather than answered a page
 * with a hole in it. Skipped while another connection writes (the next round prunes).
 */
export async function prune (store: Store, days: number, now = Date.now()): Promise<void> {
  await store.transactionIfFree(async (tx) => {
    const last = await changeLogQueries(tx).prune(new Date(now - days * dayMs).toISOString())
    if (last !== null) await metaQueries(tx).write(prunedThroughKey, String(last))
  })
}
