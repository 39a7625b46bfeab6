import { demoExample, noSeoExample } from '../../demo/examples.js'
import type { SeoBody, SeoPatchBody, StoredSeoBody } from '../seo/schemas.js'
import { idOrSlugParam, idOrSlugReference, ListMeta, maxId, pageQuery, plainTextPattern, ref, Slug, Timestamp, Type, visibleTextPattern, type Static } from '../../schemas.js'

/** How deep pages nest: a page and its ancestors are at most this many (WordPress themes show 3 or 4). */
export const maxPageDepth = 5
/** Children a page's answer lists (`children`); the list's `parent` filter pages through them all. */
export const childrenListed = 100
/** The highest `position` (WordPress's `menu_order` is an int, but a menu never needs more). */
export const maxPosition = 1_000_000

const at = demoExample.article.publishedAt
const title = Type.String({ minLength: 1, maxLength: 300, pattern: visibleTextPattern, examples: ['About the Kestermouth Courier'] })
const excerpt = Type.String({ maxLength: 1000, pattern: plainTextPattern, description: 'Plain text', examples: ['Who we are, who pays for us and how to reach the newsroom.'] })
const status = Type.Union([Type.Literal('draft'), Type.Literal('published')], {
  description: 'Drafts are seen by editors only; pages have no schedule and no date',
  examples: ['published']
})
const parentId = Type.Union([Type.Integer({ minimum: 1, maximum: maxId }), Type.Null()], {
  description: `The page this one sits under (\`null\`: the top level). No cycles, and at most ${maxPageDepth} levels: 409 otherwise`,
  examples: [null]
})
const position = Type.Integer({ minimum: 0, maximum: maxPosition, description: 'Its place among the pages of the same parent, lowest first (WordPress\'s menu order); pages with the same position go by title', examples: [0] })

const summaryExample = { id: 2, slug: 'masthead', title: 'Masthead', status: 'published' as const, position: 1 }

export const PageSummary = Type.Object({
  id: Type.Integer({ minimum: 1, examples: [2] }),
  slug: Type.String({ examples: ['masthead'] }),
  title: Type.String({ examples: ['Masthead'] }),
  status,
  position: Type.Integer({ minimum: 0, examples: [1] })
}, {
  $id: 'PageSummary',
  additionalProperties: false,
  description: 'A page named beside another: its parent or one of its children',
  examples: [summaryExample]
})

const pageExample = {
  id: 1,
  slug: 'about',
  title: 'About the Kestermouth Courier',
  excerpt: 'Who we are, who pays for us and how to reach the newsroom.',
  status: 'published' as const,
  parentId: null,
  position: 0,
  seo: noSeoExample,
  createdAt: at,
  updatedAt: at,
  body: '<p>Who we are, who pays for us and how to reach the newsroom.</p>'
}

export const Page = Type.Object({
  id: Type.Integer({ minimum: 1, examples: [1] }),
  slug: Type.String({ description: 'Unique among pages; derived from the title when not given, and kept when the title changes', examples: ['about'] }),
  title: Type.String({ examples: ['About the Kestermouth Courier'] }),
  excerpt: Type.String({ description: 'Given, or derived from the body (about 200 characters, cut at a word)' }),
  status,
  parentId: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()], { description: 'The page it sits under, or null at the top level', examples: [null] }),
  position: Type.Integer({ minimum: 0, description: 'Its place among its siblings, lowest first', examples: [0] }),
  seo: Type.Unsafe<SeoBody>({ $ref: 'Seo' }),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  parent: Type.Optional(Type.Union([ref(PageSummary), Type.Null()], { description: 'Only on `GET /v1/pages/{idOrSlug}`: the parent, when the reader may see it (a draft parent is null for readers without an editor\'s token, though `parentId` names it)' })),
  children: Type.Optional(Type.Array(ref(PageSummary), { description: `Only on \`GET /v1/pages/{idOrSlug}\`: the pages right under it that the reader may see, in order (the first ${childrenListed}; \`GET /v1/pages?parent=\` lists them all)` })),
  body: Type.String({ description: 'Sanitised HTML', examples: ['<p>Who we are, who pays for us and how to reach the newsroom.</p>'] })
}, {
  $id: 'Page',
  additionalProperties: false,
  description: 'A static page: about, contact, corrections policy, masthead. No date, no author, not in feeds or the archive',
  examples: [{ ...pageExample, parent: null, children: [summaryExample] }]
})
export type PageBody = Static<typeof Page>

export const PageList = Type.Object({
  data: Type.Array(ref(Page)),
  meta: ref(ListMeta)
}, { $id: 'PageList', additionalProperties: false, examples: [{ data: [pageExample], meta: { total: 1, limit: 20, offset: 0, nextCursor: null } }] })

export const PageListQuery = Type.Object({
  ...pageQuery,
  parent: Type.Optional(idOrSlugReference('Only the pages right under this page (its id or slug; a page the reader may not see is a 404); `none` for the top level')),
  noindex: Type.Optional(Type.Boolean({ description: '`true`: only pages kept out of search engines (`seo.noindex`); `false`: only the others' }))
}, { additionalProperties: false })
export type PageListQueryString = Static<typeof PageListQuery>

const writable = {
  slug: Type.Optional(Slug),
  body: Type.Optional(Type.String({ maxLength: 500_000, description: 'HTML; sanitised on the way in, as an article\'s' })),
  markdown: Type.Optional(Type.String({ maxLength: 500_000, description: 'Markdown instead of `body`: rendered to sanitised HTML' })),
  excerpt: Type.Optional(Type.Union([excerpt, Type.Null()], { description: 'null (or absent) derives it from the body' })),
  status: Type.Optional(status),
  parentId: Type.Optional(parentId),
  position: Type.Optional(position),
  seo: Type.Optional(Type.Unsafe<SeoPatchBody>({ $ref: 'SeoPatch' }))
}

export const NewPage = Type.Object({ title, ...writable }, {
  $id: 'NewPage',
  additionalProperties: false,
  examples: [{ title: 'Masthead', markdown: 'Editor: **Mara Quill**', parentId: 1, position: 1, status: 'published' }]
})
export type NewPageBody = Static<typeof NewPage>

export const PagePatch = Type.Object({ title: Type.Optional(title), ...writable }, {
  $id: 'PagePatch',
  additionalProperties: false,
  minProperties: 1,
  examples: [{ position: 2 }]
})
export type PagePatchBody = Static<typeof PagePatch>

/**
 * What a page revision and a trashed page keep of a page, as the API shows them. A field
 * pages gain goes here and into pages/snapshot.ts, and both keep it.
 */
export const pageSnapshot = {
  title: Type.String({ examples: ['Masthead'] }),
  slug: Type.String({ examples: ['masthead'] }),
  status,
  parentId: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()], { description: 'The page it sat under, or null at the top level', examples: [1] }),
  position: Type.Integer({ minimum: 0, description: 'Its place among its siblings then', examples: [1] }),
  excerpt: Type.Union([Type.String(), Type.Null()], { description: 'The editor\'s own excerpt; null when it is derived from the body' }),
  seo: Type.Unsafe<StoredSeoBody>({ allOf: [{ $ref: 'StoredSeo' }], description: 'Its search and social metadata then (`socialImage` as a media id)' }),
  body: Type.String({ description: 'Sanitised HTML' })
}
const PageSnapshot = Type.Object(pageSnapshot)
export type PageSnapshot = Static<typeof PageSnapshot>

/** `{idOrSlug}` of a page. */
export const PageParams = Type.Object({
  id: idOrSlugParam([1, 'about'])
}, { additionalProperties: false })

export const pageSchemas = [PageSummary, Page, PageList, NewPage, PagePatch]
