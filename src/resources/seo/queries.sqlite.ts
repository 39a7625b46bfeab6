import { and, count, eq, getTableColumns, inArray } from 'drizzle-orm'
import { isAnyId, type Db } from '../../db/client.js'
import { media, seoFields } from '../../db/schema.js'
import { settingNothing } from './conditions.js'
import type { SeoOwner, SeoQueries, SocialImageUse } from './queries.js'

const { id: _id, articleId: _articleId, pageId: _pageId, ...valueColumns } = getTableColumns(seoFields)

function ownerColumn (owner: SeoOwner) {
  return owner === 'article' ? seoFields.articleId : seoFields.pageId
}

function useOf (row: { articleId: number | null, pageId: number | null }): SocialImageUse {
  return row.articleId === null ? { owner: 'page', id: row.pageId! } : { owner: 'article', id: row.articleId }
}

export function sqliteSeoQueries (db: Db): SeoQueries {
  return {
    async seoByOwner (owner, ids) {
      if (ids.length === 0) return new Map()
      const column = ownerColumn(owner)
      const rows = db.select({ ownerId: column, ...valueColumns, socialImage: media }).from(seoFields)
        .leftJoin(media, eq(media.id, seoFields.socialImageId))
        .where(inArray(column, ids)).all()
      return new Map(rows.map(({ ownerId, ...values }) => [ownerId!, values]))
    },

    async replaceSeo (owner, id, values) {
      db.delete(seoFields).where(eq(ownerColumn(owner), id)).run()
      if (values !== null) db.insert(seoFields).values({ ...values, [owner === 'article' ? 'articleId' : 'pageId']: id }).run()
    },

    async socialImageUses (mediaId, limit) {
      const rows = db.select({ articleId: seoFields.articleId, pageId: seoFields.pageId }).from(seoFields)
        .where(eq(seoFields.socialImageId, mediaId)).orderBy(seoFields.id).limit(limit).all()
      const total = db.select({ total: count() }).from(seoFields).where(eq(seoFields.socialImageId, mediaId)).get()?.total ?? 0
      return { uses: rows.map(useOf), total }
    },

    async dropSocialImage (mediaId) {
      const uses = db.update(seoFields).set({ socialImageId: null }).where(eq(seoFields.socialImageId, mediaId))
        .returning({ id: seoFields.id, articleId: seoFields.articleId, pageId: seoFields.pageId }).all()
      if (uses.length > 0) db.delete(seoFields).where(and(isAnyId(seoFields.id, uses.map(({ id }) => id)), settingNothing(seoFields))).run()
      return uses.map(useOf)
    }
  }
}

