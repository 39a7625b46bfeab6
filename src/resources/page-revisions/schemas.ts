import { pageRevisionExamples } from '../../demo/examples.js'
import { ListMeta, pageQuery, ref, Type, type Static } from '../../schemas.js'
import { PageParams, pageSnapshot } from '../pages/schemas.js'

const kept = {
  number: Type.Integer({ minimum: 1, description: 'Counts the page\'s updates: revision n is the version the n-th kept update replaced' }),
  version: Type.Integer({ minimum: 1, description: 'The page\'s version it was (the `v` of its ETag then)' }),
  writtenAt: Type.String({ format: 'date-time', description: 'When this version was written' }),
  replacedAt: Type.String({ format: 'date-time', description: 'When an update replaced it' }),
  replacedBy: Type.String({ description: 'Whose token made that update: `admin`, or the token\'s role and id', examples: ['editor token 3'] })
}

export const PageRevisionSummary = Type.Object({
  ...kept,
  title: pageSnapshot.title,
  slug: pageSnapshot.slug,
  status: pageSnapshot.status
}, { $id: 'PageRevisionSummary', additionalProperties: false, examples: [pageRevisionExamples.summary] })

export const PageRevision = Type.Object({ ...kept, ...pageSnapshot }, {
  $id: 'PageRevision',
  additionalProperties: false,
  description: 'An earlier version of a page, whole',
  examples: [pageRevisionExamples.revision]
})

export const PageRevisionList = Type.Object({
  data: Type.Array(ref(PageRevisionSummary)),
  meta: ref(ListMeta)
}, { $id: 'PageRevisionList', additionalProperties: false, examples: [pageRevisionExamples.list] })

export const PageRevisionListQuery = Type.Object({
  limit: pageQuery.limit,
  offset: pageQuery.offset
}, { additionalProperties: false })

export const PageRevisionParams = Type.Object({
  id: PageParams.properties.id,
  number: Type.Integer({ minimum: 1, maximum: 1_000_000_000, description: 'The revision\'s number' })
}, { additionalProperties: false })

export type PageRevisionBody = Static<typeof PageRevision>
export type PageRevisionSummaryBody = Static<typeof PageRevisionSummary>
export type PageRevisionListQueryString = Static<typeof PageRevisionListQuery>

export const pageRevisionSchemas = [PageRevisionSummary, PageRevision, PageRevisionList]
