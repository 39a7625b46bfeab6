import type { ChangeKind } from '../../db/change-log.js'
import type { Store } from '../../db/store.js'
import { isPublic } from '../articles/changes.js'
import type { ArticleRow } from '../articles/queries.js'
import type { CommentRow } from './queries.js'

// What the change log records of comments (issue 20): a reader without a token sees a comment
// when it is approved on an article it can see, so approving one is its arrival for that reader.

const fieldOfColumn: Partial<Record<keyof CommentRow, string>> = {
  status: 'status',
  body: 'body',
  authorName: 'authorName',
  authorUrl: 'authorUrl',
  parentId: 'parentId'
}

function changedFields (before: CommentRow, after: CommentRow): string[] {
  return Object.entries(fieldOfColumn).filter(([column]) => before[column as keyof CommentRow] !== after[column as keyof CommentRow]).map(([, field]) => field)
}

function kindOfEdit (before: CommentRow, after: CommentRow): ChangeKind {
  if (before.status === after.status) return 'updated'
  if (after.status === 'approved') return 'approved'
  return before.status === 'approved' ? 'unapproved' : 'updated'
}

function isPublicComment (comment: CommentRow | undefined, article: ArticleRow, now: string): boolean {
  return comment?.status === 'approved' && isPublic(article, now)
}

interface CommentChange {
  before?: CommentRow
  after?: CommentRow
  /** The article the comment is on, as it is now. */
  article: ArticleRow
  now: string
}

/** Notes a change of a comment in the unit's change log: posted, edited, moderated or deleted. */
export function noteCommentChange (tx: Store, change: CommentChange): void {
  const { before, after, article, now } = change
  const comment = (after ?? before)!
  const kind: ChangeKind = before === undefined ? 'created' : after === undefined ? 'deleted' : kindOfEdit(before, after)
  const fields = before === undefined ? Object.values(fieldOfColumn) : after === undefined ? [] : changedFields(before, after)
  if (kind === 'updated' && fields.length === 0) return
  tx.noteChange({
    resource: 'comment',
    resourceId: String(comment.id),
    slug: null,
    kind,
    fields,
    articleId: article.id,
    authorId: article.authorId,
    publicBefore: isPublicComment(before, article, now),
    publicAfter: isPublicComment(after, article, now),
    at: now
  })
}
