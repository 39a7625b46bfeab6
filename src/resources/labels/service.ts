import type { Store } from '../../db/store.js'
import { mapPage, parseSort, readPage, type Page } from '../../lib/list.js'
import { hasRole, type Principal } from '../../lib/principal.js'
import { currentView } from '../articles/view.js'
import { labelQueries } from './queries.js'
import { labelSortFields, type LabelBody, type LabelListQueryString } from './schemas.js'

/** Labels with their published-article counts; readers see only labels in use. */
export async function list (store: Store, query: LabelListQueryString, viewer: Principal | null): Promise<Page<LabelBody>> {
  const sort = parseSort(query.sort, labelSortFields, 'name')
  const { now } = await currentView(store)
  const filters = { now, inUseOnly: !hasRole(viewer, 'editor') }
  const labels = labelQueries(store)
  const page = await readPage(query, sort, {
    count: async (after) => await labels.countLabels(filters, after === undefined ? undefined : sort, after),
    fetch: async (after, limit, offset) => await labels.pageOfLabels({ filters, sort, after, limit, offset }),
    cursorOf: (row) => row.sortValues
  })
  return await mapPage(page, (rows) => rows.map(({ id, name, articleCount }) => ({ id, name, articleCount })))
}
