import { and, asc, count, desc, eq, gte, inArray, isNotNull, lte, min, ne, or, sql, type SQL } from 'drizzle-orm'
import { inIdList, jsonIds, preparedOnce, UntilNextWrite, type DbOrTx } from '../../db/client.js'
import { articleLabels, articles, labels } from '../../db/schema.js'
import { isIdInPath } from '../../lib/slug.js'
import { searchHits, searchScore } from '../../search/index.js'
import type { FtsQuery } from '../../search/query.js'
import { keysetAfter, type CursorValue, type KeysetColumn, type SortKey } from '../../lib/list.js'
import type { articleSortFields } from './schemas.js'

export type ArticleRow = typeof articles.$inferSelect
export type NewArticleRow = typeof articles.$inferInsert
export type ArticleSortField = (typeof articleSortFields)[number]

/** Which articles a reader may see: published ones whose time has come, plus, for an author, their own. */
export interface Visibility {
  /** false for editors and admins, who see every article. */
  publishedOnly: boolean
  alsoAuthorId: number | null
  now: string
}

function visibleCondition (visibility: Visibility): SQL | undefined {
  if (!visibility.publishedOnly) return undefined
  const published = and(eq(articles.status, 'published'), lte(articles.publishedAt, visibility.now))
  return visibility.alsoAuthorId === null ? published : or(published, eq(articles.authorId, visibility.alsoAuthorId))
}

const byId = preparedOnce((db) => db.select().from(articles).where(eq(articles.id, sql.placeholder('id'))).prepare())
const bySlug = preparedOnce((db) => db.select().from(articles).where(eq(articles.slug, sql.placeholder('slug'))).prepare())

export function articleBySlugOrId (db: DbOrTx, idOrSlug: string): ArticleRow | undefined {
  return isIdInPath(idOrSlug) ? articleById(db, Number(idOrSlug)) : bySlug(db).get({ slug: idOrSlug })
}

export function articleById (db: DbOrTx, id: number): ArticleRow | undefined {
  return byId(db).get({ id })
}

const slugOwner = preparedOnce((db) => db.select({ id: articles.id }).from(articles).where(eq(articles.slug, sql.placeholder('slug'))).prepare())

export function articleSlugTaken (db: DbOrTx, slug: string, exceptId?: number): boolean {
  const owner = slugOwner(db).get({ slug })
  return owner !== undefined && owner.id !== exceptId
}

export function insertArticle (db: DbOrTx, row: NewArticleRow): ArticleRow {
  return db.insert(articles).values(row).returning().get()
}

export function updateArticle (db: DbOrTx, id: number, values: Partial<NewArticleRow>): ArticleRow {
  return db.update(articles)
    .set({ ...values, version: sql`${articles.version} + 1` })
    .where(eq(articles.id, id))
    .returning()
    .get()!
}

export function deleteArticle (db: DbOrTx, id: number): void {
  const labelIds = labelIdsOf(db, id)
  db.delete(articles).where(eq(articles.id, id)).run()
  deleteUnusedLabels(db, labelIds)
}

export function articleCountByAuthor (db: DbOrTx, authorId: number): number {
  return db.select({ total: count() }).from(articles).where(eq(articles.authorId, authorId)).get()?.total ?? 0
}

export function reassignArticles (db: DbOrTx, fromAuthorId: number, toAuthorId: number, at: string): void {
  db.update(articles)
    .set({ authorId: toAuthorId, updatedAt: at, version: sql`${articles.version} + 1` })
    .where(eq(articles.authorId, fromAuthorId))
    .run()
}

/** Scheduled articles whose time has come become published; returns how many. */
export function publishDue (db: DbOrTx, now: string): number {
  return db.update(articles)
    .set({ status: 'published', updatedAt: now, version: sql`${articles.version} + 1` })
    .where(and(eq(articles.status, 'scheduled'), lte(articles.publishedAt, now)))
    .run().changes
}

export function nextScheduledAt (db: DbOrTx): string | null {
  return db.select({ next: min(articles.publishedAt) }).from(articles).where(eq(articles.status, 'scheduled')).get()?.next ?? null
}

const labelsOfArticles = preparedOnce((db) => db.select({ articleId: articleLabels.articleId, name: labels.name })
  .from(articleLabels)
  .innerJoin(labels, eq(labels.id, articleLabels.labelId))
  .where(inIdList(articleLabels.articleId))
  .orderBy(articleLabels.articleId, articleLabels.position)
  .prepare())

// One article (every single read) is an index search: no id list to unpack and sort.
const labelsOfArticle = preparedOnce((db) => db.select({ articleId: articleLabels.articleId, name: labels.name })
  .from(articleLabels)
  .innerJoin(labels, eq(labels.id, articleLabels.labelId))
  .where(eq(articleLabels.articleId, sql.placeholder('articleId')))
  .orderBy(articleLabels.position)
  .prepare())

/** Label names per article, in each article's order. */
export function labelsByArticle (db: DbOrTx, articleIds: number[]): Map<number, string[]> {
  const byArticle = new Map<number, string[]>()
  if (articleIds.length === 0) return byArticle
  const rows = articleIds.length === 1
    ? labelsOfArticle(db).all({ articleId: articleIds[0]! })
    : labelsOfArticles(db).all(jsonIds(articleIds))
  for (const row of rows) {
    const names = byArticle.get(row.articleId) ?? []
    names.push(row.name)
    byArticle.set(row.articleId, names)
  }
  return byArticle
}

const labelIdsOfArticle = preparedOnce((db) => db.select({ labelId: articleLabels.labelId }).from(articleLabels)
  .where(eq(articleLabels.articleId, sql.placeholder('articleId'))).prepare())
const unlinkLabels = preparedOnce((db) => db.delete(articleLabels).where(eq(articleLabels.articleId, sql.placeholder('articleId'))).prepare())
// Portable upsert: keep the first spelling of a label, return its id either way.
const labelIdFor = preparedOnce((db) => db.insert(labels).values({ name: sql.placeholder('name'), key: sql.placeholder('key') })
  .onConflictDoUpdate({ target: labels.key, set: { key: sql`excluded.key` } })
  .returning({ id: labels.id })
  .prepare())
const linkLabel = preparedOnce((db) => db.insert(articleLabels)
  .values({ articleId: sql.placeholder('articleId'), labelId: sql.placeholder('labelId'), position: sql.placeholder('position') })
  .prepare())

function labelIdsOf (db: DbOrTx, articleId: number): number[] {
  return labelIdsOfArticle(db).all({ articleId }).map((row) => row.labelId)
}

/** Sets an article's labels, creating labels that don't exist yet. Names are already de-duplicated. */
export function replaceLabels (db: DbOrTx, articleId: number, names: string[]): void {
  const previous = labelIdsOf(db, articleId)
  unlinkLabels(db).run({ articleId })
  names.forEach((name, position) => {
    const label = labelIdFor(db).get({ name, key: labelKey(name) })!
    linkLabel(db).run({ articleId, labelId: label.id, position })
  })
  deleteUnusedLabels(db, previous)
}

export function labelKey (name: string): string {
  return name.toLocaleLowerCase('en-US')
}

/** Deletes those of `candidates` that no article carries any more (a label lives while it is used). */
function deleteUnusedLabels (db: DbOrTx, candidates: number[]): void {
  if (candidates.length === 0) return
  db.delete(labels)
    .where(and(inArray(labels.id, candidates), sql`not exists (select 1 from ${articleLabels} where ${articleLabels.labelId} = ${labels.id})`))
    .run()
}

export interface ArticleFilters {
  visibility: Visibility
  /** A reader's search (src/search/query.ts). */
  search?: FtsQuery
  status?: ArticleRow['status']
  authorId?: number
  labelKeys?: string[]
  day?: string
  fromTimestamp?: string
  toTimestamp?: string
  fromDay?: string
  toDay?: string
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
    visibleCondition(filters.visibility),
    filters.status === undefined ? undefined : eq(articles.status, filters.status),
    filters.authorId === undefined ? undefined : eq(articles.authorId, filters.authorId),
    filters.labelKeys === undefined || filters.labelKeys.length === 0 ? undefined : hasAllLabels(filters.labelKeys),
    filters.day === undefined ? undefined : eq(articles.publishedDay, filters.day),
    filters.fromTimestamp === undefined ? undefined : gte(articles.publishedAt, filters.fromTimestamp),
    filters.toTimestamp === undefined ? undefined : lte(articles.publishedAt, filters.toTimestamp),
    filters.fromDay === undefined ? undefined : gte(articles.publishedDay, filters.fromDay),
    filters.toDay === undefined ? undefined : lte(articles.publishedDay, filters.toDay)
  )
}

/**
 * `relevance` is the search's score: the service allows it only with a search. `publishedOnly`
 * says no row of the list lacks a publication time, which lets a cursor use the index.
 */
export function sortColumns (sort: SortKey<ArticleSortField>[], publishedOnly = false): KeysetColumn[] {
  const columns: KeysetColumn[] = sort.map((key) => ({
    column: key.field === 'relevance' ? searchScore : articles[key.field],
    descending: key.descending,
    notNull: key.field !== 'publishedAt' || publishedOnly
  }))
  columns.push({ column: articles.id, descending: sort[0]?.descending ?? false, notNull: true })
  return columns
}

export interface ArticlePageQuery {
  filters: ArticleFilters
  columns: KeysetColumn[]
  after: CursorValue[] | null
  limit: number
  offset: number
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

function needsScore (columns: KeysetColumn[] | undefined): boolean {
  return columns?.some((key) => key.column === searchScore) ?? false
}

export type ListedArticleRow = ArticleRow & {
  /** The search score, for a cursor over relevance; null without a search. */
  relevance: number | null
}

/**
 * A page of articles. The page's ids are found first (from an index, without reading
 * whole rows past `offset`), then only those rows are read.
 */
export function pageOfArticles (db: DbOrTx, query: ArticlePageQuery): ListedArticleRow[] {
  const where = and(query.after === null ? undefined : keysetAfter(query.columns, query.after), filterCondition(query.filters))
  const scored = needsScore(query.columns)
  const hits = db.all<{ id: number, relevance: number | null }>(sql`select ${articles.id} as id,
      ${scored ? searchScore : sql`null`} as relevance
    from ${listSource(query.filters, scored)}
    where ${where ?? sql`1`}
    order by ${sql.join(orderBy(query.columns), sql`, `)}
    limit ${query.limit} offset ${query.offset}`)
  const relevance = new Map(hits.map((hit) => [hit.id, hit.relevance]))
  return articlesByIds(db, hits.map((hit) => hit.id)).map((row) => ({ ...row, relevance: relevance.get(row.id) ?? null }))
}

/**
 * Totals of recent list filters, until the next write: counting every match grows with the
 * table (84 ms at a million articles), and lists ask for it on every page.
 */
const totals = new UntilNextWrite<number>()

function cachedTotal (db: DbOrTx, filters: ArticleFilters, count: () => number): number {
  // `now` is left out: what it hides (scheduled articles) changes only by a write that publishes them.
  return totals.get(db, JSON.stringify({ ...filters, visibility: { ...filters.visibility, now: undefined } }), count)
}

export function countArticles (db: DbOrTx, filters: ArticleFilters, columns?: KeysetColumn[], after?: CursorValue[]): number {
  if (after === undefined) return cachedTotal(db, filters, () => countMatching(db, filters))
  return countMatching(db, filters, columns, after)
}

function countMatching (db: DbOrTx, filters: ArticleFilters, columns?: KeysetColumn[], after?: CursorValue[]): number {
  const where = and(columns !== undefined && after !== undefined ? keysetAfter(columns, after) : undefined, filterCondition(filters))
  const scored = after !== undefined && needsScore(columns)
  return db.get<{ total: number }>(sql`select count(*) as total from ${listSource(filters, scored)} where ${where ?? sql`1`}`).total
}

/** The `perAuthor` latest published articles of each author, in one query. */
export function latestSummariesByAuthor (db: DbOrTx, authorIds: number[], perAuthor: number, now: string): ArticleRow[] {
  if (authorIds.length === 0) return []
  const ranked = db.select({
    id: articles.id,
    rank: sql<number>`row_number() over (partition by ${articles.authorId} order by ${articles.publishedAt} desc, ${articles.id} desc)`.as('rank')
  })
    .from(articles)
    .where(and(inArray(articles.authorId, authorIds), eq(articles.status, 'published'), lte(articles.publishedAt, now)))
    .as('ranked')
  return db.select({ article: articles })
    .from(ranked)
    .innerJoin(articles, eq(articles.id, ranked.id))
    .where(lte(ranked.rank, perAuthor))
    .orderBy(desc(articles.publishedAt), desc(articles.id))
    .all()
    .map((row) => row.article)
}

export function publishedTimes (db: DbOrTx): Array<{ id: number, publishedAt: string }> {
  return db.select({ id: articles.id, publishedAt: articles.publishedAt }).from(articles)
    .where(isNotNull(articles.publishedAt))
    .all() as Array<{ id: number, publishedAt: string }>
}

export function setPublishedDay (db: DbOrTx, id: number, day: string): void {
  db.update(articles).set({ publishedDay: day }).where(eq(articles.id, id)).run()
}

/** Published articles sharing labels with `articleId`, and how many they share. */
export function sharedLabelCounts (db: DbOrTx, articleId: number, now: string, limit: number): Map<number, number> {
  const mine = db.select({ labelId: articleLabels.labelId }).from(articleLabels).where(eq(articleLabels.articleId, articleId))
  const rows = db.select({ id: articleLabels.articleId, shared: count() })
    .from(articleLabels)
    .innerJoin(articles, eq(articles.id, articleLabels.articleId))
    .where(and(inArray(articleLabels.labelId, mine), ne(articleLabels.articleId, articleId), eq(articles.status, 'published'), lte(articles.publishedAt, now)))
    .groupBy(articleLabels.articleId)
    .orderBy(desc(count()), desc(articles.publishedAt))
    .limit(limit)
    .all()
  return new Map(rows.map((row) => [row.id, row.shared]))
}

const rowsOfArticles = preparedOnce((db) => db.select().from(articles)
  .where(inIdList(articles.id))
  .prepare())

export function articlesByIds (db: DbOrTx, ids: number[]): ArticleRow[] {
  if (ids.length === 0) return []
  const rows = rowsOfArticles(db).all(jsonIds(ids))
  const byId = new Map(rows.map((row) => [row.id, row]))
  return ids.map((id) => byId.get(id)).filter((row) => row !== undefined)
}
