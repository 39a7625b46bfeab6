import type { comments, CommentStatus } from '../../db/schema.js'
import { queriesFor } from '../../db/store.js'
import type { CursorValue, SortKey } from '../../lib/list.js'
import { postgresCommentQueries } from './queries.postgres.js'
import { sqliteCommentQueries } from './queries.sqlite.js'
import type { commentSortFields } from './schemas.js'

export type CommentRow = typeof comments.$inferSelect
export type NewCommentRow = typeof comments.$inferInsert
export type CommentSortField = (typeof commentSortFields)[number]

export interface ModerationFilters {
  status?: CommentStatus
  articleId?: number
  /** An author token moderates comments on its own articles only. */
  onArticlesOf?: number
}

/** A page of the moderation queue: the sort (the id is added last by the query module) and a position. */
export interface ModerationPage {
  filters: ModerationFilters
  sort: SortKey<CommentSortField>[]
  after: CursorValue[] | null
  limit: number
  offset: number
}

export interface CommentQueries {
  commentById: (id: number) => Promise<CommentRow | undefined>
  /**
   * The same, locked until the unit of work ends, for a unit that checks the comment (If-Match,
   * its status) before it writes: on PostgreSQL a concurrent unit waits, then reads what this
   * one wrote. A SQLite unit holds the write lock already.
   */
  commentByIdForUpdate: (id: number) => Promise<CommentRow | undefined>
  insertComment: (row: NewCommentRow) => Promise<CommentRow>
  /** Changes a comment and moves its version on. */
  updateComment: (id: number, values: Partial<NewCommentRow>) => Promise<CommentRow>
  /** Deletes a comment; its replies move up to its parent, so no thread loses its answers. */
  deleteComment: (comment: CommentRow) => Promise<void>
  /** Sets an article's `commentCount` from its approved comments: exact, whatever happened before. */
  recountApproved: (articleId: number) => Promise<void>
  /** An article's approved comments (or only the top-level ones), oldest first; with `after`, those after that position. */
  countApproved: (articleId: number, topLevelOnly: boolean, after?: CursorValue[]) => Promise<number>
  pageOfApproved: (articleId: number, topLevelOnly: boolean, after: CursorValue[] | null, limit: number, offset: number) => Promise<CommentRow[]>
  /** Every approved reply below `rootIds`, at any depth, oldest first. */
  approvedRepliesBelow: (rootIds: number[]) => Promise<CommentRow[]>
  /** A comment's ancestors and itself, from its top-level comment down, whatever their status. */
  chainTo: (id: number) => Promise<number[]>
  /** The first `perArticle` approved comments of each article, oldest first, in one query. */
  firstApprovedByArticle: (articleIds: number[], perArticle: number) => Promise<CommentRow[]>
  /** Comments matching the filters; with `after`, only those after that position in `sort`. */
  countForModeration: (filters: ModerationFilters, sort?: SortKey<CommentSortField>[], after?: CursorValue[]) => Promise<number>
  pageForModeration: (page: ModerationPage) => Promise<CommentRow[]>
  /** Links a reply to its parent (imports write every comment first, then their threads). */
  setParent: (id: number, parentId: number) => Promise<void>
}

export const commentQueries = queriesFor<CommentQueries>({ sqlite: sqliteCommentQueries, postgres: postgresCommentQueries })
