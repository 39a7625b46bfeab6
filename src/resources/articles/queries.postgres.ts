import { and, asc, count, desc, eq, getTableColumns, gt, gte, inArray, isNotNull, isNull, lt, lte, min, ne, not, or, sql, type SQL } from 'drizzle-orm'
import { PgTransaction } from 'drizzle-orm/pg-core'
import { assertCursorFits, type CursorKind } from '../../db/postgres-cursor.js'
import type { PostgresHandle } from '../../db/postgres-store.js'
import { isAnyId } from '../../db/postgres-sql.js'
import { articleAuthors, articleCorrections, articleLabels, articleOldSlugs, articles, labels, searchDocuments, seoFields } from '../../db/schema.postgres.js'
import { groupedBy } from '../../lib/group.js'
import { keysetAfter, type CursorValue, type KeysetColumn, type SortKey } from '../../lib/list.js'
import { isIdInPath } from '../../lib/slug.js'
import { earliestOf } from '../../lib/time.js'
import { labelKey } from '../../lib/values.js'
import { searchMatch, searchRank } from '../../search/queries.postgres.js'
import type { FtsQuery } from '../../search/query.js'
import { markedNoindex } from '../seo/conditions.js'
import type { ArticleFilters, ArticlePageQuery, ArticleQueries, ArticleRow, ArticleSortField, LabelledArticleRow, LabelName, ListedArticleRow, TouchedArticle } from './queries.js'
import { bylineHas, isPublishedBy, publishedBy, visibleTo, type Visibility } from './visibility.js'

// The PostgreSQL twin of queries.sqlite.ts: the same answers, row for row. Ids in a list go
// in as one array parameter (`= any`), and raw SQL's bigints come back as strings, so they
// are read as numbers here.

async function articleBy (db: PostgresHandle, idOrSlug: string, forUpdate: boolean): Promise<ArticleRow | undefined> {
  const where = isIdInPath(idOrSlug) ? eq(articles.id, Number(idOrSlug)) : eq(articles.slug, idOrSlug)
  const query = db.select().from(articles).where(where)
  const [row] = forUpdate ? await query.for('update') : await query
  return row
}

/** The article with its labels in one round trip: label names as an array, in their order. */
async function labelledArticleBy (db: PostgresHandle, idOrSlug: string): Promise<LabelledArticleRow | undefined> {
  const where = isIdInPath(idOrSlug) ? eq(articles.id, Number(idOrSlug)) : eq(articles.slug, idOrSlug)
  // Spelled out: drizzle writes the columns of a one-table select unqualified, and an unqualified
  // "id" in the subquery would be the label's.
  const labelNames = sql<string[]>`coalesce((select array_agg(l.name order by al.position) from article_labels al
    join labels l on l.id = al.label_id where al.article_id = articles.id), '{}')`
  const [row] = await db.select({ ...getTableColumns(articles), labels: labelNames }).from(articles).where(where)
  return row
}

async function labelsByArticle (db: PostgresHandle, articleIds: number[]): Promise<Map<number, string[]>> {
  const byArticle = new Map<number, string[]>()
  if (articleIds.length === 0) return byArticle
  const rows = await db.select({ articleId: articleLabels.articleId, name: labels.name })
    .from(articleLabels)
    .innerJoin(labels, eq(labels.id, articleLabels.labelId))
    .where(isAnyId(articleLabels.articleId, articleIds))
    .orderBy(articleLabels.articleId, articleLabels.position)
  for (const row of rows) {
    const names = byArticle.get(row.articleId) ?? []
    names.push(row.name)
    byArticle.set(row.articleId, names)
  }
  return byArticle
}

async function labelIdsOf (db: PostgresHandle, articleId: number): Promise<number[]> {
  const rows = await db.select({ labelId: articleLabels.labelId }).from(articleLabels).where(eq(articleLabels.articleId, articleId))
  return rows.map((row) => row.labelId)
}

async function replaceLabels (db: PostgresHandle, articleId: number, names: string[]): Promise<LabelName[]> {
  const previous = await labelIdsOf(db, articleId)
  await db.delete(articleLabels).where(eq(articleLabels.articleId, articleId))
  for (const [position, name] of names.entries()) {
    await db.insert(articleLabels).values({ articleId, labelId: await labelIdFor(db, name), position })
  }
  return await deleteUnusedLabels(db, previous)
}

/**
 * The id of the label `name`, which the service made sure of first (it gave a new one its
 * slug, and locked an existing one as the link's foreign key would: an edit removing its last
 * use elsewhere waits for this one, see below).
 */
async function labelIdFor (db: PostgresHandle, name: string): Promise<number> {
  const [known] = await db.select({ id: labels.id }).from(labels).where(eq(labels.key, labelKey(name)))
  if (known === undefined) throw new Error(`label "${name}" was linked before it was made (ensureLabels)`)
  return known.id
}

/**
 * Deletes those of `candidates` that no article carries any more (a label lives while it is
 * used), and answers them. The labels are locked first: an edit elsewhere that has just given
 * one of them to its article holds it (a foreign key's lock) until it commits, and only then
 * is the label found in use. Without the lock, the delete would cascade to that edit's link.
 */
async function deleteUnusedLabels (db: PostgresHandle, candidates: number[]): Promise<LabelName[]> {
  if (candidates.length === 0) return []
  await db.select({ id: labels.id }).from(labels).where(inArray(labels.id, candidates)).orderBy(labels.id).for('update')
  const gone = await db.delete(labels)
    // Kept while an editor's description or labels under it need it.
    .where(and(inArray(labels.id, candidates), sql`not exists (select 1 from ${articleLabels} where ${articleLabels.labelId} = ${labels.id})
      and ${labels.description} = '' and not exists (select 1 from labels child where child.parent_id = ${labels.id})`))
    .returning({ id: labels.id, name: labels.name, slug: labels.slug })
  return gone.sort((a, b) => a.id - b.id)
}

/**
 * Moves on the versions of the articles `which` selects, writing `values` (which leave their
 * slug, status and time as they are); answers them as they are after, by id as on SQLite.
 */
async function touchArticles (db: PostgresHandle, which: SQL, values: { authorId?: number, updatedAt: string }): Promise<TouchedArticle[]> {
  const touched = await db.update(articles)
    .set({ ...values, version: sql`${articles.version} + 1` })
    .where(which)
    .returning({ id: articles.id, slug: articles.slug, authorId: articles.authorId, status: articles.status, publishedAt: articles.publishedAt })
  return touched
    .sort((a, b) => a.id - b.id)
    .map(({ status, publishedAt, ...article }) => ({ ...article, isPublic: isPublishedBy({ status, publishedAt }, values.updatedAt) }))
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

// A `YYYY-MM-DD` filter may name a day in year 0, which PostgreSQL's dates do not have (an
// error, where SQLite compares text): every stored day comes after it.
const beforeEveryDay = (day: string): boolean => day.startsWith('0000')
const onDay = (day: string): SQL => beforeEveryDay(day) ? sql`false` : eq(articles.publishedDay, day)
const fromDay = (day: string): SQL => beforeEveryDay(day) ? isNotNull(articles.publishedDay) : gte(articles.publishedDay, day)
const toDay = (day: string): SQL => beforeEveryDay(day) ? sql`false` : lte(articles.publishedDay, day)

function filterCondition (filters: ArticleFilters): SQL | undefined {
  return and(
    visibleTo(articles, filters.visibility),
    filters.status === undefined ? undefined : eq(articles.status, filters.status),
    filters.authorId === undefined ? undefined : bylineHas(articles, filters.authorId),
    filters.labelKeys === undefined || filters.labelKeys.length === 0 ? undefined : hasAllLabels(filters.labelKeys),
    filters.corrected === undefined ? undefined : hasCorrections(filters.corrected),
    filters.day === undefined ? undefined : onDay(filters.day),
    filters.unpublishing === true ? isNotNull(articles.unpublishAt) : undefined,
    filters.noindex === undefined ? undefined : markedNoindex(seoFields, 'article', articles.id, filters.noindex),
    filters.fromTimestamp === undefined ? undefined : gte(articles.publishedAt, filters.fromTimestamp),
    filters.toTimestamp === undefined ? undefined : lte(articles.publishedAt, filters.toTimestamp),
    filters.fromDay === undefined ? undefined : fromDay(filters.fromDay),
    filters.toDay === undefined ? undefined : toDay(filters.toDay)
  )
}

/** The keyset columns of a sort, as queries.sqlite.ts has them (see there why `notNull`). */
function sortColumns (sort: SortKey<ArticleSortField>[], filters: ArticleFilters): KeysetColumn[] {
  const publishedOnly = filters.visibility.publishedOnly && filters.visibility.alsoAuthorId === null
  const columns: KeysetColumn[] = sort.map((key) => ({
    column: key.field === 'relevance' ? hitScore : articles[key.field],
    descending: key.descending,
    notNull: key.field !== 'publishedAt' || publishedOnly
  }))
  columns.push({ column: articles.id, descending: sort[0]?.descending ?? false, notNull: true })
  return columns
}

const cursorKinds: Record<ArticleSortField, CursorKind> = {
  publishedAt: 'timestamp or null',
  title: 'text',
  updatedAt: 'timestamp',
  createdAt: 'timestamp',
  commentCount: 'integer',
  relevance: 'number'
}

/** The rows after a client's cursor, once its values are known to fit their columns. */
function afterCursor (columns: KeysetColumn[], sort: SortKey<ArticleSortField>[], after: CursorValue[]): SQL | undefined {
  assertCursorFits(after, [...sort.map((key) => cursorKinds[key.field]), 'integer'])
  return keysetAfter(columns, after)
}

/**
 * NULL first ascending and last descending: SQLite's order, which cursors (lib/list.ts,
 * keysetAfter) are written for; PostgreSQL's own is the other way round. Said only where a
 * NULL can come, so a column that never holds one is read in its index's order.
 */
function orderBy (columns: KeysetColumn[]): SQL[] {
  return columns.map((key) => {
    const direction = key.descending ? desc(key.column) : asc(key.column)
    if (key.notNull === true) return direction
    return key.descending ? sql`${direction} nulls last` : sql`${direction} nulls first`
  })
}

// Searching. A search ranks only its newest `rankedMatchLimit` matches by relevance
// (src/search/query.ts); the rest follow, newest first. Scores, lower first: minus ts_rank for
// the ranked ones (0 or below), 1/id for the rest (above 0, smaller for a newer article), so
// one ascending order, and one keyset cursor, runs through both. An unranked search (only a
// word most articles hold) is all rest, scored as SQLite scores it.
//
// What PostgreSQL makes costly (bench/search.mjs --database postgres): GIN finds matches but
// cannot order them, and ts_rank reads each match's whole vector (a TOAST fetch and
// decompression). So one bitmap scan of the GIN index, reading only the narrow main rows of
// `search_documents`, counts the matches and keeps the newest; only those are ranked. The
// planner, which does not know what detoasting costs, would rather read every vector in a
// sequential scan (4.5 s for a word most of 100 k articles hold) or walk the primary key
// testing each vector: `matchScan` rules both out for that one statement.

/** A unit of work's handle (a transaction), not the pool's. */
const inUnitOfWork = (db: PostgresHandle): boolean => db instanceof PgTransaction

/** A hit's score in a query over `scoredHits`. */
const hitScore = sql<number>`hits.score`

/** The score of a match the search does not rank, falling as the id grows: above every ranked one. */
const restScore = (id: number): number => 1 / id

const restScoreSql = sql`1::float8 / ${searchDocuments.articleId}`

interface Hit { id: number, relevance: number }

/** What a search finds, as every page of it reads it. */
interface SearchResult {
  /** The matches the filters let through. */
  total: number
  /** The newest `rankedMatchLimit` matches, newest first: those a ranked search ranks; an unranked one's first pages. */
  newest: number[]
  /** They ranked, best first (lowest score, then id): made when a page in relevance order first asks. */
  ranked?: Promise<Hit[]>
  /** The rest are the matches below this id: null for all of them (an unranked search), 0 for none. */
  restBelow: number | null
}

/**
 * Runs `statement` with the planner kept to bitmap scans (no sequential scan, no plain index
 * scan) and no parallel workers (on a loaded server they cost more than they bring), in a
 * transaction of its own so the settings end with it. Inside a unit of work they would last
 * until its end: there the planner chooses alone.
 */
async function matchScan<T extends Record<string, unknown>> (db: PostgresHandle, statement: SQL): Promise<T[]> {
  if (inUnitOfWork(db)) return (await db.execute<T>(statement)).rows as T[]
  return await db.transaction(async (tx) => {
    await tx.execute(sql`select set_config('enable_seqscan', 'off', true), set_config('enable_indexscan', 'off', true),
      set_config('max_parallel_workers_per_gather', '0', true)`)
    return (await tx.execute<T>(statement)).rows as T[]
  })
}

/** Whether `filters` narrow a search by nothing but what the reader may see. */
function onlyVisibility (filters: ArticleFilters): boolean {
  return Object.entries(filters).every(([key, value]) => key === 'visibility' || key === 'search' || value === undefined)
}

/**
 * The articles `visibility` hides: the complement of `visibleTo` (visibility.ts), written so
 * that articles_status_published_idx finds them. A status is one of three (articles_status_check).
 */
function hiddenFrom (visibility: Visibility): SQL | undefined {
  if (!visibility.publishedOnly) return undefined
  const unpublished = or(
    inArray(articles.status, ['draft', 'scheduled']),
    and(eq(articles.status, 'published'), or(isNull(articles.publishedAt), gt(articles.publishedAt, visibility.now)))
  )!
  return visibility.alsoAuthorId === null ? unpublished : and(unpublished, not(bylineHas(articles, visibility.alsoAuthorId)))
}

const joinedToArticles = sql`${searchDocuments} join ${articles} on ${articles.id} = ${searchDocuments.articleId}`

/**
 * How many matches below the id `below` (all when null) `filters` let through, and the ids of
 * the newest `limit` of them, newest first. When only visibility narrows them, the hidden
 * matches (few: drafts, scheduled articles) are found first, through the articles' status
 * index, and left out of one bitmap scan that never joins a match to its article.
 */
async function newestMatches (db: PostgresHandle, filters: ArticleFilters, limit: number, below: number | null): Promise<{ total: number, ids: number[] }> {
  const match = and(searchMatch(filters.search!), below === null ? undefined : lt(searchDocuments.articleId, below))!
  const take = Math.max(1, limit)
  let rows: Array<{ total: string, id: string }>
  if (onlyVisibility(filters)) {
    const hidden = hiddenFrom(filters.visibility)
    const hiddenIds = hidden === undefined
      ? []
      : (await db.execute<{ id: string }>(sql`select ${searchDocuments.articleId} as id from ${joinedToArticles} where ${match} and (${hidden})`)).rows.map((row) => Number(row.id))
    rows = await matchScan(db, sql`select count(*) over () as total, ${searchDocuments.articleId} as id from ${searchDocuments}
      where ${match} and not (${isAnyId(searchDocuments.articleId, hiddenIds)})
      order by ${searchDocuments.articleId} desc limit ${take}`)
  } else {
    rows = (await db.execute<{ total: string, id: string }>(sql`select count(*) over () as total, ${searchDocuments.articleId} as id
      from ${joinedToArticles} where ${match} and ${filterCondition(filters) ?? sql`true`}
      order by ${searchDocuments.articleId} desc limit ${take}`)).rows
  }
  return { total: Number(rows[0]?.total ?? 0), ids: rows.slice(0, limit).map((row) => Number(row.id)) }
}

/** The matches `ids` scored, best first. */
async function rankedHits (db: PostgresHandle, search: FtsQuery, ids: number[]): Promise<Hit[]> {
  if (ids.length === 0) return []
  const { rows } = await db.execute<{ id: string, score: number }>(sql`select ${searchDocuments.articleId} as id, (-${searchRank(search)})::float8 as score
    from ${searchDocuments} where ${isAnyId(searchDocuments.articleId, ids)} order by score, id`)
  return rows.map((row) => ({ id: Number(row.id), relevance: row.score }))
}

async function findSearch (db: PostgresHandle, filters: ArticleFilters): Promise<SearchResult> {
  const search = filters.search!
  const { total, ids } = await newestMatches(db, filters, search.rankedMatchLimit, null)
  if (!search.ranked) return { total, newest: ids, restBelow: null }
  return { total, newest: ids, restBelow: ids.length < search.rankedMatchLimit ? 0 : ids.at(-1)! }
}

async function rankedOf (db: PostgresHandle, filters: ArticleFilters, found: SearchResult): Promise<Hit[]> {
  if (!filters.search!.ranked) return []
  if (found.ranked === undefined) {
    const ranked = rankedHits(db, filters.search!, found.newest)
    found.ranked = ranked
    ranked.catch(() => { if (found.ranked === ranked) found.ranked = undefined })
  }
  return await found.ranked
}

/** Searches kept per database until its write stamp moves (every page of a search reads the same). */
const keptSearches = new WeakMap<object, { stamp: string, results: Map<string, Promise<SearchResult>> }>()
const searchesKept = 100

/**
 * What a search finds, kept until the next write: its pages, its cursors' counts and its total
 * all read it. Not kept inside a unit of work, which may see its own writes before the stamp moves.
 */
async function searchResult (db: PostgresHandle, filters: ArticleFilters): Promise<SearchResult> {
  if (inUnitOfWork(db)) return await findSearch(db, filters)
  const { rows } = await db.execute<{ stamp: string }>(sql`select stamp from write_stamp where id = 1`)
  const stamp = String(rows[0]!.stamp)
  let kept = keptSearches.get(db)
  if (kept === undefined || kept.stamp !== stamp) {
    kept = { stamp, results: new Map() }
    keptSearches.set(db, kept)
  }
  // `now` is left out: what it hides (scheduled articles) changes only by a write that publishes them.
  const key = JSON.stringify({ ...filters, visibility: { ...filters.visibility, now: undefined } })
  let result = kept.results.get(key)
  if (result === undefined) {
    if (kept.results.size >= searchesKept) kept.results.delete(kept.results.keys().next().value!)
    result = findSearch(db, filters)
    kept.results.set(key, result)
    result.catch(() => kept.results.delete(key))
  }
  return await result
}

/**
 * The rest (unranked matches) after a cursor `[score, id]` are those below the id this answers
 * (null: all of them). A score falls as the id grows, so they are the ids below the first
 * one that is not after the cursor.
 */
function restBelowCursor (search: FtsQuery, after: CursorValue[] | null): number | null {
  if (after === null) return null
  const [score, id] = after.map(Number) as [number, number]
  if (search.ranked && score <= 0) return null
  const scoreOf = restScore
  const isAfter = (candidate: number): boolean => scoreOf(candidate) > score || (scoreOf(candidate) === score && candidate > id)
  // Near the id whose score the cursor holds, then down to the first one after it.
  const near = 1 / score
  let bound = Math.min(Number.MAX_SAFE_INTEGER, Math.max(1, Math.floor(near) + 2))
  while (bound > 1 && !isAfter(bound - 1)) bound--
  return bound
}

/** The lower of two exclusive upper bounds, null meaning none. */
function lowerBound (a: number | null, b: number | null): number | null {
  return a === null ? b : b === null ? a : Math.min(a, b)
}

/** The ranked hits after a cursor (all without one). */
function rankedAfter (ranked: Hit[], after: CursorValue[] | null): Hit[] {
  if (after === null) return ranked
  const [score, id] = after.map(Number) as [number, number]
  return ranked.filter((hit) => hit.relevance > score || (hit.relevance === score && hit.id > id))
}

/** Whether a list is in the order a search ranks by (the default with `q`): read from `searchResult`. */
function byRelevance (sort: SortKey<ArticleSortField>[] | undefined): boolean {
  return sort !== undefined && sort.length === 1 && sort[0]!.field === 'relevance' && !sort[0]!.descending
}

/** A page of a search in relevance order: the ranked matches, then the rest, newest first. */
async function relevancePage (db: PostgresHandle, query: ArticlePageQuery): Promise<Hit[]> {
  const { filters, after } = query
  if (after !== null) assertCursorFits(after, ['number', 'integer'])
  const found = await searchResult(db, filters)
  const wanted = query.offset + query.limit
  const hits = rankedAfter(await rankedOf(db, filters, found), after).slice(0, wanted)
  if (hits.length < wanted && found.restBelow !== 0) {
    const below = lowerBound(found.restBelow, restBelowCursor(filters.search!, after))
    const ids = keptRest(found, below, wanted - hits.length, filters.search!.rankedMatchLimit) ?? (await newestMatches(db, filters, wanted - hits.length, below)).ids
    hits.push(...ids.map((id) => ({ id, relevance: restScore(id) })))
  }
  return hits.slice(query.offset)
}

/**
 * The newest `count` matches below `below` from those kept, when they are among them: an
 * unranked search's matches are all rest, so its first pages need no scan of their own.
 */
function keptRest (found: SearchResult, below: number | null, count: number, rankedMatchLimit: number): number[] | null {
  if (found.restBelow !== null) return null
  const ids = below === null ? found.newest : found.newest.filter((id) => id < below)
  return ids.length >= count || found.newest.length < rankedMatchLimit ? ids.slice(0, count) : null
}

/** The matches after a cursor in relevance order: the ranked ones after it, then the rest. */
async function countRelevanceAfter (db: PostgresHandle, filters: ArticleFilters, after: CursorValue[]): Promise<number> {
  assertCursorFits(after, ['number', 'integer'])
  const found = await searchResult(db, filters)
  const ranked = rankedAfter(await rankedOf(db, filters, found), after).length
  if (found.restBelow === 0) return ranked
  const restBelow = lowerBound(found.restBelow, restBelowCursor(filters.search!, after))
  // Every unranked match is after a cursor among the ranked ones.
  if (found.restBelow !== null && restBelow === found.restBelow) return ranked + found.total - found.newest.length
  // An unranked search's matches from the cursor up are among those kept.
  const oldestKept = found.newest.at(-1)
  if (found.restBelow === null && restBelow !== null && oldestKept !== undefined && restBelow > oldestKept) {
    return found.total - found.newest.filter((id) => id >= restBelow).length
  }
  return ranked + (await newestMatches(db, filters, 0, restBelow)).total
}

/**
 * A search's hits scored row by row, as a derived table `hits (id, score)` joined to their
 * articles: for any other order (or cursor over it) than `relevancePage`'s, in the same scores.
 */
async function scoredHits (db: PostgresHandle, filters: ArticleFilters, scored: boolean): Promise<SQL> {
  const search = filters.search!
  let score = sql`null`
  if (scored) {
    const { restBelow } = await searchResult(db, filters)
    const rank = sql`(-${searchRank(search)})::float8`
    const rest = restScoreSql
    score = restBelow === null ? rest : restBelow === 0 ? rank : sql`case when ${searchDocuments.articleId} >= ${restBelow} then ${rank} else ${rest} end`
  }
  return sql`(select ${searchDocuments.articleId} as id, (${score})::float8 as score from ${searchDocuments} where ${searchMatch(search)}) as hits
    join ${articles} on ${articles.id} = hits.id`
}

/** The articles a list reads from: with a search, only its hits, found (and scored) first. */
async function listSource (db: PostgresHandle, filters: ArticleFilters, scored: boolean): Promise<SQL> {
  return filters.search === undefined ? sql`${articles}` : await scoredHits(db, filters, scored)
}

function needsScore (sort: SortKey<ArticleSortField>[] | undefined): boolean {
  return sort?.some((key) => key.field === 'relevance') ?? false
}

async function listedHits (db: PostgresHandle, query: ArticlePageQuery): Promise<Array<{ id: number, relevance: number | null }>> {
  const columns = sortColumns(query.sort, query.filters)
  const where = and(query.after === null ? undefined : afterCursor(columns, query.sort, query.after), filterCondition(query.filters))
  const scored = needsScore(query.sort)
  const { rows } = await db.execute<{ id: string, relevance: number | null }>(sql`select ${articles.id} as id,
      ${scored ? hitScore : sql`null::float8`} as relevance
    from ${await listSource(db, query.filters, scored)}
    where ${where ?? sql`true`}
    order by ${sql.join(orderBy(columns), sql`, `)}
    limit ${query.limit} offset ${query.offset}`)
  return rows.map((row) => ({ id: Number(row.id), relevance: row.relevance }))
}

async function pageOfArticles (db: PostgresHandle, query: ArticlePageQuery): Promise<ListedArticleRow[]> {
  const hits = query.filters.search !== undefined && byRelevance(query.sort) ? await relevancePage(db, query) : await listedHits(db, query)
  const relevance = new Map(hits.map((hit) => [hit.id, hit.relevance]))
  const rows = await articlesByIds(db, [...relevance.keys()])
  return rows.map((row) => ({ ...row, relevance: relevance.get(row.id) ?? null }))
}

async function countArticles (db: PostgresHandle, filters: ArticleFilters, sort?: SortKey<ArticleSortField>[], after?: CursorValue[]): Promise<number> {
  if (filters.search !== undefined && after === undefined) return (await searchResult(db, filters)).total
  if (filters.search !== undefined && byRelevance(sort)) return await countRelevanceAfter(db, filters, after!)
  const keyset = sort !== undefined && after !== undefined ? afterCursor(sortColumns(sort, filters), sort, after) : undefined
  const where = and(keyset, filterCondition(filters))
  const scored = after !== undefined && needsScore(sort)
  const { rows } = await db.execute<{ total: number }>(sql`select count(*)::int as total from ${await listSource(db, filters, scored)} where ${where ?? sql`true`}`)
  return rows[0]!.total
}

async function latestSummariesByAuthor (db: PostgresHandle, authorIds: number[], perAuthor: number, now: string): Promise<ArticleRow[]> {
  if (authorIds.length === 0) return []
  // Every byline an author is on, as primary or co-author, ranked newest first per author.
  const bylines = sql`select ${articles.id} as id, ${articles.authorId} as author_id, ${articles.publishedAt} as published_at from ${articles}
      where ${isAnyId(articles.authorId, authorIds)} and ${publishedBy(articles, now)}
    union all
    select ${articles.id}, ${articleAuthors.authorId}, ${articles.publishedAt} from ${articleAuthors} join ${articles} on ${articles.id} = ${articleAuthors.articleId}
      where ${isAnyId(articleAuthors.authorId, authorIds)} and ${publishedBy(articles, now)}`
  const ranked = await db.execute<{ id: string }>(sql`select distinct id from (
      select id, row_number() over (partition by author_id order by published_at desc, id desc) as rank from (${bylines}) as bylines
    ) as ranked where rank <= ${perAuthor}`)
  const ids = ranked.rows.map((row) => Number(row.id))
  if (ids.length === 0) return []
  return await db.select().from(articles).where(isAnyId(articles.id, ids)).orderBy(desc(articles.publishedAt), desc(articles.id))
}

async function sharedLabelCounts (db: PostgresHandle, articleId: number, now: string, limit: number): Promise<Map<number, number>> {
  const mine = db.select({ labelId: articleLabels.labelId }).from(articleLabels).where(eq(articleLabels.articleId, articleId))
  // Grouped by the article's key, so its publication time may be ordered by (SQLite needs no such care).
  const rows = await db.select({ id: articles.id, shared: count() })
    .from(articleLabels)
    .innerJoin(articles, eq(articles.id, articleLabels.articleId))
    .where(and(inArray(articleLabels.labelId, mine), ne(articleLabels.articleId, articleId), publishedBy(articles, now)))
    .groupBy(articles.id)
    .orderBy(desc(count()), desc(articles.publishedAt))
    .limit(limit)
  return new Map(rows.map((row) => [row.id, row.shared]))
}

async function articlesByIds (db: PostgresHandle, ids: number[]): Promise<ArticleRow[]> {
  if (ids.length === 0) return []
  const rows = await db.select().from(articles).where(isAnyId(articles.id, ids))
  const byId = new Map(rows.map((row) => [row.id, row]))
  return ids.map((id) => byId.get(id)).filter((row) => row !== undefined)
}

export function postgresArticleQueries (db: PostgresHandle): ArticleQueries {
  return {
    async articleBySlugOrId (idOrSlug) {
      return await articleBy(db, idOrSlug, false)
    },

    async labelledArticleBySlugOrId (idOrSlug) {
      return await labelledArticleBy(db, idOrSlug)
    },

    async articleBySlugOrIdForUpdate (idOrSlug) {
      return await articleBy(db, idOrSlug, true)
    },

    async articleById (id) {
      const [row] = await db.select().from(articles).where(eq(articles.id, id))
      return row
    },

    async articleByIdForUpdate (id) {
      const [row] = await db.select().from(articles).where(eq(articles.id, id)).for('update')
      return row
    },

    async articleSlugTaken (slug, exceptId) {
      const [owner] = await db.select({ id: articles.id }).from(articles).where(eq(articles.slug, slug))
      return owner !== undefined && owner.id !== exceptId
    },

    async insertArticle (row) {
      const [inserted] = await db.insert(articles).values(row).returning()
      return inserted!
    },

    async updateArticle (id, values) {
      const [updated] = await db.update(articles)
        .set({ ...values, version: sql`${articles.version} + 1` })
        .where(eq(articles.id, id))
        .returning()
      return updated!
    },

    async deleteArticle (id) {
      const labelIds = await labelIdsOf(db, id)
      await db.delete(articles).where(eq(articles.id, id))
      return await deleteUnusedLabels(db, labelIds)
    },

    async articleIdByOldSlug (slug) {
      const [row] = await db.select({ articleId: articleOldSlugs.articleId }).from(articleOldSlugs).where(eq(articleOldSlugs.slug, slug))
      return row?.articleId
    },

    async oldSlugsByArticle (articleIds) {
      const rows = articleIds.length === 0
        ? []
        : await db.select({ articleId: articleOldSlugs.articleId, slug: articleOldSlugs.slug }).from(articleOldSlugs).where(isAnyId(articleOldSlugs.articleId, articleIds))
          .orderBy(asc(articleOldSlugs.articleId), asc(articleOldSlugs.replacedAt), asc(articleOldSlugs.slug))
      return groupedBy(rows, (row) => row.articleId, (row) => row.slug)
    },

    async rememberOldSlug (articleId, slug, at) {
      await db.insert(articleOldSlugs).values({ slug, articleId, replacedAt: at })
        .onConflictDoUpdate({ target: articleOldSlugs.slug, set: { articleId, replacedAt: at } })
    },

    async forgetOldSlug (slug) {
      await db.delete(articleOldSlugs).where(eq(articleOldSlugs.slug, slug))
    },

    async articleCountByAuthor (authorId) {
      const [row] = await db.select({ total: count() }).from(articles).where(eq(articles.authorId, authorId))
      return row?.total ?? 0
    },

    async reassignArticles (fromAuthorId, toAuthorId, at) {
      // An heir on the byline already moves to its front: listed twice, they would be their own co-author.
      const theirs = db.select({ id: articles.id }).from(articles).where(eq(articles.authorId, fromAuthorId))
      await db.delete(articleAuthors).where(and(eq(articleAuthors.authorId, toAuthorId), inArray(articleAuthors.articleId, theirs)))
      return await touchArticles(db, eq(articles.authorId, fromAuthorId), { authorId: toAuthorId, updatedAt: at })
    },

    async coAuthorsByArticle (articleIds) {
      if (articleIds.length === 0) return new Map()
      const rows = await db.select({ articleId: articleAuthors.articleId, authorId: articleAuthors.authorId }).from(articleAuthors)
        .where(isAnyId(articleAuthors.articleId, articleIds)).orderBy(articleAuthors.articleId, articleAuthors.position)
      return groupedBy(rows, (row) => row.articleId, (row) => row.authorId)
    },

    async replaceCoAuthors (articleId, authorIds) {
      await db.delete(articleAuthors).where(eq(articleAuthors.articleId, articleId))
      if (authorIds.length > 0) await db.insert(articleAuthors).values(authorIds.map((authorId, index) => ({ articleId, authorId, position: index + 1 })))
    },

    async dropCoAuthor (authorId, at) {
      const shared = db.select({ articleId: articleAuthors.articleId }).from(articleAuthors).where(eq(articleAuthors.authorId, authorId))
      const touched = await touchArticles(db, inArray(articles.id, shared), { updatedAt: at })
      await db.delete(articleAuthors).where(eq(articleAuthors.authorId, authorId))
      return touched
    },

    async touchArticlesLabelled (labelId, at) {
      const carriers = db.select({ articleId: articleLabels.articleId }).from(articleLabels).where(eq(articleLabels.labelId, labelId))
      return await touchArticles(db, inArray(articles.id, carriers), { updatedAt: at })
    },

    async touchArticlesById (ids, at) {
      return ids.length === 0 ? [] : await touchArticles(db, isAnyId(articles.id, ids), { updatedAt: at })
    },

    async publishDue (now) {
      return await db.update(articles)
        .set({ status: 'published', updatedAt: now, version: sql`${articles.version} + 1` })
        .where(and(eq(articles.status, 'scheduled'), lte(articles.publishedAt, now)))
        .returning({ id: articles.id, slug: articles.slug, authorId: articles.authorId })
    },

    async takeDownDue (now) {
      return await db.update(articles)
        .set({ status: 'draft', unpublishAt: null, updatedAt: now, version: sql`${articles.version} + 1` })
        .where(and(inArray(articles.status, ['published', 'scheduled']), lte(articles.unpublishAt, now)))
        .returning({ id: articles.id, slug: articles.slug, authorId: articles.authorId })
    },

    async nextScheduledAt () {
      const [up] = await db.select({ next: min(articles.publishedAt) }).from(articles).where(eq(articles.status, 'scheduled'))
      const [down] = await db.select({ next: min(articles.unpublishAt) }).from(articles).where(inArray(articles.status, ['published', 'scheduled']))
      return earliestOf(up?.next ?? null, down?.next ?? null)
    },

    async labelsByArticle (articleIds) {
      return await labelsByArticle(db, articleIds)
    },

    async replaceLabels (articleId, names) {
      return await replaceLabels(db, articleId, names)
    },

    async pageOfArticles (query) {
      return await pageOfArticles(db, query)
    },

    async countArticles (filters, sort, after) {
      return await countArticles(db, filters, sort, after)
    },

    async latestSummariesByAuthor (authorIds, perAuthor, now) {
      return await latestSummariesByAuthor(db, authorIds, perAuthor, now)
    },

    async publishedTimes () {
      return await db.select({ id: articles.id, publishedAt: articles.publishedAt }).from(articles)
        .where(isNotNull(articles.publishedAt)) as Array<{ id: number, publishedAt: string }>
    },

    async setPublishedDay (id, day) {
      await db.update(articles).set({ publishedDay: day }).where(eq(articles.id, id))
    },

    async sharedLabelCounts (articleId, now, limit) {
      return await sharedLabelCounts(db, articleId, now, limit)
    },

    async articlesByIds (ids) {
      return await articlesByIds(db, ids)
    }
  }
}
