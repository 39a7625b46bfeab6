/** The site's settings, from its configuration; routes find them on `app.settings` (plugins/settings.ts). */
export interface SiteSettings {
  /** IANA time zone the blog's calendar days are in. */
  timezone: string
  /** BCP 47 locale for human-readable labels such as day headers. */
  locale: string
  /** Readers' comments start `approved` instead of `pending`. */
  commentsAutoApprove: boolean
  /** Comments one client may post per minute on one article. */
  commentRateLimit: number
  /** Levels of nested replies; deeper replies answer beside their parent. */
  commentDepth: number
  /** Searches and, apart, suggestions one client may ask for per minute. */
  searchRateLimit: number
  /** The window those limits count in: a minute, lowered by tests to see a limit clear. */
  rateLimitWindowMs: number
  /** Earlier versions kept per article, and per page; the oldest beyond are pruned. */
  revisionsKept: number
  /** Days a deleted article or page stays in the trash before it is purged; 0: no trash. */
  trashDays: number
  /** Days the change log keeps its entries; older ones are pruned and a `since` before them answers 410. */
  changesRetentionDays: number
  /** The blog's name, as feeds show it. */
  siteTitle: string
  /** A line about the blog, as feeds show it (may be empty). */
  siteDescription: string
  /**
   * The front end's public address, without a trailing slash: feed and sitemap links start with
   * it. Null: there is no front end to point at, so they link to the API's own JSON.
   */
  siteUrl: string | null
  /** Where the front end shows an article: a path with `{slug}` or `{id}`. */
  articlePath: string
  /** Where the front end shows a static page: a path with `{slug}`. */
  pagePath: string
  /** URLs per sitemap file: the protocol's 50,000, lowered by tests to see the sitemap index. */
  sitemapPageSize: number
  /**
   * Past this many matches a search ranks only its newest this-many (src/search/query.ts,
   * `rankedMatchLimit`, the default), lowered by tests to cross the bound on a small blog.
   */
  rankedMatchLimit?: number
  /**
   * Matches of an article's words looked at on each side of it for its related articles
   * (src/search/query.ts, `similarCandidates`, the default), lowered by tests.
   */
  similarCandidates?: number
}
