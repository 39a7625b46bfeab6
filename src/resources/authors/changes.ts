import type { ChangeKind } from '../../db/change-log.js'
import type { Store } from '../../db/store.js'
import type { AuthorRow } from './queries.js'

// What the change log records of authors (issue 20). Authors are public, but their email is
// not: a change of nothing else is an editor's business, invisible to other readers.

const fieldOfColumn: Partial<Record<keyof AuthorRow, string>> = {
  slug: 'slug',
  name: 'name',
  bio: 'bio',
  avatarUrl: 'avatarUrl',
  url: 'url',
  email: 'email'
}

/** The fields no reader without a token is told changed. */
export const privateAuthorFields = new Set(['email'])

/** Notes a change of an author in the unit's change log: created (no `before`), updated, or deleted (no `after`). */
export function noteAuthorChange (tx: Store, change: { before?: AuthorRow, after?: AuthorRow, now: string }): void {
  const { before, after, now } = change
  const author = (after ?? before)!
  const kind: ChangeKind = before === undefined ? 'created' : after === undefined ? 'deleted' : 'updated'
  const fields = before === undefined || after === undefined
    ? (after === undefined ? [] : Object.values(fieldOfColumn))
    : Object.entries(fieldOfColumn).filter(([column]) => before[column as keyof AuthorRow] !== after[column as keyof AuthorRow]).map(([, field]) => field)
  if (kind === 'updated' && fields.length === 0) return
  const seenByReaders = kind !== 'updated' || fields.some((field) => !privateAuthorFields.has(field))
  tx.noteChange({
    resource: 'author',
    resourceId: String(author.id),
    slug: author.slug,
    kind,
    fields,
    articleId: null,
    authorId: author.id,
    publicBefore: seenByReaders && before !== undefined,
    publicAfter: seenByReaders && after !== undefined,
    at: now
  })
}
