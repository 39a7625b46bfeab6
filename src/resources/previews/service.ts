import { randomBytes } from 'node:crypto'
import type { Store } from '../../db/store.js'
import { Conflict, Forbidden } from '../../errors.js'
import type { Page } from '../../lib/list.js'
import { previewSecretPrefix, type PreviewGrant, type Principal } from '../../lib/principal.js'
import { nowIso } from '../../lib/time.js'
import { isEditorOrOnByline } from '../articles/byline.js'
import type { ArticleRow } from '../articles/queries.js'
import { findArticleToChange, findVisibleArticle } from '../articles/service.js'
import { changedBy } from '../revisions/service.js'
import { hashSecret } from '../tokens/service.js'
import { previewQueries, type PreviewRow } from './queries.js'
import { defaultPreviewSeconds, type NewPreviewBody, type PreviewBody } from './schemas.js'

// Enough for every reviewer of a story to have their own link, and a bound on what one
// article's list and a careless script can hold.
const maxLivePreviews = 20

function newSecret (): string {
  return `${previewSecretPrefix}${randomBytes(32).toString('base64url')}`
}

function summary (row: PreviewRow): PreviewBody {
  return { id: row.id, articleId: row.articleId, createdBy: row.createdBy, createdAt: row.createdAt, expiresAt: row.expiresAt }
}

/**
 * A preview link of the article, for whoever may change it (an author token: its own drafts).
 * The secret is returned here once and never again. Expired links are pruned here, lazily:
 * they stop working at their time whether or not their row is gone.
 */
export async function createOne (store: Store, idOrSlug: string, input: NewPreviewBody, viewer: Principal): Promise<{ preview: PreviewBody, token: string }> {
  return await store.transaction(async (tx) => {
    const article = await findArticleToChange(tx, idOrSlug, viewer)
    const now = nowIso()
    const previews = previewQueries(tx)
    await previews.deleteExpiredPreviews(now)
    if ((await previews.livePreviewsOf(article.id, now)).length >= maxLivePreviews) {
      throw new Conflict(`The article has ${maxLivePreviews} preview links that still work: revoke one first`)
    }
    const token = newSecret()
    const row = await previews.insertPreview({
      articleId: article.id,
      secretHash: hashSecret(token),
      createdBy: changedBy(viewer),
      createdAt: now,
      expiresAt: new Date(Date.parse(now) + (input.expiresIn ?? defaultPreviewSeconds) * 1000).toISOString()
    })
    return { preview: summary(row), token }
  })
}

// Who made a link may need to end it after the story has gone to an editor: the authors on
// the byline keep seeing and revoking its links once it is scheduled or published.
async function assertMayManage (store: Store, viewer: Principal, article: ArticleRow): Promise<void> {
  if (await isEditorOrOnByline(store, viewer, article)) return
  throw new Forbidden('Only editors and the article\'s authors may see or revoke its preview links')
}

/** The article's live preview links, for editors and the authors on its byline (as its revisions are). */
export async function list (store: Store, idOrSlug: string, viewer: Principal): Promise<Page<PreviewBody>> {
  const article = await findVisibleArticle(store, idOrSlug, viewer)
  await assertMayManage(store, viewer, article)
  const items = (await previewQueries(store).livePreviewsOf(article.id, nowIso())).map(summary)
  return { items, total: items.length, limit: maxLivePreviews, offset: 0, nextCursor: null }
}

/** One live preview link of the article, or null. */
export async function findOne (store: Store, idOrSlug: string, previewId: number, viewer: Principal): Promise<PreviewBody | null> {
  const article = await findVisibleArticle(store, idOrSlug, viewer)
  await assertMayManage(store, viewer, article)
  const row = await previewQueries(store).livePreviewOf(article.id, previewId, nowIso())
  return row === undefined ? null : summary(row)
}

/** Ends a preview link at once; false when the article has no such link. */
export async function revokeOne (store: Store, idOrSlug: string, previewId: number, viewer: Principal): Promise<boolean> {
  return await store.transaction(async (tx) => {
    const article = await findVisibleArticle(tx, idOrSlug, viewer)
    await assertMayManage(tx, viewer, article)
    return await previewQueries(tx).deletePreview(article.id, previewId)
  })
}

/** What a preview secret grants, or null when it is unknown, revoked or expired. */
export async function previewGrant (store: Store, secret: string): Promise<PreviewGrant | null> {
  const row = await previewQueries(store).previewBySecretHash(hashSecret(secret))
  if (row === undefined || row.expiresAt <= nowIso()) return null
  return { articleId: row.articleId, previewId: row.id }
}
