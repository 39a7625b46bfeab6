import type { Store } from '../../db/store.js'
import { slugify, uniqueSlug } from '../../lib/slug.js'
import { labelQueries } from './queries.js'

// Labels made before slugs (migration 0016 on SQLite, 0008 on PostgreSQL) came through the
// migration without one: SQL cannot slug a name as the API does (accents folded, any script's
// letters kept, look-alikes refused), so the step that follows the migrations at every start
// gives them one. It finds nothing to do once done, so it costs one indexed read a start.

const batchSize = 500

/** Gives every label without a slug one from its name, made unique as a new label's is; answers how many. */
export async function giveLabelsSlugs (store: Store): Promise<number> {
  return await store.transaction(async (tx) => {
    const labels = labelQueries(tx)
    let given = 0
    for (;;) {
      const batch = await labels.labelsWithoutSlug(batchSize)
      for (const label of batch) {
        const slug = await uniqueSlug(slugify(label.name, 'label'), async (candidate) => await labels.labelSlugTaken(candidate))
        await labels.updateLabel(label.id, { slug })
      }
      given += batch.length
      if (batch.length < batchSize) return given
    }
  })
}
