import type { Store } from '../../db/store.js'
import { NotFound } from '../../errors.js'
import type { SiteSettings } from '../../lib/site-settings.js'
import { articlePathOf } from '../../lib/site-paths.js'
import { articleQueries, type ArticleRow } from '../articles/queries.js'
import { labelFilterKeys, labelKeyOf } from '../articles/service.js'
import { currentView } from '../articles/view.js'
import { authorQueries, type AuthorRow } from '../authors/queries.js'
import { correctionQueries, type CorrectionRow } from '../corrections/queries.js'
import { mediaQueries } from '../media/queries.js'
import { imageFileFor } from '../media/service.js'
import { feedQueries, type SitemapEntry } from './queries.js'
import type { FeedQueryString } from './schemas.js'

/** How many articles a feed carries. */
export const feedLength = 20

/** The settings a feed or sitemap is built with, and where its links point. */
export interface Site extends Pick<SiteSettings, 'siteTitle' | 'siteDescription' | 'locale' | 'sitemapPageSize'> {
  /** What every link starts with: the front end, or the API's own address. */
  siteUrl: string
  /** Paths after it: an article's (`{slug}`, `{id}`), a day's (`{date}`), a label's (`{label}`). */
  articlePath: string
  /** A static page's (`{slug}`). */
  pagePath: string
  dayPath: string
  labelPath: string
  /**
   * What image URLs start with: the address the request came to, as the API itself serves
   * `/media/` (DATELINE_SITE_URL is the front end's, which need not).
   */
  mediaOrigin: string
}

/**
 * Links go to the front end (DATELINE_SITE_URL) at its paths. Without one, there is nothing
 * there to link to, so they go to what this server has: the API's JSON for the article, the
 * day and the label's articles, at the address the request came to (`origin`), and the home
 * page is this server's `/`, which lists the API's entry points.
 */
export function siteFor (settings: SiteSettings, origin: string): Site {
  const { siteTitle, siteDescription, locale, sitemapPageSize } = settings
  const common = { siteTitle, siteDescription, locale, sitemapPageSize, mediaOrigin: origin }
  if (settings.siteUrl !== null) {
    return { ...common, siteUrl: settings.siteUrl, articlePath: settings.articlePath, pagePath: settings.pagePath, dayPath: '/dates/{date}', labelPath: '/labels/{label}' }
  }
  return { ...common, siteUrl: origin, articlePath: '/v1/articles/{slug}', pagePath: '/v1/pages/{slug}', dayPath: '/v1/dates/{date}', labelPath: '/v1/articles?label={label}' }
}

export interface FeedAuthor {
  name: string
  url?: string
  avatar?: string
}

/** An article's featured image as feeds carry it: one file, at an absolute URL. */
export interface FeedImage {
  url: string
  /** Left out, as are the sizes, for an imported image not fetched yet (its own address). */
  type?: string
  width?: number
  height?: number
  bytes?: number
  /** Plain text, '' for none. */
  alt: string
  credit: string
}

/**
 * Feeds carry the largest variant at most this wide: readers show an image a column wide,
 * and fetch it for every entry, so the 2048 one would cost them more than it shows.
 */
export const feedImageMaxWidth = 1600

export interface FeedEntry {
  /** A `tag:` URI (RFC 4151): it stays the same when the slug changes. */
  id: string
  url: string
  title: string
  /** The sanitised body. */
  html: string
  /** The excerpt, plain text. */
  summary: string
  publishedAt: string
  updatedAt: string
  /** The byline, in order: the primary author first. */
  authors: FeedAuthor[]
  labels: string[]
  image?: FeedImage
}

export interface FeedContent {
  title: string
  description: string
  /** The site's home page. */
  homeUrl: string
  /** The query string the feed was asked with (`?label=…`), for its self link; '' for none. */
  query: string
  entries: FeedEntry[]
  /** When the feed last changed: its newest article or author change, or `since` when it is empty. */
  updated: string
}

/** The latest of some RFC 3339 UTC timestamps (they sort as text); null for none. */
function newestOf (timestamps: Array<string | null>): string | null {
  return timestamps.reduce<string | null>((newest, at) => (at !== null && (newest === null || at > newest) ? at : newest), null)
}

/** An absolute URL on the front end for `path` (which starts with `/`). */
export function siteLink (site: Pick<Site, 'siteUrl'>, path: string): string {
  return `${site.siteUrl}${path}`
}

export function articleLink (site: Pick<Site, 'siteUrl' | 'articlePath'>, article: Pick<ArticleRow, 'id' | 'slug'>): string {
  return siteLink(site, articlePathOf(site.articlePath, article))
}

// RFC 4151: tag:<authority>,<date>:<specific>. The article's creation day keeps the id
// unique even if another blog on the same host reused the number later.
function entryId (site: Pick<Site, 'siteUrl'>, row: ArticleRow): string {
  const url = new URL(site.siteUrl)
  const path = url.pathname.replace(/^\/+|\/+$/g, '')
  return `tag:${url.hostname},${row.createdAt.slice(0, 10)}:${path === '' ? '' : `${path}/`}article-${row.id}`
}

/**
 * An image URL as feeds and the sitemap need it, absolute: ours are paths on the API, which
 * serves them; an imported image's own address is kept if it is one a reader can fetch.
 */
function absoluteImageUrl (site: Pick<Site, 'mediaOrigin'>, url: string): string | null {
  if (url.startsWith('/media/')) return `${site.mediaOrigin}${url}`
  return /^https?:\/\//i.test(url) && URL.canParse(url) ? url : null
}

/** The featured image of each article that has one, as feeds carry it, and when each image last changed. */
async function feedImages (store: Store, site: Site, articleIds: number[]): Promise<{ images: Map<number, FeedImage>, changes: string[] }> {
  const images = new Map<number, FeedImage>()
  const changes: string[] = []
  for (const [articleId, row] of await mediaQueries(store).featuredMediaByArticle(articleIds)) {
    const file = imageFileFor(row, feedImageMaxWidth)
    const url = file === null ? null : absoluteImageUrl(site, file.url)
    if (file === null || url === null) continue
    images.set(articleId, {
      url,
      ...(file.type === null ? {} : { type: file.type }),
      ...(file.width === null || file.height === null ? {} : { width: file.width, height: file.height }),
      ...(file.bytes === null ? {} : { bytes: file.bytes }),
      alt: row.alt,
      credit: row.credit
    })
    changes.push(row.updatedAt)
  }
  return { images, changes }
}

function feedAuthor (row: AuthorRow | undefined): FeedAuthor {
  // Never the e-mail: it is private (the contract), and feeds are public.
  if (row === undefined) return { name: 'Unknown' }
  const author: FeedAuthor = { name: row.name }
  if (row.url !== null) author.url = row.url
  if (row.avatarUrl !== null) author.avatar = row.avatarUrl
  return author
}


/** "Site: Label, Author" for a narrowed feed, labels spelled as the blog spells them. */
async function titleFor (store: Store, site: Site, labels: string[], author: AuthorRow | string | undefined, now: string): Promise<string> {
  const given = new Map(labels.map((name) => [labelKeyOf(name), name.trim()]))
  const known = await feedQueries(store).publicLabelNamesByKeys([...given.keys()], now)
  const parts = [...[...given].map(([key, name]) => known.get(key) ?? name), ...(author === undefined ? [] : [typeof author === 'string' ? author.trim() : author.name])]
  return parts.length === 0 ? site.siteTitle : `${site.siteTitle}: ${parts.join(', ')}`
}

function queryString (query: FeedQueryString): string {
  const params = new URLSearchParams()
  for (const name of query.label ?? []) params.append('label', name)
  if (query.author !== undefined) params.append('author', query.author)
  const text = params.toString()
  return text === '' ? '' : `?${text}`
}

/** Feed entries for article rows, with when each article or its author last changed. */
async function entriesOf (store: Store, site: Site, rows: ArticleRow[]): Promise<{ entries: FeedEntry[], changes: string[] }> {
  const labels = await articleQueries(store).labelsByArticle(rows.map((row) => row.id))
  const coAuthors = await articleQueries(store).coAuthorsByArticle(rows.map((row) => row.id))
  const bylines = new Map(rows.map((row) => [row.id, [row.authorId, ...(coAuthors.get(row.id) ?? [])]]))
  const authorRows = await authorQueries(store).authorsByIds([...new Set([...bylines.values()].flat())])
  const authors = new Map(authorRows.map((row) => [row.id, row]))
  const { images, changes: imageChanges } = await feedImages(store, site, rows.map((row) => row.id))
  const entries = rows.map((row): FeedEntry => ({
    id: entryId(site, row),
    url: articleLink(site, row),
    title: row.title,
    html: row.body,
    summary: row.excerpt,
    publishedAt: row.publishedAt!,
    updatedAt: row.updatedAt,
    authors: bylines.get(row.id)!.map((id) => feedAuthor(authors.get(id))),
    labels: labels.get(row.id) ?? [],
    ...(images.has(row.id) ? { image: images.get(row.id)! } : {})
  }))
  // An author's new name, or an image's new alt text, changes the feed as much as an article's new title does.
  return { entries, changes: [...rows.map((row) => row.updatedAt), ...[...authors.values()].map((row) => row.updatedAt), ...imageChanges] }
}

/**
 * The latest published articles for a feed, newest first; `label` and `author` narrow them as
 * they narrow the articles list. Everyone gets the same: drafts and scheduled articles never.
 */
export async function latest (store: Store, site: Site, query: FeedQueryString, since: string): Promise<FeedContent> {
  const { now } = await currentView(store)
  const author = query.author === undefined ? undefined : await authorQueries(store).authorBySlugOrId(query.author)
  // A feed address is a subscription: one for an author (or a label) with nothing published
  // yet is an empty feed that fills later, like an unknown label's, never an error that feed
  // readers would take as "gone".
  const nobody = query.author !== undefined && author === undefined
  const labelKeys = await labelFilterKeys(store, query.label ?? [])
  const rows = nobody ? [] : await articleQueries(store).pageOfArticles({
    filters: {
      visibility: { publishedOnly: true, alsoAuthorId: null, now },
      ...(author === undefined ? {} : { authorId: author.id }),
      ...(labelKeys.length === 0 ? {} : { labelKeys })
    },
    sort: [{ field: 'publishedAt', descending: true }],
    after: null,
    limit: feedLength,
    offset: 0
  })
  const { entries, changes } = await entriesOf(store, site, rows)
  return {
    title: await titleFor(store, site, query.label ?? [], author ?? (nobody ? query.author : undefined), now),
    description: site.siteDescription,
    homeUrl: siteLink(site, '/'),
    query: queryString(query),
    entries,
    updated: newestOf(changes) ?? since
  }
}

// --- The corrections feed ------------------------------------------------------------------

export interface CorrectionFeedEntry {
  /** A `tag:` URI (RFC 4151) of the correction. */
  id: string
  /** The corrected article's. */
  url: string
  articleTitle: string
  /** Plain text. */
  note: string
  correctedAt: string
  updatedAt: string
}

export interface CorrectionFeedContent {
  title: string
  homeUrl: string
  entries: CorrectionFeedEntry[]
  /** Its newest entry's last change, or `since` when it is empty. */
  updated: string
}

function correctionEntryId (site: Pick<Site, 'siteUrl'>, row: CorrectionRow): string {
  const url = new URL(site.siteUrl)
  const path = url.pathname.replace(/^\/+|\/+$/g, '')
  return `tag:${url.hostname},${row.createdAt.slice(0, 10)}:${path === '' ? '' : `${path}/`}correction-${row.id}`
}

/** The latest corrections of published articles, newest first, each linking to its article on the front end. */
export async function corrections (store: Store, site: Site, since: string): Promise<CorrectionFeedContent> {
  const { now } = await currentView(store)
  const rows = await correctionQueries(store).pageOfLog({ visibility: { publishedOnly: true, alsoAuthorId: null, now }, after: null, limit: feedLength, offset: 0 })
  return {
    title: `${site.siteTitle}: corrections`,
    homeUrl: siteLink(site, '/'),
    entries: rows.map((row) => ({
      id: correctionEntryId(site, row),
      url: articleLink(site, row.article),
      articleTitle: row.article.title,
      note: row.note,
      correctedAt: row.correctedAt,
      updatedAt: row.updatedAt
    })),
    updated: newestOf(rows.map((row) => row.updatedAt)) ?? since
  }
}

// --- The sitemap ---------------------------------------------------------------------------

export interface SitemapUrl {
  loc: string
  lastmod?: string
  /** An article's featured image (absolute), for the image extension. */
  image?: string
}

export type Sitemap =
  | { kind: 'urlset', urls: SitemapUrl[], updated: string }
  | { kind: 'index', pages: string[], updated: string }

interface Segment {
  count: number
  read: (limit: number, offset: number) => Promise<SitemapUrl[]>
}

/**
 * Everything the sitemap lists, in a fixed order: the home page, published articles
 * (newest first), published pages (in menu order), days (newest first), labels (by name).
 */
async function segments (store: Store, site: Site, now: string, newest: string | null): Promise<Segment[]> {
  const queries = feedQueries(store)
  return [
    { count: 1, read: async () => [newest === null ? { loc: siteLink(site, '/') } : { loc: siteLink(site, '/'), lastmod: newest }] },
    {
      count: await queries.countPublishedArticles(now),
      read: async (limit, offset) => await withImages(store, site, await queries.publishedArticleEntries(now, limit, offset))
    },
    {
      count: await queries.countPublishedPages(),
      read: async (limit, offset) => (await queries.publishedPageEntries(limit, offset))
        .map((entry) => ({ loc: siteLink(site, site.pagePath.replace('{slug}', entry.key)), lastmod: entry.lastmod }))
    },
    {
      count: await queries.countDays(now),
      read: async (limit, offset) => (await queries.dayEntries(now, limit, offset))
        .map((entry) => ({ loc: siteLink(site, site.dayPath.replace('{date}', entry.key)), lastmod: entry.lastmod }))
    },
    {
      count: await queries.countLabels(now),
      read: async (limit, offset) => (await queries.labelEntries(now, limit, offset))
        .map((entry) => ({ loc: siteLink(site, site.labelPath.replace('{label}', encodeURIComponent(entry.key))), lastmod: entry.lastmod }))
    }
  ]
}

/**
 * Featured images are read this many articles at a time: a page of the sitemap has up to
 * 50,000, more ids than one statement may carry (SQLite allows 32,766 values).
 */
const imageReadBatch = 5_000

/**
 * Article URLs, each with its featured image: the largest variant in a format every browser
 * shows (the article's `featuredImage.url`), as search engines prefer images large. Only that
 * file is worked out, not the whole `featuredImage` (its srcsets): a page has 50,000 of them,
 * and on PostgreSQL this runs on the server's thread.
 */
async function withImages (store: Store, site: Site, entries: SitemapEntry[]): Promise<SitemapUrl[]> {
  const images = new Map<number, string>()
  for (let start = 0; start < entries.length; start += imageReadBatch) {
    const batch = await mediaQueries(store).featuredMediaByArticle(entries.slice(start, start + imageReadBatch).map((entry) => entry.id!))
    for (const [articleId, row] of batch) {
      const file = imageFileFor(row, Number.POSITIVE_INFINITY)
      const url = file === null ? null : absoluteImageUrl(site, file.url)
      if (url !== null) images.set(articleId, url)
    }
  }
  return entries.map((entry) => {
    const url: SitemapUrl = { loc: articleLink(site, { id: entry.id!, slug: entry.key }), lastmod: entry.lastmod }
    const image = images.get(entry.id!)
    return image === undefined ? url : { ...url, image }
  })
}

/** The URLs from position `start` (inclusive) to `end` (exclusive) across the segments. */
async function urlsBetween (all: Segment[], start: number, end: number): Promise<SitemapUrl[]> {
  const urls: SitemapUrl[] = []
  let segmentStart = 0
  for (const segment of all) {
    const from = Math.max(start, segmentStart)
    const to = Math.min(end, segmentStart + segment.count)
    if (from < to) urls.push(...await segment.read(to - from, from - segmentStart))
    segmentStart += segment.count
  }
  return urls
}

/**
 * `/sitemap.xml` (`page` null) or `/sitemap-<page>.xml`. The protocol allows 50,000 URLs in a
 * file: above `sitemapPageSize`, `/sitemap.xml` is an index of the numbered pages.
 */
export async function sitemap (store: Store, site: Site, page: number | null, since: string): Promise<Sitemap> {
  const { now } = await currentView(store)
  const queries = feedQueries(store)
  const newest = await queries.newestPublishedUpdate(now)
  const all = await segments(store, site, now, newest)
  const total = all.reduce((sum, segment) => sum + segment.count, 0)
  const pages = Math.max(1, Math.ceil(total / site.sitemapPageSize))
  const updated = newestOf([newest, await queries.newestDayUpdate()]) ?? since
  if (page === null && pages > 1) {
    return { kind: 'index', pages: Array.from({ length: pages }, (_, index) => siteLink(site, `/sitemap-${index + 1}.xml`)), updated }
  }
  const number = page ?? 1
  if (number > pages) throw new NotFound(`The sitemap has ${pages} page${pages === 1 ? '' : 's'}; there is no page ${number}`)
  const start = (number - 1) * site.sitemapPageSize
  return { kind: 'urlset', urls: await urlsBetween(all, start, start + site.sitemapPageSize), updated }
}
