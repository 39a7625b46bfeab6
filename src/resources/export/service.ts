import type { Store } from '../../db/store.js'
import { nowIso } from '../../lib/time.js'
import type { SiteSettings } from '../../lib/site-settings.js'
import { articleQueries } from '../articles/queries.js'
import { ndjsonFormat, ndjsonVersion, type ArticleLine, type AuthorLine, type CommentLine, type DayLine, type NdjsonLine } from './ndjson.js'
import { exportQueries } from './queries.js'

const pageSize = 500

/** Settings an import can report (and a user re-apply): the site's own, never secrets. */
function settingLines (settings: Pick<SiteSettings, 'timezone' | 'locale'>): NdjsonLine[] {
  return [
    { type: 'setting', name: 'timezone', value: settings.timezone },
    { type: 'setting', name: 'locale', value: settings.locale }
  ]
}

/** Yields every row of one table, a page at a time. */
async function * paged<Row, Key> (first: Key, read: (after: Key) => Promise<Row[]>, keyOf: (row: Row) => Key): AsyncGenerator<Row> {
  for await (const rows of pagedBatches(first, read, keyOf)) yield * rows
}

/**
 * Everything in the database as NDJSON lines (each ending in a newline): a header with the
 * format version and counts, then settings, authors, labels, articles, days and comments.
 * Rows are read page by page, each page its own read, not in one snapshot or transaction: a
 * write during an export may or may not be in it (take a backup for a point-in-time copy).
 * One transaction around the whole stream would hold SQLite's write lock while a slow
 * client reads, and a unit of work may not await the socket anyway.
 */
export async function * exportLines (store: Store, settings: Pick<SiteSettings, 'timezone' | 'locale'>): AsyncGenerator<string> {
  const line = (value: NdjsonLine): string => JSON.stringify(value) + '\n'
  const queries = exportQueries(store)
  yield line({ type: 'header', format: ndjsonFormat, version: ndjsonVersion, exportedAt: nowIso(), counts: await queries.tableCounts() })
  for (const setting of settingLines(settings)) yield line(setting)

  for await (const row of paged(0, async (after) => await queries.authorsAfter(after, pageSize), (row) => row.id)) {
    const author: AuthorLine = { type: 'author', id: row.id, slug: row.slug, name: row.name, bio: row.bio, avatarUrl: row.avatarUrl, url: row.url, email: row.email, createdAt: row.createdAt, updatedAt: row.updatedAt }
    yield line(author)
  }
  for await (const row of paged(0, async (after) => await queries.labelNamesAfter(after, pageSize), (row) => row.id)) {
    yield line({ type: 'label', name: row.name })
  }
  for await (const rows of pagedBatches(0, async (after) => await queries.articlesAfter(after, pageSize), (row) => row.id)) {
    const labels = await articleQueries(store).labelsByArticle(rows.map((row) => row.id))
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
        labels: labels.get(row.id) ?? [],
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
