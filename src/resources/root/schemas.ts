import { Type, type Static } from '../../schemas.js'

// What `GET /` and `GET /v1` answer: where things are, so a newcomer (or a client) who opens
// the server's address finds the docs and the collections instead of a 404.

const path = (description: string, example: string) => Type.String({ format: 'uri-reference', description, examples: [example] })

export const ServerLinks = Type.Object({
  api: path('The API root: links to its collections', '/v1'),
  docs: path('Interactive documentation', '/docs'),
  openapiJson: path('The OpenAPI 3.1 document, as JSON', '/openapi.json'),
  openapiYaml: path('The OpenAPI 3.1 document, as YAML', '/openapi.yaml'),
  health: path('Liveness probe', '/healthz'),
  readiness: path('Readiness probe', '/readyz'),
  atom: path('The Atom feed', '/feed.atom'),
  rss: path('The RSS feed', '/feed.rss'),
  jsonFeed: path('The JSON feed', '/feed.json'),
  correctionsAtom: path('The Atom feed of corrections', '/corrections.atom'),
  sitemap: path('The sitemap', '/sitemap.xml')
}, { additionalProperties: false })

export const ServerIndex = Type.Object({
  name: Type.String({ description: 'The blog\'s name (DATELINE_SITE_TITLE)', examples: ['Dateline'] }),
  links: ServerLinks
}, { additionalProperties: false })

export const ApiLinks = Type.Object({
  articles: path('Articles, newest first; `?q=` searches', '/v1/articles'),
  dates: path('The days of the blog, each with its articles', '/v1/dates'),
  archive: path('Years and months with their article counts', '/v1/archive'),
  authors: path('Authors', '/v1/authors'),
  labels: path('Labels with their article counts', '/v1/labels'),
  pages: path('Static pages (about, contact, masthead) in menu order', '/v1/pages'),
  comments: path('Comments (moderators); an article\'s are under /v1/articles/{id}/comments', '/v1/comments'),
  corrections: path('Every article\'s corrections, newest first; an article\'s are under /v1/articles/{id}/corrections', '/v1/corrections'),
  searchSuggestions: path('Title suggestions for a search box', '/v1/search/suggest'),
  tokens: path('API tokens (admins)', '/v1/tokens'),
  trash: path('Deleted articles (editors and authors)', '/v1/trash'),
  import: path('Import a Blogger, WordPress or Dateline export (POST)', '/v1/import'),
  export: path('Everything as NDJSON (admins)', '/v1/export'),
  docs: path('Interactive documentation', '/docs')
}, { additionalProperties: false })

export const ApiIndex = Type.Object({ links: ApiLinks }, { additionalProperties: false })

export type ServerIndexBody = Static<typeof ServerIndex>
export type ApiIndexBody = Static<typeof ApiIndex>
