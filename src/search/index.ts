import { sql, type SQL } from 'drizzle-orm'
import type { Db, DbOrTx } from '../db/client.js'
import { readMeta, writeMeta } from '../db/meta.js'
import { articleLabels, articles, labels } from '../db/schema.js'
import { htmlToText } from '../lib/html.js'

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

/** Writes (or rewrites) an article's search row; call it in the article's transaction. */
export function indexArticle (db: DbOrTx, document: SearchDocument): void {
  unindexArticle(db, document.id)
  db.run(sql`insert into articles_search (rowid, title, excerpt, body, labels)
    values (${document.id}, ${document.title}, ${document.excerpt}, ${htmlToText(document.body)}, ${document.labels.join(' ')})`)
}

export function unindexArticle (db: DbOrTx, id: number): void {
  db.run(sql`delete from articles_search where rowid = ${id}`)
}

// Bump when what is indexed changes, so existing databases are indexed again at start-up.
const indexVersion = '1'

/** Indexes every article once, for databases that predate the index or an older version of it. */
export function ensureSearchIndex (db: Db): void {
  if (readMeta(db, 'search_index_version') === indexVersion) return
  db.transaction((tx) => {
    tx.run(sql`delete from articles_search`)
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

/** Articles matching an FTS5 query (see query.ts), as a condition on `articles`. */
export function matchesSearch (ftsQuery: string): SQL {
  return sql`${articles.id} in (select rowid from articles_search where articles_search match ${ftsQuery})`
}

/**
 * Relevance of an article for an FTS5 query: bm25, lower is better, with a title match
 * weighing ten times a body match and a label match five times.
 */
export function relevance (ftsQuery: string): SQL<number> {
  return sql<number>`(select bm25(articles_search, 10.0, 2.0, 1.0, 5.0) from articles_search
    where articles_search match ${ftsQuery} and rowid = ${articles.id})`
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
export function snippets (db: DbOrTx, ftsQuery: string, ids: number[]): Map<number, string> {
  if (ids.length === 0) return new Map()
  const rows = db.all<{ id: number, snippet: string }>(sql`select rowid as id,
      snippet(articles_search, -1, ${openMark}, ${closeMark}, '…', 24) as snippet
    from articles_search
    where articles_search match ${ftsQuery} and rowid in (${sql.join(ids.map((id) => sql`${id}`), sql`, `)})`)
  return new Map(rows.map((row) => [row.id, escapeHtml(row.snippet).replaceAll(openMark, '<mark>').replaceAll(closeMark, '</mark>')]))
}

/** Published articles whose title matches (as a prefix while typing), best first. */
export function titleSuggestions (db: DbOrTx, ftsQuery: string, now: string, limit: number): Array<{ id: number, slug: string, title: string }> {
  return db.all(sql`select ${articles.id} as id, ${articles.slug} as slug, ${articles.title} as title
    from articles_search join ${articles} on ${articles.id} = articles_search.rowid
    where articles_search match ${`title : (${ftsQuery})`}
      and ${articles.status} = 'published' and ${articles.publishedAt} <= ${now}
    order by bm25(articles_search), ${articles.publishedAt} desc
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
