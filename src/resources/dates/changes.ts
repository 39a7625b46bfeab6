import type { ChangeKind } from '../../db/change-log.js'
import type { Store } from '../../db/store.js'

/** Notes a change of a day's note in the unit's change log (issue 20): days and their notes are public. */
export function noteDayChange (tx: Store, day: string, kind: Extract<ChangeKind, 'created' | 'updated' | 'deleted'>, now: string): void {
  tx.noteChange({
    resource: 'day',
    resourceId: day,
    slug: null,
    kind,
    fields: kind === 'deleted' ? [] : ['note'],
    articleId: null,
    authorId: null,
    publicBefore: kind !== 'created',
    publicAfter: kind !== 'deleted',
    at: now
  })
}
