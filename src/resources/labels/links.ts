import type { Store } from '../../db/store.js'
import { slugify, uniqueSlug } from '../../lib/slug.js'
import { labelKey } from '../../lib/values.js'
import type { LabelName } from '../articles/queries.js'
import { labelQueries } from './queries.js'

// What articles' writes and filters ask of labels. Apart from the labels service, which loads
// the articles service (a rename reindexes articles): the articles service loads this.

/**
 * Makes sure a label exists for each of `names` (normalised, one per key) before an article's
 * write links them, creating the missing ones with a slug from the name; answers those it
 * created. The existing ones are locked as the link will lock them (PostgreSQL).
 */
export async function ensureLabels (tx: Store, names: string[]): Promise<LabelName[]> {
  const labels = labelQueries(tx)
  const created: LabelName[] = []
  for (const name of names) {
    const key = labelKey(name)
    if (await labels.labelIdWithKeyToLink(key) !== undefined) continue
    const slug = await uniqueSlug(slugify(name, 'label'), async (candidate) => await labels.labelSlugTaken(candidate))
    const stored = await labels.insertLabel({ name, key, slug, description: '', parentId: null })
    if (stored.created) created.push({ id: stored.id, name, slug })
  }
  return created
}

/**
 * The case-folded name a label filter value stands for: a label's name (case aside: `key` is
 * the value read as one), or else a label's slug. A value that is neither matches no label.
 */
export async function labelKeyFor (store: Store, value: string, key: string): Promise<string> {
  const labels = labelQueries(store)
  if (await labels.labelIdWithKey(key) !== undefined) return key
  return await labels.keyWithSlug(value) ?? key
}
