import { and, asc, count, desc, eq, gte, inArray, isNotNull, lte, min, ne, sql, type SQL } from 'drizzle-orm'
import { assertCursorFits, type CursorKind } from '../../db/postgres-cursor.js'
import type { PostgresHandle } from '../../db/postgres-store.js'
import { isAnyId } from '../../db/postgres-sql.js'
import { articleLabels, articles, labels } from '../../db/schema.postgres.js'
import { keysetAfter, type CursorValue, type KeysetColumn, type SortKey } from '../../lib/list.js'
import { isIdInPath } from '../../lib/slug.js'
import { labelKey } from '../../lib/values.js'
import { searchHits, searchScore } from '../../search/queries.postgres.js'
import type { ArticleFilters, ArticlePageQuery, ArticleQueries, ArticleRow, ArticleSortField, ListedArticleRow } from './queries.js'
import { publishedBy, visibleTo } from './visibility.js'

// The PostgreSQL twin of queries.sqlite.ts: the same answers, row for row. Ids in a list go
// in as one array parameter (`= any`), and raw SQL's bigints come back as strings, so they
// are read as numbers here.

async function articleBy (db: PostgresHandle, idOrSlug: string, forUpdate: boolean): Promise<ArticleRow | undefined> {
  const where = isIdInPath(idOrSlug) ? eq(articles.id, Number(idOrSlug)) : eq(articles.slug, idOrSlug)
  const query = db.select().from(articles).where(where)
  const [row] = forUpdate ? await query.for('update') : await query
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

async function replaceLabels (db: PostgresHandle, articleId: number, names: string[]): Promise<void> {
  const previous = await labelIdsOf(db, articleId)
  await db.delete(articleLabels).where(eq(articleLabels.articleId, articleId))
  for (const [position, name] of names.entries()) {
    // Keeps the first spelling of a label and answers its id either way.
    const [label] = await db.insert(labels).values({ name, key: labelKey(name) })
      .onConflictDoUpdate({ target: labels.key, set: { key: sql`excluded.key` } })
      .returning({ id: labels.id })
    await db.insert(articleLabels).values({ articleId, labelId: label!.id, position })
  }
  await deleteUnusedLabels(db, previous)
}

/**
 * Deletes those of `candidates` that no article carries any more (a label lives while it is
 * used). The labels are locked first: an edit elsewhere that has just given one of them to
 * its article holds it (a foreign key's lock) until it commits, and only then is the label
 * found in use. Without the lock, the delete would cascade to that edit's link.
 */
async function deleteUnusedLabels (db: PostgresHandle, candidates: number[]): Promise<void> {
  if (candidates.length === 0) return
  await db.select({ id: labels.id }).from(labels).where(inArray(labels.id, candidates)).orderBy(labels.id).for('update')
  await db.delete(labels)
    .where(and(inArray(labels.id, candidates), sql`not exists (select 1 from ${articleLabels} where ${articleLabels.labelId} = ${labels.id})`))
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
    filters.authorId === undefined ? undefined : eq(articles.authorId, filters.authorId),
    filters.labelKeys === undefined || filters.labelKeys.length === 0 ? undefined : hasAllLabels(filters.labelKeys),
    filters.day === undefined ? undefined : onDay(filters.day),
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
    column: key.field === 'relevance' ? searchScore : articles[key.field],
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

/** The articles a list reads from: with a search, only its hits, found (and scored) first. */
function listSource (filters: ArticleFilters, scored: boolean): SQL {
  if (filters.search === undefined) return sql`${articles}`
  return sql`${searchHits(filters.search, scored)} join ${articles} on ${articles.id} = hits.id`
}

function needsScore (sort: SortKey<ArticleSortField>[] | undefined): boolean {
  return sort?.some((key) => key.field === 'relevance') ?? false
}

async function pageOfArticles (db: PostgresHandle, query: ArticlePageQuery): Promise<ListedArticleRow[]> {
  const columns = sortColumns(query.sort, query.filters)
  const where = and(query.after === null ? undefined : afterCursor(columns, query.sort, query.after), filterCondition(query.filters))
  const scored = needsScore(query.sort)
  const { rows: hits } = await db.execute<{ id: string, relevance: number | null }>(sql`select ${articles.id} as id,
      ${scored ? searchScore : sql`null::float8`} as relevance
    from ${listSource(query.filters, scored)}
    where ${where ?? sql`true`}
    order by ${sql.join(orderBy(columns), sql`, `)}
    limit ${query.limit} offset ${query.offset}`)
  const relevance = new Map(hits.map((hit) => [Number(hit.id), hit.relevance]))
  const rows = await articlesByIds(db, [...relevance.keys()])
  return rows.map((row) => ({ ...row, relevance: relevance.get(row.id) ?? null }))
}

async function countArticles (db: PostgresHandle, filters: ArticleFilters, sort?: SortKey<ArticleSortField>[], after?: CursorValue[]): Promise<number> {
  const keyset = sort !== undefined && after !== undefined ? afterCursor(sortColumns(sort, filters), sort, after) : undefined
  const where = and(keyset, filterCondition(filters))
  const scored = after !== undefined && needsScore(sort)
  const { rows } = await db.execute<{ total: number }>(sql`select count(*)::int as total from ${listSource(filters, scored)} where ${where ?? sql`true`}`)
  return rows[0]!.total
}

async function latestSummariesByAuthor (db: PostgresHandle, authorIds: number[], perAuthor: number, now: string): Promise<ArticleRow[]> {
  if (authorIds.length === 0) return []
  const ranked = db.select({
    id: articles.id,
    rank: sql<number>`row_number() over (partition by ${articles.authorId} order by ${articles.publishedAt} desc, ${articles.id} desc)`.as('rank')
  })
    .from(articles)
    .where(and(isAnyId(articles.authorId, authorIds), publishedBy(articles, now)))
    .as('ranked')
  const rows = await db.select({ article: articles })
    .from(ranked)
    .innerJoin(articles, eq(articles.id, ranked.id))
    .where(lte(ranked.rank, perAuthor))
    .orderBy(desc(articles.publishedAt), desc(articles.id))
  return rows.map((row) => row.article)
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
      await deleteUnusedLabels(db, labelIds)
    },

    async articleCountByAuthor (authorId) {
      const [row] = await db.select({ total: count() }).from(articles).where(eq(articles.authorId, authorId))
      return row?.total ?? 0
    },

    async reassignArticles (fromAuthorId, toAuthorId, at) {
      await db.update(articles)
        .set({ authorId: toAuthorId, updatedAt: at, version: sql`${articles.version} + 1` })
        .where(eq(articles.authorId, fromAuthorId))
    },

    async publishDue (now) {
      const result = await db.update(articles)
        .set({ status: 'published', updatedAt: now, version: sql`${articles.version} + 1` })
        .where(and(eq(articles.status, 'scheduled'), lte(articles.publishedAt, now)))
      return result.rowCount ?? 0
    },

    async nextScheduledAt () {
      const [row] = await db.select({ next: min(articles.publishedAt) }).from(articles).where(eq(articles.status, 'scheduled'))
      return row?.next ?? null
    },

    async labelsByArticle (articleIds) {
      return await labelsByArticle(db, articleIds)
    },

    async replaceLabels (articleId, names) {
      await replaceLabels(db, articleId, names)
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
