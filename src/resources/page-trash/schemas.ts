import { pageTrashExamples } from '../../demo/examples.js'
import { ListMeta, pageQuery, ref, Type, type Static } from '../../schemas.js'
import { pageSnapshot } from '../pages/schemas.js'

const trashed = {
  id: Type.Integer({ minimum: 1, description: 'The page\'s id, which it gets back on restore' }),
  version: Type.Integer({ minimum: 1, description: 'The page\'s version when it was trashed' }),
  trashedAt: Type.String({ format: 'date-time' }),
  trashedBy: Type.String({ description: 'Whose token deleted it: `admin`, or the token\'s role and id', examples: ['editor token 3'] }),
  purgeAt: Type.String({ format: 'date-time', description: 'When it is deleted for good, unless restored before' })
}

export const TrashedPageSummary = Type.Object({
  ...trashed,
  slug: Type.String({ description: 'Reserved for it until it is purged' }),
  title: pageSnapshot.title,
  status: pageSnapshot.status,
  parentId: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()], { description: 'The page it sat under; on restore it goes back there if that page is still there, else to the top level' })
}, { $id: 'TrashedPageSummary', additionalProperties: false, examples: [pageTrashExamples.summary] })

export const TrashedPage = Type.Object({ ...trashed, ...pageSnapshot }, {
  $id: 'TrashedPage',
  additionalProperties: false,
  description: 'A deleted page, whole, as it will come back',
  examples: [pageTrashExamples.page]
})

export const TrashedPageList = Type.Object({
  data: Type.Array(ref(TrashedPageSummary)),
  meta: ref(ListMeta)
}, { $id: 'TrashedPageList', additionalProperties: false, examples: [pageTrashExamples.list] })

export const TrashedPageListQuery = Type.Object({
  limit: pageQuery.limit,
  offset: pageQuery.offset
}, { additionalProperties: false })

export type TrashedPageBody = Static<typeof TrashedPage>
export type TrashedPageSummaryBody = Static<typeof TrashedPageSummary>
export type TrashedPageListQueryString = Static<typeof TrashedPageListQuery>

export const pageTrashSchemas = [TrashedPageSummary, TrashedPage, TrashedPageList]
