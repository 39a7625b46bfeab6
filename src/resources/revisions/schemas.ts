import { revisionExamples } from '../../demo/examples.js'
import { ArticlePathParams } from '../articles/schemas.js'
import type { StoredSeoBody } from '../seo/schemas.js'
import { ListMeta, pageQuery, ref, Timestamp, Type, type Static } from '../../schemas.js'

const summary = {
  number: Type.Integer({ minimum: 1, description: 'Counts the article\'s updates: revision n is the version the n-th kept update replaced' }),
  version: Type.Integer({ minimum: 1, description: 'The article\'s version it was (the `v` of its ETag then)' }),
  title: Type.String(),
  status: Type.Union([Type.Literal('draft'), Type.Literal('scheduled'), Type.Literal('published')]),
  publishedAt: Type.Union([Timestamp, Type.Null()]),
  authorId: Type.Integer({ minimum: 1 }),
  authorIds: Type.Array(Type.Integer({ minimum: 1 }), { description: 'The byline then, in order (the primary author first)', examples: [[1, 3]] }),
  writtenAt: Type.String({ format: 'date-time', description: 'When this version was written' }),
  replacedAt: Type.String({ format: 'date-time', description: 'When an update replaced it' }),
  replacedBy: Type.String({ description: 'Whose token made that update: `admin`, or the token\'s role and id', examples: ['editor token 3'] })
}

export const RevisionSummary = Type.Object(summary, { $id: 'RevisionSummary', additionalProperties: false, examples: [revisionExamples.summary] })

export const Revision = Type.Object({
  ...summary,
  unpublishAt: Type.Union([Timestamp, Type.Null()], { description: 'When it was to come down then' }),
  excerpt: Type.Union([Type.String(), Type.Null()], { description: 'The editor\'s own excerpt then; null when it was derived from the body' }),
  labels: Type.Array(Type.String()),
  seo: Type.Unsafe<StoredSeoBody>({ allOf: [{ $ref: 'StoredSeo' }], description: 'Its search and social metadata then (`socialImage` as a media id)' }),
  body: Type.String({ description: 'Sanitised HTML' })
}, { $id: 'Revision', additionalProperties: false, examples: [revisionExamples.revision] })

export const RevisionList = Type.Object({
  data: Type.Array(ref(RevisionSummary)),
  meta: ref(ListMeta)
}, { $id: 'RevisionList', additionalProperties: false, examples: [revisionExamples.list] })

export const RevisionListQuery = Type.Object({
  limit: pageQuery.limit,
  offset: pageQuery.offset
}, { additionalProperties: false })

export const RevisionParams = Type.Object({
  id: ArticlePathParams.properties.id,
  number: Type.Integer({ minimum: 1, maximum: 1_000_000_000, description: 'The revision\'s number' })
}, { additionalProperties: false })

export type RevisionBody = Static<typeof Revision>
export type RevisionSummaryBody = Static<typeof RevisionSummary>
export type RevisionListQueryString = Static<typeof RevisionListQuery>

export const revisionSchemas = [RevisionSummary, Revision, RevisionList]
