import { ArticlePathParams } from '../articles/schemas.js'
import { idParam, ListMeta, ref, Timestamp, Type, type Static } from '../../schemas.js'

/** How long a preview link lasts unless asked otherwise: a day, as a review usually takes. */
export const defaultPreviewSeconds = 24 * 60 * 60
/** The longest a preview link may last: a week (a link forgotten in a chat should not live on). */
export const maxPreviewSeconds = 7 * 24 * 60 * 60

const previewProperties = {
  id: Type.Integer({ minimum: 1, examples: [7] }),
  articleId: Type.Integer({ minimum: 1, description: 'The one article the link reads', examples: [42] }),
  createdBy: Type.String({ description: 'Whose token made it: `admin`, or the token\'s role and id', examples: ['editor token 3'] }),
  createdAt: Timestamp,
  expiresAt: Type.String({ format: 'date-time', description: 'When the link stops working (at most a week after it was made)', examples: ['2026-06-26T09:00:00.000Z'] })
}

const example = { id: 7, articleId: 42, createdBy: 'editor token 3', createdAt: '2026-06-25T09:00:00.000Z', expiresAt: '2026-06-26T09:00:00.000Z' }
const exampleToken = 'dlp_Qm9va3MgYW5kIGNvZmZlZQ-7Vf3x…'

export const Preview = Type.Object(previewProperties, {
  $id: 'Preview',
  additionalProperties: false,
  description: 'A preview link of an article, without its token',
  examples: [example]
})

export const PreviewList = Type.Object({ data: Type.Array(ref(Preview)), meta: ref(ListMeta) }, {
  $id: 'PreviewList',
  additionalProperties: false,
  description: 'The article\'s preview links that still work, oldest first (expired and revoked ones are left out)',
  examples: [{ data: [example], meta: { total: 1, limit: 20, offset: 0, nextCursor: null } }]
})

export const CreatedPreview = Type.Object({
  ...previewProperties,
  token: Type.String({
    description: 'The secret a front end sends as `Authorization: Bearer <token>` to read the article with `GET /v1/articles/{id}`. Shown this once: only its hash is stored.',
    examples: [exampleToken]
  })
}, {
  $id: 'CreatedPreview',
  additionalProperties: false,
  description: 'A new preview link, with its token',
  examples: [{ ...example, token: exampleToken }]
})

export const NewPreview = Type.Object({
  expiresIn: Type.Optional(Type.Integer({
    minimum: 1,
    maximum: maxPreviewSeconds,
    description: `Seconds the link works for: ${defaultPreviewSeconds} (a day) by default, at most ${maxPreviewSeconds} (a week)`,
    examples: [3600]
  }))
}, { $id: 'NewPreview', additionalProperties: false, examples: [{ expiresIn: 3600 }, {}] })
export type NewPreviewBody = Static<typeof NewPreview>
export type PreviewBody = Static<typeof Preview>

export const PreviewParams = Type.Object({
  id: ArticlePathParams.properties.id,
  previewId: idParam('The preview link\'s id (see `GET /v1/articles/{id}/previews`)')
}, { additionalProperties: false })

export const previewSchemas = [Preview, PreviewList, CreatedPreview, NewPreview]
