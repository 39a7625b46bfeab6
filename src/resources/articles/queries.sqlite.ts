import { and, asc, count, desc, eq, gte, inArray, isNotNull, lte, min, ne, sql, type SQL } from 'drizzle-orm'
import { columnsAs, insertOnce, isAnyId, preparedOnce, statementOnce, type Db } from '../../db/client.js'
import { articleAuthors, articleCorrections, articleLabels, articleOldSlugs, articles, labels, seoFields } from '../../db/schema.js'
import { groupedBy } from '../../lib/group.js'
import { keysetAfter, type CursorValue, type KeysetColumn, type SortKey } from '../../lib/list.js'
import { isIdInPath } from '../../lib/slug.js'
import { earliestOf } from '../../lib/time.js'
import { labelKey } from '../../lib/values.js'
import { matchCount, matchCountAmong, matchingIds, newestMatchingIds, oldestMatchingIds, keptSearch, rankedHits, rankedWindow, searchHits, searchScore, type IdRange, type KeptSearch, type RankedWindow } from '../../search/queries.sqlite.js'
import type { FtsQuery } from '../../search/query.js'
import { markedNoindex } from '../seo/conditions.js'
import type { ArticleFilters, ArticlePageQuery, ArticleQueries, ArticleRow, ArticleSortField, LabelledArticleRow, LabelName, ListedArticleRow, TouchedArticle } from './queries.js'
import { bylineHas, hiddenFrom, isPublishedBy, publishedBy, visibleTo } from './visibility.js'

// The reads of every request (an article, a page's rows and their labels) are plain
// statements answering the rows drizzle would map (db/client.ts, `statementOnce`).
const articleRow = columnsAs(articles)
const byId = statementOnce<ArticleRow>(`select ${articleRow} from articles where id = ?`)
const bySlug = statementOnce<ArticleRow>(`select ${articleRow} from articles where slug = ?`)
// An article's labels as a JSON array in a column of its row, in their order.
const labelNames = `(select json_group_array(l.name order by al.position) from article_labels al
  join labels l on l.id = al.label_id where al.article_id = articles.id) as "labels"`
type LabelledRow = ArticleRow & { labels: string }
const labelledById = statementOnce<LabelledRow>(`select ${articleRow}, ${labelNames} from articles where id = ?`)
const labelledBySlug = statementOnce<LabelledRow>(`select ${articleRow}, ${labelNames} from articles where slug = ?`)
const slugOwner = preparedOnce((db) => db.select({ id: articles.id }).from(articles).where(eq(articles.slug, sql.placeholder('slug'))).prepare())

interface LabelRow { articleId: number, name: string }

const labelsOfArticles = statementOnce<LabelRow>(`select al.article_id as articleId, l.name as name
  from article_labels al join labels l on l.id = al.label_id
  where al.article_id in (select value from json_each(?))
  order by al.article_id, al.position`)

// One article (every single read) is an index search: no id list to unpack and sort.
const labelsOfArticle = statementOnce<LabelRow>(`select al.article_id as articleId, l.name as name
  from article_labels al join labels l on l.id = al.label_id
  where al.article_id = ?
  order by al.position`)

function labelled (row: LabelledRow | undefined): LabelledArticleRow | undefined {
  return row === undefined ? undefined : { ...row, labels: JSON.parse(row.labels) as string[] }
}

function labelsByArticle (db: Db, articleIds: number[]): Map<number, string[]> {
  const byArticle = new Map<number, string[]>()
  if (articleIds.length === 0) return byArticle
  const rows = articleIds.length === 1
    ? labelsOfArticle(db).all(articleIds[0]!)
    : labelsOfArticles(db).all(JSON.stringify(articleIds))
  for (const row of rows) {
    const names = byArticle.get(row.articleId) ?? []
    names.push(row.name)
    byArticle.set(row.articleId, names)
  }
  return byArticle
}

const insertArticle = insertOnce(articles)

const labelIdsOfArticle = preparedOnce((db) => db.select({ labelId: articleLabels.labelId }).from(articleLabels)
  .where(eq(articleLabels.articleId, sql.placeholder('articleId'))).prepare())
const unlinkLabels = preparedOnce((db) => db.delete(articleLabels).where(eq(articleLabels.articleId, sql.placeholder('articleId'))).prepare())
// On better-sqlite3 itself, as the link below: an import runs them for every label of every
// article.
const labelWithKey = statementOnce<{ id: number }>('select id from labels where key = ?')
const linkLabel = statementOnce<never>('insert into article_labels (article_id, label_id, position) values (?, ?, ?)')

/** The id of the label `name`, which the service made sure of first (it gave a new one its slug). */
function labelIdFor (db: Db, name: string): number {
  const known = labelWithKey(db).get(labelKey(name))
  if (known === undefined) throw new Error(`label "${name}" was linked before it was made (ensureLabels)`)
  return known.id
}

function labelIdsOf (db: Db, articleId: number): number[] {
  return labelIdsOfArticle(db).all({ articleId }).map((row) => row.labelId)
}

function replaceLabels (db: Db, articleId: number, names: string[]): LabelName[] {
  const previous = labelIdsOf(db, articleId)
  unlinkLabels(db).run({ articleId })
  names.forEach((name, position) => linkLabel(db).run(articleId, labelIdFor(db, name), position))
  return deleteUnusedLabels(db, previous)
}

// A label no article carries is kept while an editor's description or labels under it need it.
const unused = sql`not exists (select 1 from ${articleLabels} where ${articleLabels.labelId} = ${labels.id})
  and ${labels.description} = '' and not exists (select 1 from labels child where child.parent_id = ${labels.id})`

/**
 * Deletes those of `candidates` that no article carries any more (a label lives while it is
 * used), and answers them. Found first, then deleted: most edits leave none, and SQLite runs
 * `returning` as a trigger (see insertOnce in db/client.ts).
 */
function deleteUnusedLabels (db: Db, candidates: number[]): LabelName[] {
  if (candidates.length === 0) return []
  const gone = db.select({ id: labels.id, name: labels.name, slug: labels.slug }).from(labels).where(and(inArray(labels.id, candidates), unused)).all()
  if (gone.length > 0) db.delete(labels).where(inArray(labels.id, gone.map((label) => label.id))).run()
  return gone
}

/**
 * Moves on the versions of the articles `which` selects, writing `values` (which leave their
 * slug, status and time as they are); answers them as they are after.
 */
function touchArticles (db: Db, which: SQL, values: { authorId?: number, updatedAt: string }): TouchedArticle[] {
  const touched = db.select({ id: articles.id, slug: articles.slug, authorId: articles.authorId, status: articles.status, publishedAt: articles.publishedAt })
    .from(articles).where(which).orderBy(articles.id).all()
  if (touched.length === 0) return []
  db.update(articles).set({ ...values, version: sql`${articles.version} + 1` }).where(which).run()
  return touched.map(({ status, publishedAt, authorId, ...article }) => ({
    ...article,
    authorId: values.authorId ?? authorId,
    isPublic: isPublishedBy({ status, publishedAt }, values.updatedAt)
  }))
}

/** Articles with public corrections (`true`), or without any (`false`). */
function hasCorrections (corrected: boolean): SQL {
  const any = sql`exists (select 1 from ${articleCorrections} where ${articleCorrections.articleId} = ${articles.id})`
  return corrected ? any : sql`not ${any}`
}

function hasAllLabels (keys: string[]): SQL {
  return sql`${articles.id} in (
    select ${articleLabels.articleId} from ${articleLabels}
    join ${labels} on ${labels.id} = ${articleLabels.labelId}
    where ${inArray(labels.key, keys)}
    group by ${articleLabels.articleId}
    having count(*) = ${keys.length})`
}

function filterCondition (filters: ArticleFilters): SQL | undefined {
  return and(
    visibleTo(articles, filters.visibility),
    filters.status === undefined ? undefined : eq(articles.status, filters.status),
    filters.authorId === undefined ? undefined : bylineHas(articles, filters.authorId),
    filters.labelKeys === undefined || filters.labelKeys.length === 0 ? undefined : hasAllLabels(filters.labelKeys),
    filters.corrected === undefined ? undefined : hasCorrections(filters.corrected),
    filters.day === undefined ? undefined : eq(articles.publishedDay, filters.day),
    filters.unpublishing === true ? isNotNull(articles.unpublishAt) : undefined,
    filters.noindex === undefined ? undefined : markedNoindex(seoFields, 'article', articles.id, filters.noindex),
    filters.fromTimestamp === undefined ? undefined : gte(articles.publishedAt, filters.fromTimestamp),
    filters.toTimestamp === undefined ? undefined : lte(articles.publishedAt, filters.toTimestamp),
    filters.fromDay === undefined ? undefined : gte(articles.publishedDay, filters.fromDay),
    filters.toDay === undefined ? undefined : lte(articles.publishedDay, filters.toDay)
  )
}

/**
 * The keyset columns of a sort. A list readers see has published articles only (an author
 * token also sees its own drafts, which have no time yet): no row lacks a publication time,
 * which lets a cursor use the index.
 */
function sortColumns (sort: SortKey<ArticleSortField>[], filters: ArticleFilters): KeysetColumn[] {
  const publishedOnly = filters.visibility.publishedOnly && filters.visibility.alsoAuthorId === null
  const columns: KeysetColumn[] = sort.map((key) => ({
    column: key.field === 'relevance' ? searchScore : articles[key.field],
    descending: key.descending,
    notNull: key.field !== 'publishedAt' || publishedOnly
  }))
  columns.push({ column: articles.id, descending: sort[0]?.descending ?? false, notNull: true })
  return columns
}

function orderBy (columns: KeysetColumn[]): SQL[] {
  return columns.map((key) => key.descending ? desc(key.column) : asc(key.column))
}

/** The articles a list reads from: with a search, only its hits, found (and scored) first. */
function listSource (filters: ArticleFilters, scored: boolean): SQL {
  if (filters.search === undefined) return sql`${articles}`
  // `cross join` keeps the full-text match as the outer loop: scoring each article in
  // turn instead is what made a common word take seconds (bench/search.mjs).
  return sql`${searchHits(filters.search, scored)} cross join ${articles} on ${articles.id} = hits.id`
}

function needsScore (sort: SortKey<ArticleSortField>[] | undefined): boolean {
  return sort?.some((key) => key.field === 'relevance') ?? false
}

function pageOfArticles (db: Db, query: ArticlePageQuery): ListedArticleRow[] {
  const search = query.filters.search
  if (search !== undefined && byRelevanceOnly(query.sort)) return listedRows(db, pageByRelevance(db, query, search))
  const columns = sortColumns(query.sort, query.filters)
  const scored = needsScore(query.sort)
  const source = sourceFor(db, query.filters, query.sort, scored)
  const where = and(query.after === null ? undefined : keysetAfter(columns, query.after), filterCondition(query.filters), source.matching)
  const hits = db.all<{ id: number, relevance: number | null }>(sql`select ${articles.id} as id,
      ${scored ? searchScore : sql`null`} as relevance
    from ${source.from}
    where ${where ?? sql`1`}
    order by ${sql.join(orderBy(columns), sql`, `)}
    limit ${query.limit} offset ${query.offset}`)
  return listedRows(db, hits)
}

function listedRows (db: Db, hits: Array<{ id: number, relevance: number | null }>): ListedArticleRow[] {
  const relevance = new Map(hits.map((hit) => [hit.id, hit.relevance]))
  return articlesByIds(db, hits.map((hit) => hit.id)).map((row) => ({ ...row, relevance: relevance.get(row.id) ?? null }))
}

function countArticles (db: Db, filters: ArticleFilters, sort?: SortKey<ArticleSortField>[], after?: CursorValue[]): number {
  if (filters.search !== undefined) {
    if (after === undefined) return searchTotal(db, filters, filters.search)
    if (byRelevanceOnly(sort)) return countByRelevanceAfter(db, filters, filters.search, sort![0]!.descending, after)
  }
  const keyset = sort !== undefined && after !== undefined ? keysetAfter(sortColumns(sort, filters), after) : undefined
  const scored = after !== undefined && needsScore(sort)
  const source = sourceFor(db, filters, sort, scored)
  const where = and(keyset, filterCondition(filters), source.matching)
  return db.get<{ total: number }>(sql`select count(*) as total from ${source.from} where ${where ?? sql`1`}`).total
}

// Lists by a search (issue 19). A search matching more than `rankedMatchLimit` articles ranks
// only the newest that-many its reader may see through the list's filters, by bm25; the others
// follow, newest first (src/search/query.ts).
// Scoring every match of a common word cost a third of a second at 100 k articles.

function byRelevanceOnly (sort: SortKey<ArticleSortField>[] | undefined): boolean {
  return sort !== undefined && sort.length === 1 && sort[0]!.field === 'relevance'
}

/** Whether visibility is the only filter besides the search: its totals come from the index alone. */
function onlyVisibility (filters: ArticleFilters): boolean {
  const { visibility: _visibility, search: _search, labelKeys, ...others } = filters
  return (labelKeys === undefined || labelKeys.length === 0) && Object.values(others).every((value) => value === undefined)
}

/**
 * How many matches in `range` the filters let through. With visibility alone: the index's own
 * count less the matches among the articles the reader can't see (a few drafts and scheduled
 * ones), instead of joining every match to its row.
 */
function visibleMatchCount (db: Db, filters: ArticleFilters, range: IdRange): number {
  const search = filters.search!
  if (!onlyVisibility(filters)) {
    return db.get<{ total: number }>(sql`select count(*) as total from (${matchingIds(search, range, filterCondition(filters))})`).total
  }
  const all = matchCount(db, search, range)
  const hidden = hiddenFrom(articles, filters.visibility)
  return hidden === undefined ? all : all - matchCountAmong(db, search, range, sql`select ${articles.id} as id from ${articles} where ${hidden}`)
}

/**
 * The matches in order of relevance come in two runs: the ranked ones (from the id of the
 * `rankedMatchLimit`-th newest match up, by bm25, then id) and the rest (newest first). A row's
 * `relevance`, which a cursor carries, is its bm25 score in the first run (always negative) and
 * 1/id in the second (positive, smaller when newer): one order over both, so a cursor says
 * which run it is in. `sort=-relevance` reads the runs backwards.
 */
interface Run {
  holds: (after: CursorValue[]) => boolean
  rows: (after: CursorValue[] | null, limit: number, offset: number) => Array<{ id: number, relevance: number }>
  /** Rows of the run after `after` (all of them without). */
  count: (after: CursorValue[] | null) => number
}

const unrankedRelevance = (id: number): number => 1 / id

/**
 * What is kept of a search for this list's reader and filters until the next write (`now` is
 * left out of its key: what it hides changes only by a write that publishes).
 */
function keptFor (db: Db, filters: ArticleFilters, search: FtsQuery): KeptSearch {
  const { search: _search, visibility, ...others } = filters
  return keptSearch(db, search, JSON.stringify({ ...others, visibility: { ...visibility, now: undefined } }))
}

/** Where a search's ranked matches start for this list's reader and filters. */
function windowOf (db: Db, filters: ArticleFilters, search: FtsQuery): RankedWindow {
  return rankedWindow(db, search, filterCondition(filters), keptFor(db, filters, search))
}

/** A search's total for this list's reader and filters. */
function searchTotal (db: Db, filters: ArticleFilters, search: FtsQuery): number {
  const kept = keptFor(db, filters, search)
  kept.total ??= visibleMatchCount(db, filters, {})
  return kept.total
}

function runsByRelevance (db: Db, filters: ArticleFilters, search: FtsQuery, descending: boolean): Run[] {
  let window: RankedWindow | undefined
  // Read only when a page or a count needs it.
  const rankedWindowOf = (): RankedWindow => {
    window ??= windowOf(db, filters, search)
    return window
  }
  const rankedFromId = (): number => search.ranked ? rankedWindowOf().from : Number.MAX_SAFE_INTEGER
  const keep = filterCondition(filters)
  const inRanked = (after: CursorValue[]): boolean => typeof after[0] !== 'number' || after[0] <= 0
  const rankedColumns: KeysetColumn[] = [
    { column: searchScore, descending, notNull: true },
    { column: articles.id, descending, notNull: true }
  ]
  const rankedWhere = (after: CursorValue[] | null): SQL => and(after === null ? undefined : keysetAfter(rankedColumns, after), keep) ?? sql`1`
  const ranked: Run = {
    holds: inRanked,
    rows: (after, limit, offset) => !search.ranked ? [] : db.all(sql`select ${articles.id} as id, ${searchScore} as relevance
      from ${rankedHits(search, true, rankedWindowOf)} cross join ${articles} on ${articles.id} = hits.id
      where ${rankedWhere(after)}
      order by ${sql.join(orderBy(rankedColumns), sql`, `)}
      limit ${limit} offset ${offset}`),
    count: (after) => !search.ranked ? 0 : db.get<{ total: number }>(sql`select count(*) as total
      from ${rankedHits(search, after !== null, rankedWindowOf)} cross join ${articles} on ${articles.id} = hits.id
      where ${rankedWhere(after)}`).total
  }
  const afterId = (after: CursorValue[] | null): number | undefined => after === null ? undefined : after.at(-1) as number
  const withRelevance = (ids: number[]): Array<{ id: number, relevance: number }> => ids.map((id) => ({ id, relevance: unrankedRelevance(id) }))
  const rest: Run = {
    holds: (after) => !inRanked(after),
    rows: descending
      ? (after, limit, offset) => withRelevance(oldestMatchingIds(db, search, { from: afterId(after) === undefined ? undefined : afterId(after)! + 1, below: rankedFromId() }, keep, limit, offset))
      : (after, limit, offset) => withRelevance(newestMatchingIds(db, search, { below: Math.min(rankedFromId(), afterId(after) ?? rankedFromId()) }, keep, limit, offset)),
    count: descending
      ? (after) => visibleMatchCount(db, filters, { from: afterId(after) === undefined ? undefined : afterId(after)! + 1, below: rankedFromId() })
      : (after) => visibleMatchCount(db, filters, { below: Math.min(rankedFromId(), afterId(after) ?? rankedFromId()) })
  }
  return descending ? [rest, ranked] : [ranked, rest]
}

function pageByRelevance (db: Db, query: ArticlePageQuery, search: FtsQuery): Array<{ id: number, relevance: number }> {
  const runs = runsByRelevance(db, query.filters, search, query.sort[0]!.descending)
  const first = query.after === null ? 0 : runs.findIndex((run) => run.holds(query.after!))
  const page: Array<{ id: number, relevance: number }> = []
  let offset = query.offset
  for (let i = first; i < runs.length && page.length < query.limit; i++) {
    const after = i === first ? query.after : null
    const rows = runs[i]!.rows(after, query.limit - page.length, offset)
    page.push(...rows)
    // Skipped past this run: the rest of the offset goes to the next one.
    if (page.length < query.limit && offset > 0) offset = rows.length > 0 ? 0 : Math.max(0, offset - runs[i]!.count(after))
  }
  return page
}

function countByRelevanceAfter (db: Db, filters: ArticleFilters, search: FtsQuery, descending: boolean, after: CursorValue[]): number {
  const runs = runsByRelevance(db, filters, search, descending)
  const first = runs.findIndex((run) => run.holds(after))
  return runs.slice(first).reduce((total, run, i) => total + run.count(i === 0 ? after : null), 0)
}

/**
 * With a sort by publication time and many matches (more than `rankedMatchLimit`), the list
 * walks articles by the publication index and keeps the matches, which stops at the page,
 * instead of joining every match to its row and sorting them all.
 */
function sourceFor (db: Db, filters: ArticleFilters, sort: SortKey<ArticleSortField>[] | undefined, scored: boolean): { from: SQL, matching?: SQL } {
  const search = filters.search
  const byTime = sort !== undefined && sort.length === 1 && sort[0]!.field === 'publishedAt'
  if (search === undefined || scored || !byTime || windowOf(db, filters, search).from === 0) return { from: listSource(filters, scored) }
  // `+`: the matches are gathered once and looked up, rather than searched for article by article.
  return { from: sql`${articles}`, matching: sql`+${articles.id} in (${matchingIds(search)})` }
}

function latestSummariesByAuthor (db: Db, authorIds: number[], perAuthor: number, now: string): ArticleRow[] {
  if (authorIds.length === 0) return []
  // Every byline an author is on, as primary or co-author, ranked newest first per author.
  const bylines = sql`select ${articles.id} as id, ${articles.authorId} as author_id, ${articles.publishedAt} as published_at from ${articles}
      where ${inArray(articles.authorId, authorIds)} and ${publishedBy(articles, now)}
    union all
    select ${articles.id}, ${articleAuthors.authorId}, ${articles.publishedAt} from ${articleAuthors} join ${articles} on ${articles.id} = ${articleAuthors.articleId}
      where ${inArray(articleAuthors.authorId, authorIds)} and ${publishedBy(articles, now)}`
  const ids = db.all<{ id: number }>(sql`select distinct id from (
      select id, row_number() over (partition by author_id order by published_at desc, id desc) as rank from (${bylines})
    ) where rank <= ${perAuthor}`).map((row) => row.id)
  if (ids.length === 0) return []
  return db.select().from(articles).where(inArray(articles.id, ids)).orderBy(desc(articles.publishedAt), desc(articles.id)).all()
}

function sharedLabelCounts (db: Db, articleId: number, now: string, limit: number): Map<number, number> {
  const mine = db.select({ labelId: articleLabels.labelId }).from(articleLabels).where(eq(articleLabels.articleId, articleId))
  const rows = db.select({ id: articleLabels.articleId, shared: count() })
    .from(articleLabels)
    .innerJoin(articles, eq(articles.id, articleLabels.articleId))
    .where(and(inArray(articleLabels.labelId, mine), ne(articleLabels.articleId, articleId), publishedBy(articles, now)))
    .groupBy(articleLabels.articleId)
    .orderBy(desc(count()), desc(articles.publishedAt))
    .limit(limit)
    .all()
  return new Map(rows.map((row) => [row.id, row.shared]))
}

const rowsOfArticles = statementOnce<ArticleRow>(`select ${articleRow} from articles where id in (select value from json_each(?))`)

function articlesByIds (db: Db, ids: number[]): ArticleRow[] {
  if (ids.length === 0) return []
  const rows = rowsOfArticles(db).all(JSON.stringify(ids))
  const byId = new Map(rows.map((row) => [row.id, row]))
  return ids.map((id) => byId.get(id)).filter((row) => row !== undefined)
}

export function sqliteArticleQueries (db: Db): ArticleQueries {
  return {
    async articleBySlugOrId (idOrSlug) {
      return isIdInPath(idOrSlug) ? byId(db).get(Number(idOrSlug)) : bySlug(db).get(idOrSlug)
    },

    async labelledArticleBySlugOrId (idOrSlug) {
      return labelled(isIdInPath(idOrSlug) ? labelledById(db).get(Number(idOrSlug)) : labelledBySlug(db).get(idOrSlug))
    },

    // A unit of work on SQLite holds the write lock from its start: the plain read is locked enough.
    async articleBySlugOrIdForUpdate (idOrSlug) {
      return isIdInPath(idOrSlug) ? byId(db).get(Number(idOrSlug)) : bySlug(db).get(idOrSlug)
    },

    async articleById (id) {
      return byId(db).get(id)
    },

    async articleByIdForUpdate (id) {
      return byId(db).get(id)
    },

    async articleSlugTaken (slug, exceptId) {
      const owner = slugOwner(db).get({ slug })
      return owner !== undefined && owner.id !== exceptId
    },

    async insertArticle (row) {
      return insertArticle(db, row)
    },

    async updateArticle (id, values) {
      // Read back rather than `returning`, which SQLite runs as a trigger with a statement
      // journal (see insertOnce in db/client.ts).
      db.update(articles)
        .set({ ...values, version: sql`${articles.version} + 1` })
        .where(eq(articles.id, id))
        .run()
      return byId(db).get(id)!
    },

    async deleteArticle (id) {
      const labelIds = labelIdsOf(db, id)
      db.delete(articles).where(eq(articles.id, id)).run()
      return deleteUnusedLabels(db, labelIds)
    },

    async articleCountByAuthor (authorId) {
      return db.select({ total: count() }).from(articles).where(eq(articles.authorId, authorId)).get()?.total ?? 0
    },

    async reassignArticles (fromAuthorId, toAuthorId, at) {
      // An heir on the byline already moves to its front: listed twice, they would be their own co-author.
      const theirs = db.select({ id: articles.id }).from(articles).where(eq(articles.authorId, fromAuthorId))
      db.delete(articleAuthors).where(and(eq(articleAuthors.authorId, toAuthorId), inArray(articleAuthors.articleId, theirs))).run()
      return touchArticles(db, eq(articles.authorId, fromAuthorId), { authorId: toAuthorId, updatedAt: at })
    },

    async coAuthorsByArticle (articleIds) {
      if (articleIds.length === 0) return new Map()
      const rows = db.select({ articleId: articleAuthors.articleId, authorId: articleAuthors.authorId }).from(articleAuthors)
        .where(inArray(articleAuthors.articleId, articleIds)).orderBy(articleAuthors.articleId, articleAuthors.position).all()
      return groupedBy(rows, (row) => row.articleId, (row) => row.authorId)
    },

    async replaceCoAuthors (articleId, authorIds) {
      db.delete(articleAuthors).where(eq(articleAuthors.articleId, articleId)).run()
      if (authorIds.length > 0) db.insert(articleAuthors).values(authorIds.map((authorId, index) => ({ articleId, authorId, position: index + 1 }))).run()
    },

    async dropCoAuthor (authorId, at) {
      const shared = db.select({ articleId: articleAuthors.articleId }).from(articleAuthors).where(eq(articleAuthors.authorId, authorId))
      const touched = touchArticles(db, inArray(articles.id, shared), { updatedAt: at })
      db.delete(articleAuthors).where(eq(articleAuthors.authorId, authorId)).run()
      return touched
    },

    async touchArticlesLabelled (labelId, at) {
      const carriers = db.select({ articleId: articleLabels.articleId }).from(articleLabels).where(eq(articleLabels.labelId, labelId))
      return touchArticles(db, inArray(articles.id, carriers), { updatedAt: at })
    },

    async touchArticlesById (ids, at) {
      return ids.length === 0 ? [] : touchArticles(db, isAnyId(articles.id, ids), { updatedAt: at })
    },

    async publishDue (now) {
      const due = and(eq(articles.status, 'scheduled'), lte(articles.publishedAt, now))
      const published = db.select({ id: articles.id, slug: articles.slug, authorId: articles.authorId }).from(articles).where(due).all()
      if (published.length > 0) {
        db.update(articles).set({ status: 'published', updatedAt: now, version: sql`${articles.version} + 1` }).where(due).run()
      }
      return published
    },

    async articleIdByOldSlug (slug) {
      return db.select({ articleId: articleOldSlugs.articleId }).from(articleOldSlugs).where(eq(articleOldSlugs.slug, slug)).get()?.articleId
    },

    async oldSlugsByArticle (articleIds) {
      const rows = articleIds.length === 0
        ? []
        : db.select({ articleId: articleOldSlugs.articleId, slug: articleOldSlugs.slug }).from(articleOldSlugs).where(inArray(articleOldSlugs.articleId, articleIds))
          .orderBy(asc(articleOldSlugs.articleId), asc(articleOldSlugs.replacedAt), asc(articleOldSlugs.slug)).all()
      return groupedBy(rows, (row) => row.articleId, (row) => row.slug)
    },

    async rememberOldSlug (articleId, slug, at) {
      db.insert(articleOldSlugs).values({ slug, articleId, replacedAt: at })
        .onConflictDoUpdate({ target: articleOldSlugs.slug, set: { articleId, replacedAt: at } }).run()
    },

    async forgetOldSlug (slug) {
      db.delete(articleOldSlugs).where(eq(articleOldSlugs.slug, slug)).run()
    },

    async takeDownDue (now) {
      const due = and(inArray(articles.status, ['published', 'scheduled']), lte(articles.unpublishAt, now))
      const takenDown = db.select({ id: articles.id, slug: articles.slug, authorId: articles.authorId }).from(articles).where(due).all()
      if (takenDown.length > 0) {
        db.update(articles).set({ status: 'draft', unpublishAt: null, updatedAt: now, version: sql`${articles.version} + 1` }).where(due).run()
      }
      return takenDown
    },

    async nextScheduledAt () {
      const up = db.select({ next: min(articles.publishedAt) }).from(articles).where(eq(articles.status, 'scheduled')).get()?.next ?? null
      const down = db.select({ next: min(articles.unpublishAt) }).from(articles).where(inArray(articles.status, ['published', 'scheduled'])).get()?.next ?? null
      return earliestOf(up, down)
    },

    async labelsByArticle (articleIds) {
      return labelsByArticle(db, articleIds)
    },

    async replaceLabels (articleId, names) {
      return replaceLabels(db, articleId, names)
    },

    async pageOfArticles (query) {
      return pageOfArticles(db, query)
    },

    async countArticles (filters, sort, after) {
      return countArticles(db, filters, sort, after)
    },

    async latestSummariesByAuthor (authorIds, perAuthor, now) {
      return latestSummariesByAuthor(db, authorIds, perAuthor, now)
    },

    async publishedTimes () {
      return db.select({ id: articles.id, publishedAt: articles.publishedAt }).from(articles)
        .where(isNotNull(articles.publishedAt))
        .all() as Array<{ id: number, publishedAt: string }>
    },

    async setPublishedDay (id, day) {
      db.update(articles).set({ publishedDay: day }).where(eq(articles.id, id)).run()
    },

    async sharedLabelCounts (articleId, now, limit) {
      return sharedLabelCounts(db, articleId, now, limit)
    },

    async articlesByIds (ids) {
      return articlesByIds(db, ids)
    }
  }
}
