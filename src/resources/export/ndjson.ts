import { Type, type Static } from 'typebox'

// Dateline's own export format: one JSON object per line, a header first. Each line
// names its `type`; rows keep their ids so references (authorId, articleId, parentId)
// need no lookup, and an import into an empty database keeps them.

export const ndjsonFormat = 'dateline'
export const ndjsonVersion = 1

const timestamp = Type.String({ format: 'date-time' })
const nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()])
const id = Type.Integer({ minimum: 1 })

export const HeaderLine = Type.Object({
  type: Type.Literal('header'),
  format: Type.Literal(ndjsonFormat),
  version: Type.Literal(ndjsonVersion),
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

export const LabelLine = Type.Object({
  type: Type.Literal('label'),
  name: Type.String({ minLength: 1 })
}, { additionalProperties: false })

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

export const NdjsonLine = Type.Union([HeaderLine, SettingLine, AuthorLine, LabelLine, ArticleLine, DayLine, CommentLine])

export type HeaderLine = Static<typeof HeaderLine>
export type AuthorLine = Static<typeof AuthorLine>
export type ArticleLine = Static<typeof ArticleLine>
export type DayLine = Static<typeof DayLine>
export type CommentLine = Static<typeof CommentLine>
export type NdjsonLine = Static<typeof NdjsonLine>
