import { and, asc, count, desc, eq, gt, inArray, sql, type SQL } from 'drizzle-orm'
import type { Db } from '../../db/client.js'
import { articleMedia, articles, media } from '../../db/schema.js'
import { isPublishedBy } from '../articles/visibility.js'
import { keysetAfter, type CursorValue, type KeysetColumn, type SortKey } from '../../lib/list.js'
import { containsPattern } from '../../db/like-pattern.js'
import type { MediaFilters, MediaQueries, MediaSortField } from './queries.js'

function sortColumns (sort: SortKey<MediaSortField>[]): KeysetColumn[] {
  const columns: KeysetColumn[] = sort.map((key) => ({ column: key.field === 'fileName' ? media.fileName : media.createdAt, descending: key.descending }))
  columns.push({ column: media.id, descending: sort[0]?.descending ?? false })
  return columns
}

function filterCondition (filters: MediaFilters): SQL | undefined {
  // LIKE is case-insensitive for ASCII in SQLite; the words are case-folded already.
  const words = (filters.words ?? []).map((word) => {
    const pattern = containsPattern(word)
    return sql`(lower(${media.alt}) like ${pattern} escape '\\' or lower(${media.caption}) like ${pattern} escape '\\' or lower(${media.credit}) like ${pattern} escape '\\' or lower(${media.fileName}) like ${pattern} escape '\\')`
  })
  return and(...words, filters.ownerAuthorId === undefined ? undefined : eq(media.ownerAuthorId, filters.ownerAuthorId))
}

export function sqliteMediaQueries (db: Db): MediaQueries {
  const byId = (id: number) => db.select().from(media).where(eq(media.id, id)).get()
  return {
    async insertMedia (row) {
      return db.insert(media).values(row).returning().get()
    },

    async mediaById (id) {
      return byId(id)
    },

    async mediaByIdForUpdate (id) {
      return byId(id)
    },

    async updateMedia (id, values) {
      return db.update(media).set({ ...values, version: sql`${media.version} + 1` }).where(eq(media.id, id)).returning().get()
    },

    async deleteMedia (id) {
      db.delete(media).where(eq(media.id, id)).run()
    },

    async pageOfMedia ({ filters, sort, after, limit, offset }) {
      const columns = sortColumns(sort)
      const sortValues = Object.fromEntries(columns.map((key, i) => [`sort_${i}`, sql`${key.column}`.as(`sort_${i}`)]))
      const rows = db.select({ row: media, ...sortValues }).from(media)
        .where(and(filterCondition(filters), after === null ? undefined : keysetAfter(columns, after)))
        .orderBy(...columns.map((key) => key.descending ? desc(key.column) : asc(key.column)))
        .limit(limit)
        .offset(offset)
        .all() as Array<{ row: typeof media.$inferSelect } & Record<string, CursorValue>>
      return rows.map((found) => ({ ...found.row, sortValues: columns.map((_, i) => found[`sort_${i}`] ?? null) }))
    },

    async countMedia (filters, sort, after) {
      const keyset = sort !== undefined && after !== undefined ? keysetAfter(sortColumns(sort), after) : undefined
      return db.select({ total: count() }).from(media).where(and(filterCondition(filters), keyset)).get()?.total ?? 0
    },

    async usesOf (mediaId, limit) {
      const uses = db.select({ articleId: articleMedia.articleId, use: articleMedia.use }).from(articleMedia)
        .where(eq(articleMedia.mediaId, mediaId)).orderBy(articleMedia.articleId, articleMedia.use).limit(limit).all()
      const total = db.select({ total: count() }).from(articleMedia).where(eq(articleMedia.mediaId, mediaId)).get()?.total ?? 0
      return { uses, total }
    },

    async featuredMediaByArticle (articleIds) {
      if (articleIds.length === 0) return new Map()
      const rows = db.select({ articleId: articleMedia.articleId, media }).from(articleMedia)
        .innerJoin(media, eq(media.id, articleMedia.mediaId))
        .where(and(inArray(articleMedia.articleId, articleIds), eq(articleMedia.use, 'featured'))).all()
      return new Map(rows.map((row) => [row.articleId, row.media]))
    },

    async featuredIdsByArticle (articleIds) {
      if (articleIds.length === 0) return new Map()
      const rows = db.select({ articleId: articleMedia.articleId, mediaId: articleMedia.mediaId }).from(articleMedia)
        .where(and(inArray(articleMedia.articleId, articleIds), eq(articleMedia.use, 'featured'))).all()
      return new Map(rows.map((row) => [row.articleId, row.mediaId]))
    },

    async externalMediaAfter (afterId, limit) {
      return db.select().from(media).where(and(eq(media.source, 'external'), gt(media.id, afterId))).orderBy(media.id).limit(limit).all()
    },

    async countExternalMedia () {
      return db.select({ total: count() }).from(media).where(eq(media.source, 'external')).get()?.total ?? 0
    },

    async setFeatured (articleId, mediaId) {
      db.delete(articleMedia).where(and(eq(articleMedia.articleId, articleId), eq(articleMedia.use, 'featured'))).run()
      if (mediaId !== null) db.insert(articleMedia).values({ articleId, mediaId, use: 'featured' }).run()
    },

    async keysNamed (keys) {
      if (keys.length === 0) return []
      return db.select({ key: media.key }).from(media).where(inArray(media.key, keys)).all().map((row) => row.key)
    },

    async idsByKeys (keys) {
      if (keys.length === 0) return []
      return db.select({ id: media.id }).from(media).where(inArray(media.key, keys)).all().map((row) => row.id)
    },

    async replaceInline (articleId, mediaIds) {
      db.delete(articleMedia).where(and(eq(articleMedia.articleId, articleId), eq(articleMedia.use, 'inline'))).run()
      if (mediaIds.length > 0) db.insert(articleMedia).values(mediaIds.map((mediaId) => ({ articleId, mediaId, use: 'inline' as const }))).run()
    },

    async detachEverywhere (mediaId, at) {
      const users = db.selectDistinct({ articleId: articleMedia.articleId }).from(articleMedia).where(eq(articleMedia.mediaId, mediaId)).all().map((row) => row.articleId)
      if (users.length === 0) return []
      const touched = db.update(articles).set({ updatedAt: at, version: sql`${articles.version} + 1` }).where(inArray(articles.id, users))
        .returning({ id: articles.id, slug: articles.slug, authorId: articles.authorId, status: articles.status, publishedAt: articles.publishedAt }).all()
      db.delete(articleMedia).where(eq(articleMedia.mediaId, mediaId)).run()
      return touched.sort((a, b) => a.id - b.id)
        .map(({ status, publishedAt, ...article }) => ({ ...article, isPublic: isPublishedBy({ status, publishedAt }, at) }))
    }
  }
}
