import { Type, type Static } from 'typebox'

// Dateline's own export format: one JSON object per line, a header first. Each line
// names its `type`; rows keep their ids so references (authorId, articleId, parentId)
// need no lookup, and an import into an empty database keeps them.

export const ndjsonFormat = 'dateline'
/**
 * 2: media lines and articles' featuredImage; 3: articles' oldSlugs; 4: redirect lines, articles'
 * unpublishAt and corrections, label lines' id, slug, description and parentId (the id of another
 * label line, which may come before or after it), articles' coAuthorIds (a joint byline after
 * `authorId`), page lines (parentId: another page line's id, before or after it); 5: articles'
 * and pages' seo. Files of earlier versions (without them) are read too.
 */
export const ndjsonVersion = 5

const timestamp = Type.String({ format: 'date-time' })
const nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()])
const id = Type.Integer({ minimum: 1 })

export const HeaderLine = Type.Object({
  type: Type.Literal('header'),
  format: Type.Literal(ndjsonFormat),
  version: Type.Union([Type.Literal(1), Type.Literal(2), Type.Literal(3), Type.Literal(4), Type.Literal(ndjsonVersion)]),
  exportedAt: timestamp,
  counts: Type.Record(Type.String(), Type.Integer({ minimum: 0 }))
}, { additionalProperties: false })

export const SettingLine = Type.Object({
  type: Type.Literal('setting'),
  name: Type.String({ minLength: 1 }),
  value: Type.String()
}, { additionalProperties: false })

export const AuthorLine = Type.Object({
  type: Type.Literal('author'),
  id,
  slug: Type.String({ minLength: 1 }),
  name: Type.String({ minLength: 1 }),
  bio: nullable(Type.String()),
  avatarUrl: nullable(Type.String()),
  url: nullable(Type.String()),
  email: nullable(Type.String()),
  createdAt: timestamp,
  updatedAt: timestamp
}, { additionalProperties: false })

/**
 * A label. Before version 4 only its name, which its articles carry anyway; from version 4 its
 * id (what another label's `parentId` names), slug, description and parent.
 */
export const LabelLine = Type.Object({
  type: Type.Literal('label'),
  id: Type.Optional(id),
  name: Type.String({ minLength: 1 }),
  slug: Type.Optional(Type.String({ minLength: 1, maxLength: 120 })),
  description: Type.Optional(Type.String({ maxLength: 500 })),
  parentId: Type.Optional(nullable(id))
}, { additionalProperties: false })

/**
 * A media item. Its files are not in the NDJSON: `url` says where its largest file in a format
 * every browser shows can be fetched (the API's address for `GET /v1/export`, the media folder's
 * for `dateline export`; an imported image not fetched yet: its own address), and `dateline
 * export <file>` copies each upload's original to `<file>.media/{key}/original`.
 */
export const MediaLine = Type.Object({
  type: Type.Literal('media'),
  id,
  /** An upload's folder name (where `dateline export` puts its original); null for an external item, which has no files. */
  key: nullable(Type.String({ pattern: '^[0-9a-f]{20}$' })),
  source: Type.Union([Type.Literal('upload'), Type.Literal('external')]),
  ownerAuthorId: nullable(id),
  fileName: Type.String(),
  alt: Type.String(),
  caption: Type.String(),
  credit: Type.String(),
  focalPoint: Type.Object({ x: Type.Number({ minimum: 0, maximum: 1 }), y: Type.Number({ minimum: 0, maximum: 1 }) }, { additionalProperties: false }),
  /** The original's format; null, as are the sizes, for an external item. */
  format: nullable(Type.String()),
  width: nullable(Type.Integer({ minimum: 1 })),
  height: nullable(Type.Integer({ minimum: 1 })),
  externalUrl: nullable(Type.String()),
  url: nullable(Type.String()),
  createdAt: timestamp,
  updatedAt: timestamp
}, { additionalProperties: false })

const CorrectionOfLine = Type.Object({
  /** Kept on import when no other correction has it. */
  id,
  note: Type.String({ minLength: 1, maxLength: 2000 }),
  correctedAt: timestamp,
  createdAt: timestamp,
  updatedAt: timestamp
}, { additionalProperties: false })
export type CorrectionOfLine = Static<typeof CorrectionOfLine>

/** Search and social metadata; `socialImage` the id of a media line. Absent before version 5, and when none is set. */
export const SeoOfLine = Type.Object({
  title: nullable(Type.String({ minLength: 1, maxLength: 300 })),
  description: nullable(Type.String({ minLength: 1, maxLength: 1000 })),
  canonicalUrl: nullable(Type.String({ minLength: 1, maxLength: 2000 })),
  noindex: Type.Boolean(),
  socialTitle: nullable(Type.String({ minLength: 1, maxLength: 300 })),
  socialDescription: nullable(Type.String({ minLength: 1, maxLength: 1000 })),
  socialImage: nullable(id)
}, { additionalProperties: false })
export type SeoOfLine = Static<typeof SeoOfLine>

export const ArticleLine = Type.Object({
  type: Type.Literal('article'),
  id,
  slug: Type.String({ minLength: 1 }),
  title: Type.String(),
  body: Type.String(),
  /** The editor's own excerpt; null when it is derived from the body. */
  excerpt: nullable(Type.String()),
  status: Type.Union([Type.Literal('draft'), Type.Literal('scheduled'), Type.Literal('published')]),
  publishedAt: nullable(timestamp),
  authorId: id,
  labels: Type.Array(Type.String({ minLength: 1 })),
  /** The id of its featured image's media line, or null. Absent in version 1 files. */
  featuredImage: Type.Optional(nullable(id)),
  /** Slugs it had before a rename, which answer 301 to `slug`. Absent before version 3. */
  oldSlugs: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 120 }), { maxItems: 1000 })),
  /** The ids of author lines after `authorId` on a joint byline, in order. Absent before version 4. */
  coAuthorIds: Type.Optional(Type.Array(id, { maxItems: 9 })),
  /** When it comes down. Absent before version 4. */
  unpublishAt: Type.Optional(nullable(timestamp)),
  /** Its public corrections, oldest first. Absent before version 4. */
  corrections: Type.Optional(Type.Array(CorrectionOfLine, { maxItems: 50 })),
  seo: Type.Optional(SeoOfLine),
  createdAt: timestamp,
  updatedAt: timestamp
}, { additionalProperties: false })

export const DayLine = Type.Object({
  type: Type.Literal('day'),
  day: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' }),
  note: nullable(Type.String()),
  createdAt: timestamp,
  updatedAt: timestamp
}, { additionalProperties: false })

export const CommentLine = Type.Object({
  type: Type.Literal('comment'),
  id,
  articleId: id,
  parentId: nullable(id),
  authorName: Type.String({ minLength: 1 }),
  authorUrl: nullable(Type.String()),
  authorEmail: nullable(Type.String()),
  body: Type.String(),
  status: Type.Union([Type.Literal('pending'), Type.Literal('approved'), Type.Literal('spam'), Type.Literal('rejected')]),
  createdAt: timestamp,
  updatedAt: timestamp
}, { additionalProperties: false })

/** An editor's redirect (`/v1/redirects`): `from` a path on the front end, `to` a path or URL. Absent before version 4. */
export const RedirectLine = Type.Object({
  type: Type.Literal('redirect'),
  id,
  from: Type.String({ minLength: 1 }),
  to: Type.String({ minLength: 1 }),
  status: Type.Union([Type.Literal(301), Type.Literal(302), Type.Literal(307), Type.Literal(308)]),
  createdAt: timestamp,
  updatedAt: timestamp
}, { additionalProperties: false })

/** A static page (`/v1/pages`); its parent by id, before or after it. Absent before version 4. */
export const PageLine = Type.Object({
  type: Type.Literal('page'),
  id,
  slug: Type.String({ minLength: 1 }),
  title: Type.String(),
  body: Type.String(),
  excerpt: nullable(Type.String()),
  status: Type.Union([Type.Literal('draft'), Type.Literal('published')]),
  parentId: nullable(id),
  position: Type.Integer({ minimum: 0 }),
  seo: Type.Optional(SeoOfLine),
  createdAt: timestamp,
  updatedAt: timestamp
}, { additionalProperties: false })

export const NdjsonLine = Type.Union([HeaderLine, SettingLine, AuthorLine, LabelLine, MediaLine, ArticleLine, DayLine, CommentLine, RedirectLine, PageLine])

export type HeaderLine = Static<typeof HeaderLine>
export type AuthorLine = Static<typeof AuthorLine>
export type LabelLine = Static<typeof LabelLine>
export type MediaLine = Static<typeof MediaLine>
export type ArticleLine = Static<typeof ArticleLine>
export type DayLine = Static<typeof DayLine>
export type CommentLine = Static<typeof CommentLine>
export type RedirectLine = Static<typeof RedirectLine>
export type PageLine = Static<typeof PageLine>
export type NdjsonLine = Static<typeof NdjsonLine>
