import { idOrSlugReference, idParam, ListMeta, pageQuery, ref, Timestamp, Type, type Static, visibleTextPattern } from '../../schemas.js'

const role = Type.Union([Type.Literal('admin'), Type.Literal('editor'), Type.Literal('author')], {
  description: '`admin`: everything; `editor`: all content and moderation; `author`: one author\'s drafts',
  examples: ['editor']
})

const tokenProperties = {
  id: Type.Integer({ minimum: 1, examples: [3] }),
  name: Type.String({ examples: ['Import script'] }),
  role,
  authorId: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()], { description: 'The author an `author` token writes as' }),
  createdAt: Timestamp,
  lastUsedAt: Type.Union([Timestamp, Type.Null()], { description: 'To the minute' }),
  expiresAt: Type.Union([Timestamp, Type.Null()]),
  revokedAt: Type.Union([Timestamp, Type.Null()])
}

const example = { id: 3, name: 'Import script', role: 'editor', authorId: null, createdAt: '2026-06-25T09:00:00.000Z', lastUsedAt: null, expiresAt: null, revokedAt: null }

export const Token = Type.Object(tokenProperties, {
  $id: 'Token',
  additionalProperties: false,
  description: 'An API token, without its secret',
  examples: [example]
})

export const TokenList = Type.Object({ data: Type.Array(ref(Token)), meta: ref(ListMeta) }, {
  $id: 'TokenList',
  additionalProperties: false,
  examples: [{ data: [example], meta: { total: 1, limit: 20, offset: 0, nextCursor: null } }]
})

export const TokenListQuery = Type.Object({ ...pageQuery }, { additionalProperties: false })

export const CreatedToken = Type.Object({
  ...tokenProperties,
  secret: Type.String({ description: 'The bearer token. Shown this once: only its hash is stored.', examples: ['dl_3q2-7Vf…'] })
}, {
  $id: 'CreatedToken',
  additionalProperties: false,
  examples: [{ ...example, secret: 'dl_3q2-7Vf…' }]
})

export const NewToken = Type.Object({
  role,
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 100, pattern: visibleTextPattern, examples: ['Import script'] })),
  author: Type.Optional(idOrSlugReference('For an `author` token (and only then): the author\'s id or slug')),
  expiresAt: Type.Optional(Type.Union([Type.String({ format: 'date-time', maxLength: 40 }), Type.Null()], { description: 'When the token stops working; never by default' }))
}, { $id: 'NewToken', additionalProperties: false, examples: [{ role: 'editor', name: 'Import script' }] })
export type NewTokenBody = Static<typeof NewToken>

export const TokenParams = Type.Object({
  id: idParam('The token id (see `GET /v1/tokens`)')
}, { additionalProperties: false })

export const tokenSchemas = [Token, TokenList, CreatedToken, NewToken]
