import { commentExample, commentListExample, commentThreadExample, commentThreadListExample, demoExample } from '../../demo/examples.js'
import { HttpUrl, idOrSlugReference, idParam, ListMeta, maxId, pageQuery, ref, Timestamp, Type, type Static, visibleTextPattern } from '../../schemas.js'

const status = Type.Union([Type.Literal('pending'), Type.Literal('approved'), Type.Literal('spam'), Type.Literal('rejected')], {
  description: 'Readers see only `approved` comments',
  examples: ['approved']
})
const authorName = Type.String({ minLength: 1, maxLength: 100, pattern: visibleTextPattern, examples: ['Lena from Mill Lane'] })
const authorEmail = Type.String({ format: 'email', maxLength: 254, description: 'Private: shown to moderators only', examples: ['lena@example.net'] })
const body = Type.String({ minLength: 1, maxLength: 10_000, pattern: '\\S', description: 'Text or simple HTML: paragraphs, line breaks, links, emphasis, code, quotes', examples: ['Glad the bridge is finally happening!'] })

const commentProperties = {
  id: Type.Integer({ minimum: 1, examples: [7] }),
  articleId: Type.Integer({ minimum: 1, examples: [12] }),
  parentId: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()], { description: 'The comment this one replies to' }),
  authorName,
  authorUrl: Type.Union([HttpUrl, Type.Null()]),
  authorEmail: Type.Optional(Type.Union([authorEmail, Type.Null()])),
  body: Type.String({ description: 'Sanitised HTML', examples: ['<p>Glad the bridge is finally happening!</p>'] }),
  status,
  createdAt: Timestamp,
  updatedAt: Timestamp
}

export const Comment = Type.Object(commentProperties, {
  $id: 'Comment',
  additionalProperties: false,
  examples: [commentExample]
})
export type CommentBody = Static<typeof Comment>

// The schema refers to itself; the serialiser recurses once a level, so the depth cap
// (DATELINE_COMMENT_DEPTH) is what bounds it.
export const CommentThread = Type.Object({
  ...commentProperties,
  replies: Type.Array(Type.Unsafe<unknown>({ $ref: 'CommentThread' }), { description: 'Approved replies, oldest first. At the deepest level (`DATELINE_COMMENT_DEPTH`) the replies to these replies are listed here too, each with its own `parentId`.' })
}, {
  $id: 'CommentThread',
  additionalProperties: false,
  examples: [commentThreadExample]
})
export interface CommentThreadBody extends CommentBody { replies: CommentThreadBody[] }

export const CommentList = Type.Object({
  data: Type.Array(ref(Comment)),
  meta: ref(ListMeta)
}, { $id: 'CommentList', additionalProperties: false, examples: [commentListExample] })

export const CommentThreadList = Type.Object({
  data: Type.Array(ref(CommentThread)),
  meta: ref(ListMeta)
}, { $id: 'CommentThreadList', additionalProperties: false, description: 'Top-level comments with their replies nested; paging counts top-level comments', examples: [commentThreadListExample] })

export const NewComment = Type.Object({
  authorName,
  authorUrl: Type.Optional(Type.Union([HttpUrl, Type.Null()])),
  authorEmail: Type.Optional(Type.Union([authorEmail, Type.Null()])),
  body,
  parentId: Type.Optional(Type.Union([Type.Integer({ minimum: 1, maximum: maxId }), Type.Null()], { description: 'Reply to this comment (of the same article)' })),
  website: Type.Optional(Type.String({ maxLength: 2000, description: 'A honeypot: put it in the form as a hidden field and send it as the reader left it (empty). Bots fill it in.' })),
  formStartedAt: Type.Optional(Type.String({ format: 'date-time', maxLength: 40, description: 'When the comment form was shown to the reader. A comment sent faster than a person types is treated as spam.' }))
}, {
  $id: 'NewComment',
  additionalProperties: false,
  examples: [{ authorName: 'Lena from Mill Lane', authorEmail: 'lena@example.net', body: 'Glad the bridge is finally happening!' }]
})
export type NewCommentBody = Static<typeof NewComment>

export const CommentPatch = Type.Object({
  status: Type.Optional(status),
  body: Type.Optional(body),
  authorName: Type.Optional(authorName),
  authorUrl: Type.Optional(Type.Union([HttpUrl, Type.Null()]))
}, {
  $id: 'CommentPatch',
  additionalProperties: false,
  minProperties: 1,
  description: 'Moderation: `status`; editors may also edit the text',
  examples: [{ status: 'approved' }]
})
export type CommentPatchBody = Static<typeof CommentPatch>

export const commentSortFields = ['createdAt', 'updatedAt'] as const

export const ArticleCommentsQuery = Type.Object({
  ...pageQuery,
  // Kept for the clients that use it: the answer's shape depends on it, which a typed client
  // cannot follow, so the threaded list has its own path.
  thread: Type.Optional(Type.Boolean({
    default: false,
    deprecated: true,
    description: 'Deprecated: use `GET /v1/articles/{id}/comments/thread`, which answers `CommentThreadList` only. With `true`, this answers that list instead of a `CommentList`.'
  }))
}, { additionalProperties: false })
export type ArticleCommentsQueryString = Static<typeof ArticleCommentsQuery>

export const ArticleThreadQuery = Type.Object(pageQuery, { additionalProperties: false })

export const CommentListQuery = Type.Object({
  ...pageQuery,
  sort: Type.Optional(Type.String({ maxLength: 100, description: `\`createdAt\` or \`updatedAt\`, \`-\` for descending. Default \`-createdAt\` (newest first).` })),
  status: Type.Optional(Type.Union([Type.Literal('pending'), Type.Literal('approved'), Type.Literal('spam'), Type.Literal('rejected')], { description: 'Only comments in this status' })),
  article: Type.Optional(idOrSlugReference('Article id or slug'))
}, { additionalProperties: false })
export type CommentListQueryString = Static<typeof CommentListQuery>

export const CommentParams = Type.Object({
  id: idParam('The comment id', demoExample.comment.id)
}, { additionalProperties: false })

export const commentSchemas = [Comment, CommentThread, CommentList, CommentThreadList, NewComment, CommentPatch]
