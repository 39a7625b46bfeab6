import { queriesFor } from '../db/store.js'
import { postgresDemoQueries } from './queries.postgres.js'
import { sqliteDemoQueries } from './queries.sqlite.js'

/** When a row was written and last changed. */
export interface RowTimes {
  createdAt: string
  updatedAt: string
}

/**
 * What the demo seed needs past the services: whether there is content already, and putting
 * rows on the demo's own timeline (the services stamp them with the clock).
 */
export interface DemoQueries {
  /** Whether the database has no author and no article. */
  isEmpty: () => Promise<boolean>
  setAuthorTimes: (id: number, times: RowTimes) => Promise<void>
  setArticleTimes: (id: number, times: RowTimes) => Promise<void>
  /** The times of the images an article's write attached (its featured image). */
  setFeaturedImageTimes: (articleId: number, times: RowTimes) => Promise<void>
  setCommentTimes: (id: number, times: RowTimes) => Promise<void>
  setCorrectionTimes: (id: number, times: RowTimes) => Promise<void>
  setDayTimes: (day: string, times: RowTimes) => Promise<void>
}

export const demoQueries = queriesFor<DemoQueries>({ sqlite: sqliteDemoQueries, postgres: postgresDemoQueries })
