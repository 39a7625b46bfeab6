import type { Store } from '../../db/store.js'
import { nowIso } from '../../lib/time.js'
import type { SiteSettings } from '../../lib/site-settings.js'
import { articleQueries } from '../articles/queries.js'
import { correctionQueries } from '../corrections/queries.js'
import { mediaQueries, type MediaRow } from '../media/queries.js'
import { largestFallbackVariant } from '../media/service.js'
import { pageQueries } from '../pages/queries.js'
import { redirectQueries } from '../redirects/queries.js'
import { seoQueries, type SeoOwner } from '../seo/queries.js'
import { storedSeo } from '../seo/service.js'
import { ndjsonFormat, ndjsonVersion, type ArticleLine, type AuthorLine, type CommentLine, type LabelLine, type DayLine, type MediaLine, type NdjsonLine, type PageLine, type RedirectLine, type SeoOfLine } from './ndjson.js'
import { exportQueries } from './queries.js'

const pageSize = 500

/** Settings an import can report (and a user re-apply): the site's own, never secrets. */
function settingLines (settings: Pick<SiteSettings, 'timezone' | 'locale'>): NdjsonLine[] {
  return [
    { type: 'setting', name: 'timezone', value: settings.timezone },
    { type: 'setting', name: 'locale', value: settings.locale }
  ]
}

export interface ExportOptions {
  settings: Pick<SiteSettings, 'timezone' | 'locale'>
  /**
   * What an upload's file names are appended to, ending in a slash: the API's `/media/` at the
   * request's origin, or the media folder as a file: URL (the CLI); null for neither.
   */
  mediaBase: string | null
}

function mediaLine (row: MediaRow, mediaBase: string | null): MediaLine {
  const largest = largestFallbackVariant(row)
  const url = largest === undefined ? row.externalUrl : (mediaBase === null ? null : `${mediaBase}${row.key}/${largest.file}`)
  return {
    type: 'media',
    id: row.id,
    key: row.source === 'upload' ? row.key : null,
    source: row.source,
    ownerAuthorId: row.ownerAuthorId,
    fileName: row.fileName,
    alt: row.alt,
    caption: row.caption,
    credit: row.credit,
    focalPoint: { x: row.focalX, y: row.focalY },
    format: row.format,
    width: row.width,
    height: row.height,
    externalUrl: row.externalUrl,
    url,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt
  }
}

/** Yields every row of one table, a page at a time. */
async function * paged<Row, Key> (first: Key, read: (after: Key) => Promise<Row[]>, keyOf: (row: Row) => Key): AsyncGenerator<Row> {
  for await (const rows of pagedBatches(first, read, keyOf)) yield * rows
}

/** The owners' search and social metadata, for those that have any (the line leaves `seo` out otherwise). */
async function seoLines (store: Store, owner: SeoOwner, ids: number[]): Promise<Map<number, SeoOfLine>> {
  const rows = await seoQueries(store).seoByOwner(owner, ids)
  return new Map([...rows].map(([id, { socialImage: _image, ...values }]) => [id, storedSeo(values)]))
}

function seoOf (lines: Map<number, SeoOfLine>, id: number): { seo?: SeoOfLine } {
  const seo = lines.get(id)
  return seo === undefined ? {} : { seo }
}

/**
 * Everything in the database as NDJSON lines (each ending in a newline): a header with the
 * format version and counts, then settings, authors, labels (a parent before or after its
 * children, in id order), media, articles, days, comments, redirects and pages (an image before the
 * articles it is featured on, an author before both).
 * Rows are read page by page, each page its own read, not in one snapshot or transaction: a
 * write during an export may or may not be in it (take a backup for a point-in-time copy).
 * One transaction around the whole stream would hold SQLite's write lock while a slow
 * client reads, and a unit of work may not await the socket anyway.
 */
export async function * exportLines (store: Store, { settings, mediaBase }: ExportOptions): AsyncGenerator<string> {
  const line = (value: NdjsonLine): string => JSON.stringify(value) + '\n'
  const queries = exportQueries(store)
  yield line({ type: 'header', format: ndjsonFormat, version: ndjsonVersion, exportedAt: nowIso(), counts: { ...await queries.tableCounts(), redirects: await redirectQueries(store).countRedirects(), pages: await pageQueries(store).countPages({ publishedOnly: false }) } })
  for (const setting of settingLines(settings)) yield line(setting)

  for await (const row of paged(0, async (after) => await queries.authorsAfter(after, pageSize), (row) => row.id)) {
    const author: AuthorLine = { type: 'author', id: row.id, slug: row.slug, name: row.name, bio: row.bio, avatarUrl: row.avatarUrl, url: row.url, email: row.email, createdAt: row.createdAt, updatedAt: row.updatedAt }
    yield line(author)
  }
  for await (const row of paged(0, async (after) => await queries.labelsAfter(after, pageSize), (row) => row.id)) {
    const label: LabelLine = { type: 'label', id: row.id, name: row.name, slug: row.slug ?? '', description: row.description, parentId: row.parentId }
    yield line(label)
  }
  for await (const row of paged(0, async (after) => await queries.mediaAfter(after, pageSize), (row) => row.id)) {
    yield line(mediaLine(row, mediaBase))
  }
  for await (const rows of pagedBatches(0, async (after) => await queries.articlesAfter(after, pageSize), (row) => row.id)) {
    const ids = rows.map((row) => row.id)
    const labels = await articleQueries(store).labelsByArticle(ids)
    const featured = await mediaQueries(store).featuredIdsByArticle(ids)
    const oldSlugs = await articleQueries(store).oldSlugsByArticle(ids)
    const coAuthors = await articleQueries(store).coAuthorsByArticle(ids)
    const corrections = await correctionQueries(store).correctionsByArticle(ids)
    const seo = await seoLines(store, 'article', ids)
    for (const row of rows) {
      const article: ArticleLine = {
        type: 'article',
        id: row.id,
        slug: row.slug,
        title: row.title,
        body: row.body,
        excerpt: row.customExcerpt,
        status: row.status,
        publishedAt: row.publishedAt,
        authorId: row.authorId,
        coAuthorIds: coAuthors.get(row.id) ?? [],
        labels: labels.get(row.id) ?? [],
        featuredImage: featured.get(row.id) ?? null,
        oldSlugs: oldSlugs.get(row.id) ?? [],
        unpublishAt: row.unpublishAt,
        corrections: (corrections.get(row.id) ?? []).map(({ id, note, correctedAt, createdAt, updatedAt }) => ({ id, note, correctedAt, createdAt, updatedAt })),
        ...seoOf(seo, row.id),
        createdAt: row.createdAt,
        updatedAt: row.updatedAt
      }
      yield line(article)
    }
  }
  for await (const row of paged('', async (after) => await queries.daysAfter(after, pageSize), (row) => row.day)) {
    const day: DayLine = { type: 'day', day: row.day, note: row.note, createdAt: row.createdAt, updatedAt: row.updatedAt }
    yield line(day)
  }
  for await (const row of paged(0, async (after) => await queries.commentsAfter(after, pageSize), (row) => row.id)) {
    const comment: CommentLine = {
      type: 'comment',
      id: row.id,
      articleId: row.articleId,
      parentId: row.parentId,
      authorName: row.authorName,
      authorUrl: row.authorUrl,
      authorEmail: row.authorEmail,
      body: row.body,
      status: row.status,
      createdAt: row.createdAt,
      updatedAt: row.updatedAt
    }
    yield line(comment)
  }
  for await (const row of paged(0, async (after) => await redirectQueries(store).pageOfRedirects(after, pageSize, 0), (row) => row.id)) {
    const redirect: RedirectLine = { type: 'redirect', id: row.id, from: row.fromPath, to: row.target, status: row.status as RedirectLine['status'], createdAt: row.createdAt, updatedAt: row.updatedAt }
    yield line(redirect)
  }
  for await (const rows of pagedBatches(0, async (after) => await pageQueries(store).pagesAfter(after, pageSize), (row) => row.id)) {
    const seo = await seoLines(store, 'page', rows.map((row) => row.id))
    for (const row of rows) {
      const page: PageLine = { type: 'page', id: row.id, slug: row.slug, title: row.title, body: row.body, excerpt: row.customExcerpt, status: row.status, parentId: row.parentId, position: row.position, ...seoOf(seo, row.id), createdAt: row.createdAt, updatedAt: row.updatedAt }
      yield line(page)
    }
  }
}

/** The rows of one table a page at a time, letting other requests run between pages. */
async function * pagedBatches<Row, Key> (first: Key, read: (after: Key) => Promise<Row[]>, keyOf: (row: Row) => Key): AsyncGenerator<Row[]> {
  let after = first
  for (;;) {
    const rows = await read(after)
    if (rows.length > 0) yield rows
    if (rows.length < pageSize) return
    after = keyOf(rows.at(-1)!)
    await new Promise((resolve) => setImmediate(resolve))
  }
}
