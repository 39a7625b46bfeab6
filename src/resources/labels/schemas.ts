import { labelListExample } from '../../demo/examples.js'
import { idParam, ListMeta, pageQuery, ref, Type, visibleTextPattern, type Static } from '../../schemas.js'

const example = labelListExample.data[0]!

// As an article's `labels` take them: the same names, the same limits.
const name = Type.String({ minLength: 1, maxLength: 60, pattern: visibleTextPattern, description: 'Unique, case-insensitively; spaces trimmed and collapsed', examples: ['City council'] })

export const Label = Type.Object({
  id: Type.Integer({ minimum: 1, examples: [3] }),
  name: Type.String({ examples: ['City council'] }),
  articleCount: Type.Integer({ minimum: 0, description: 'Published articles with this label' })
}, {
  $id: 'Label',
  additionalProperties: false,
  examples: [example]
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

export const NewLabel = Type.Object({
  name
}, { $id: 'NewLabel', additionalProperties: false, examples: [{ name: 'Elections' }] })
export type NewLabelBody = Static<typeof NewLabel>

export const LabelPatch = Type.Object({
  name
}, { $id: 'LabelPatch', additionalProperties: false, examples: [{ name: 'Town council' }] })
export type LabelPatchBody = Static<typeof LabelPatch>

/** `{id}` of a label (the example is one of the demo blog's). */
export const LabelParams = Type.Object({
  id: idParam('The label id', example.id)
}, { additionalProperties: false })

export const labelSchemas = [Label, LabelList, NewLabel, LabelPatch]
