import { count, sql, type SQL } from 'drizzle-orm'
import { preparedOnce, UntilNextWrite, type Db, type DbOrTx } from '../db/client.js'
import { readMeta, writeMeta } from '../db/meta.js'
import { articleLabels, articles, labels } from '../db/schema.js'
import { htmlToText } from '../lib/html.js'
import type { FtsQuery } from './query.js'
import { snippetOf } from './snippet.js'

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

// Two indexes over one copy of the text (`articles_text`): `articles_search` stemmed (whole
// words find their other forms), `articles_words` as written (a half-typed word is a prefix
// of the written word). Both are FTS5 external-content tables: SQLite does not keep them in
// step with `articles_text` by itself, so every change goes through the two functions below.
const indexes = [sql.raw('articles_search'), sql.raw('articles_words')]

interface IndexedText { title: string, excerpt: string, body: string, labels: string }

function searchText (document: SearchDocument, bodyText = htmlToText(document.body)): IndexedText {
  return { title: document.title, excerpt: document.excerpt, body: bodyText, labels: document.labels.join(' ') }
}

function writeText (db: DbOrTx, id: number, text: IndexedText): void {
  db.run(sql`insert into articles_text (id, title, excerpt, body, labels)
    values (${id}, ${text.title}, ${text.excerpt}, ${text.body}, ${text.labels})`)
}

/**
 * Writes (or rewrites) an article's search rows; call it in the article's transaction.
 * `bodyUnchanged` (an edit of the title, excerpt or labels) reuses the body's indexed text:
 * reading text out of HTML is the costliest step after the indexing itself.
 */
export function indexArticle (db: DbOrTx, document: SearchDocument, { bodyUnchanged = false } = {}): void {
  const indexed = unindexArticle(db, document.id)
  const text = searchText(document, bodyUnchanged ? indexed?.body : undefined)
  writeText(db, document.id, text)
  for (const index of indexes) {
    db.run(sql`insert into ${index} (rowid, title, excerpt, body, labels)
      values (${document.id}, ${text.title}, ${text.excerpt}, ${text.body}, ${text.labels})`)
  }
}

/**
 * Search rows for many articles written in one transaction (an import). Each article's text
 * goes in as it comes; both indexes are filled at the end, one statement each, which costs
 * about half of indexing article by article (bench/import.mjs). Call `flush` before commit.
 */
export class SearchIndexBatch {
  readonly #pending = new Set<number>()

  constructor (private readonly db: DbOrTx) {}

  add (document: SearchDocument): void {
    if (this.#pending.has(document.id)) {
      // Not in the indexes yet: only its text is replaced.
      this.db.run(sql`delete from articles_text where id = ${document.id}`)
    } else {
      unindexArticle(this.db, document.id)
      this.#pending.add(document.id)
    }
    writeText(this.db, document.id, searchText(document))
  }

  flush (): void {
    if (this.#pending.size === 0) return
    const ids = JSON.stringify([...this.#pending])
    for (const index of indexes) {
      this.db.run(sql`insert into ${index} (rowid, title, excerpt, body, labels)
        select id, title, excerpt, body, labels from articles_text where id in (select value from json_each(${ids}))`)
    }
    this.#pending.clear()
  }
}

/** Removes an article's search rows; returns the text they held, if any. */
export function unindexArticle (db: DbOrTx, id: number): IndexedText | undefined {
  const indexed = db.get<IndexedText | undefined>(sql`select title, excerpt, body, labels from articles_text where id = ${id}`)
  if (indexed === undefined) return undefined
  // An external-content index forgets a row only when told exactly what it indexed.
  for (const index of indexes) {
    db.run(sql`insert into ${index} (${index}, rowid, title, excerpt, body, labels)
      values ('delete', ${id}, ${indexed.title}, ${indexed.excerpt}, ${indexed.body}, ${indexed.labels})`)
  }
  db.run(sql`delete from articles_text where id = ${id}`)
  return indexed
}

// Bump when what is indexed changes, so existing databases are indexed again at start-up.
const indexVersion = '3'

/** Indexes every article once, for databases that predate the index or an older version of it. */
export function ensureSearchIndex (db: Db): void {
  if (readMeta(db, 'search_index_version') === indexVersion) return
  db.transaction((tx) => {
    tx.run(sql`delete from articles_text`)
    const labelsByArticle = new Map<number, string[]>()
    const rows = tx.select({ articleId: articleLabels.articleId, name: labels.name }).from(articleLabels)
      .innerJoin(labels, sql`${labels.id} = ${articleLabels.labelId}`).orderBy(articleLabels.position).all()
    for (const row of rows) labelsByArticle.set(row.articleId, [...(labelsByArticle.get(row.articleId) ?? []), row.name])
    for (const article of tx.select().from(articles).all()) {
      const text = htmlToText(article.body)
      tx.run(sql`insert into articles_text (id, title, excerpt, body, labels)
        values (${article.id}, ${article.title}, ${article.excerpt}, ${text}, ${(labelsByArticle.get(article.id) ?? []).join(' ')})`)
    }
    // 'rebuild' reads the whole content table once: faster than indexing row by row.
    for (const index of indexes) tx.run(sql`insert into ${index} (${index}) values ('rebuild')`)
    writeMeta(tx, 'search_index_version', indexVersion)
  })
}

const bm25Search = sql`bm25(articles_search, 10.0, 2.0, 1.0, 5.0)`
const bm25Words = sql`bm25(articles_words, 10.0, 2.0, 1.0, 5.0)`

/**
 * The articles a search finds, as a derived table `hits (id, score)`: the full-text index
 * is searched once and each hit scored once (bm25, lower is better; a title match weighs
 * ten times a body match, a label match five times). Joining articles to this, rather
 * than scoring each article in a correlated subquery, is what keeps a common word on a
 * large blog in milliseconds. Without `scored`, the score is null (counting needs none).
 */
export function searchHits (search: FtsQuery, scored = true): SQL {
  const score = (bm25: SQL): SQL => scored ? bm25 : sql`null`
  // Unranked (only a word most articles hold): newest written first, read without positions.
  const wordsScore = search.ranked ? score(bm25Search) : score(sql`-rowid`)
  const words = search.words === null
    ? null
    : sql`select rowid as id, ${wordsScore} as score from articles_search where articles_search match ${search.words}`
  if (search.typing === null) return sql`(${words!}) as hits`
  // The word being typed: a prefix of a word as written, or (typed in full) any form of it.
  const typed = (wordsScore: SQL, searchScore: SQL): SQL => sql`select rowid as id, ${wordsScore} as score from articles_words where articles_words match ${search.typing}
    union all
    select rowid as id, ${searchScore} as score from articles_search where articles_search match ${search.typingWhole}`
  if (words === null) return sql`(select id, min(score) as score from (${typed(score(bm25Words), score(bm25Search))}) group by id) as hits`
  // `+id`: otherwise SQLite hands the ids of the list one by one to the first index (100× slower).
  return sql`(select id, score from (${words}) where +id in (select id from (${typed(sql`null`, sql`null`)}))) as hits`
}

// Each word's number of articles, read from the stemmed index's own vocabulary. The fts5vocab
// table is per connection (temp): it stores nothing, and a migration would add nothing else.
// Its count walks the word's list of articles (~0.7 ms for a word in all of 10 k), so counts
// are kept until the next write.
const articleCounts = preparedOnce((db) => {
  db.run(sql`create virtual table if not exists temp.articles_search_vocab using fts5vocab(main, 'articles_search', 'row')`)
  return {
    ofWord: db.select({ doc: sql<number>`doc` }).from(sql`temp.articles_search_vocab`).where(sql`term = ${sql.placeholder('term')}`).prepare(),
    all: db.select({ total: count() }).from(articles).prepare()
  }
})
const shareCache = new UntilNextWrite<number>(2_000)

/**
 * The share of all articles (0 to 1) holding each word, as the stemmed index spells it
 * (`stemmed` in ./query.ts); 0 for all of them while there are fewer than `fewest` articles.
 */
export function articleShares (db: Db, stems: string[], fewest: number): Map<string, number> {
  const statements = articleCounts(db)
  // Words have no spaces: this key is no word.
  const total = shareCache.get(db, ' total', () => statements.all.get()!.total)
  if (total < fewest) return new Map(stems.map((stem) => [stem, 0]))
  return shareCache.getMany(db, stems, (missing) =>
    new Map(missing.map((stem) => [stem, (statements.ofWord.get({ term: stem })?.doc ?? 0) / total])))
}

/** A hit's score, to sort by in a query over `searchHits`. */
export const searchScore = sql<number>`hits.score`

/**
 * A short passage of each article around the matched terms, as text with the terms in
 * `<mark>…</mark>` and everything else escaped (src/search/snippet.ts).
 */
export function snippets (db: DbOrTx, search: FtsQuery, ids: number[]): Map<number, string> {
  if (ids.length === 0) return new Map()
  const rows = db.all<IndexedText & { id: number }>(sql`select id, title, excerpt, body, labels from articles_text
    where id in (${sql.join(ids.map((id) => sql`${id}`), sql`, `)})`)
  return new Map(rows.map((row) => [row.id, snippetOf([row.title, row.excerpt, row.body, row.labels], search.marked)]))
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
      -${bm25Search} as score
    from articles_search join ${articles} on ${articles.id} = articles_search.rowid
    where articles_search match ${anyTerm} and articles_search.rowid != ${excludeId}
      and ${articles.status} = 'published' and ${articles.publishedAt} <= ${now}
    order by ${bm25Search}
    limit ${limit}`)
  return new Map(rows.map((row) => [row.id, row.score]))
}
