import { and, count, eq, getTableColumns } from 'drizzle-orm'
import type { PostgresHandle } from '../../db/postgres-store.js'
import { isAnyId } from '../../db/postgres-sql.js'
import { media, seoFields } from '../../db/schema.postgres.js'
import { settingNothing } from './conditions.js'
import type { SeoOwner, SeoQueries, SocialImageUse } from './queries.js'

const { id: _id, articleId: _articleId, pageId: _pageId, ...valueColumns } = getTableColumns(seoFields)

function ownerColumn (owner: SeoOwner) {
  return owner === 'article' ? seoFields.articleId : seoFields.pageId
}

function useOf (row: { articleId: number | null, pageId: number | null }): SocialImageUse {
  return row.articleId === null ? { owner: 'page', id: row.pageId! } : { owner: 'article', id: row.articleId }
}

export function postgresSeoQueries (db: PostgresHandle): SeoQueries {
  return {
    async seoByOwner (owner, ids) {
      if (ids.length === 0) return new Map()
      const column = ownerColumn(owner)
      const rows = await db.select({ ownerId: column, ...valueColumns, socialImage: media }).from(seoFields)
        .leftJoin(media, eq(media.id, seoFields.socialImageId))
        .where(isAnyId(column, ids))
      return new Map(rows.map(({ ownerId, ...values }) => [ownerId!, values]))
    },

    async replaceSeo (owner, id, values) {
      await db.delete(seoFields).where(eq(ownerColumn(owner), id))
      if (values !== null) await db.insert(seoFields).values({ ...values, [owner === 'article' ? 'articleId' : 'pageId']: id })
    },

    async socialImageUses (mediaId, limit) {
      const rows = await db.select({ articleId: seoFields.articleId, pageId: seoFields.pageId }).from(seoFields)
        .where(eq(seoFields.socialImageId, mediaId)).orderBy(seoFields.id).limit(limit)
      const total = (await db.select({ total: count() }).from(seoFields).where(eq(seoFields.socialImageId, mediaId)))[0]?.total ?? 0
      return { uses: rows.map(useOf), total }
    },

    async dropSocialImage (mediaId) {
      const uses = await db.update(seoFields).set({ socialImageId: null }).where(eq(seoFields.socialImageId, mediaId))
        .returning({ id: seoFields.id, articleId: seoFields.articleId, pageId: seoFields.pageId })
      if (uses.length > 0) await db.delete(seoFields).where(and(isAnyId(seoFields.id, uses.map(({ id }) => id)), settingNothing(seoFields)))
      return uses.map(useOf)
    }
  }
}
