import type { seoFields } from '../../db/schema.js'
import { queriesFor } from '../../db/store.js'
import type { MediaRow } from '../media/queries.js'
import { postgresSeoQueries } from './queries.postgres.js'
import { sqliteSeoQueries } from './queries.sqlite.js'

/** What carries search and social metadata. */
export type SeoOwner = 'article' | 'page'

export type SeoRow = typeof seoFields.$inferSelect
/** An owner's fields, without the row's keys. */
export type SeoValues = Omit<SeoRow, 'id' | 'articleId' | 'pageId'>

/** An owner's fields with its social image's row, to present. */
export type SeoWithImage = SeoValues & { socialImage: MediaRow | null }

/** A use of an image as a social image, named in a refused delete. */
export interface SocialImageUse {
  owner: SeoOwner
  id: number
}

export interface SeoQueries {
  /** Each owner's fields, for those that have a row (one query, however many owners). */
  seoByOwner: (owner: SeoOwner, ids: number[]) => Promise<Map<number, SeoWithImage>>
  /** Writes the owner's fields in place of those it had; null takes its row away. */
  replaceSeo: (owner: SeoOwner, id: number, values: SeoValues | null) => Promise<void>
  /** The first `limit` owners showing the image when shared, and how many there are. */
  socialImageUses: (mediaId: number, limit: number) => Promise<{ uses: SocialImageUse[], total: number }>
  /** Takes the image off every owner showing it when shared; answers them. */
  dropSocialImage: (mediaId: number) => Promise<SocialImageUse[]>
}

export const seoQueries = queriesFor<SeoQueries>({ sqlite: sqliteSeoQueries, postgres: postgresSeoQueries })
