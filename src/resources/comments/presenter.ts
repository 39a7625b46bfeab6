import type { Store } from '../../db/store.js'
import { hasRole, type Principal } from '../../lib/principal.js'
import type { ArticleRow } from '../articles/queries.js'
import { commentQueries, type CommentRow } from './queries.js'
import type { CommentBody } from './schemas.js'

// Comments as the API shows them, apart from the service: articles embed their comments, so
// the articles service depends on this module and the comments service on the articles one.

/** Editors and admins moderate every comment; an author token those on its own articles. */
export function moderates (viewer: Principal | null, article: Pick<ArticleRow, 'authorId'>): boolean {
  return hasRole(viewer, 'editor') || (viewer !== null && viewer.authorId === article.authorId)
}

export function toComment (row: CommentRow, showEmail: boolean): CommentBody {
  const comment: CommentBody = {
    id: row.id,
    articleId: row.articleId,
    parentId: row.parentId,
    authorName: row.authorName,
    authorUrl: row.authorUrl,
    body: row.body,
    status: row.status,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt
  }
  if (showEmail) comment.authorEmail = row.authorEmail
  return comment
}

/** Approved comments of several articles (for `include=comments`), grouped by article. */
export async function approvedCommentsByArticle (store: Store, articles: ArticleRow[], viewer: Principal | null, perArticle: number): Promise<Map<number, CommentBody[]>> {
  const moderated = new Set(articles.filter((article) => moderates(viewer, article)).map((article) => article.id))
  const byArticle = new Map<number, CommentBody[]>()
  for (const row of await commentQueries(store).firstApprovedByArticle(articles.map((article) => article.id), perArticle)) {
    const list = byArticle.get(row.articleId) ?? []
    list.push(toComment(row, moderated.has(row.articleId)))
    byArticle.set(row.articleId, list)
  }
  return byArticle
}
