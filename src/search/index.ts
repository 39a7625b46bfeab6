import { and, sql, type SQL } from 'drizzle-orm'
import type { Db, DbOrTx } from '../db/client.js'
import { readMeta, writeMeta } from '../db/meta.js'
import { articleLabels, articles, labels } from '../db/schema.js'
import { htmlToText } from '../lib/html.js'
import type { FtsQuery } from './query.js'

// Everything SQLite-specific about search (FTS5, bm25, snippet) is in this file; a
// PostgreSQL port replaces it with tsvector columns and ts_rank/ts_headline.

export interface SearchDocument {
  id: number
  title: string
  excerpt: string
  /** Sanitised HTML; indexed as text. */
  body: string
  labels: string[]
}

// Two indexes of the same text: `articles_search` stemmed (whole words find their other
// forms), `articles_words` as written (a half-typed word is a prefix of the written word).
const indexes = [sql.raw('articles_search'), sql.raw('articles_words')]

/** Writes (or rewrites) an article's search rows; call it in the article's transaction. */
export function indexArticle (db: DbOrTx, document: SearchDocument): void {
  unindexArticle(db, document.id)
  const text = htmlToText(document.body)
  for (const index of indexes) {
    db.run(sql`insert into ${index} (rowid, title, excerpt, body, labels)
      values (${document.id}, ${document.title}, ${document.excerpt}, ${text}, ${document.labels.join(' ')})`)
  }
}

export function unindexArticle (db: DbOrTx, id: number): void {
  for (const index of indexes) db.run(sql`delete from ${index} where rowid = ${id}`)
}

// Bump when what is indexed changes, so existing databases are indexed again at start-up.
const indexVersion = '2'

/** Indexes every article once, for databases that predate the index or an older version of it. */
export function ensureSearchIndex (db: Db): void {
  if (readMeta(db, 'search_index_version') === indexVersion) return
  db.transaction((tx) => {
    for (const index of indexes) tx.run(sql`delete from ${index}`)
    const labelsByArticle = new Map<number, string[]>()
    const rows = tx.select({ articleId: articleLabels.articleId, name: labels.name }).from(articleLabels)
      .innerJoin(labels, sql`${labels.id} = ${articleLabels.labelId}`).orderBy(articleLabels.position).all()
    for (const row of rows) labelsByArticle.set(row.articleId, [...(labelsByArticle.get(row.articleId) ?? []), row.name])
    for (const article of tx.select().from(articles).all()) {
      indexArticle(tx, { ...article, labels: labelsByArticle.get(article.id) ?? [] })
    }
    writeMeta(tx, 'search_index_version', indexVersion)
  })
}

/** Articles matching a search (see query.ts), as a condition on `articles`. */
export function matchesSearch (search: FtsQuery): SQL {
  return and(
    search.words === null ? undefined : sql`${articles.id} in (select rowid from articles_search where articles_search match ${search.words})`,
    search.typing === null
      ? undefined
      : sql`(${articles.id} in (select rowid from articles_words where articles_words match ${search.typing})
          or ${articles.id} in (select rowid from articles_search where articles_search match ${search.typingWhole}))`
  )!
}

/** The index and query that rank a search: the whole words when there are any. */
function rankedBy (search: FtsQuery): { index: SQL, query: string } {
  return search.words !== null
    ? { index: indexes[0]!, query: search.words }
    : { index: indexes[1]!, query: search.typing! }
}

/**
 * Relevance of an article for a search: bm25, lower is better, with a title match
 * weighing ten times a body match and a label match five times.
 */
export function relevance (search: FtsQuery): SQL<number> {
  const { index, query } = rankedBy(search)
  return sql<number>`(select bm25(${index}, 10.0, 2.0, 1.0, 5.0) from ${index}
    where ${index} match ${query} and rowid = ${articles.id})`
}

const openMark = '\u0001'
const closeMark = '\u0002'

function escapeHtml (text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
}

/**
 * A short passage of each article around the matched terms, as text with the terms in
 * `<mark>…</mark>` and everything else escaped.
 */
export function snippets (db: DbOrTx, search: FtsQuery, ids: number[]): Map<number, string> {
  if (ids.length === 0) return new Map()
  const { index, query } = rankedBy(search)
  const rows = db.all<{ id: number, snippet: string }>(sql`select rowid as id,
      snippet(${index}, -1, ${openMark}, ${closeMark}, '…', 24) as snippet
    from ${index}
    where ${index} match ${query} and rowid in (${sql.join(ids.map((id) => sql`${id}`), sql`, `)})`)
  return new Map(rows.map((row) => [row.id, escapeHtml(row.snippet).replaceAll(openMark, '<mark>').replaceAll(closeMark, '</mark>')]))
}

/**
 * Published articles whose title matches (as a prefix while typing), best first. `cross join`
 * keeps SQLite from starting at `articles`: the full-text match first is ~1000× faster (bench/).
 */
export function titleSuggestions (db: DbOrTx, search: FtsQuery, now: string, limit: number): Array<{ id: number, slug: string, title: string }> {
  return db.all(sql`select ${articles.id} as id, ${articles.slug} as slug, ${articles.title} as title
    from articles_words cross join ${articles} on ${articles.id} = articles_words.rowid
    where articles_words match ${`title : (${search.all})`}
      and ${articles.status} = 'published' and ${articles.publishedAt} <= ${now}
    order by bm25(articles_words), ${articles.publishedAt} desc
    limit ${limit}`)
}

/**
 * Published articles sharing words with `terms` (any of them), with their text similarity
 * as a positive score: higher is closer.
 */
export function similarArticles (db: DbOrTx, terms: string[], excludeId: number, now: string, limit: number): Map<number, number> {
  if (terms.length === 0) return new Map()
  const anyTerm = terms.map((term) => `"${term.replace(/"/g, '""')}"`).join(' OR ')
  const rows = db.all<{ id: number, score: number }>(sql`select articles_search.rowid as id,
      -bm25(articles_search, 10.0, 2.0, 1.0, 5.0) as score
    from articles_search join ${articles} on ${articles.id} = articles_search.rowid
    where articles_search match ${anyTerm} and articles_search.rowid != ${excludeId}
      and ${articles.status} = 'published' and ${articles.publishedAt} <= ${now}
    order by bm25(articles_search, 10.0, 2.0, 1.0, 5.0)
    limit ${limit}`)
  return new Map(rows.map((row) => [row.id, row.score]))
}
