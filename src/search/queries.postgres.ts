import { and, asc, between, count, desc, eq, gt, lt, ne, sql, type SQL } from 'drizzle-orm'
import type { PgInsertValue } from 'drizzle-orm/pg-core'
import type { PostgresHandle } from '../db/postgres-store.js'
import { isAnyId } from '../db/postgres-sql.js'
import { articleLabels, articles, labels, searchDocuments } from '../db/schema.postgres.js'
import { publishedBy } from '../resources/articles/visibility.js'
import { folded, wordPattern, type FtsQuery } from './query.js'
import type { IndexedText, SearchDocument, SearchQueries } from './queries.js'

// Everything PostgreSQL-specific about search is in this file: one row per article in
// `search_documents`, with a weighted tsvector stemmed (`document`, configuration `dateline`)
// and one as written (`words`, `dateline_words`), matched with `@@` and ranked with ts_rank.
//
// Who matches is the same as on SQLite; the order by relevance is not always: ts_rank
// weighs how often the terms occur and in which column (title A, labels B, excerpt C, body
// D under ts_rank's default weights 1, 0.4, 0.2, 0.1, the 10:5:2:1 of SQLite's bm25), but
// unlike bm25 it knows nothing of how rare a word is among all articles nor of the length
// of the text. Articles holding the words in the same columns as often rank alike on both;
// otherwise the order may differ. A ranking is a judgement, not a fact both must agree on.

/**
 * The text PostgreSQL is given to index: the words as `wordPattern` finds them (as FTS5's
 * tokenizer and the snippets do), folded, one space apart. PostgreSQL's own parser would
 * keep `example.com`, `a-b` and `1.2.3` as one token each, and then "example" would find an
 * article on SQLite and not here.
 */
function wordsOfText (text: string): string {
  return (text.match(wordPattern) ?? []).map(folded).filter((word) => word !== '').join(' ')
}

/**
 * Ends each column's words: an e-mail address is one token to PostgreSQL's parser, and no
 * word `wordsOfText` keeps can be one. Deleted from the vector once the columns are joined,
 * it leaves a gap in the positions, so a phrase never runs from one column into the next
 * (FTS5 matches a phrase within one column).
 */
const columnEnd = 'column-end@dateline.invalid'

const weightedColumns: Array<[keyof IndexedText, string]> = [['title', 'A'], ['labels', 'B'], ['excerpt', 'C'], ['body', 'D']]

/** A text search configuration of migrations/postgres/0001. */
type Configuration = 'dateline' | 'dateline_words'

function weightedVector (configuration: Configuration, text: IndexedText): SQL {
  const columns = weightedColumns.map(([column, weight]) =>
    sql`setweight(to_tsvector(${sql.raw(`'${configuration}'`)}, ${`${wordsOfText(text[column])} ${columnEnd}`}), ${sql.raw(`'${weight}'`)})`)
  return sql`ts_delete(${sql.join(columns, sql` || `)}, array[${sql.raw(`'${columnEnd}'`)}])`
}

function documentRow (id: number, text: IndexedText): PgInsertValue<typeof searchDocuments> {
  return { articleId: id, ...text, document: weightedVector('dateline', text), words: weightedVector('dateline_words', text) }
}

/** One quoted FTS5 term of `toFtsQuery`'s output, possibly excluded (`NOT`) or a prefix (`*`). */
const ftsTerm = /(NOT )?"([^"]*)"(\*?)/g

/** A tsquery operand with its label: `:*` for a prefix, then the weights it must have. */
function labelled (operand: string, prefix: boolean, weights: string): string {
  const label = (prefix ? '*' : '') + weights
  return label === '' ? operand : `${operand}:${label}`
}

/**
 * `toFtsQuery`'s FTS5 text (./query.ts: quoted terms, all of which must match, the last
 * maybe a prefix, then `NOT` terms) as to_tsquery text. Each word is quoted as a lexeme;
 * words hold only letters, digits and marks, so no input reaches tsquery syntax. `weights`
 * restricts every term to those columns (`A`: the title).
 */
export function tsqueryText (fts: string, weights = ''): string {
  const terms: string[] = []
  for (const [, not, phrase = '', star] of fts.matchAll(ftsTerm)) {
    const words = (phrase.match(wordPattern) ?? []).map(folded).filter((word) => word !== '')
    if (words.length === 0) continue
    const lexemes = words.map((word, i) => labelled(`'${word}'`, i === words.length - 1 && star === '*', weights))
    terms.push(`${not === undefined ? '' : '!'}(${lexemes.join(' <-> ')})`)
  }
  return terms.join(' & ')
}

function tsquery (configuration: Configuration, text: string): SQL {
  return sql`to_tsquery(${sql.raw(`'${configuration}'`)}, ${text})`
}

/** Whether an article's search row (`search_documents`) matches: what GIN answers, no scoring. */
export function searchMatch (search: FtsQuery): SQL {
  const words = search.words === null ? null : tsquery('dateline', tsqueryText(search.words))
  // The word being typed: a prefix of a word as written, or (typed in full) any form of it.
  const typing = search.typing === null ? null : tsquery('dateline_words', tsqueryText(search.typing))
  const typingWhole = search.typingWhole === null ? null : tsquery('dateline', tsqueryText(search.typingWhole))
  return and(
    words === null ? undefined : sql`${searchDocuments.document} @@ ${words}`,
    typing === null ? undefined : sql`(${searchDocuments.words} @@ ${typing} or ${searchDocuments.document} @@ ${typingWhole!})`
  )!
}

/**
 * How well a matching row matches, higher better: ts_rank, which reads (detoasts) the row's
 * whole vector. The articles' query module ranks a bounded set with it (rankedMatchLimit).
 */
export function searchRank (search: FtsQuery): SQL {
  if (search.words !== null) return sql`ts_rank(${searchDocuments.document}, ${tsquery('dateline', tsqueryText(search.words))})`
  const typing = tsquery('dateline_words', tsqueryText(search.typing!))
  const typingWhole = tsquery('dateline', tsqueryText(search.typingWhole!))
  return sql`greatest(ts_rank(${searchDocuments.words}, ${typing}), ts_rank(${searchDocuments.document}, ${typingWhole}))`
}

/** A lexeme as tsquery's own syntax writes it: quoted, quotes and backslashes doubled. */
function lexeme (word: string): string {
  return `'${word.replace(/['\\]/g, (char) => char + char)}'`
}

async function documentsAfter (db: PostgresHandle, afterId: number, limit: number): Promise<SearchDocument[]> {
  const documents = await db.select({ id: articles.id, title: articles.title, excerpt: articles.excerpt, body: articles.body }).from(articles)
    .where(gt(articles.id, afterId)).orderBy(articles.id).limit(limit)
  if (documents.length === 0) return []
  const labelsByArticle = new Map<number, string[]>()
  const rows = await db.select({ articleId: articleLabels.articleId, name: labels.name }).from(articleLabels)
    .innerJoin(labels, eq(labels.id, articleLabels.labelId))
    .where(between(articleLabels.articleId, documents[0]!.id, documents.at(-1)!.id))
    .orderBy(articleLabels.articleId, articleLabels.position)
  for (const row of rows) labelsByArticle.set(row.articleId, [...(labelsByArticle.get(row.articleId) ?? []), row.name])
  return documents.map((article) => ({ ...article, labels: labelsByArticle.get(article.id) ?? [] }))
}

/** Rows per insert when the whole index is written again: well below PostgreSQL's 65,535 parameters. */
const rebuildBatch = 200

async function unindexArticle (db: PostgresHandle, id: number): Promise<IndexedText | undefined> {
  const [removed] = await db.delete(searchDocuments).where(eq(searchDocuments.articleId, id)).returning({
    title: searchDocuments.title,
    excerpt: searchDocuments.excerpt,
    body: searchDocuments.body,
    labels: searchDocuments.labels
  })
  return removed
}

async function articlesWithWord (db: PostgresHandle, stem: string): Promise<number> {
  const [row] = await db.select({ total: count() }).from(searchDocuments)
    .where(sql`${searchDocuments.document} @@ ${lexeme(stem)}::tsquery`)
  return row?.total ?? 0
}

export function postgresSearchQueries (db: PostgresHandle): SearchQueries {
  return {
    async indexArticle (id, text) {
      await db.insert(searchDocuments).values(documentRow(id, text))
    },

    async unindexArticle (id) {
      return await unindexArticle(db, id)
    },

    // The vectors are written with the text: unlike FTS5's, a tsvector costs no more one row
    // at a time, so there is nothing for `indexTexts` to do in one pass.
    async writeText (id, text) {
      await db.insert(searchDocuments).values(documentRow(id, text))
    },

    async deleteText (id) {
      await db.delete(searchDocuments).where(eq(searchDocuments.articleId, id))
    },

    async indexTexts () {},

    async documentsAfter (afterId, limit) {
      return await documentsAfter(db, afterId, limit)
    },

    async rebuildIndex (texts) {
      await db.delete(searchDocuments)
      let batch: Array<PgInsertValue<typeof searchDocuments>> = []
      for await (const { id, text } of texts) {
        batch.push(documentRow(id, text))
        if (batch.length < rebuildBatch) continue
        await db.insert(searchDocuments).values(batch)
        batch = []
      }
      if (batch.length > 0) await db.insert(searchDocuments).values(batch)
    },

    async articleCount () {
      const [row] = await db.select({ total: count() }).from(articles)
      return row?.total ?? 0
    },

    async articlesWithWords (stems) {
      const counts = new Map<string, number>()
      for (const stem of stems) counts.set(stem, await articlesWithWord(db, stem))
      return counts
    },

    async indexedTexts (ids) {
      if (ids.length === 0) return new Map()
      const rows = await db.select({
        id: searchDocuments.articleId,
        title: searchDocuments.title,
        excerpt: searchDocuments.excerpt,
        body: searchDocuments.body,
        labels: searchDocuments.labels
      }).from(searchDocuments).where(isAnyId(searchDocuments.articleId, ids))
      return new Map(rows.map(({ id, ...text }) => [id, text]))
    },

    // Ranked by ts_rank rather than bm25: which titles come is the same. ts_rank knows nothing
    // of a column's length, which bm25 weighs: among titles matching as often, the shorter (the
    // one the words say more of) comes first, as on SQLite. `title_words` holds the title's
    // words only (schema.postgres.ts), so GIN's answer needs no second look at each vector.
    async titleSuggestions (search, now, limit) {
      const titled = tsquery('dateline_words', tsqueryText(search.all))
      return await db.select({ id: articles.id, slug: articles.slug, title: articles.title })
        .from(searchDocuments)
        .innerJoin(articles, eq(articles.id, searchDocuments.articleId))
        .where(and(sql`${searchDocuments.titleWords} @@ ${titled}`, publishedBy(articles, now)))
        .orderBy(sql`ts_rank(${searchDocuments.titleWords}, ${titled}) desc`, sql`char_length(${articles.title})`, desc(articles.publishedAt))
        .limit(limit)
    },

    async similarArticles (terms, excludeId, now, limit, nearest) {
      const anyTerm = terms.map(folded).filter((term) => term !== '').map(lexeme).join(' | ')
      if (anyTerm === '') return new Map()
      const query = tsquery('dateline', anyTerm)
      const matches = sql`${searchDocuments.document} @@ ${query}`
      // Among the nearest matches on either side (src/search/query.ts, `similarCandidates`).
      const edge = async (before: boolean): Promise<number | null> => {
        const { rows } = await db.execute<{ id: string | null }>(sql`select ${before ? sql`min(id)` : sql`max(id)`} as id
          from (select ${searchDocuments.articleId} as id from ${searchDocuments}
            where ${matches} and ${before ? lt(searchDocuments.articleId, excludeId) : gt(searchDocuments.articleId, excludeId)}
            order by ${before ? desc(searchDocuments.articleId) : asc(searchDocuments.articleId)} limit ${nearest}) as nearest`)
        return rows[0]?.id == null ? null : Number(rows[0].id)
      }
      const from = await edge(true) ?? excludeId
      const to = await edge(false) ?? excludeId
      const score = sql<number>`ts_rank(${searchDocuments.document}, ${query})::float8`
      const rows = await db.select({ id: searchDocuments.articleId, score })
        .from(searchDocuments)
        .innerJoin(articles, eq(articles.id, searchDocuments.articleId))
        .where(and(matches, between(searchDocuments.articleId, from, to), ne(searchDocuments.articleId, excludeId), publishedBy(articles, now)))
        .orderBy(desc(score))
        .limit(limit)
      return new Map(rows.map((row) => [row.id, row.score]))
    }
  }
}
