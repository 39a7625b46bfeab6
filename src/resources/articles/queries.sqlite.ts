import { and, asc, count, desc, eq, gte, inArray, isNotNull, lte, min, ne, sql, type SQL } from 'drizzle-orm'
import { columnsAs, preparedOnce, statementOnce, type Db } from '../../db/client.js'
import { articleLabels, articles, labels } from '../../db/schema.js'
import { keysetAfter, type CursorValue, type KeysetColumn, type SortKey } from '../../lib/list.js'
import { isIdInPath } from '../../lib/slug.js'
import { labelKey } from '../../lib/values.js'
import { searchHits, searchScore } from '../../search/queries.sqlite.js'
import type { ArticleFilters, ArticlePageQuery, ArticleQueries, ArticleRow, ArticleSortField, ListedArticleRow } from './queries.js'
import { publishedBy, visibleTo } from './visibility.js'

// The reads of every request (an article, a page's rows and their labels) are plain
// statements answering the rows drizzle would map (db/client.ts, `statementOnce`).
const articleRow = columnsAs(articles)
const byId = statementOnce<ArticleRow>(`select ${articleRow} from articles where id = ?`)
const bySlug = statementOnce<ArticleRow>(`select ${articleRow} from articles where slug = ?`)
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

function labelIdsOf (db: Db, articleId: number): number[] {
  return labelIdsOfArticle(db).all({ articleId }).map((row) => row.labelId)
}

function replaceLabels (db: Db, articleId: number, names: string[]): void {
  const previous = labelIdsOf(db, articleId)
  unlinkLabels(db).run({ articleId })
  names.forEach((name, position) => {
    const label = labelIdFor(db).get({ name, key: labelKey(name) })!
    linkLabel(db).run({ articleId, labelId: label.id, position })
  })
  deleteUnusedLabels(db, previous)
}

/** Deletes those of `candidates` that no article carries any more (a label lives while it is used). */
function deleteUnusedLabels (db: Db, candidates: number[]): void {
  if (candidates.length === 0) return
  db.delete(labels)
    .where(and(inArray(labels.id, candidates), sql`not exists (select 1 from ${articleLabels} where ${articleLabels.labelId} = ${labels.id})`))
    .run()
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
  const columns = sortColumns(query.sort, query.filters)
  const where = and(query.after === null ? undefined : keysetAfter(columns, query.after), filterCondition(query.filters))
  const scored = needsScore(query.sort)
  const hits = db.all<{ id: number, relevance: number | null }>(sql`select ${articles.id} as id,
      ${scored ? searchScore : sql`null`} as relevance
    from ${listSource(query.filters, scored)}
    where ${where ?? sql`1`}
    order by ${sql.join(orderBy(columns), sql`, `)}
    limit ${query.limit} offset ${query.offset}`)
  const relevance = new Map(hits.map((hit) => [hit.id, hit.relevance]))
  return articlesByIds(db, hits.map((hit) => hit.id)).map((row) => ({ ...row, relevance: relevance.get(row.id) ?? null }))
}

function countArticles (db: Db, filters: ArticleFilters, sort?: SortKey<ArticleSortField>[], after?: CursorValue[]): number {
  const keyset = sort !== undefined && after !== undefined ? keysetAfter(sortColumns(sort, filters), after) : undefined
  const where = and(keyset, filterCondition(filters))
  const scored = after !== undefined && needsScore(sort)
  return db.get<{ total: number }>(sql`select count(*) as total from ${listSource(filters, scored)} where ${where ?? sql`1`}`).total
}

function latestSummariesByAuthor (db: Db, authorIds: number[], perAuthor: number, now: string): ArticleRow[] {
  if (authorIds.length === 0) return []
  const ranked = db.select({
    id: articles.id,
    rank: sql<number>`row_number() over (partition by ${articles.authorId} order by ${articles.publishedAt} desc, ${articles.id} desc)`.as('rank')
  })
    .from(articles)
    .where(and(inArray(articles.authorId, authorIds), publishedBy(articles, now)))
    .as('ranked')
  return db.select({ article: articles })
    .from(ranked)
    .innerJoin(articles, eq(articles.id, ranked.id))
    .where(lte(ranked.rank, perAuthor))
    .orderBy(desc(articles.publishedAt), desc(articles.id))
    .all()
    .map((row) => row.article)
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
      return db.insert(articles).values(row).returning().get()
    },

    async updateArticle (id, values) {
      return db.update(articles)
        .set({ ...values, version: sql`${articles.version} + 1` })
        .where(eq(articles.id, id))
        .returning()
        .get()!
    },

    async deleteArticle (id) {
      const labelIds = labelIdsOf(db, id)
      db.delete(articles).where(eq(articles.id, id)).run()
      deleteUnusedLabels(db, labelIds)
    },

    async articleCountByAuthor (authorId) {
      return db.select({ total: count() }).from(articles).where(eq(articles.authorId, authorId)).get()?.total ?? 0
    },

    async reassignArticles (fromAuthorId, toAuthorId, at) {
      db.update(articles)
        .set({ authorId: toAuthorId, updatedAt: at, version: sql`${articles.version} + 1` })
        .where(eq(articles.authorId, fromAuthorId))
        .run()
    },

    async publishDue (now) {
      return db.update(articles)
        .set({ status: 'published', updatedAt: now, version: sql`${articles.version} + 1` })
        .where(and(eq(articles.status, 'scheduled'), lte(articles.publishedAt, now)))
        .run().changes
    },

    async nextScheduledAt () {
      return db.select({ next: min(articles.publishedAt) }).from(articles).where(eq(articles.status, 'scheduled')).get()?.next ?? null
    },

    async labelsByArticle (articleIds) {
      return labelsByArticle(db, articleIds)
    },

    async replaceLabels (articleId, names) {
      replaceLabels(db, articleId, names)
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
