import { labelListExample } from '../../demo/examples.js'
import { ListMeta, pageQuery, ref, Type, type Static } from '../../schemas.js'

export const Label = Type.Object({
  id: Type.Integer({ minimum: 1, examples: [3] }),
  name: Type.String({ examples: ['City council'] }),
  articleCount: Type.Integer({ minimum: 0, description: 'Published articles with this label' })
}, {
  $id: 'Label',
  additionalProperties: false,
  examples: [labelListExample.data[0]]
})
export type LabelBody = Static<typeof Label>

export const LabelList = Type.Object({
  data: Type.Array(ref(Label)),
  meta: ref(ListMeta)
}, { $id: 'LabelList', additionalProperties: false, examples: [labelListExample] })

export const labelSortFields = ['name', 'articleCount'] as const

export const LabelListQuery = Type.Object({
  ...pageQuery,
  sort: Type.Optional(Type.String({ maxLength: 100, description: '`name` (default, case-insensitive) or `articleCount`; `-` for descending' }))
}, { additionalProperties: false })
export type LabelListQueryString = Static<typeof LabelListQuery>

export const labelSchemas = [Label, LabelList]
