import type { Db } from '../../db/client.js'
import { mapPage, parseSort, readPage, type Page } from '../../lib/list.js'
import { nowIso } from '../../lib/time.js'
import { hasRole } from '../../plugins/auth.js'
import { publishDueArticles } from '../articles/service.js'
import type { Principal } from '../tokens/service.js'
import * as queries from './queries.js'
import { labelSortFields, type LabelBody, type LabelListQueryString } from './schemas.js'

/** Labels with their published-article counts; readers see only labels in use. */
export function list (db: Db, query: LabelListQueryString, viewer: Principal | null): Page<LabelBody> {
  const sort = parseSort(query.sort, labelSortFields, 'name')
  const now = nowIso()
  publishDueArticles(db, now)
  const filters = { now, inUseOnly: !hasRole(viewer, 'editor') }
  const columns = queries.sortColumns(sort, now)
  const page = readPage(query, sort, {
    count: (after) => queries.countLabels(db, filters, after === undefined ? undefined : columns, after),
    fetch: (after, limit, offset) => queries.pageOfLabels(db, filters, columns, after, limit, offset),
    cursorOf: (row) => row.sortValues
  })
  return mapPage(page, (rows) => rows.map(({ id, name, articleCount }) => ({ id, name, articleCount })))
}
