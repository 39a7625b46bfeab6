import { feedExamples } from '../../demo/examples.js'
import { idOrSlugReference, ref, Type, type Static, visibleTextPattern } from '../../schemas.js'

// JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/): the `feed` package writes version 1,
// so this document is built here and serialised through these schemas.

export const JsonFeedAuthor = Type.Object({
  name: Type.String({ examples: ['Zoë Lindqvist'] }),
  url: Type.Optional(Type.String({ format: 'uri', description: 'The author\'s own site' })),
  avatar: Type.Optional(Type.String({ format: 'uri' }))
}, { $id: 'JsonFeedAuthor', additionalProperties: false })

export const JsonFeedItem = Type.Object({
  id: Type.String({ description: 'A `tag:` URI that stays the same when the article\'s slug changes', examples: ['tag:blog.example.org,2026-06-25:article-12'] }),
  url: Type.String({ format: 'uri', description: 'The article on the front end', examples: ['https://blog.example.org/articles/council-approves-new-footbridge'] }),
  title: Type.String({ examples: ['Council approves new footbridge over the Vell'] }),
  content_html: Type.String({ description: 'The sanitised body' }),
  summary: Type.String({ description: 'The excerpt, plain text' }),
  date_published: Type.String({ format: 'date-time' }),
  date_modified: Type.String({ format: 'date-time' }),
  authors: Type.Array(ref(JsonFeedAuthor), { minItems: 1 }),
  tags: Type.Optional(Type.Array(Type.String(), { description: 'The article\'s labels' })),
  image: Type.Optional(Type.String({ format: 'uri', description: 'The article\'s featured image, absolute: its largest variant at most 1600 pixels wide in a format every browser shows, served by the API (or an imported image\'s own address until its file is fetched)', examples: ['https://api.example.org/media/4f9c2d7e1a0b3c5d6e7f/footbridge-1600w.jpg'] }))
}, { $id: 'JsonFeedItem', additionalProperties: false })

export const JsonFeed = Type.Object({
  version: Type.Literal('https://jsonfeed.org/version/1.1'),
  title: Type.String({ examples: ['Dateline'] }),
  home_page_url: Type.String({ format: 'uri', examples: ['https://blog.example.org/'] }),
  feed_url: Type.String({ format: 'uri', examples: ['https://blog.example.org/feed.json'] }),
  description: Type.Optional(Type.String()),
  language: Type.String({ description: 'The site locale', examples: ['en-US'] }),
  items: Type.Array(ref(JsonFeedItem), { maxItems: 20 })
}, {
  $id: 'JsonFeed',
  additionalProperties: false,
  description: 'A JSON Feed 1.1 document: the latest published articles, newest first',
  examples: [feedExamples.json]
})
export type JsonFeedBody = Static<typeof JsonFeed>
export type JsonFeedItemBody = Static<typeof JsonFeedItem>

// A label's name or its slug, as the articles list's filter takes them.
const label = Type.String({ minLength: 1, maxLength: 120, pattern: visibleTextPattern, examples: ['City council'] })

export const FeedQuery = Type.Object({
  label: Type.Optional(Type.Array(label, { maxItems: 10, description: 'Only articles with this label (its name, case-insensitive, or else its slug); repeat for articles having all of them. A label no published article has yet gives an empty feed, not an error: the address is a subscription' })),
  author: Type.Optional(idOrSlugReference('Only this author\'s articles: an author id or slug. An unknown one gives an empty feed, as an unknown label does'))
}, { additionalProperties: false })
export type FeedQueryString = Static<typeof FeedQuery>

export const SitemapPageParams = Type.Object({
  page: Type.Integer({ minimum: 1, maximum: 100_000, description: 'The page of the sitemap index, from 1', examples: [1] })
}, { additionalProperties: false })

export const feedSchemas = [JsonFeedAuthor, JsonFeedItem, JsonFeed]
