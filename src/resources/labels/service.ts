import type { Store } from '../../db/store.js'
import { Conflict, conflictOn, NotFound } from '../../errors.js'
import { assertIfMatch, payloadHash } from '../../lib/entity-tags.js'
import { mapPage, parseSort, readPage, type Page } from '../../lib/list.js'
import { hasRole, type Principal } from '../../lib/principal.js'
import { nowIso } from '../../lib/time.js'
import { labelKey } from '../../lib/values.js'
import { noteArticlesUpdated } from '../articles/changes.js'
import { articleQueries, type TouchedArticle } from '../articles/queries.js'
import { normalLabel, reindexRelabelled } from '../articles/service.js'
import { currentView } from '../articles/view.js'
import { noteLabelChange } from './changes.js'
import { labelQueries, type LabelRecord } from './queries.js'
import { labelSortFields, type LabelBody, type LabelListQueryString, type LabelPatchBody, type NewLabelBody } from './schemas.js'

// Labels live while an article carries them (the articles queries delete one its last article
// lets go of). An editor may also create one ahead of its first use, for a label picker; from
// then on it lives by the same rule.

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

/**
 * The version a label's ETag carries, for `If-Match`. A label's only field of its own is its
 * name, so the version is derived from it rather than kept in a column: a label renamed and
 * renamed back is in the state it was.
 */
export function labelVersion (label: Pick<LabelRecord, 'id' | 'name'>): string {
  return `label-${label.id}-${payloadHash(label.name)}`
}

/** A label's articles are counted as the list counts them; `forUpdate` locks it for a rename or delete. */
async function findRecord (store: Store, id: number, now: string, forUpdate = false): Promise<LabelRecord> {
  const labels = labelQueries(store)
  const label = forUpdate ? await labels.labelByIdForUpdate(id, now) : await labels.labelById(id, now)
  if (label === undefined) throw new NotFound(`There is no label ${id}`)
  return label
}

/**
 * Articles one rename or delete may change. Each carrier gets a new version, its search row
 * and a change-log entry in the request's unit of work, about 6 ms per 100 articles on SQLite,
 * where the unit holds the event loop: past this, a request would hold it too long.
 */
export const maxCarriersChanged = 2000

async function assertCarriersBounded (tx: Store, label: LabelRecord, change: 'renamed' | 'deleted'): Promise<void> {
  const carriers = await labelQueries(tx).carrierCount(label.id)
  if (carriers <= maxCarriersChanged) return
  throw new Conflict(`Label ${label.id} is on ${carriers} articles; a label is ${change} with every article carrying it in one request, for ${maxCarriersChanged} articles at most. ` +
    'Change the labels of some of its articles first (PATCH /v1/articles/{id}, or 100 at a time with POST /v1/batch)')
}

/** Whether a reader without a token sees the label: as in the list, while a published article carries it. */
function isPublicLabel (label: LabelRecord): boolean {
  return label.articleCount > 0
}

function present ({ id, name, articleCount }: LabelRecord): LabelBody {
  return { id, name, articleCount }
}

export async function findOne (store: Store, id: number, viewer: Principal | null): Promise<{ label: LabelBody, version: string }> {
  const { now } = await currentView(store)
  const label = await findRecord(store, id, now)
  // The same 404 as for a label that is not there: the list does not show it to them either.
  if (!isPublicLabel(label) && !hasRole(viewer, 'editor')) throw new NotFound(`There is no label ${id}`)
  return { label: present(label), version: labelVersion(label) }
}

/** 409 when another label has the name, case aside: two labels that differ only in case are one label. */
async function assertNameFree (tx: Store, name: string, exceptId?: number): Promise<void> {
  const holder = await labelQueries(tx).labelIdWithKey(labelKey(name))
  if (holder === undefined || holder === exceptId) return
  throw conflictOn('body.name', `is label ${holder}'s name (case aside); labels are not merged: rename this one to a free name, or give its articles label ${holder} and delete it`)
}

/** An unused label, for a picker before its first article (editors). */
export async function createOne (store: Store, input: NewLabelBody): Promise<{ label: LabelBody, version: string }> {
  return await store.transaction(async (tx) => {
    const name = normalLabel(input.name)
    await assertNameFree(tx, name)
    const label = await labelQueries(tx).insertLabel(name, labelKey(name))
    // Unused, so readers without a token don't see it yet.
    noteLabelChange(tx, { label, kind: 'created', publicBefore: false, publicAfter: false, now: nowIso() })
    return { label: present(label), version: labelVersion(label) }
  })
}

/**
 * Renames a label: every article carrying it shows the new name, so each moves its version
 * on, is searchable under the new name, and gets a change-log entry of its own.
 */
export async function updateOne (store: Store, id: number, patch: LabelPatchBody, ifMatch: string | undefined): Promise<{ label: LabelBody, version: string }> {
  return await store.transaction(async (tx) => {
    const now = nowIso()
    const current = await findRecord(tx, id, now, true)
    assertIfMatch(ifMatch, labelVersion(current))
    const name = normalLabel(patch.name)
    if (name === current.name) return { label: present(current), version: labelVersion(current) }
    await assertNameFree(tx, name, current.id)
    await assertCarriersBounded(tx, current, 'renamed')
    await labelQueries(tx).renameLabel(current.id, name, labelKey(name))
    const label = { ...current, name }
    noteLabelChange(tx, { label, kind: 'updated', publicBefore: isPublicLabel(current), publicAfter: isPublicLabel(label), now })
    await articlesRelabelled(tx, await articleQueries(tx).touchArticlesLabelled(current.id, now), now)
    return { label: present(label), version: labelVersion(label) }
  })
}

/** Deletes a label, taking it off every article that carries it. */
export async function removeOne (store: Store, id: number, ifMatch: string | undefined): Promise<void> {
  await store.transaction(async (tx) => {
    const now = nowIso()
    const current = await findRecord(tx, id, now, true)
    assertIfMatch(ifMatch, labelVersion(current))
    await assertCarriersBounded(tx, current, 'deleted')
    // Before the delete, while the articles still carry it.
    const touched = await articleQueries(tx).touchArticlesLabelled(current.id, now)
    await labelQueries(tx).deleteLabel(current.id)
    noteLabelChange(tx, { label: current, kind: 'deleted', publicBefore: isPublicLabel(current), publicAfter: false, now })
    await articlesRelabelled(tx, touched, now)
  })
}

/** Articles whose labels a rename or delete changed: searchable as they now read, and in the log. */
async function articlesRelabelled (tx: Store, touched: TouchedArticle[], now: string): Promise<void> {
  await reindexRelabelled(tx, touched.map((article) => article.id))
  noteArticlesUpdated(tx, touched, ['labels'], now)
}
