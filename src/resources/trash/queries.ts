import type { CarriedCorrection } from '../corrections/carried.js'
import type { StoredSeoBody } from '../seo/schemas.js'
import type { trashedArticles } from '../../db/schema.js'
import { queriesFor } from '../../db/store.js'
import type { ArticleRow } from '../articles/queries.js'
import type { CommentRow } from '../comments/queries.js'
import type { RevisionRow } from '../revisions/queries.js'
import { postgresTrashQueries } from './queries.postgres.js'
import { sqliteTrashQueries } from './queries.sqlite.js'

export type TrashedRow = typeof trashedArticles.$inferSelect
export type NewTrashedRow = typeof trashedArticles.$inferInsert

/** Everything that leaves the live tables with an article, to come back on restore. */
export interface TrashedContent {
  article: ArticleRow
  labels: string[]
  comments: CommentRow[]
  revisions: RevisionRow[]
  /** Its featured image's media id (absent in rows trashed before images existed). */
  featuredImage?: number | null
  /** The slugs it had before a rename (absent in rows trashed before they were kept). */
  oldSlugs?: string[]
  /** Its public corrections, ids included (absent in rows trashed before they were kept). */
  corrections?: CarriedCorrection[]
  /** Its co-authors after the primary, in byline order (absent in rows trashed before bylines). */
  coAuthors?: number[]
  /** Its search and social metadata (absent in rows trashed before they existed). */
  seo?: StoredSeoBody
}

/** Who sees which trashed articles: editors every one, an author token its own. */
/** What the change log says of an article purged from the trash. */
export type PurgedArticle = Pick<TrashedRow, 'id' | 'slug' | 'authorId'>

export interface TrashScope {
  authorId: number | null
  now: string
}

/** A restored comment whose id an import took while it was in the trash. */
export interface Renumbered { from: number, to: number }

export interface TrashQueries {
  commentsOfArticle: (articleId: number) => Promise<CommentRow[]>
  revisionsOfArticle: (articleId: number) => Promise<RevisionRow[]>
  insertTrashed: (row: NewTrashedRow) => Promise<TrashedRow>
  trashedByIdOrSlug: (idOrSlug: string, scope: TrashScope) => Promise<TrashedRow | undefined>
  /**
   * The same, locked until the unit of work ends, for a unit that checks the row (If-Match,
   * ownership) before it restores or purges it: on PostgreSQL a concurrent unit waits, then
   * finds it gone. A SQLite unit holds the write lock already.
   */
  trashedByIdOrSlugForUpdate: (idOrSlug: string, scope: TrashScope) => Promise<TrashedRow | undefined>
  /** Most recently trashed first. */
  pageOfTrashed: (scope: TrashScope, limit: number, offset: number) => Promise<TrashedRow[]>
  countTrashed: (scope: TrashScope) => Promise<number>
  deleteTrashed: (id: number) => Promise<void>
  /** Purges every row in `scope` (emptying the trash); returns what was purged. */
  deleteAllTrashed: (scope: TrashScope) => Promise<PurgedArticle[]>
  /** Purges what has been in the trash for its full time; returns what was purged. */
  purgeExpired: (now: string) => Promise<PurgedArticle[]>
  /** Puts the article row back under its own id. */
  reinsertArticle: (row: ArticleRow) => Promise<ArticleRow>
  /**
   * Puts comments back under their own ids where those are still free; an import may have
   * taken one meanwhile, and that comment gets a new id (after the others are in, so it takes
   * none of theirs). Parents are linked in a second pass, through the new ids: a reply may
   * have been moved under a comment written after it, so no insertion order fits every thread.
   */
  reinsertComments: (rows: CommentRow[]) => Promise<Renumbered[]>
  reinsertRevisions: (rows: RevisionRow[]) => Promise<void>
  /** Trashed articles count as an author's: they may come back, so the author must stay. */
  trashedCountByAuthor: (authorId: number) => Promise<number>
  reassignTrashed: (fromAuthorId: number, toAuthorId: number) => Promise<void>
  /** A trashed article keeps its slug until it is purged, so a restore never finds it taken. */
  slugInTrash: (slug: string, now: string) => Promise<boolean>
  isTrashed: (id: number, now: string) => Promise<boolean>
}

export const trashQueries = queriesFor<TrashQueries>({ sqlite: sqliteTrashQueries, postgres: postgresTrashQueries })
