import type { Store } from '../../db/store.js'
import { hasRole, type Principal } from '../../lib/principal.js'
import { articleQueries, type ArticleRow } from './queries.js'

/**
 * Whether `viewer` is an editor or on the article's byline, its primary author or a co-author:
 * who sees an article's history and its preview links. The co-authors are read only when they
 * decide it (an author token that does not lead the byline).
 */
export async function isEditorOrOnByline (store: Store, viewer: Principal, article: ArticleRow): Promise<boolean> {
  if (hasRole(viewer, 'editor') || viewer.authorId === article.authorId) return true
  if (viewer.authorId === null) return false
  const coAuthors = (await articleQueries(store).coAuthorsByArticle([article.id])).get(article.id) ?? []
  return coAuthors.includes(viewer.authorId)
}
