import { authorExample, authorListExample, demoExample } from '../../demo/examples.js'
import { fieldsVariant, HttpUrl, idOrSlugParam, idOrSlugReference, ListMeta, pageQuery, ref, Slug, Timestamp, Type, type Static, plainTextPattern, visibleTextPattern } from '../../schemas.js'
import type { ArticleSummaryFields } from '../articles/schemas.js'

const nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()])

const name = Type.String({ minLength: 1, maxLength: 120, pattern: visibleTextPattern, examples: ['Zoë Lindqvist'] })
const bio = Type.String({ maxLength: 5000, pattern: plainTextPattern, examples: ['Covers the council and the river for the Kestermouth Ledger.'] })
const email = Type.String({ format: 'email', maxLength: 254, description: 'Private: shown only to editors, admins and the author', examples: ['zoe@example.org'] })

export const Author = Type.Object({
  id: Type.Integer({ minimum: 1, examples: [1] }),
  slug: Slug,
  name,
  bio: nullable(bio),
  avatarUrl: nullable(HttpUrl),
  url: nullable(HttpUrl),
  email: Type.Optional(nullable(email)),
  articleCount: Type.Integer({ minimum: 0, description: 'Published articles' }),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  // Typed without the summaries' own `author`, which would make the types circular.
  articles: Type.Optional(Type.Array(Type.Unsafe<Static<typeof ArticleSummaryFields>>({ $ref: 'ArticleSummary' }), { description: 'Present only with `include=articles`: the latest 10 published articles' }))
}, {
  $id: 'Author',
  additionalProperties: false,
  examples: [authorExample]
})
export type AuthorBody = Static<typeof Author>

export const AuthorList = Type.Object({
  data: Type.Array(ref(Author)),
  meta: ref(ListMeta)
}, { $id: 'AuthorList', additionalProperties: false, examples: [authorListExample] })

export const NewAuthor = Type.Object({
  name,
  slug: Type.Optional(Slug),
  bio: Type.Optional(nullable(bio)),
  avatarUrl: Type.Optional(nullable(HttpUrl)),
  url: Type.Optional(nullable(HttpUrl)),
  email: Type.Optional(nullable(email))
}, { $id: 'NewAuthor', additionalProperties: false, examples: [{ name: 'Zoë Lindqvist', email: 'zoe@example.org' }] })
export type NewAuthorBody = Static<typeof NewAuthor>

export const AuthorPatch = Type.Object({
  name: Type.Optional(name),
  slug: Type.Optional(Slug),
  bio: Type.Optional(nullable(bio)),
  avatarUrl: Type.Optional(nullable(HttpUrl)),
  url: Type.Optional(nullable(HttpUrl)),
  email: Type.Optional(nullable(email))
}, { $id: 'AuthorPatch', additionalProperties: false, minProperties: 1, examples: [{ bio: 'Now also covers sport.' }] })
export type AuthorPatchBody = Static<typeof AuthorPatch>

export const authorSortFields = ['name', 'createdAt', 'articleCount'] as const
export const authorFields = ['id', 'slug', 'name', 'bio', 'avatarUrl', 'url', 'email', 'articleCount', 'createdAt', 'updatedAt'] as const
export const authorIncludes = ['articles'] as const

const fields = Type.String({ maxLength: 500, description: `Only these fields (id is always included): ${authorFields.join(', ')}` })
const include = Type.String({ maxLength: 100, description: 'Embed related resources: `articles`' })

export const AuthorListQuery = Type.Object({
  ...pageQuery,
  sort: Type.Optional(Type.String({ maxLength: 200, description: `Comma-separated, \`-\` for descending: ${authorSortFields.join(', ')}. Default \`name\`.` })),
  fields: Type.Optional(fields),
  include: Type.Optional(include)
}, { additionalProperties: false })
export type AuthorListQueryString = Static<typeof AuthorListQuery>

export const AuthorQuery = Type.Object({
  fields: Type.Optional(fields),
  include: Type.Optional(include)
}, { additionalProperties: false })
export type AuthorQueryString = Static<typeof AuthorQuery>

export const AuthorDeleteQuery = Type.Object({
  reassignTo: Type.Optional(idOrSlugReference('Move the author\'s articles to this author (id or slug) instead of refusing with 409'))
}, { additionalProperties: false })

/** `{id}` of an author: the id or slug (the example is one of the demo blog's authors). */
export const AuthorPathParams = Type.Object({
  id: idOrSlugParam([demoExample.author.id, demoExample.author.slug])
}, { additionalProperties: false })

/** A `fields=` answer: only the fields asked for, and `id` (the typed client narrows it to them). */
export const AuthorFields = fieldsVariant(Author, 'An author with only the fields `fields=` names, and its `id` (and `articles` when they come)')
export const AuthorListFields = Type.Object({
  data: Type.Array(ref(AuthorFields)),
  meta: ref(ListMeta)
}, { $id: 'AuthorListFields', additionalProperties: false, description: 'A page of authors with only the fields `fields=` names' })

export const authorSchemas = [Author, AuthorFields, AuthorList, AuthorListFields, NewAuthor, AuthorPatch]

// What `fields=` answers are serialised with (see lib/responses.ts); one object each, as compiled serialisers are cached by schema.
export const PartialAuthor = ref(AuthorFields)
export const PartialAuthorList = ref(AuthorListFields)
