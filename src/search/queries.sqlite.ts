import { count, sql, type SQL } from 'drizzle-orm'
import { preparedOnce, statementOnce, writeStamp, type Db } from '../db/client.js'
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

// Prepared once: every article written runs both (an import, by the thousand).
const insertText = statementOnce<never>('insert into articles_text (id, title, excerpt, body, labels) values (?, ?, ?, ?, ?)')
const indexedText = statementOnce<IndexedText>('select title, excerpt, body, labels from articles_text where id = ?')

function writeText (db: Db, id: number, text: IndexedText): void {
  insertText(db).run(id, text.title, text.excerpt, text.body, text.labels)
}

function unindexArticle (db: Db, id: number): IndexedText | undefined {
  const indexed = indexedText(db).get(id)
  if (indexed === undefined) return undefined
  // An external-content index forgets a row only when told exactly what it indexed.
  for (const index of indexes) {
    db.run(sql`insert into ${index} (${index}, rowid, title, excerpt, body, labels)
      values ('delete', ${id}, ${indexed.title}, ${indexed.excerpt}, ${indexed.body}, ${indexed.labels})`)
  }
  db.run(sql`delete from articles_text where id = ${id}`)
  return indexed
}

function documentsAfter (db: Db, afterId: number, limit: number): SearchDocument[] {
  const rows = db.select({ id: articles.id, title: articles.title, excerpt: articles.excerpt, body: articles.body }).from(articles)
    .where(sql`${articles.id} > ${afterId}`).orderBy(articles.id).limit(limit).all()
  if (rows.length === 0) return []
  const labelsByArticle = new Map<number, string[]>()
  const labelRows = db.select({ articleId: articleLabels.articleId, name: labels.name }).from(articleLabels)
    .innerJoin(labels, sql`${labels.id} = ${articleLabels.labelId}`)
    .where(sql`${articleLabels.articleId} between ${rows[0]!.id} and ${rows.at(-1)!.id}`)
    .orderBy(articleLabels.position).all()
  for (const row of labelRows) labelsByArticle.set(row.articleId, [...(labelsByArticle.get(row.articleId) ?? []), row.name])
  return rows.map((article) => ({ ...article, labels: labelsByArticle.get(article.id) ?? [] }))
}

const bm25Search = sql`bm25(articles_search, 10.0, 2.0, 1.0, 5.0)`
const bm25Words = sql`bm25(articles_words, 10.0, 2.0, 1.0, 5.0)`

/**
 * A stretch of article ids to search in: from `from` (inclusive) to below `below`. A bound
 * reaches FTS5 as a rowid constraint, so it skips the rest of each word's list of articles.
 */
export interface IdRange { from?: number, below?: number }

const searchIndex = sql.raw('articles_search')
const wordsIndex = sql.raw('articles_words')

function inRange (index: SQL, range: IdRange): SQL {
  const bounds = [
    range.from === undefined ? undefined : sql`${index}.rowid >= ${range.from}`,
    range.below === undefined ? undefined : sql`${index}.rowid < ${range.below}`
  ].filter((bound) => bound !== undefined)
  return bounds.length === 0 ? sql`1` : sql.join(bounds, sql` and `)
}

/**
 * One full-text match as a select of `id` (and `score` when given): the index searched
 * first, then, with `keep` (a condition on `articles`), each hit's article row by its key.
 */
function matchSelect (index: SQL, query: string, range: IdRange, options: { keep?: SQL, also?: SQL, score?: SQL } = {}): SQL {
  const score = options.score === undefined ? sql`` : sql`, ${options.score} as score`
  const join = options.keep === undefined ? sql`` : sql` cross join ${articles} on ${articles.id} = ${index}.rowid`
  const conditions = [sql`${index} match ${query}`, inRange(index, range), options.keep, options.also].filter((condition) => condition !== undefined)
  return sql`select ${index}.rowid as id${score} from ${index}${join} where ${sql.join(conditions, sql` and `)}`
}

/** The word being typed: a prefix of a word as written, or (typed in full) any form of it. A compound select. */
function typedMatches (search: FtsQuery, range: IdRange, keep?: SQL): SQL {
  return sql`${matchSelect(wordsIndex, search.typing!, range, { keep })}
    union ${matchSelect(searchIndex, search.typingWhole!, range, { keep })}`
}

/**
 * The ids of a search's matches in `range` (with `keep`, of the articles it lets through), as
 * one select of `id` in no particular order: to count, or to test membership with \`in\`.
 */
export function matchingIds (search: FtsQuery, range: IdRange = {}, keep?: SQL): SQL {
  if (search.words === null) return typedMatches(search, range, keep)
  if (search.typing === null) return matchSelect(searchIndex, search.words, range, { keep })
  // `+rowid`: otherwise SQLite hands the typed word's matches one by one to the first index (100× slower).
  return matchSelect(searchIndex, search.words, range, { keep, also: sql`+articles_search.rowid in (${typedMatches(search, range)})` })
}

/**
 * The ids of the newest matches in `range` that `keep` lets through, newest first: `limit`
 * of them after skipping `offset`. Each index hands its matches over newest first and the
 * walk stops when the page is full, so this costs the page, not every match. A search of
 * whole words and a typed word (two indexes, intersected) walks the words' matches in
 * growing windows, intersecting the typed word's matches in each window only.
 */
export function newestMatchingIds (db: Db, search: FtsQuery, range: IdRange, keep: SQL | undefined, limit: number, offset: number): number[] {
  const ids = (query: SQL): number[] => db.all<{ id: number }>(query).map((row) => row.id)
  const page = sql`order by 1 desc limit ${limit} offset ${offset}`
  if (search.words === null || search.typing === null) return ids(sql`${matchingIds(search, range, keep)} ${page}`)
  for (let span = 4 * (offset + limit); ; span *= 4) {
    // The window: from the span-th newest match of the words (all of them when fewer) to the top of the range.
    const start = db.get<{ id: number } | undefined>(sql`select rowid as id from articles_search
      where articles_search match ${search.words} and ${inRange(searchIndex, range)}
      order by rowid desc limit 1 offset ${span - 1}`)?.id
    const window = { from: Math.max(start ?? range.from ?? 0, range.from ?? 0), below: range.below }
    const found = ids(sql`${matchingIds(search, window, keep)} ${page}`)
    if (found.length === limit || start === undefined || start <= (range.from ?? 0)) return found
  }
}

/** The ids of the oldest matches in `range` that `keep` lets through, oldest first. */
export function oldestMatchingIds (db: Db, search: FtsQuery, range: IdRange, keep: SQL | undefined, limit: number, offset: number): number[] {
  return db.all<{ id: number }>(sql`${matchingIds(search, range, keep)} order by 1 limit ${limit} offset ${offset}`).map((row) => row.id)
}

/** How many matches `range` holds (of every article, visible or not). */
export function matchCount (db: Db, search: FtsQuery, range: IdRange = {}): number {
  return db.get<{ n: number }>(sql`select count(*) as n from (${matchingIds(search, range)})`).n
}

/**
 * How many of `articleIds` (a select of `id` from `articles`: the few a reader can't see)
 * match, walking only the matches between the least and the greatest of them.
 */
export function matchCountAmong (db: Db, search: FtsQuery, range: IdRange, articleIds: SQL): number {
  const span = db.get<{ least: number | null, greatest: number | null }>(sql`select min(id) as least, max(id) as greatest from (${articleIds})`)
  if (span.least === null || span.greatest === null) return 0
  const narrowed = { from: Math.max(span.least, range.from ?? 0), below: Math.min(span.greatest + 1, range.below ?? Number.MAX_SAFE_INTEGER) }
  if (narrowed.from >= narrowed.below) return 0
  return db.get<{ n: number }>(sql`select count(*) as n from (${matchingIds(search, narrowed)}) where id in (${articleIds})`).n
}

/**
 * The articles a search finds, as a derived table `hits (id, score)`: the full-text index
 * is searched once and each hit scored once (bm25, lower is better; a title match weighs
 * ten times a body match, a label match five times). Joining articles to this, rather
 * than scoring each article in a correlated subquery, is what keeps a common word on a
 * large blog in milliseconds. Without `scored`, the score is null (counting needs none).
 * `range` bounds the ids searched: the ranked newest matches of a search with many (query.ts).
 * For the articles' SQLite query module, which lists by a search.
 */
export function searchHits (search: FtsQuery, scored = true, range: IdRange = {}): SQL {
  const score = (bm25: SQL): SQL => scored ? bm25 : sql`null`
  const words = search.words === null ? null : matchSelect(searchIndex, search.words, range, { score: score(bm25Search) })
  if (search.typing === null) return sql`(${words!}) as hits`
  const typed = (wordsScore: SQL, searchScore: SQL): SQL => sql`${matchSelect(wordsIndex, search.typing!, range, { score: wordsScore })}
    union all
    ${matchSelect(searchIndex, search.typingWhole!, range, { score: searchScore })}`
  if (words === null) return sql`(select id, min(score) as score from (${typed(score(bm25Words), score(bm25Search))}) group by id) as hits`
  // `+id`: otherwise SQLite hands the ids of the list one by one to the first index (100× slower).
  return sql`(select id, score from (${words}) where +id in (select id from (${typed(sql`null`, sql`null`)}))) as hits`
}

/** A hit's score, to sort by in a query over `searchHits`. */
export const searchScore = sql<number>`hits.score`

/**
 * Where a search's ranked matches start for one reader: the id of the `rankedMatchLimit`-th
 * newest match its filters let through (0 when it has no more: all are ranked), and for each
 * index a ranked search reads, how many of that index's newest matches reach down to it.
 */
export interface RankedWindow {
  from: number
  /** Per index query (`words`, `typing`, `typingWhole`): its matches from `from` up; null for all. */
  newest: Partial<Record<IndexQuery, number | null>>
}

type IndexQuery = 'words' | 'typing' | 'typingWhole'

const indexOf: Record<IndexQuery, SQL> = { words: searchIndex, typing: wordsIndex, typingWhole: searchIndex }

/**
 * The ranked matches of a search (those of `window`), as a derived table `hits (id, score)`
 * like `searchHits`'. Each index hands over only its newest matches down to the window's
 * start, newest first, and FTS5 stops there: bounding the ids instead (\`rowid >= ?\`) cost
 * twice as much (bench/search.mjs). Whole words with a typed word intersect two such runs.
 */
export function rankedHits (search: FtsQuery, scored: boolean, window: () => RankedWindow): SQL {
  const score = (bm25: SQL): SQL => scored ? bm25 : sql`null`
  const newest = (query: IndexQuery, indexScore: SQL): SQL => {
    const index = indexOf[query]
    const limit = window().newest[query] ?? -1
    return sql`select * from (select ${index}.rowid as id, ${indexScore} as score
      from ${index} where ${index} match ${search[query]} order by ${index}.rowid desc limit ${limit})`
  }
  const typed = (wordsScore: SQL, searchScore: SQL): SQL => sql`${newest('typing', wordsScore)} union all ${newest('typingWhole', searchScore)}`
  if (search.typing === null) return sql`(${newest('words', score(bm25Search))}) as hits`
  if (search.words === null) return sql`(select id, min(score) as score from (${typed(score(bm25Words), score(bm25Search))}) group by id) as hits`
  // `+id`: as in `searchHits`.
  return sql`(select id, score from (${newest('words', score(bm25Search))}) where +id in (select id from (${typed(sql`null`, sql`null`)}))) as hits`
}

/** A search's matches in one index, newest first, walked only as far as a window needs. */
const newestIn: Record<'search' | 'words', (db: Db) => { iterate: (query: string) => IterableIterator<{ id: number }> }> = {
  search: statementOnce('select rowid as id from articles_search where articles_search match ? order by rowid desc'),
  words: statementOnce('select rowid as id from articles_words where articles_words match ? order by rowid desc')
}

/** How many of an index's matches have an id of `from` or more. */
function matchesFrom (db: Db, query: IndexQuery, text: string, from: number): number {
  let count = 0
  for (const row of newestIn[query === 'typing' ? 'words' : 'search'](db).iterate(text)) {
    if (row.id < from) break
    count++
  }
  return count
}

function findRankedWindow (db: Db, search: FtsQuery, keep: SQL | undefined): RankedWindow {
  const limit = search.rankedMatchLimit
  const from = limit <= 0 ? Number.MAX_SAFE_INTEGER : newestMatchingIds(db, search, {}, keep, 1, limit - 1)[0] ?? 0
  const queries = (['words', 'typing', 'typingWhole'] as const).filter((query) => search[query] !== null)
  const newest = Object.fromEntries(queries.map((query) => [query, from === 0 ? null : matchesFrom(db, query, search[query]!, from)]))
  return { from, newest }
}

/** What is kept of one search, for one reader and one list's filters, until the next write. */
export interface KeptSearch {
  window?: RankedWindow
  /** Its matches the reader may see through the filters. */
  total?: number
}

// A search's window is read by every page past its ranked matches and to choose how to sort
// many matches by time, and its total by every page: both are kept per connection until
// anything is written (client.ts, `writeStamp`). Never from inside a transaction that may
// write (what it saw may be rolled back); a read worker's read transaction is safe: its
// snapshot and its `data_version` are taken together (db/read-only-store.ts).
const searchesKept = 500
const searchesByConnection = new WeakMap<object, { stamp: string, searches: Map<string, KeptSearch> }>()

/**
 * What is kept of `search` for the list `keepKey` names (its reader and filters): an empty
 * record to fill the first time, a fresh one inside a transaction.
 */
export function keptSearch (db: Db, search: FtsQuery, keepKey: string): KeptSearch {
  if (db.$client.inTransaction && !db.$client.readonly) return {}
  const stamp = writeStamp(db)
  let kept = searchesByConnection.get(db.$client)
  if (kept === undefined || kept.stamp !== stamp) {
    kept = { stamp, searches: new Map() }
    searchesByConnection.set(db.$client, kept)
  }
  const key = JSON.stringify([search.words, search.typing, search.typingWhole, search.rankedMatchLimit, keepKey])
  let found = kept.searches.get(key)
  if (found === undefined) {
    if (kept.searches.size >= searchesKept) kept.searches.clear()
    found = {}
    kept.searches.set(key, found)
  }
  return found
}

/**
 * A search's ranked window for the articles `keep` lets through (a condition on `articles`:
 * what the reader may see and the list's filters). Ranking the newest matches *this reader*
 * may see is what PostgreSQL does too (queries.postgres.ts): a blog's drafts must not push
 * its published matches out of the ranking.
 */
export function rankedWindow (db: Db, search: FtsQuery, keep: SQL | undefined, kept: KeptSearch): RankedWindow {
  kept.window ??= findRankedWindow(db, search, keep)
  return kept.window
}

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

/**
 * The ids between which articles like one are looked for: its `nearest` matches before it
 * and as many after it (src/search/query.ts, `similarCandidates`).
 */
function nearestMatches (db: Db, anyTerm: string, articleId: number, nearest: number): { from: number, to: number } {
  const edge = (before: boolean): number | null => db.get<{ id: number | null }>(sql`select ${before ? sql`min(id)` : sql`max(id)`} as id
    from (select rowid as id from articles_search
      where articles_search match ${anyTerm} and ${before ? sql`rowid < ${articleId}` : sql`rowid > ${articleId}`}
      order by rowid ${before ? sql`desc` : sql`asc`} limit ${nearest})`).id
  return { from: edge(true) ?? articleId, to: edge(false) ?? articleId }
}

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

    async documentsAfter (afterId, limit) {
      return documentsAfter(db, afterId, limit)
    },

    async rebuildIndex (texts) {
      db.run(sql`delete from articles_text`)
      for await (const { id, text } of texts) writeText(db, id, text)
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

    async similarArticles (terms, excludeId, now, limit, nearest) {
      if (terms.length === 0) return new Map()
      const anyTerm = terms.map((term) => `"${term.replace(/"/g, '""')}"`).join(' OR ')
      const { from, to } = nearestMatches(db, anyTerm, excludeId, nearest)
      // `cross join`: as for suggestions, the match first (starting at `articles` ran one
      // full-text query per article: minutes at 100 k).
      const rows = db.all<{ id: number, score: number }>(sql`select hits.id, hits.score
        from (select rowid as id, -${bm25Search} as score from articles_search
          where articles_search match ${anyTerm} and rowid between ${from} and ${to}) as hits
        cross join ${articles} on ${articles.id} = hits.id
        where hits.id != ${excludeId} and ${publishedBy(articles, now)}
        order by hits.score desc
        limit ${limit}`)
      return new Map(rows.map((row) => [row.id, row.score]))
    }
  }
}
