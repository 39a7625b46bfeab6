import type { days } from '../../db/schema.js'
import { queriesFor } from '../../db/store.js'
import type { ArticleRow } from '../articles/queries.js'
import { postgresDayQueries } from './queries.postgres.js'
import { sqliteDayQueries } from './queries.sqlite.js'

export type DayRow = typeof days.$inferSelect
export type NewDayRow = typeof days.$inferInsert

/** A day as listed: from the `days` table, from published articles, or both. */
export interface KnownDay {
  day: string
  note: string | null
  version: number
  articleCount: number
}

export interface DayRange {
  from?: string
  to?: string
}

/**
 * The days that exist are those with articles published by `now` and those an editor
 * created; lists walk them by date, after `afterDay` when a cursor gives one.
 */
export interface DayQueries {
  pageOfDays: (now: string, range: DayRange, descending: boolean, afterDay: string | null, limit: number, offset: number) => Promise<KnownDay[]>
  countDays: (now: string, range: DayRange, descending: boolean, afterDay: string | null) => Promise<number>
  /** One day, counted from its own articles only (the day index), not from every day's. */
  knownDay: (now: string, day: string) => Promise<KnownDay | undefined>
  /**
   * The same, the day's row locked until the unit of work ends, for a unit that checks its
   * version before it writes: on PostgreSQL a concurrent unit waits, then reads what this one
   * wrote. A SQLite unit holds the write lock already.
   */
  knownDayForUpdate: (now: string, day: string) => Promise<KnownDay | undefined>
  dayRow: (day: string) => Promise<DayRow | undefined>
  /** The day's row, locked as `knownDayForUpdate` locks it (an import deciding between insert and update). */
  dayRowForUpdate: (day: string) => Promise<DayRow | undefined>
  insertDay: (row: NewDayRow) => Promise<void>
  updateDayNote: (day: string, note: string | null, at: string) => Promise<void>
  deleteDay: (day: string) => Promise<void>
  /** Published articles on the given days, newest first. */
  publishedOnDays: (now: string, dayList: string[]) => Promise<ArticleRow[]>
  /** Published articles counted by month (`YYYY-MM`), newest first. */
  monthlyCounts: (now: string) => Promise<Array<{ month: string, count: number }>>
}

export const dayQueries = queriesFor<DayQueries>({ sqlite: sqliteDayQueries, postgres: postgresDayQueries })
