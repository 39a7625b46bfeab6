import type { Store } from '../../db/store.js'
import type { LabelName, LabelTurnover } from '../articles/queries.js'

// What the change log records of labels (issue 20). A reader without a token sees a label while
// a published article carries it (GET /v1/labels), so that is what an entry's public flags
// say: taken from the one article an article's write is about, or from the label's published
// count when an editor writes the label itself. A label that becomes public or hidden because
// its articles are published or unpublished gets no entry of its own: the articles' entries
// carry that news, and finding it would cost a count per label on every publication.

/** A label's own fields a change may name. */
export type LabelField = 'name' | 'slug' | 'description' | 'parentId'

interface LabelChange {
  label: LabelName
  kind: 'created' | 'updated' | 'deleted'
  /** What an update changed; a creation names the name, a deletion nothing. */
  fields?: LabelField[]
  publicBefore: boolean
  publicAfter: boolean
  now: string
}

/** Notes a change of a label in the unit's change log: created, changed or deleted. */
export function noteLabelChange (tx: Store, change: LabelChange): void {
  const { label, kind, publicBefore, publicAfter, now } = change
  tx.noteChange({
    resource: 'label',
    resourceId: String(label.id),
    slug: label.slug ?? null,
    kind,
    fields: kind === 'deleted' ? [] : kind === 'created' ? ['name'] : change.fields ?? ['name'],
    articleId: null,
    authorId: null,
    publicBefore,
    publicAfter,
    at: now
  })
}

/** Whether a reader without a token could see the article whose write made or unmade labels, before and after it. */
interface Carrier {
  publicBefore: boolean
  publicAfter: boolean
}

/**
 * Notes the labels an article's write brought into being and those it left unused (deleted):
 * that article was the only one carrying each, so each was public exactly when it was.
 */
export function noteLabelTurnover (tx: Store, turnover: LabelTurnover, carrier: Carrier, now: string): void {
  for (const label of turnover.created) noteLabelChange(tx, { label, kind: 'created', publicBefore: false, publicAfter: carrier.publicAfter, now })
  for (const label of turnover.deleted) noteLabelChange(tx, { label, kind: 'deleted', publicBefore: carrier.publicBefore, publicAfter: false, now })
}
