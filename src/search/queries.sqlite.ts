import { count, sql, type SQL } from 'drizzle-orm'
import { preparedOnce, type Db } from '../db/client.js'
import { articleLabels, articles, labels } from '../db/schema.js'
import { publishedBy } from '../resources/articles/visibility.js'
import type { FtsQuery } from './query.js'
import type { IndexedText, SearchDocument, SearchQueries } from './queries.js'

// Everything SQLite-specific about search (FTS5, bm25) is in this file; a PostgreSQL port
// replaces it with tsvector columns and ts_rank.

// Two indexes over one copy of the text (`articles_text`): `articles_search` stemmed (whole
// words find their other forms), `articles_words` as written (a half-typed word is a prefix
// of the written word). Both are FTS5 external-content tables: SQLite does not keep them in
// step with `articles_text` by itself, so every change goes through the functions below.
const indexes = [sql.raw('articles_search'), sql.raw('articles_words')]

function writeText (db: Db, id: number, text: IndexedText): void {
  db.run(sql`insert into articles_text (id, title, excerpt, body, labels)
    values (${id}, ${text.title}, ${text.excerpt}, ${text.body}, ${text.labels})`)
}

function unindexArticle (db: Db, id: number): IndexedText | undefined {
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

function allDocuments (db: Db): SearchDocument[] {
  const labelsByArticle = new Map<number, string[]>()
  const rows = db.select({ articleId: articleLabels.articleId, name: labels.name }).from(articleLabels)
    .innerJoin(labels, sql`${labels.id} = ${articleLabels.labelId}`).orderBy(articleLabels.position).all()
  for (const row of rows) labelsByArticle.set(row.articleId, [...(labelsByArticle.get(row.articleId) ?? []), row.name])
  return db.select({ id: articles.id, title: articles.title, excerpt: articles.excerpt, body: articles.body }).from(articles).all()
    .map((article) => ({ ...article, labels: labelsByArticle.get(article.id) ?? [] }))
}

const bm25Search = sql`bm25(articles_search, 10.0, 2.0, 1.0, 5.0)`
const bm25Words = sql`bm25(articles_words, 10.0, 2.0, 1.0, 5.0)`

/**
 * The articles a search finds, as a derived table `hits (id, score)`: the full-text index
 * is searched once and each hit scored once (bm25, lower is better; a title match weighs
 * ten times a body match, a label match five times). Joining articles to this, rather
 * than scoring each article in a correlated subquery, is what keeps a common word on a
 * large blog in milliseconds. Without `scored`, the score is null (counting needs none).
 * For the articles' SQLite query module, which lists by a search.
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

/** A hit's score, to sort by in a query over `searchHits`. */
export const searchScore = sql<number>`hits.score`

// Each word's number of articles, read from the stemmed index's own vocabulary. The fts5vocab
// table is per connection (temp): it stores nothing, and a migration would add nothing else.
// Its count walks the word's list of articles (~0.7 ms for a word in all of 10 k), which is
// why the search service keeps counts until the next write.
const articleCounts = preparedOnce((db) => {
  db.run(sql`create virtual table if not exists temp.articles_search_vocab using fts5vocab(main, 'articles_search', 'row')`)
  return {
    ofWord: db.select({ doc: sql<number>`doc` }).from(sql`temp.articles_search_vocab`).where(sql`term = ${sql.placeholder('term')}`).prepare(),
    all: db.select({ total: count() }).from(articles).prepare()
  }
})

export function sqliteSearchQueries (db: Db): SearchQueries {
  return {
    async indexArticle (id, text) {
      writeText(db, id, text)
      for (const index of indexes) {
        db.run(sql`insert into ${index} (rowid, title, excerpt, body, labels)
          values (${id}, ${text.title}, ${text.excerpt}, ${text.body}, ${text.labels})`)
      }
    },

    async unindexArticle (id) {
      return unindexArticle(db, id)
    },

    async writeText (id, text) {
      writeText(db, id, text)
    },

    async deleteText (id) {
      db.run(sql`delete from articles_text where id = ${id}`)
    },

    async indexTexts (ids) {
      if (ids.length === 0) return
      const list = JSON.stringify(ids)
      for (const index of indexes) {
        db.run(sql`insert into ${index} (rowid, title, excerpt, body, labels)
          select id, title, excerpt, body, labels from articles_text where id in (select value from json_each(${list}))`)
      }
    },

    async allDocuments () {
      return allDocuments(db)
    },

    async rebuildIndex (texts) {
      db.run(sql`delete from articles_text`)
      for (const { id, text } of texts) writeText(db, id, text)
      // 'rebuild' reads the whole content table once: faster than indexing row by row.
      for (const index of indexes) db.run(sql`insert into ${index} (${index}) values ('rebuild')`)
    },

    async articleCount () {
      return articleCounts(db).all.get()!.total
    },

    async articlesWithWords (stems) {
      const ofWord = articleCounts(db).ofWord
      return new Map(stems.map((stem) => [stem, ofWord.get({ term: stem })?.doc ?? 0]))
    },

    async indexedTexts (ids) {
      if (ids.length === 0) return new Map()
      const rows = db.all<IndexedText & { id: number }>(sql`select id, title, excerpt, body, labels from articles_text
        where id in (${sql.join(ids.map((id) => sql`${id}`), sql`, `)})`)
      return new Map(rows.map(({ id, ...text }) => [id, text]))
    },

    // `cross join` keeps SQLite from starting at `articles`: the full-text match first is ~1000× faster (bench/).
    async titleSuggestions (search, now, limit) {
      return db.all(sql`select ${articles.id} as id, ${articles.slug} as slug, ${articles.title} as title
        from articles_words cross join ${articles} on ${articles.id} = articles_words.rowid
        where articles_words match ${`title : (${search.all})`}
          and ${publishedBy(articles, now)}
        order by bm25(articles_words), ${articles.publishedAt} desc
        limit ${limit}`)
    },

    async similarArticles (terms, excludeId, now, limit) {
      if (terms.length === 0) return new Map()
      const anyTerm = terms.map((term) => `"${term.replace(/"/g, '""')}"`).join(' OR ')
      const rows = db.all<{ id: number, score: number }>(sql`select articles_search.rowid as id,
          -${bm25Search} as score
        from articles_search join ${articles} on ${articles.id} = articles_search.rowid
        where articles_search match ${anyTerm} and articles_search.rowid != ${excludeId}
          and ${publishedBy(articles, now)}
        order by ${bm25Search}
        limit ${limit}`)
      return new Map(rows.map((row) => [row.id, row.score]))
    }
  }
}
