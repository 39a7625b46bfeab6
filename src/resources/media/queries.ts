import type { media } from '../../db/schema.js'
import { queriesFor } from '../../db/store.js'
import type { CursorValue, SortKey } from '../../lib/list.js'
import type { TouchedArticle } from '../articles/queries.js'
import { postgresMediaQueries } from './queries.postgres.js'
import { sqliteMediaQueries } from './queries.sqlite.js'
import type { mediaSortFields } from './schemas.js'

export type MediaRow = typeof media.$inferSelect
export type NewMediaRow = typeof media.$inferInsert
export type MediaSortField = (typeof mediaSortFields)[number]

export interface MediaFilters {
  /** Words to find in the alt text, caption, credit or file name (each, anywhere, case aside). */
  words?: string[]
  ownerAuthorId?: number
}

export interface MediaPage {
  filters: MediaFilters
  sort: SortKey<MediaSortField>[]
  after: CursorValue[] | null
  limit: number
  offset: number
}

export type ListedMediaRow = MediaRow & { sortValues: CursorValue[] }

/** An article's use of an image. */
export interface MediaUse {
  articleId: number
  use: 'featured' | 'inline'
}

export interface MediaQueries {
  insertMedia: (row: NewMediaRow) => Promise<MediaRow>
  mediaById: (id: number) => Promise<MediaRow | undefined>
  /** The same, locked until the unit of work ends (PostgreSQL; a SQLite unit holds the write lock). */
  mediaByIdForUpdate: (id: number) => Promise<MediaRow | undefined>
  /** Writes `values` and moves the item's version on. */
  updateMedia: (id: number, values: Partial<NewMediaRow>) => Promise<MediaRow>
  deleteMedia: (id: number) => Promise<void>
  pageOfMedia: (page: MediaPage) => Promise<ListedMediaRow[]>
  countMedia: (filters: MediaFilters, sort?: SortKey<MediaSortField>[], after?: CursorValue[]) => Promise<number>
  /** The first `limit` uses of the item, by article id, and how many there are. */
  usesOf: (mediaId: number, limit: number) => Promise<{ uses: MediaUse[], total: number }>
  /** Each article's featured image, for those that have one (one query, however many articles). */
  featuredMediaByArticle: (articleIds: number[]) => Promise<Map<number, MediaRow>>
  /** Each article's featured image id, for those that have one. */
  featuredIdsByArticle: (articleIds: number[]) => Promise<Map<number, number>>
  /** External items (imported, not fetched yet) after `afterId`, by id: a page of `dateline media fetch`'s work. */
  externalMediaAfter: (afterId: number, limit: number) => Promise<MediaRow[]>
  countExternalMedia: () => Promise<number>
  /** Sets (or, with null, takes away) an article's featured image. */
  setFeatured: (articleId: number, mediaId: number | null) => Promise<void>
  /** Which of these keys a row has. */
  keysNamed: (keys: string[]) => Promise<string[]>
  /** The ids of the items with these keys (those that exist). */
  idsByKeys: (keys: string[]) => Promise<number[]>
  /** Records the images an article's body shows (replacing what it showed before). */
  replaceInline: (articleId: number, mediaIds: number[]) => Promise<void>
  /** Takes the item off every article using it, moving their versions on; answers them. */
  detachEverywhere: (mediaId: number, at: string) => Promise<TouchedArticle[]>
}

export const mediaQueries = queriesFor<MediaQueries>({ sqlite: sqliteMediaQueries, postgres: postgresMediaQueries })
