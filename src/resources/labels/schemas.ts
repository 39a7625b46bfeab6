import { labelListExample } from '../../demo/examples.js'
import { idOrSlugParam, idOrSlugReference, ListMeta, maxId, pageQuery, plainTextPattern, ref, Slug, Type, visibleTextPattern, type Static } from '../../schemas.js'

const example = labelListExample.data[0]!

/** How deep labels nest: a label and its ancestors are at most this many (WordPress's theme data nests 3). */
export const maxLabelDepth = 5
/** Children a label's page lists (`children`); the list's `parent` filter pages through them all. */
export const childrenListed = 100

// As an article's `labels` take them: the same names, the same limits.
const name = Type.String({ minLength: 1, maxLength: 60, pattern: visibleTextPattern, description: 'Unique, case-insensitively; spaces trimmed and collapsed', examples: ['City council'] })
const description = Type.String({ maxLength: 500, pattern: plainTextPattern, description: 'Plain text for the label\'s page (a Ghost tag\'s or WordPress category\'s description); \'\' for none', examples: ['Decisions, budgets and elections of Kestermouth\'s council.'] })
const parentId = Type.Union([Type.Integer({ minimum: 1, maximum: maxId }), Type.Null()], {
  description: `The label this one sits under (\`null\`: the top level). No cycles, and at most ${maxLabelDepth} levels: 409 otherwise`,
  examples: [null]
})

export const LabelSummary = Type.Object({
  id: Type.Integer({ minimum: 1, examples: [3] }),
  slug: Type.String({ examples: ['city-council'] }),
  name: Type.String({ examples: ['City council'] }),
  articleCount: Type.Integer({ minimum: 0, description: 'Published articles with this label' })
}, {
  $id: 'LabelSummary',
  additionalProperties: false,
  description: 'A label named beside another: its parent or one of its children',
  examples: [{ id: example.id, slug: example.slug, name: example.name, articleCount: example.articleCount }]
})

export const Label = Type.Object({
  id: Type.Integer({ minimum: 1, examples: [3] }),
  slug: Type.String({ description: 'Unique; derived from the name when not given, and kept when the name changes', examples: ['city-council'] }),
  name: Type.String({ examples: ['City council'] }),
  description: Type.String({ examples: [''] }),
  parentId: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()], { description: 'The label it sits under, or null at the top level', examples: [null] }),
  articleCount: Type.Integer({ minimum: 0, description: 'Published articles with this label' }),
  parent: Type.Optional(Type.Union([ref(LabelSummary), Type.Null()], { description: 'Only on `GET /v1/labels/{idOrSlug}`: the parent, when the reader may see it (readers without a token see labels published articles carry)' })),
  children: Type.Optional(Type.Array(ref(LabelSummary), { description: `Only on \`GET /v1/labels/{idOrSlug}\`: the labels right under it that the reader may see, by name (the first ${childrenListed}; \`GET /v1/labels?parent=\` lists them all)` }))
}, {
  $id: 'Label',
  additionalProperties: false,
  examples: [{ ...example, parent: null, children: [] }]
})
export type LabelBody = Static<typeof Label>

export const LabelList = Type.Object({
  data: Type.Array(ref(Label)),
  meta: ref(ListMeta)
}, { $id: 'LabelList', additionalProperties: false, examples: [labelListExample] })

export const labelSortFields = ['name', 'slug', 'articleCount'] as const

export const LabelListQuery = Type.Object({
  ...pageQuery,
  sort: Type.Optional(Type.String({ maxLength: 100, description: '`name` (default, case-insensitive), `slug` or `articleCount`; `-` for descending' })),
  parent: Type.Optional(idOrSlugReference('Only the labels right under this label (its id or slug; a label that is not there is a 404); `none` for the top level'))
}, { additionalProperties: false })
export type LabelListQueryString = Static<typeof LabelListQuery>

export const NewLabel = Type.Object({
  name,
  slug: Type.Optional(Slug),
  description: Type.Optional(description),
  parentId: Type.Optional(parentId)
}, { $id: 'NewLabel', additionalProperties: false, examples: [{ name: 'Elections', description: 'Votes and counts.', parentId: example.id }] })
export type NewLabelBody = Static<typeof NewLabel>

export const LabelPatch = Type.Object({
  name: Type.Optional(name),
  slug: Type.Optional(Slug),
  description: Type.Optional(description),
  parentId: Type.Optional(parentId)
}, { $id: 'LabelPatch', additionalProperties: false, minProperties: 1, examples: [{ name: 'Town council' }] })
export type LabelPatchBody = Static<typeof LabelPatch>

/** `{idOrSlug}` of a label (the examples are one of the demo blog's). */
export const LabelParams = Type.Object({
  id: idOrSlugParam([example.id, example.slug])
}, { additionalProperties: false })

export const labelSchemas = [LabelSummary, Label, LabelList, NewLabel, LabelPatch]
