import type { Store } from '../../db/store.js'
import type { MediaRow } from './queries.js'

// What the change log records of the media library (issue 21): an image uploaded, its words or
// focal point changed, or deleted. The library is for token holders, so no entry is public;
// the uploader's author token sees its own images' entries, as it sees its own drafts'. A
// reader learns of a new lead image from the article's own entry (`featuredImage`).

interface MediaChange {
  media: Pick<MediaRow, 'id' | 'ownerAuthorId'>
  kind: 'created' | 'updated' | 'deleted'
  fields: string[]
  now: string
}

export function noteMediaChange (tx: Store, { media, kind, fields, now }: MediaChange): void {
  tx.noteChange({
    resource: 'media',
    resourceId: String(media.id),
    slug: null,
    kind,
    fields,
    articleId: null,
    authorId: media.ownerAuthorId,
    publicBefore: false,
    publicAfter: false,
    at: now
  })
}
