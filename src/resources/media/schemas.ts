import { idParam, ListMeta, maxId, pageQuery, plainTextPattern, ref, Timestamp, Type, type Static } from '../../schemas.js'

// An image as the media library shows it, and as articles embed it (`FeaturedImage`).

const type = Type.String({ description: 'The media type, from the detected format', examples: ['image/webp'] })
const url = (description: string) => Type.String({ description, examples: ['/media/4f9c2d7e1a0b3c5d6e7f/footbridge-640w.jpg'] })

export const ImageSource = Type.Object({
  type,
  srcset: Type.String({ description: 'For a `<source>` of a `<picture>`', examples: ['/media/4f9c2d7e1a0b3c5d6e7f/footbridge-320w.avif 320w, /media/4f9c2d7e1a0b3c5d6e7f/footbridge-640w.avif 640w'] })
}, { $id: 'ImageSource', additionalProperties: false })

const FocalPoint = Type.Object({
  x: Type.Number({ minimum: 0, maximum: 1, description: 'From the left edge (0) to the right (1)', examples: [0.5] }),
  y: Type.Number({ minimum: 0, maximum: 1, description: 'From the top (0) to the bottom (1)', examples: [0.4] })
}, { additionalProperties: false, description: 'Where the subject is: crop around it' })

const imageFields = {
  id: Type.Integer({ minimum: 1, examples: [1] }),
  url: url('The largest variant in a format every browser shows (JPEG, PNG or GIF), or an imported image\'s own address until its file is fetched. Paths start at the API\'s origin.'),
  width: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()], { description: 'Of the image as shown (its orientation applied); null for an imported image not fetched yet', examples: [2048] }),
  height: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()], { examples: [1365] }),
  alt: Type.String({ description: 'Alternative text for readers who cannot see it', examples: ['The new footbridge seen from the quay'] }),
  caption: Type.String({ examples: ['The footbridge at dawn'] }),
  credit: Type.String({ description: 'Who took it, and its copyright', examples: ['Photo: Ana Reyes / Vell Herald'] }),
  srcset: Type.String({ description: 'For `<img srcset>`: every width of `url`\'s format (empty for an image not fetched)', examples: ['/media/4f9c2d7e1a0b3c5d6e7f/footbridge-320w.jpg 320w, /media/4f9c2d7e1a0b3c5d6e7f/footbridge-640w.jpg 640w'] }),
  sources: Type.Array(ref(ImageSource), { description: 'Modern formats, best first, for `<picture>`' }),
  placeholder: Type.Union([Type.String(), Type.Null()], { description: 'A tiny blurred WebP as a `data:` URI, to show while the image loads', examples: ['data:image/webp;base64,UklGRkAAAABXRUJQVlA4IDQAAADwAQCdASoQAAsAAUAmJaQAA3AA/vuUAAA='] }),
  dominantColor: Type.Union([Type.String({ pattern: '^#[0-9a-f]{6}$' }), Type.Null()], { description: 'A background colour to show before anything loads', examples: ['#3868a8'] }),
  focalPoint: FocalPoint
}

/** An image as articles embed it: everything a front end needs to show it. */
export const FeaturedImage = Type.Object(imageFields, {
  $id: 'FeaturedImage',
  additionalProperties: false,
  description: 'An image ready to show: `url` and `srcset` (with `sizes` of your own) for `<img>`, `sources` for `<picture>`'
})
export type FeaturedImageBody = Static<typeof FeaturedImage>

const Variant = Type.Object({
  url: url('Served by the API with `Cache-Control: immutable`, an ETag and Range'),
  type,
  width: Type.Integer({ minimum: 1, examples: [640] }),
  height: Type.Integer({ minimum: 1, examples: [427] }),
  bytes: Type.Integer({ minimum: 0, examples: [48213] })
}, { additionalProperties: false })

const mediaExample = {
  id: 1,
  url: '/media/4f9c2d7e1a0b3c5d6e7f/footbridge-640w.jpg',
  width: 640,
  height: 427,
  alt: 'The new footbridge seen from the quay',
  caption: 'The footbridge at dawn',
  credit: 'Photo: Ana Reyes / Vell Herald',
  srcset: '/media/4f9c2d7e1a0b3c5d6e7f/footbridge-320w.jpg 320w, /media/4f9c2d7e1a0b3c5d6e7f/footbridge-640w.jpg 640w',
  sources: [
    { type: 'image/avif', srcset: '/media/4f9c2d7e1a0b3c5d6e7f/footbridge-320w.avif 320w, /media/4f9c2d7e1a0b3c5d6e7f/footbridge-640w.avif 640w' },
    { type: 'image/webp', srcset: '/media/4f9c2d7e1a0b3c5d6e7f/footbridge-320w.webp 320w, /media/4f9c2d7e1a0b3c5d6e7f/footbridge-640w.webp 640w' }
  ],
  placeholder: 'data:image/webp;base64,UklGRkAAAABXRUJQVlA4IDQAAADwAQCdASoQAAsAAUAmJaQAA3AA/vuUAAA=',
  dominantColor: '#3868a8',
  focalPoint: { x: 0.5, y: 0.5 },
  source: 'upload' as const,
  fileName: 'footbridge.jpg',
  type: 'image/jpeg',
  bytes: 412044,
  animated: false,
  externalUrl: null,
  ownerAuthorId: 1,
  variants: [
    { url: '/media/4f9c2d7e1a0b3c5d6e7f/footbridge-320w.jpg', type: 'image/jpeg', width: 320, height: 213, bytes: 18321 },
    { url: '/media/4f9c2d7e1a0b3c5d6e7f/footbridge-320w.webp', type: 'image/webp', width: 320, height: 213, bytes: 12002 },
    { url: '/media/4f9c2d7e1a0b3c5d6e7f/footbridge-320w.avif', type: 'image/avif', width: 320, height: 213, bytes: 9120 },
    { url: '/media/4f9c2d7e1a0b3c5d6e7f/footbridge-640w.jpg', type: 'image/jpeg', width: 640, height: 427, bytes: 48213 },
    { url: '/media/4f9c2d7e1a0b3c5d6e7f/footbridge-640w.webp', type: 'image/webp', width: 640, height: 427, bytes: 30114 },
    { url: '/media/4f9c2d7e1a0b3c5d6e7f/footbridge-640w.avif', type: 'image/avif', width: 640, height: 427, bytes: 21877 }
  ],
  createdAt: '2026-03-02T09:14:00.000Z',
  updatedAt: '2026-03-02T09:14:00.000Z'
}

export const Media = Type.Object({
  ...imageFields,
  source: Type.Union([Type.Literal('upload'), Type.Literal('external')], { description: '`external`: an imported image, known by its address until `dateline media fetch` brings its file in' }),
  fileName: Type.String({ description: 'The uploaded file\'s name', examples: ['footbridge.jpg'] }),
  type: Type.Union([Type.String(), Type.Null()], { description: 'The detected format of the upload (null for an image not fetched)', examples: ['image/jpeg'] }),
  bytes: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()], { description: 'Of the upload as it came', examples: [412044] }),
  animated: Type.Boolean({ description: 'An animated GIF or WebP (its variants are animated too)' }),
  externalUrl: Type.Union([Type.String(), Type.Null()], { description: 'Where an imported image was' }),
  ownerAuthorId: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()], { description: 'The author who uploaded it: authors may attach and change only their own' }),
  variants: Type.Array(Variant, { description: 'Every file served, smallest first' }),
  createdAt: Timestamp,
  updatedAt: Timestamp
}, { $id: 'Media', additionalProperties: false, examples: [mediaExample] })
export type MediaBody = Static<typeof Media>

export const MediaList = Type.Object({
  data: Type.Array(ref(Media)),
  meta: ref(ListMeta)
}, { $id: 'MediaList', additionalProperties: false, examples: [{ data: [mediaExample], meta: { total: 1, limit: 20, offset: 0, nextCursor: null } }] })

export const mediaSortFields = ['createdAt', 'fileName'] as const

export const MediaListQuery = Type.Object({
  ...pageQuery,
  q: Type.Optional(Type.String({ minLength: 1, maxLength: 200, pattern: plainTextPattern, description: 'Words each found in the alt text, caption, credit or file name (case aside; the first 8 words count)' })),
  owner: Type.Optional(Type.Integer({ minimum: 1, maximum: maxId, description: 'Only images this author uploaded' })),
  sort: Type.Optional(Type.String({ maxLength: 100, description: '`createdAt` or `fileName`; `-` for descending (default `-createdAt`)' }))
}, { additionalProperties: false })
export type MediaListQueryString = Static<typeof MediaListQuery>

const alt = Type.String({ maxLength: 1000, pattern: plainTextPattern, description: 'Plain text' })
const caption = Type.String({ maxLength: 2000, pattern: plainTextPattern, description: 'Plain text' })
const credit = Type.String({ maxLength: 300, pattern: plainTextPattern, description: 'Plain text' })

export const MediaPatch = Type.Object({
  alt: Type.Optional(alt),
  caption: Type.Optional(caption),
  credit: Type.Optional(credit),
  focalPoint: Type.Optional(FocalPoint)
}, { $id: 'MediaPatch', additionalProperties: false, minProperties: 1, examples: [{ alt: 'The new footbridge seen from the quay', credit: 'Photo: Ana Reyes / Vell Herald' }] })
export type MediaPatchBody = Static<typeof MediaPatch>

/** The text fields an upload may carry beside its file, validated as a PATCH's are. */
export const UploadFields = Type.Object({
  alt: Type.Optional(alt),
  caption: Type.Optional(caption),
  credit: Type.Optional(credit)
}, { additionalProperties: false })
export type UploadFieldsBody = Static<typeof UploadFields>

/**
 * The multipart body, for the document and clients. The route reads the parts as they stream
 * (routes.ts), so what the validator sees is an empty object: `file` cannot be `required`
 * here, and the route answers its absence with the same 400 naming `body.file`.
 */
export const MediaUpload = Type.Object({
  file: Type.Optional(Type.Unsafe<string>({ type: 'string', contentMediaType: 'application/octet-stream', maxLength: 25 * 1024 * 1024, description: 'Required: a JPEG, PNG, WebP, AVIF or GIF image, recognised by its content (at most `DATELINE_MEDIA_MAX_BYTES`, 25 MiB unless set)' })),
  alt: Type.Optional(alt),
  caption: Type.Optional(caption),
  credit: Type.Optional(credit)
}, { $id: 'MediaUpload', additionalProperties: false, description: 'A `multipart/form-data` form: the image and its text' })

export const DeleteMediaQuery = Type.Object({
  force: Type.Optional(Type.Boolean({ description: 'Take the image off the articles using it first, instead of refusing (409)' }))
}, { additionalProperties: false })

export const MediaParams = Type.Object({
  id: idParam('The media id')
}, { additionalProperties: false })

export const mediaSchemas = [ImageSource, FeaturedImage, Media, MediaList, MediaPatch, MediaUpload]
