import type { ChangedResource, ChangeKind } from '../../db/change-log.js'
import { changedResources, changeKinds } from '../../db/schema.js'
import { changeListExample } from '../../demo/examples.js'
import { ref, Type, type Static } from '../../schemas.js'

export const Change = Type.Object({
  position: Type.Integer({ minimum: 1, description: 'Where the entry is in the log: pass the last one you have as `since` to resume', examples: [42] }),
  at: Type.String({ format: 'date-time', description: 'When the change was made (RFC 3339, UTC)', examples: ['2026-12-05T09:30:00.000Z'] }),
  resource: Type.Unsafe<ChangedResource>({ type: 'string', enum: [...changedResources], description: 'What kind of thing changed', examples: ['article'] }),
  id: Type.String({ description: 'Its id (a day note\'s day)', examples: ['12'] }),
  slug: Type.Union([Type.String(), Type.Null()], { description: 'Its slug after the change; for a removal, the last one it had', examples: ['council-approves-tram-line'] }),
  kind: Type.Unsafe<ChangeKind>({
    type: 'string',
    enum: [...changeKinds],
    description: 'What happened. Without a token, only `created` (now visible: new, or just published), `updated` and `removed` (no longer visible: unpublished, trashed or deleted; delete your copy); editors see every kind',
    examples: ['updated']
  }),
  fields: Type.Array(Type.String(), { description: 'The fields the change wrote, by their names in the API', examples: [['title', 'body']] }),
  articleId: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()], { description: 'The article the change is about, or the one a comment is on', examples: [12] })
}, { $id: 'Change', additionalProperties: false })
export type ChangeBody = Static<typeof Change>

export const ChangeList = Type.Object({
  data: Type.Array(ref(Change)),
  meta: Type.Object({
    since: Type.Integer({ minimum: 0, description: 'The `since` of this request' }),
    nextSince: Type.Integer({ minimum: 0, description: 'Pass as `since` for the next page; when it equals `head`, you are up to date (poll again later)' }),
    head: Type.Integer({ minimum: 0, description: 'The last position in the log now' }),
    limit: Type.Integer({ minimum: 1, maximum: 1000 })
  }, { additionalProperties: false })
}, { $id: 'ChangeList', additionalProperties: false, examples: [changeListExample] })

export const ChangeListQuery = Type.Object({
  since: Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, default: 0, description: 'Entries after this position (0: from the oldest kept)' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100, description: 'Entries at most (1–1000); a page may hold fewer and still not be the last: follow `meta.nextSince` until it equals `meta.head`' })),
  resource: Type.Optional(Type.String({ maxLength: 100, description: `Only these resources, comma-separated: ${changedResources.join(', ')}` })),
  kind: Type.Optional(Type.String({ maxLength: 200, description: 'Only these kinds, comma-separated (as the caller sees them)' }))
}, { additionalProperties: false })
export type ChangeListQueryString = Static<typeof ChangeListQuery>

export const changeSchemas = [Change, ChangeList]
