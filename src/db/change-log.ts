import type { changedResources, changeKinds } from './schema.js'
import { postgresChangeLogQueries } from './change-log.postgres.js'
import { sqliteChangeLogQueries } from './change-log.sqlite.js'
import { queriesFor, type Store } from './store.js'

export type ChangedResource = (typeof changedResources)[number]
export type ChangeKind = (typeof changeKinds)[number]

/** A change a unit of work makes to what the API serves (schema.ts, `changes`). */
export interface Change {
  resource: ChangedResource
  /** The resource's id, or a day note's day. */
  resourceId: string
  slug: string | null
  kind: ChangeKind
  /** The API names of the fields it wrote. */
  fields: string[]
  articleId: number | null
  authorId: number | null
  publicBefore: boolean
  publicAfter: boolean
  at: string
}

/** A change as the log keeps it: with its position. */
export interface LoggedChange extends Change {
  position: number
}

/** Which entries a reader asks for. */
export interface ChangeFilter {
  /** Entries after this position… */
  since: number
  /** …up to this one (a window: positions are dense, so a page never scans more than it). */
  through: number
  limit: number
  resources?: ChangedResource[]
  /** Only entries a reader without a token could see something of (public before or after). */
  publicOnly: boolean
  /**
   * With `publicOnly`, also every entry about the articles on this author's byline (an author
   * token's drafts, co-authored ones too), and about what hangs on them (comments).
   */
  alsoAuthorId: number | null
}

export interface ChangeLogQueries {
  /** Appends the unit's changes, in order, at the next positions (in commit order: see schema.ts). */
  append: (changes: Change[]) => Promise<void>
  entries: (filter: ChangeFilter) => Promise<LoggedChange[]>
  /** The last position written, 0 when none ever was. */
  head: () => Promise<number>
  /** Deletes the entries made before `before`; answers the last position deleted, or null if none was. */
  prune: (before: string) => Promise<number | null>
}

export const changeLogQueries = queriesFor<ChangeLogQueries>({ sqlite: sqliteChangeLogQueries, postgres: postgresChangeLogQueries })

/**
 * The last step of a unit of work that noted changes (`Store.noteChange`): called by the stores,
 * inside the unit's transaction, after its work.
 */
export async function appendNotedChanges (tx: Store, noted: Change[]): Promise<void> {
  if (noted.length > 0) await changeLogQueries(tx).append(noted)
}
