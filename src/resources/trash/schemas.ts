import { trashExamples } from '../../demo/examples.js'
import { ListMeta, pageQuery, ref, Timestamp, Type, type Static } from '../../schemas.js'
import { Article } from '../articles/schemas.js'

const summary = {
  id: Type.Integer({ minimum: 1, description: 'The article\'s id, which it gets back on restore' }),
  slug: Type.String({ description: 'Reserved for it until it is purged' }),
  title: Type.String(),
  status: Type.Union([Type.Literal('draft'), Type.Literal('scheduled'), Type.Literal('published')], { description: 'What it was, and is again once restored' }),
  publishedAt: Type.Union([Timestamp, Type.Null()]),
  authorId: Type.Integer({ minimum: 1 }),
  labels: Type.Array(Type.String()),
  commentCount: Type.Integer({ minimum: 0, description: 'Approved comments, which come back with it' }),
  version: Type.Integer({ minimum: 1, description: 'The article\'s version when it was trashed' }),
  trashedAt: Type.String({ format: 'date-time' }),
  trashedBy: Type.String({ description: 'Whose token deleted it: `admin`, or the token\'s role and id', examples: ['editor token 3'] }),
  purgeAt: Type.String({ format: 'date-time', description: 'When it is deleted for good, unless restored before' })
}

export const TrashedArticleSummary = Type.Object(summary, { $id: 'TrashedArticleSummary', additionalProperties: false, examples: [trashExamples.summary] })

export const TrashedArticle = Type.Object({
  ...summary,
  excerpt: Type.Union([Type.String(), Type.Null()], { description: 'The editor\'s own excerpt; null when it is derived from the body' }),
  body: Type.String({ description: 'Sanitised HTML' })
}, { $id: 'TrashedArticle', additionalProperties: false, examples: [trashExamples.article] })

export const TrashedArticleList = Type.Object({
  data: Type.Array(ref(TrashedArticleSummary)),
  meta: ref(ListMeta)
}, { $id: 'TrashedArticleList', additionalProperties: false, examples: [trashExamples.list] })

// The article as `GET /v1/articles/{id}` gives it, and what the restore had to change.
export const RestoredArticle = Type.Object({
  ...Article.properties,
  renumberedComments: Type.Array(Type.Object({
    from: Type.Integer({ minimum: 1, description: 'The id it had before it was deleted' }),
    to: Type.Integer({ minimum: 1, description: 'Its id now' })
  }, { additionalProperties: false }), {
    description: 'Comments that came back under a new id because an import took theirs while the article was in the trash (replies follow them); usually empty',
    examples: [[{ from: 41, to: 97 }]]
  })
}, { $id: 'RestoredArticle', additionalProperties: false, examples: [trashExamples.restored] })

export const TrashListQuery = Type.Object({
  limit: pageQuery.limit,
  offset: pageQuery.offset
}, { additionalProperties: false })

export type TrashedArticleBody = Static<typeof TrashedArticle>
export type TrashedArticleSummaryBody = Static<typeof TrashedArticleSummary>
export type TrashListQueryString = Static<typeof TrashListQuery>

export const trashSchemas = [TrashedArticleSummary, TrashedArticle, TrashedArticleList, RestoredArticle]
