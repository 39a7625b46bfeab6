import { ReadOnlySqliteStore } from '../db/read-only-store.js'
import type { Store } from '../db/store.js'
import type { View } from '../resources/articles/view.js'
import type { Principal } from '../lib/principal.js'
import type { ArticleListQueryString } from '../resources/articles/schemas.js'
import * as articles from '../resources/articles/service.js'
import type { DayListQueryString } from '../resources/dates/schemas.js'
import * as dates from '../resources/dates/service.js'
import type { FeedQueryString } from '../resources/feeds/schemas.js'
import { sitemapXml } from '../resources/feeds/formats.js'
import * as feeds from '../resources/feeds/service.js'
import { exportLines, type ExportOptions } from '../resources/export/service.js'

/**
 * The server's view of the database, as the read is run: the same, in the server's thread; in
 * a read worker the same `now` at the worker's own write stamp, since the values its caches
 * keep are its own connection's.
 */
async function viewOn (store: Store, view: View): Promise<View> {
  return store instanceof ReadOnlySqliteStore ? await articles.currentView(store, view.now) : view
}

/**
 * The heavy reads (issue 19): those whose cost grows with the database or with what a client
 * asks for, which on SQLite run in a read worker (src/read-workers/pool.ts) so that they never
 * stall the event loop. Each one calls the same service code the server would; inputs and
 * answers are plain data (the structured clone crosses between threads).
 */
export const heavyReadOperations = {
  /** `GET /v1/articles?q=`: at the same `now` as the list's ETag, taken on the server. */
  searchArticles: async (store: Store, input: { query: ArticleListQueryString, viewer: Principal | null, view: View, rankedMatchLimit?: number }) =>
    await articles.list(store, input.query, input.viewer, await viewOn(store, input.view), { rankedMatchLimit: input.rankedMatchLimit }),
  relatedArticles: async (store: Store, input: { idOrSlug: string, viewer: Principal | null, limit: number, similarCandidates?: number }) =>
    await articles.related(store, input.idOrSlug, input.viewer, input.limit, { similarCandidates: input.similarCandidates }),
  suggestTitles: async (store: Store, input: { typed: string }) =>
    await articles.suggest(store, input.typed),
  latestForFeed: async (store: Store, input: { site: feeds.Site, query: FeedQueryString, since: string }) =>
    await feeds.latest(store, input.site, input.query, input.since),
  /**
   * Written out here, as UTF-8 bytes: 50,000 URLs crossing the thread as objects, then written
   * as XML on the server, held its event loop 160 ms at 100 k articles (bench/search.mjs,
   * isolation); as a string, encoding it there still took 25 ms. Bytes cross as one copy.
   */
  sitemap: async (store: Store, input: { site: feeds.Site, page: number | null, since: string }): Promise<{ updated: string, xml: Uint8Array }> => {
    const sitemap = await feeds.sitemap(store, input.site, input.page, input.since)
    return { updated: sitemap.updated, xml: Buffer.from(sitemapXml(sitemap), 'utf8') }
  },
  /** A page of days, with their articles when asked: grows with the days' sizes. */
  listDays: async (store: Store, input: { locale: string, query: DayListQueryString, viewer: Principal | null }) =>
    await dates.list(store, { locale: input.locale }, input.query, input.viewer),
  /** Counts by month over every published article. */
  archive: async (store: Store, _input: Record<string, never>) =>
    await dates.archive(store)
}

export type HeavyReadOperations = typeof heavyReadOperations
export type HeavyRead = keyof HeavyReadOperations
export type HeavyReadInput<K extends HeavyRead> = Parameters<HeavyReadOperations[K]>[1]
export type HeavyReadAnswer<K extends HeavyRead> = Awaited<ReturnType<HeavyReadOperations[K]>>

/**
 * Heavy reads answered as a stream of text: each runs in a worker of its own for as long as
 * the client reads (so it never holds up the pool's reads), and hands over its text a chunk
 * at a time, when the server asks for the next one.
 */
export const heavyStreamOperations = {
  /** `GET /v1/export`: every row, page by page, each page its own read. */
  exportLines: (store: Store, input: ExportOptions) =>
    exportLines(store, input)
}

export type HeavyStreamOperations = typeof heavyStreamOperations
export type HeavyStream = keyof HeavyStreamOperations
export type HeavyStreamInput<K extends HeavyStream> = Parameters<HeavyStreamOperations[K]>[1]
