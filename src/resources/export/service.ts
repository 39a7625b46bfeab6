import type { Db } from '../../db/client.js'
import { nowIso } from '../../lib/time.js'
import type { SiteSettings } from '../../plugins/settings.js'
import { labelsByArticle } from '../articles/queries.js'
import { ndjsonFormat, ndjsonVersion, type ArticleLine, type AuthorLine, type CommentLine, type DayLine, type NdjsonLine } from './ndjson.js'
import * as queries from './queries.js'

const pageSize = 500

/** Settings an import can report (and a user re-apply): the site's own, never secrets. */
function settingLines (settings: Pick<SiteSettings, 'timezone' | 'locale'>): NdjsonLine[] {
  return [
    { type: 'setting', name: 'timezone', value: settings.timezone },
    { type: 'setting', name: 'locale', value: settings.locale }
  ]
}

/** Yields every row of one table, a page at a time. */
async function * paged<Row, Key> (first: Key, read: (after: Key) => Row[], keyOf: (row: Row) => Key): AsyncGenerator<Row> {
  for await (const rows of pagedBatches(first, read, keyOf)) yield * rows
}

/**
 * Everything in the database as NDJSON lines (each ending in a newline): a header with the
 * format version and counts, then settings, authors, labels, articles, days and comments.
 * Rows are read page by page, not in one snapshot: a write during an export may or may not
 * be in it (take a backup for a point-in-time copy).
 */
export async function * exportLines (db: Db, settings: Pick<SiteSettings, 'timezone' | 'locale'>): AsyncGenerator<string> {
  const line = (value: NdjsonLine): string => JSON.stringify(value) + '\n'
  yield line({ type: 'header', format: ndjsonFormat, version: ndjsonVersion, exportedAt: nowIso(), counts: queries.tableCounts(db) })
  for (const setting of settingLines(settings)) yield line(setting)

  for await (const row of paged(0, (after) => queries.authorsAfter(db, after, pageSize), (row) => row.id)) {
    const author: AuthorLine = { type: 'author', id: row.id, slug: row.slug, name: row.name, bio: row.bio, avatarUrl: row.avatarUrl, url: row.url, email: row.email, createdAt: row.createdAt, updatedAt: row.updatedAt }
    yield line(author)
  }
  for await (const row of paged(0, (after) => queries.labelNamesAfter(db, after, pageSize), (row) => row.id)) {
    yield line({ type: 'label', name: row.name })
  }
  for await (const rows of pagedBatches(0, (after) => queries.articlesAfter(db, after, pageSize), (row) => row.id)) {
    const labels = labelsByArticle(db, rows.map((row) => row.id))
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
  for await (const row of paged('', (after) => queries.daysAfter(db, after, pageSize), (row) => row.day)) {
    const day: DayLine = { type: 'day', day: row.day, note: row.note, createdAt: row.createdAt, updatedAt: row.updatedAt }
    yield line(day)
  }
  for await (const row of paged(0, (after) => queries.commentsAfter(db, after, pageSize), (row) => row.id)) {
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
async function * pagedBatches<Row, Key> (first: Key, read: (after: Key) => Row[], keyOf: (row: Row) => Key): AsyncGenerator<Row[]> {
  let after = first
  for (;;) {
    const rows = read(after)
    if (rows.length > 0) yield rows
    if (rows.length < pageSize) return
    after = keyOf(rows.at(-1)!)
    await new Promise((resolve) => setImmediate(resolve))
  }
}
