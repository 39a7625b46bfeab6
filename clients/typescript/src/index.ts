export { createDatelineClient, DatelineClient } from './client.js'
export type {
  Article, ArticleEmbed, ArticleField, ArticleQuery, ArticleSummary, Author, Comment, CommentThread, DatelineClientOptions,
  Day, DayWithArticles, FeaturedImage, ItemOf, Label, ListMeta, ListPath, Page, PageParams, ShapedArticle
} from './client.js'
export { DatelineProblem, problemFrom } from './problem.js'
export type { FieldError, Problem } from './problem.js'
export { retryAfterMs, Transport } from './transport.js'
export type { RetryOptions, TransportOptions } from './transport.js'
export type { components, operations, paths } from './schema.js'
