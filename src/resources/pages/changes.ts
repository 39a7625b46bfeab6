import type { Store } from '../../db/store.js'
import type { PageStatus } from './queries.js'

// What the change log records of pages (issue 22): readers without an editor's token see a
// page while it is published, so that is what an entry's public flags say.

interface PageChange {
  page: { id: number, slug: string }
  kind: 'created' | 'updated' | 'published' | 'unpublished' | 'deleted' | 'trashed' | 'restored' | 'purged'
  fields: string[]
  statusBefore: PageStatus | null
  statusAfter: PageStatus | null
  now: string
}

export function notePageChange (tx: Store, change: PageChange): void {
  tx.noteChange({
    resource: 'page',
    resourceId: String(change.page.id),
    slug: change.page.slug,
    kind: change.kind,
    fields: change.fields,
    articleId: null,
    authorId: null,
    publicBefore: change.statusBefore === 'published',
    publicAfter: change.statusAfter === 'published',
    at: change.now
  })
}

/** An edit's kind, as the articles' log names it: a change of status is news of its own. */
export function kindOfEdit (before: PageStatus, after: PageStatus): PageChange['kind'] {
  if (before === after) return 'updated'
  return after === 'published' ? 'published' : 'unpublished'
}

/** Notes that pages left the trash for good (nobody without a token saw them there). */
export function notePagesPurged (tx: Store, purged: Array<{ id: number, slug: string }>, now: string): void {
  for (const page of purged) notePageChange(tx, { page, kind: 'purged', fields: [], statusBefore: null, statusAfter: null, now })
}
