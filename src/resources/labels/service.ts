import type { Store } from '../../db/store.js'
import { Conflict, conflictOn, NotFound } from '../../errors.js'
import { assertIfMatch, payloadHash } from '../../lib/entity-tags.js'
import { mapPage, parseSort, readPage, type Page } from '../../lib/list.js'
import { hasRole, type Principal } from '../../lib/principal.js'
import { requestedSlug, slugify, uniqueSlug } from '../../lib/slug.js'
import { nowIso } from '../../lib/time.js'
import { isVisibleText, labelKey, singleLine, withoutControls } from '../../lib/values.js'
import { assertParentFits, type Tree } from '../../lib/tree.js'
import { noteArticlesUpdated } from '../articles/changes.js'
import { articleQueries, type TouchedArticle } from '../articles/queries.js'
import { normalLabel, reindexRelabelled } from '../articles/service.js'
import { currentView } from '../articles/view.js'
import { noteLabelChange, type LabelField } from './changes.js'
import { labelQueries, type LabelFields, type LabelLink, type LabelRecord } from './queries.js'
import { childrenListed, labelSortFields, maxLabelDepth, type LabelBody, type LabelListQueryString, type LabelPatchBody, type NewLabelBody } from './schemas.js'

// Labels live while an article carries them (the articles queries delete one its last article
// lets go of), unless an editor described one or other labels sit under it: what an editor
// wrote, and the shape of the tree, are not thrown away with an article. An editor may also
// create one ahead of its first use, for a label picker; from then on it lives by the same rule.

/** Whether a reader may see the label: editors every one, others those a published article carries. */
function visibleTo (label: { articleCount: number }, viewer: Principal | null): boolean {
  return label.articleCount > 0 || hasRole(viewer, 'editor')
}

/** Labels with their published-article counts; readers see only labels in use. */
export async function list (store: Store, query: LabelListQueryString, viewer: Principal | null): Promise<Page<LabelBody>> {
  const sort = parseSort(query.sort, labelSortFields, 'name')
  const { now } = await currentView(store)
  const parentId = query.parent === undefined ? undefined : await parentFilter(store, query.parent, now, viewer)
  const filters = { now, inUseOnly: !hasRole(viewer, 'editor'), ...(parentId === undefined ? {} : { parentId }) }
  const labels = labelQueries(store)
  const page = await readPage(query, sort, {
    count: async (after) => await labels.countLabels(filters, after === undefined ? undefined : sort, after),
    fetch: async (after, limit, offset) => await labels.pageOfLabels({ filters, sort, after, limit, offset }),
    cursorOf: (row) => row.sortValues
  })
  return await mapPage(page, (rows) => rows.map(present))
}

/** `?parent=`: `none` for the top level, else a label the reader may see (404 otherwise, as its own page). */
async function parentFilter (store: Store, parent: string, now: string, viewer: Principal | null): Promise<number | null> {
  if (parent === 'none') return null
  const label = await labelQueries(store).labelBySlugOrId(parent, now)
  if (label === undefined || !visibleTo(label, viewer)) throw new NotFound(`There is no label "${parent}"`)
  return label.id
}

/**
 * The version a label's ETag carries, for `If-Match`: derived from its own fields rather than
 * kept in a column, so a label changed and changed back is in the state it was.
 */
export function labelVersion (label: Pick<LabelRecord, 'id' | keyof LabelFields>): string {
  return `label-${label.id}-${payloadHash(JSON.stringify([label.name, label.slug, label.description, label.parentId]))}`
}

/** A label's articles are counted as the list counts them; `forUpdate` locks it for a change or delete. */
async function findRecord (store: Store, idOrSlug: string, now: string, forUpdate = false): Promise<LabelRecord> {
  const labels = labelQueries(store)
  const label = forUpdate ? await labels.labelBySlugOrIdForUpdate(idOrSlug, now) : await labels.labelBySlugOrId(idOrSlug, now)
  if (label === undefined) throw new NotFound(`There is no label "${idOrSlug}"`)
  return label
}

/**
 * Articles one rename or delete may change. Each carrier gets a new version, its search row
 * and a change-log entry in the request's unit of work, about 6 ms per 100 articles on SQLite,
 * where the unit holds the event loop: past this, a request would hold it too long. The
 * children a delete moves up are bounded alike.
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

function present ({ id, slug, name, description, parentId, articleCount }: LabelRecord): LabelBody {
  return { id, slug, name, description, parentId, articleCount }
}

function summary ({ id, slug, name, articleCount }: LabelLink): LabelLink {
  return { id, slug, name, articleCount }
}

/** A label's page: the label, its parent and the labels right under it, as far as the reader may see them. */
export async function findOne (store: Store, idOrSlug: string, viewer: Principal | null): Promise<{ label: LabelBody, version: string }> {
  const { now } = await currentView(store)
  const labels = labelQueries(store)
  const label = await findRecord(store, idOrSlug, now)
  // The same 404 as for a label that is not there: the list does not show it to them either.
  if (!visibleTo(label, viewer)) throw new NotFound(`There is no label "${idOrSlug}"`)
  const parent = label.parentId === null ? undefined : await labels.labelBySlugOrId(String(label.parentId), now)
  const children = await labels.childrenOf(label.id, now, childrenListed)
  return {
    label: {
      ...present(label),
      parent: parent === undefined || !visibleTo(parent, viewer) ? null : summary(parent),
      children: children.filter((child) => visibleTo(child, viewer)).map(summary)
    },
    version: labelVersion(label)
  }
}

/** 409 when another label has the name, case aside: two labels that differ only in case are one label. */
async function assertNameFree (tx: Store, name: string, exceptId?: number): Promise<void> {
  const holder = await labelQueries(tx).labelIdWithKey(labelKey(name))
  if (holder === undefined || holder === exceptId) return
  throw conflictOn('body.name', `is label ${holder}'s name (case aside); labels are not merged: rename this one to a free name, or give its articles label ${holder} and delete it`)
}

/** The slug asked for (409 when another label has it), or one derived from the name, made unique. */
async function resolveSlug (tx: Store, requested: string | undefined, name: string, exceptId?: number): Promise<string> {
  const taken = async (candidate: string): Promise<boolean> => await labelQueries(tx).labelSlugTaken(candidate, exceptId)
  if (requested !== undefined) return await requestedSlug(requested, taken)
  return await uniqueSlug(slugify(name, 'label'), taken)
}

/** Labels as a tree (lib/tree.ts checks a new parent): at most `maxLabelDepth` levels. */
function labelTree (tx: Store): Tree {
  const queries = labelQueries(tx)
  return { noun: 'label', maxDepth: maxLabelDepth, parentOf: queries.parentOf, levelsBelow: queries.levelsBelow }
}

/** An unused label, for a picker before its first article (editors). */
export async function createOne (store: Store, input: NewLabelBody): Promise<{ label: LabelBody, version: string }> {
  return await store.transaction(async (tx) => {
    const name = normalLabel(input.name)
    await assertNameFree(tx, name)
    const parentId = input.parentId ?? null
    if (parentId !== null) await assertParentFits(labelTree(tx), undefined, parentId)
    const fields = { name, slug: await resolveSlug(tx, input.slug, name), description: input.description ?? '', parentId }
    const stored = await labelQueries(tx).insertLabel({ ...fields, key: labelKey(name) })
    // Another unit stored the name meanwhile (PostgreSQL).
    if (!stored.created) await assertNameFree(tx, name)
    const label = { id: stored.id, ...fields, articleCount: 0 }
    // Unused, so readers without a token don't see it yet.
    noteLabelChange(tx, { label, kind: 'created', publicBefore: false, publicAfter: false, now: nowIso() })
    return { label: present(label), version: labelVersion(label) }
  })
}

/** The fields a patch changes, with their new values (name normalised, slug made sure of). */
async function changedFields (tx: Store, current: LabelRecord, patch: LabelPatchBody): Promise<Partial<LabelFields>> {
  const changed: Partial<LabelFields> = {}
  const name = patch.name === undefined ? current.name : normalLabel(patch.name)
  if (name !== current.name) {
    await assertNameFree(tx, name, current.id)
    changed.name = name
  }
  if (patch.slug !== undefined && patch.slug !== current.slug) changed.slug = await resolveSlug(tx, patch.slug, name, current.id)
  if (patch.description !== undefined && patch.description !== current.description) changed.description = patch.description
  if (patch.parentId !== undefined && patch.parentId !== current.parentId) {
    if (patch.parentId !== null) await assertParentFits(labelTree(tx), current.id, patch.parentId)
    changed.parentId = patch.parentId
  }
  return changed
}

/**
 * Changes a label. A rename shows on every article carrying it, so each moves its version on,
 * is searchable under the new name, and gets a change-log entry of its own.
 */
export async function updateOne (store: Store, idOrSlug: string, patch: LabelPatchBody, ifMatch: string | undefined): Promise<{ label: LabelBody, version: string }> {
  return await store.transaction(async (tx) => {
    const now = nowIso()
    const current = await findRecord(tx, idOrSlug, now, true)
    assertIfMatch(ifMatch, labelVersion(current))
    const changed = await changedFields(tx, current, patch)
    const fields = Object.keys(changed) as LabelField[]
    if (fields.length === 0) return { label: present(current), version: labelVersion(current) }
    if (changed.name !== undefined) await assertCarriersBounded(tx, current, 'renamed')
    await labelQueries(tx).updateLabel(current.id, { ...changed, ...(changed.name === undefined ? {} : { key: labelKey(changed.name) }) })
    const label = { ...current, ...changed }
    noteLabelChange(tx, { label, kind: 'updated', fields, publicBefore: isPublicLabel(current), publicAfter: isPublicLabel(label), now })
    if (changed.name !== undefined) await articlesRelabelled(tx, await articleQueries(tx).touchArticlesLabelled(current.id, now), now)
    return { label: present(label), version: labelVersion(label) }
  })
}

/**
 * Deletes a label, taking it off every article that carries it. The labels under it move up
 * to its parent (the top level for a top-level label), as WordPress does with a category's.
 */
export async function removeOne (store: Store, idOrSlug: string, ifMatch: string | undefined): Promise<void> {
  await store.transaction(async (tx) => {
    const now = nowIso()
    const labels = labelQueries(tx)
    const current = await findRecord(tx, idOrSlug, now, true)
    assertIfMatch(ifMatch, labelVersion(current))
    await assertCarriersBounded(tx, current, 'deleted')
    const children = await labels.childCount(current.id)
    if (children > maxCarriersChanged) throw new Conflict(`Label ${current.id} has ${children} labels under it; at most ${maxCarriersChanged} are moved up in one request: move some first (PATCH /v1/labels/{id} with parentId)`)
    await noteChildrenMoved(tx, await labels.moveChildren(current.id, current.parentId), now)
    // Before the delete, while the articles still carry it.
    const touched = await articleQueries(tx).touchArticlesLabelled(current.id, now)
    await labels.deleteLabel(current.id)
    noteLabelChange(tx, { label: current, kind: 'deleted', publicBefore: isPublicLabel(current), publicAfter: false, now })
    await articlesRelabelled(tx, touched, now)
  })
}

async function noteChildrenMoved (tx: Store, ids: number[], now: string): Promise<void> {
  for (const id of ids) {
    const child = await labelQueries(tx).labelBySlugOrId(String(id), now)
    if (child !== undefined) noteLabelChange(tx, { label: child, kind: 'updated', fields: ['parentId'], publicBefore: isPublicLabel(child), publicAfter: isPublicLabel(child), now })
  }
}

/** Articles whose labels a rename or delete changed: searchable as they now read, and in the log. */
async function articlesRelabelled (tx: Store, touched: TouchedArticle[], now: string): Promise<void> {
  await reindexRelabelled(tx, touched.map((article) => article.id))
  noteArticlesUpdated(tx, touched, ['labels'], now)
}

export interface ImportedLabelInput {
  name: string
  /** The file's slug, if it has one: kept when free and valid, else one is derived as for a new label. */
  slug: string | null
  description: string
  /** Our id to give a new label when it is free (a round trip of our own export). */
  preferredId?: number
}

/** A description as the API takes one: plain text, bounded as the schema bounds it. */
function importedDescription (text: string): string {
  return [...withoutControls(text).trim()].slice(0, 500).join('')
}

/**
 * A label an import names (a WordPress category, a label line of our export): created with the
 * file's slug and description, or, when the blog has the name already, given the file's
 * description if it has one; its slug stays, as an editor's links use it. Null for a name that
 * is no name.
 */
export async function writeImportedLabel (tx: Store, input: ImportedLabelInput, now: string): Promise<{ id: number, outcome: 'created' | 'updated' | 'unchanged' } | null> {
  const name = normalLabel(singleLine(input.name, 60))
  if (!isVisibleText(name)) return null
  const labels = labelQueries(tx)
  const description = importedDescription(input.description)
  const key = labelKey(name)
  const existingId = await labels.labelIdWithKeyToLink(key)
  if (existingId !== undefined) {
    const current = await findRecord(tx, String(existingId), now, true)
    // A file without a description (a WordPress tag sharing a category's name) takes none away.
    if (description === '' || description === current.description) return { id: current.id, outcome: 'unchanged' }
    await labels.updateLabel(current.id, { description })
    noteLabelChange(tx, { label: current, kind: 'updated', fields: ['description'], publicBefore: isPublicLabel(current), publicAfter: isPublicLabel(current), now })
    return { id: current.id, outcome: 'updated' }
  }
  const slug = await uniqueSlug(slugify(input.slug ?? name, 'label'), async (candidate) => await labels.labelSlugTaken(candidate))
  const id = input.preferredId !== undefined && !await labels.labelIdTaken(input.preferredId) ? input.preferredId : undefined
  const stored = await labels.insertLabel({ ...(id === undefined ? {} : { id }), name, key, slug, description, parentId: null })
  if (stored.created) noteLabelChange(tx, { label: { id: stored.id, name, slug }, kind: 'created', publicBefore: false, publicAfter: false, now })
  return { id: stored.id, outcome: stored.created ? 'created' : 'unchanged' }
}

/**
 * Puts an imported label under the parent its file names (`null`: the top level); answers why
 * not when that would close a cycle or nest too deep (the label stays where it was).
 */
export async function setImportedParent (tx: Store, id: number, parentId: number | null, now: string): Promise<string | null> {
  const current = await findRecord(tx, String(id), now, true)
  if (current.parentId === parentId) return null
  if (parentId !== null) {
    try {
      await assertParentFits(labelTree(tx), id, parentId)
    } catch (error) {
      const problem = (error as { errors?: Array<{ message: string }> }).errors?.[0]
      if (problem === undefined) throw error
      return `its parent is not kept: it ${problem.message}`
    }
  }
  await labelQueries(tx).updateLabel(id, { parentId })
  noteLabelChange(tx, { label: current, kind: 'updated', fields: ['parentId'], publicBefore: isPublicLabel(current), publicAfter: isPublicLabel(current), now })
  return null
}
