import type { Store } from '../../db/store.js'
import { mayBeOldSlug } from '../../lib/slug.js'
import { nowIso } from '../../lib/time.js'
import { trashQueries } from '../trash/queries.js'
import { articleQueries, type ArticleRow } from './queries.js'

// Which slugs articles have, hold in the trash, or had before a rename: a slug that was an
// article's answers 301 to the slug it has now (routes.ts), until an article takes it.

/** Taken by another article, live or in the trash (a restore must find its slug free). */
export async function slugTaken (store: Store, slug: string, exceptId?: number): Promise<boolean> {
  return await articleQueries(store).articleSlugTaken(slug, exceptId) || await trashQueries(store).slugInTrash(slug, nowIso())
}

/**
 * After a rename the old slug answers 301 to the new one; the new one, if it was an old slug
 * of any article (this one's before, say), is an article's again.
 */
export async function keepOldSlug (tx: Store, row: ArticleRow, oldSlug: string, now: string): Promise<void> {
  const articles = articleQueries(tx)
  await articles.forgetOldSlug(row.slug)
  await articles.rememberOldSlug(row.id, oldSlug, now)
}

/**
 * Gives an article back slugs it had before (an import's: WordPress's `_wp_old_slug`, our
 * export's `oldSlugs`; a restore's from the trash): each that no article has now, holds in
 * the trash or had before itself.
 */
export async function keepOldSlugs (tx: Store, row: ArticleRow, oldSlugs: string[], at: string): Promise<void> {
  const articles = articleQueries(tx)
  for (const slug of new Set(oldSlugs)) {
    if (slug === row.slug || !mayBeOldSlug(slug) || await slugTaken(tx, slug)) continue
    const holder = await articles.articleIdByOldSlug(slug)
    if (holder === undefined) await articles.rememberOldSlug(row.id, slug, at)
  }
}
