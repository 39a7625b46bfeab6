import { queriesFor } from '../../db/store.js'
import { postgresFeedQueries } from './queries.postgres.js'
import { sqliteFeedQueries } from './queries.sqlite.js'

// What the sitemap lists, a page at a time: published articles and static pages, the days the blog has, and
// the labels published articles carry, each with the time it last changed.

export interface SitemapEntry {
  /** An article's slug and id, a page's slug, a `YYYY-MM-DD` day, or a label name. */
  key: string
  id?: number
  lastmod: string
}

export interface FeedQueries {
  /**
   * Labels' names as first spelled, by their case-folded keys: only labels a published article
   * carries, so a label used only on drafts reads like one nobody uses.
   */
  publicLabelNamesByKeys: (keys: string[], now: string) => Promise<Map<string, string>>
  /** Published articles the sitemap lists (not those `noindex` or canonical elsewhere: seo/sitemap.ts). */
  countPublishedArticles: (now: string) => Promise<number>
  /** When published content last changed: the newest `updatedAt` of a published article. */
  newestPublishedUpdate: (now: string) => Promise<string | null>
  publishedArticleEntries: (now: string, limit: number, offset: number) => Promise<SitemapEntry[]>
  countPublishedPages: () => Promise<number>
  /** Published static pages by slug, in menu order (parent, position, title). */
  publishedPageEntries: (limit: number, offset: number) => Promise<SitemapEntry[]>
  newestDayUpdate: () => Promise<string | null>
  /** Days that exist: with published articles, or created by an editor. */
  countDays: (now: string) => Promise<number>
  dayEntries: (now: string, limit: number, offset: number) => Promise<SitemapEntry[]>
  countLabels: (now: string) => Promise<number>
  /** Labels of published articles, by name (case-insensitively), each with its newest article's change. */
  labelEntries: (now: string, limit: number, offset: number) => Promise<SitemapEntry[]>
}

export const feedQueries = queriesFor<FeedQueries>({ sqlite: sqliteFeedQueries, postgres: postgresFeedQueries })
