import type { Store } from '../../db/store.js'
import { hasRole, type Principal } from '../../lib/principal.js'
import { articleQueries, type ArticleRow } from './queries.js'

/** The co-authors of one article (after its primary), in byline order. */
export async function coAuthorsOf (store: Store, row: ArticleRow): Promise<number[]> {
  return (await articleQueries(store).coAuthorsByArticle([row.id])).get(row.id) ?? []
}

/** Whether `viewer` may change who is on a byline led by `primary`: editors, and the primary author. */
export function mayWriteByline (viewer: Principal, primary: number): boolean {
  return viewer.role !== 'author' || viewer.authorId === primary
}

/**
 * Whether `viewer` is an editor or on the article's byline, its primary author or a co-author:
 * who sees an article's history and its preview links. The co-authors are read only when they
 * decide it (an author token that does not lead the byline).
 */
export async function isEditorOrOnByline (store: Store, viewer: Principal, article: ArticleRow): Promise<boolean> {
  if (hasRole(viewer, 'editor') || viewer.authorId === article.authorId) return true
  return viewer.authorId !== null && (await coAuthorsOf(store, article)).includes(viewer.authorId)
}
