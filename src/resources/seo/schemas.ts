import { HttpUrl, maxId, Type, type Static, visibleTextPattern } from '../../schemas.js'

// What an article or a page tells search engines and social networks (issue 22, part 1).
// Every field is optional to the writer: null (or never set) means the documented fallback,
// which the front end applies, so an untouched article reads as it always did.

const seoTitle = Type.String({ minLength: 1, maxLength: 300, pattern: visibleTextPattern })
const seoDescription = Type.String({ minLength: 1, maxLength: 1000, pattern: visibleTextPattern })
const canonicalUrl = Type.String({ ...HttpUrl, description: 'An absolute http(s) URL' })
const nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T, description: string, example?: unknown) =>
  Type.Union([schema, Type.Null()], { description, ...(example === undefined ? {} : { examples: [example] }) })

const describe = {
  title: 'The `<title>` for search results. Null: the title',
  description: 'The meta description. Null: the excerpt',
  canonicalUrl: 'Where the original lives, for wire copy and syndicated articles (`<link rel="canonical">`). Null: the article\'s own URL. One set leaves it out of the sitemap, which lists canonical URLs only',
  noindex: 'Keep it out of search engines (`<meta name="robots" content="noindex">`) and out of the sitemap',
  socialTitle: 'The title a shared link shows (Open Graph, X cards). Null: the SEO title, then the title',
  socialDescription: 'The description a shared link shows. Null: the meta description, then the excerpt',
  socialImage: 'The image a shared link shows. Null: the featured image (an article\'s; a page has none)'
}

/** As articles and pages answer it: the image ready to show, like `featuredImage`. */
export const Seo = Type.Object({
  title: nullable(Type.String(), describe.title, 'Footbridge study approved for the old ferry crossing'),
  description: nullable(Type.String(), describe.description, 'Kestermouth will spend £48,000 finding out whether a pedestrian and cycle bridge can cross the Vell where the ferry ran.'),
  canonicalUrl: nullable(Type.String(), describe.canonicalUrl, null),
  noindex: Type.Boolean({ description: describe.noindex, examples: [false] }),
  socialTitle: nullable(Type.String(), describe.socialTitle, null),
  socialDescription: nullable(Type.String(), describe.socialDescription, null),
  socialImage: Type.Union([Type.Unsafe<import('../media/schemas.js').FeaturedImageBody>({ $ref: 'FeaturedImage' }), Type.Null()], { description: describe.socialImage })
}, {
  $id: 'Seo',
  additionalProperties: false,
  description: 'Search and social metadata. Null fields fall back as each says: a front end prints `seo.title ?? title`, `seo.description ?? excerpt`, `seo.socialImage ?? featuredImage`'
})
export type SeoBody = Static<typeof Seo>

/** The same as written, and as revisions and the export keep it: `socialImage` is a media id. */
const storedFields = {
  title: nullable(seoTitle, describe.title),
  description: nullable(seoDescription, describe.description),
  canonicalUrl: nullable(canonicalUrl, describe.canonicalUrl),
  noindex: Type.Boolean({ description: describe.noindex }),
  socialTitle: nullable(seoTitle, describe.socialTitle),
  socialDescription: nullable(seoDescription, describe.socialDescription),
  socialImage: nullable(Type.Integer({ minimum: 1, maximum: maxId }), `A media id (from \`POST /v1/media\`). ${describe.socialImage}. Authors attach only images they uploaded`)
}

/** A write's `seo`: the fields given change, the others stay as they are. */
export const SeoPatch = Type.Partial(Type.Object(storedFields), {
  $id: 'SeoPatch',
  additionalProperties: false,
  description: 'Search and social metadata to change: the fields given (null to fall back again), the others kept',
  examples: [{ description: 'Kestermouth will spend £48,000 finding out whether a pedestrian and cycle bridge can cross the Vell where the ferry ran.', socialImage: 1 }]
})
export type SeoPatchBody = Static<typeof SeoPatch>

/** Every field, as a revision or an export line holds them. */
export const StoredSeo = Type.Object(storedFields, {
  $id: 'StoredSeo',
  additionalProperties: false,
  description: 'Search and social metadata as written: `socialImage` is a media id',
  examples: [{ title: 'Footbridge study approved for the old ferry crossing', description: 'Kestermouth will spend £48,000 finding out whether a pedestrian and cycle bridge can cross the Vell where the ferry ran.', canonicalUrl: null, noindex: false, socialTitle: null, socialDescription: null, socialImage: null }]
})
export type StoredSeoBody = Static<typeof StoredSeo>

export const seoSchemas = [Seo, SeoPatch, StoredSeo]
