import { and, asc, count, desc, eq, gt, inArray, sql, type SQL } from 'drizzle-orm'
import { assertCursorFits } from '../../db/postgres-cursor.js'
import type { PostgresHandle } from '../../db/postgres-store.js'
import { articleMedia, articles, media } from '../../db/schema.postgres.js'
import { isPublishedBy } from '../articles/visibility.js'
import { keysetAfter, type CursorValue, type KeysetColumn, type SortKey } from '../../lib/list.js'
import { containsPattern } from '../../db/like-pattern.js'
import type { MediaFilters, MediaQueries, MediaSortField } from './queries.js'

// The PostgreSQL twin of queries.sqlite.ts.

function sortColumns (sort: SortKey<MediaSortField>[]): KeysetColumn[] {
  const columns: KeysetColumn[] = sort.map((key) => ({ column: key.field === 'fileName' ? media.fileName : media.createdAt, descending: key.descending }))
  columns.push({ column: media.id, descending: sort[0]?.descending ?? false })
  return columns
}

function afterCursor (sort: SortKey<MediaSortField>[], after: CursorValue[]): SQL | undefined {
  assertCursorFits(after, [...sort.map((key) => key.field === 'fileName' ? 'text' as const : 'timestamp' as const), 'integer'])
  return keysetAfter(sortColumns(sort), after)
}

function filterCondition (filters: MediaFilters): SQL | undefined {
  const words = (filters.words ?? []).map((word) => {
    const pattern = containsPattern(word)
    return sql`(${media.alt} ilike ${pattern} or ${media.caption} ilike ${pattern} or ${media.credit} ilike ${pattern} or ${media.fileName} ilike ${pattern})`
  })
  return and(...words, filters.ownerAuthorId === undefined ? undefined : eq(media.ownerAuthorId, filters.ownerAuthorId))
}

/** A sort key's value as the cursor carries it: timestamps in Dateline's form, the id a number. */
function sortValue (column: KeysetColumn['column'], alias: string): SQL.Aliased<CursorValue> {
  if (column === media.id) return sql<CursorValue>`${column}`.mapWith(media.id).as(alias)
  if (column === media.createdAt) return sql<CursorValue>`${column}`.mapWith(media.createdAt).as(alias)
  return sql<CursorValue>`${column}`.as(alias)
}

export function postgresMediaQueries (db: PostgresHandle): MediaQueries {
  const byId = (id: number) => db.select().from(media).where(eq(media.id, id))
  return {
    async insertMedia (row) {
      const [inserted] = await db.insert(media).values(row).returning()
      return inserted!
    },

    async mediaById (id) {
      return (await byId(id))[0]
    },

    async mediaByIdForUpdate (id) {
      return (await byId(id).for('update'))[0]
    },

    async updateMedia (id, values) {
      const [updated] = await db.update(media).set({ ...values, version: sql`${media.version} + 1` }).where(eq(media.id, id)).returning()
      return updated!
    },

    async deleteMedia (id) {
      await db.delete(media).where(eq(media.id, id))
    },

    async pageOfMedia ({ filters, sort, after, limit, offset }) {
      const columns = sortColumns(sort)
      const sortValues = Object.fromEntries(columns.map((key, i) => [`sort_${i}`, sortValue(key.column, `sort_${i}`)]))
      const rows = await db.select({ row: media, ...sortValues }).from(media)
        .where(and(filterCondition(filters), after === null ? undefined : afterCursor(sort, after)))
        .orderBy(...columns.map((key) => key.descending ? desc(key.column) : asc(key.column)))
        .limit(limit)
        .offset(offset) as Array<{ row: typeof media.$inferSelect } & Record<string, CursorValue>>
      return rows.map((found) => ({ ...found.row, sortValues: columns.map((_, i) => found[`sort_${i}`] ?? null) }))
    },

    async countMedia (filters, sort, after) {
      const keyset = sort !== undefined && after !== undefined ? afterCursor(sort, after) : undefined
      const [row] = await db.select({ total: count() }).from(media).where(and(filterCondition(filters), keyset))
      return row?.total ?? 0
    },

    async usesOf (mediaId, limit) {
      const uses = await db.select({ articleId: articleMedia.articleId, use: articleMedia.use }).from(articleMedia)
        .where(eq(articleMedia.mediaId, mediaId)).orderBy(articleMedia.articleId, articleMedia.use).limit(limit)
      const [row] = await db.select({ total: count() }).from(articleMedia).where(eq(articleMedia.mediaId, mediaId))
      return { uses, total: row?.total ?? 0 }
    },

    async featuredMediaByArticle (articleIds) {
      if (articleIds.length === 0) return new Map()
      const rows = await db.select({ articleId: articleMedia.articleId, media }).from(articleMedia)
        .innerJoin(media, eq(media.id, articleMedia.mediaId))
        .where(and(inArray(articleMedia.articleId, articleIds), eq(articleMedia.use, 'featured')))
      return new Map(rows.map((row) => [row.articleId, row.media]))
    },

    async featuredIdsByArticle (articleIds) {
      if (articleIds.length === 0) return new Map()
      const rows = await db.select({ articleId: articleMedia.articleId, mediaId: articleMedia.mediaId }).from(articleMedia)
        .where(and(inArray(articleMedia.articleId, articleIds), eq(articleMedia.use, 'featured')))
      return new Map(rows.map((row) => [row.articleId, row.mediaId]))
    },

    async externalMediaAfter (afterId, limit) {
      return await db.select().from(media).where(and(eq(media.source, 'external'), gt(media.id, afterId))).orderBy(media.id).limit(limit)
    },

    async countExternalMedia () {
      const [row] = await db.select({ total: count() }).from(media).where(eq(media.source, 'external'))
      return row?.total ?? 0
    },

    async setFeatured (articleId, mediaId) {
      await db.delete(articleMedia).where(and(eq(articleMedia.articleId, articleId), eq(articleMedia.use, 'featured')))
      if (mediaId !== null) await db.insert(articleMedia).values({ articleId, mediaId, use: 'featured' })
    },

    async keysNamed (keys) {
      if (keys.length === 0) return []
      return (await db.select({ key: media.key }).from(media).where(inArray(media.key, keys))).map((row) => row.key)
    },

    async idsByKeys (keys) {
      if (keys.length === 0) return []
      return (await db.select({ id: media.id }).from(media).where(inArray(media.key, keys))).map((row) => row.id)
    },

    async replaceInline (articleId, mediaIds) {
      await db.delete(articleMedia).where(and(eq(articleMedia.articleId, articleId), eq(articleMedia.use, 'inline')))
      if (mediaIds.length > 0) await db.insert(articleMedia).values(mediaIds.map((mediaId) => ({ articleId, mediaId, use: 'inline' as const })))
    },

    async detachEverywhere (mediaId, at) {
      const users = db.selectDistinct({ articleId: articleMedia.articleId }).from(articleMedia).where(eq(articleMedia.mediaId, mediaId))
      const touched = await db.update(articles).set({ updatedAt: at, version: sql`${articles.version} + 1` }).where(inArray(articles.id, users))
        .returning({ id: articles.id, slug: articles.slug, authorId: articles.authorId, status: articles.status, publishedAt: articles.publishedAt })
      await db.delete(articleMedia).where(eq(articleMedia.mediaId, mediaId))
      return touched.sort((a, b) => a.id - b.id)
        .map(({ status, publishedAt, ...article }) => ({ ...article, isPublic: isPublishedBy({ status, publishedAt }, at) }))
    }
  }
}
