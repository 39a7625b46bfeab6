import { articleExample, articleListExample, articleSummaryExample, demoExample } from '../../demo/examples.js'
import { rankedMatchLimit } from '../../search/query.js'
import type { SeoPatchBody } from '../seo/schemas.js'
import { CalendarDay, fieldsVariant, idOrSlugParam, idOrSlugReference, ListMeta, maxId, pageQuery, plainTextPattern, ref, Slug, Timestamp, Type, type Static, visibleTextPattern } from '../../schemas.js'

/** How many authors one byline names at most (issue 22, part 4). */
export const maxBylineLength = 10

const title = Type.String({ minLength: 1, maxLength: 300, pattern: visibleTextPattern, examples: ['Council approves new footbridge over the Vell'] })
const excerpt = Type.String({ maxLength: 1000, pattern: plainTextPattern, description: 'Plain text', examples: ['The long-awaited crossing will link the quay to the old mill by next spring.'] })
const status = Type.Union([Type.Literal('draft'), Type.Literal('scheduled'), Type.Literal('published')], {
  description: '`scheduled` articles become `published` when `publishedAt` comes',
  examples: ['published']
})
const label = Type.String({ minLength: 1, maxLength: 60, pattern: visibleTextPattern, examples: ['City council'] })
/** A label named in a filter: its name, or its slug (which may be longer than a name). */
const labelFilter = Type.String({ minLength: 1, maxLength: 120, pattern: visibleTextPattern, examples: ['City council'] })
const labels = Type.Array(label, { maxItems: 100, description: 'Label names; case-insensitive, kept in the given order (at most 100 in a request; an import keeps every label)', examples: [['City council', 'Transport']] })

// Split in two so that `body` comes after the excerpt in answers.
const articleHeading = {
  id: Type.Integer({ minimum: 1, examples: [12] }),
  slug: Slug,
  title,
  excerpt: Type.String({ description: 'Given, or derived from the body (about 200 characters, cut at a word)' })
}

const articleState = {
  status,
  publishedAt: Type.Union([Timestamp, Type.Null()]),
  date: Type.Union([CalendarDay, Type.Null()], { description: 'The day of `publishedAt` in the site time zone' }),
  unpublishAt: Type.Union([Timestamp, Type.Null()], {
    description: 'When the article comes down on its own (an embargo or licence ends, a legal takedown): it is a draft again from that moment, and `unpublishAt` null. Public, like `publishedAt`, so a page can say how long it stays up',
    examples: [null]
  }),
  authorId: Type.Integer({ minimum: 1, description: 'The primary author: the first of `authorIds`', examples: [1] }),
  authorIds: Type.Array(Type.Integer({ minimum: 1 }), {
    minItems: 1,
    maxItems: maxBylineLength,
    description: 'The byline, in order: the primary author (`authorId`) first, then any co-authors',
    examples: [[1, 3]]
  }),
  labels: Type.Array(Type.String(), { examples: [['City council', 'Transport']] }),
  commentCount: Type.Integer({ minimum: 0, description: 'Approved comments' }),
  featuredImage: Type.Union([Type.Unsafe<import('../media/schemas.js').FeaturedImageBody>({ $ref: 'FeaturedImage' }), Type.Null()], {
    description: 'The lead image, ready to show (`url`, `srcset`, `sources`, sizes, alt text, caption, credit, placeholder), or null'
  }),
  createdAt: Timestamp,
  updatedAt: Type.String({ format: 'date-time', description: 'When its content was last edited (a correction filed does not change it: see `correctedAt`)' }),
  correctedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description: 'When it was last corrected in public (its latest correction\'s `correctedAt`), or null' })
}

// Plain `$ref`s by name: authors/ and comments/ schemas import this file, so importing them back would be a cycle.
// In an `allOf`, as the document drops a `$ref`'s siblings (and so the description); the
// serializer writes it as the bare `$ref` (lib/serializer.ts).
const author = (description: string) => Type.Optional(Type.Unsafe<import('../authors/schemas.js').AuthorBody>({ allOf: [{ $ref: 'Author' }], description }))
// Optional in the schema whatever `include` says: the typed client narrows it from the `include` it sent.
const embeddedAuthor = author('The article\'s primary author: present only with `include=author`')
const embeddedAuthors = Type.Optional(Type.Array(
  Type.Unsafe<import('../authors/schemas.js').AuthorBody>({ $ref: 'Author' }),
  { maxItems: maxBylineLength, description: 'Everyone on the byline, in `authorIds` order: present only with `include=authors` (what a joint byline prints)' }
))
const embeddedCorrections = Type.Array(
  Type.Unsafe<import('../corrections/schemas.js').ArticleCorrectionBody>({ $ref: 'ArticleCorrection' }),
  { maxItems: 50, description: 'Its public corrections, oldest first (at most 50): a corrections box. Readers see them when they see the article' }
)
const embeddedComments = Type.Optional(Type.Array(
  Type.Unsafe<import('../comments/schemas.js').CommentBody>({ $ref: 'Comment' }),
  { description: 'Present only with `include=comments`: the first 100 approved comments, oldest first' }
))

export const Article = Type.Object({
  ...articleHeading,
  body: Type.String({ description: 'Sanitised HTML', examples: ['<p>The council voted 7 to 2 on Tuesday…</p>'] }),
  ...articleState,
  corrections: embeddedCorrections,
  seo: Type.Unsafe<import('../seo/schemas.js').SeoBody>({ $ref: 'Seo' }),
  author: embeddedAuthor,
  authors: embeddedAuthors,
  comments: embeddedComments,
  snippet: Type.Optional(Type.String({
    description: 'With `q`: a short passage around the matched words, as text with them in `<mark>…</mark>` (everything else is escaped)',
    examples: ['…the council voted to study a <mark>footbridge</mark> at the old ferry crossing…']
  }))
}, {
  $id: 'Article',
  additionalProperties: false,
  examples: [articleExample]
})
export type ArticleBody = Static<typeof Article>

/** The summary's fields without the embedded author: what authors embed (typing only, no `$id`). */
export const ArticleSummaryFields = Type.Object({ ...articleHeading, ...articleState })

export const ArticleSummary = Type.Object({ ...articleHeading, ...articleState, author: author('The article\'s author: present on a day\'s page (`GET /v1/dates/{date}`), with `include=articles` on `GET /v1/dates`, and in related articles; never in an author\'s `articles`') }, {
  $id: 'ArticleSummary',
  additionalProperties: false,
  description: 'An article without its body, as embedded in authors and dates (with its author on date pages)',
  examples: [articleSummaryExample]
})
export type ArticleSummaryBody = Static<typeof ArticleSummary>

export const ArticleMoved = Type.Object({
  slug: Type.String({ description: 'The slug the article has now', examples: ['council-approves-new-footbridge-over-the-vell'] })
}, {
  $id: 'ArticleMoved',
  additionalProperties: false,
  description: 'A slug the article had before a rename: `Location` is its URL now, with the same query string',
  examples: [{ slug: 'council-approves-new-footbridge-over-the-vell' }]
})

/** 301 for a read by an old slug: where the article is now. */
export const movedArticle = Type.Unsafe<Static<typeof ArticleMoved>>({
  $ref: 'ArticleMoved',
  description: 'Moved: that is a slug the article had before a rename; `Location` is its URL now',
  headers: { Location: { type: 'string', description: 'The article\'s URL now, with the query string of the request' } }
})

export const ArticleList = Type.Object({
  data: Type.Array(ref(Article)),
  meta: ref(ListMeta)
}, { $id: 'ArticleList', additionalProperties: false, examples: [articleListExample] })

const writable = {
  slug: Type.Optional(Slug),
  body: Type.Optional(Type.String({ maxLength: 500_000, description: 'HTML; sanitised on the way in' })),
  markdown: Type.Optional(Type.String({ maxLength: 500_000, description: 'Markdown instead of `body`: rendered to sanitised HTML' })),
  excerpt: Type.Optional(Type.Union([excerpt, Type.Null()], { description: 'null (or absent) derives it from the body' })),
  status: Type.Optional(status),
  publishedAt: Type.Optional(Type.Union([Type.String({ format: 'date-time', maxLength: 40 }), Type.Null()], { description: 'Defaults to now when publishing' })),
  unpublishAt: Type.Optional(Type.Union([Type.String({ format: 'date-time', maxLength: 40 }), Type.Null()], { description: 'When a published or scheduled article comes down (a draft again): in the future and after `publishedAt`; null to keep it up' })),
  authorId: Type.Optional(Type.Integer({ minimum: 1, maximum: maxId, description: 'The primary author: a byline of one unless `authorIds` is given too (then it must be its first). Editors and admins give it or `authorIds` on create; author tokens write as their own author' })),
  authorIds: Type.Optional(Type.Array(Type.Integer({ minimum: 1, maximum: maxId }), {
    minItems: 1,
    maxItems: maxBylineLength,
    uniqueItems: true,
    description: `A joint byline, in order: the primary author first, then co-authors (at most ${maxBylineLength}, each once). Only editors change a byline, except that an author token may set the co-authors of a draft it leads (itself first)`,
    examples: [[1, 3]]
  })),
  labels: Type.Optional(labels),
  featuredImage: Type.Optional(Type.Union([Type.Integer({ minimum: 1, maximum: maxId }), Type.Null()], { description: 'A media id (from `POST /v1/media`), or null for none. Authors attach only images they uploaded' })),
  seo: Type.Optional(Type.Unsafe<SeoPatchBody>({ $ref: 'SeoPatch' }))
}

export const NewArticle = Type.Object({ title, ...writable }, {
  $id: 'NewArticle',
  additionalProperties: false,
  examples: [{ title: 'Council approves new footbridge over the Vell', markdown: 'The council voted **7 to 2**…', authorId: 1, labels: ['City council'], status: 'published' }]
})
export type NewArticleBody = Static<typeof NewArticle>

export const ArticlePatch = Type.Object({ title: Type.Optional(title), ...writable }, {
  $id: 'ArticlePatch',
  additionalProperties: false,
  minProperties: 1,
  examples: [{ status: 'published' }]
})
export type ArticlePatchBody = Static<typeof ArticlePatch>

export const articleSortFields = ['publishedAt', 'title', 'updatedAt', 'createdAt', 'commentCount', 'relevance'] as const
export const articleFields = ['id', 'slug', 'title', 'body', 'excerpt', 'status', 'publishedAt', 'date', 'unpublishAt', 'authorId', 'authorIds', 'labels', 'commentCount', 'featuredImage', 'createdAt', 'updatedAt', 'correctedAt', 'corrections', 'seo'] as const
export const articleIncludes = ['author', 'authors', 'comments'] as const

const fields = Type.String({ maxLength: 500, description: `Only these fields (id is always included): ${articleFields.join(', ')}` })
const include = Type.String({ maxLength: 100, description: 'Embed related resources: `author` (the primary), `authors` (the whole byline, in order), `comments`' })
const dayOrTimestamp = (description: string) => Type.String({
  maxLength: 40,
  anyOf: [{ format: 'date' }, { format: 'date-time' }],
  description
})

export const ArticleListQuery = Type.Object({
  ...pageQuery,
  q: Type.Optional(Type.String({
    minLength: 1,
    maxLength: 500,
    description: `Full-text search over title, excerpt, body and labels: all words must match; \`"a phrase"\`, \`-excluded\`; the last word also matches as a prefix while typing (from 2 letters). A repeated word counts once; only the first 8 words count (phrases' words and exclusions included). A plain word held by more than 80 % of the articles (on 200 or more) is left out while a rarer word or phrase remains; only such words: the rarest counts and hits come newest first. Results come best first (\`relevance\`) unless \`sort\` says otherwise, each with a \`snippet\`; a search matching more than ${rankedMatchLimit.toLocaleString('en-US')} articles ranks its newest ${rankedMatchLimit.toLocaleString('en-US')}, and the others follow, newest first.`
  })),
  sort: Type.Optional(Type.String({ maxLength: 200, description: `Comma-separated, \`-\` for descending: ${articleSortFields.join(', ')} (with \`q\` only). Default \`-publishedAt\`, or \`relevance\` with \`q\`.` })),
  fields: Type.Optional(fields),
  include: Type.Optional(include),
  status: Type.Optional(Type.Union([Type.Literal('draft'), Type.Literal('scheduled'), Type.Literal('published')], { description: '`scheduled` articles become `published` when `publishedAt` comes' })),
  author: Type.Optional(idOrSlugReference('Author id or slug')),
  label: Type.Optional(Type.Array(labelFilter, { maxItems: 10, description: 'A label\'s name (case-insensitive) or, failing that, its slug; repeat for articles having all of them' })),
  corrected: Type.Optional(Type.Boolean({ description: '`true`: only articles with public corrections; `false`: only those without' })),
  date: Type.Optional(Type.String({ format: 'date', maxLength: 10, description: 'Articles published on this day (site time zone)' })),
  noindex: Type.Optional(Type.Boolean({ description: '`true`: only articles kept out of search engines (`seo.noindex`); `false`: only the others' })),
  unpublishing: Type.Optional(Type.Boolean({ description: '`true`: only articles with an `unpublishAt`, what will come down (sort by it yourself: there are few)' })),
  from: Type.Optional(dayOrTimestamp('Published at or after: a timestamp, or a day (site time zone)')),
  to: Type.Optional(dayOrTimestamp('Published at or before: a timestamp, or a day (inclusive)'))
}, { additionalProperties: false })
export type ArticleListQueryString = Static<typeof ArticleListQuery>

export const ArticleQuery = Type.Object({
  fields: Type.Optional(fields),
  include: Type.Optional(include)
}, { additionalProperties: false })
export type ArticleQueryString = Static<typeof ArticleQuery>


/** A `fields=` answer: only the fields asked for, and `id` (the typed client narrows it to them). */
export const ArticleFields = fieldsVariant(Article, 'An article with only the fields `fields=` names, and its `id` (and `author`, `authors`, `comments`, `snippet` when they come)')
export const ArticleListFields = Type.Object({
  data: Type.Array(ref(ArticleFields)),
  meta: ref(ListMeta)
}, { $id: 'ArticleListFields', additionalProperties: false, description: 'A page of articles with only the fields `fields=` names' })

// What `fields=` answers are serialised with (see lib/responses.ts); one object each, as compiled serialisers are cached by schema.
export const PartialArticle = ref(ArticleFields)
export const PartialArticleList = ref(ArticleListFields)

export const RelatedQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 20, default: 5, description: 'How many (1–20)' }))
}, { additionalProperties: false })

export const ArticleSummaryList = Type.Object({
  data: Type.Array(ref(ArticleSummary)),
  meta: ref(ListMeta)
}, { $id: 'ArticleSummaryList', additionalProperties: false, examples: [{ data: [articleSummaryExample], meta: { total: 1, limit: 5, offset: 0, nextCursor: null } }] })

export const Suggestion = Type.Object({
  id: Type.Integer({ minimum: 1 }),
  slug: Slug,
  title: Type.String()
}, { $id: 'Suggestion', additionalProperties: false, examples: [{ id: articleExample.id, slug: articleExample.slug, title: articleExample.title }] })

export const SuggestionList = Type.Object({
  data: Type.Array(ref(Suggestion))
}, { $id: 'SuggestionList', additionalProperties: false, examples: [{ data: [{ id: articleExample.id, slug: articleExample.slug, title: articleExample.title }] }] })

export const SuggestQuery = Type.Object({
  q: Type.String({ minLength: 1, maxLength: 200, description: 'What has been typed so far: the last word is a prefix (from 2 letters); a repeated word counts once, only the first 8 words count', examples: ['footbr'] })
}, { additionalProperties: false })

/** `{id}` of an article: its id or slug (the example is the demo blog's footbridge article). */
export const ArticlePathParams = Type.Object({
  id: idOrSlugParam([demoExample.article.id, demoExample.article.slug])
}, { additionalProperties: false })

export const articleSchemas = [ArticleSummary, Article, ArticleMoved, ArticleFields, ArticleList, ArticleListFields, NewArticle, ArticlePatch, ArticleSummaryList, Suggestion, SuggestionList]
