import { Type, type Static } from '../../schemas.js'

export const StreamQuery = Type.Object({
  article: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Only this article\'s changes and its comments (id or slug): a live blog page' })),
  label: Type.Optional(Type.String({ minLength: 1, maxLength: 60, description: 'Only articles carrying this label (and their comments); removals of any article come through, as the label of what is gone is not known' })),
  author: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Only this author\'s articles and their comments (id or slug)' })),
  since: Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: 'Replay the changes after this position first (as `Last-Event-ID`, which a reconnecting EventSource sends, does); without either, only what happens from now on' }))
}, { additionalProperties: false })
export type StreamQueryString = Static<typeof StreamQuery>
