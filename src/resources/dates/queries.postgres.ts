import { and, count, desc, eq, isNotNull, sql, type SQL } from 'drizzle-orm'
import type { PostgresHandle } from '../../db/postgres-store.js'
import { isAnyDay } from '../../db/postgres-sql.js'
import { articles, days } from '../../db/schema.postgres.js'
import { publishedBy } from '../articles/visibility.js'
import type { DayQueries, DayRange, KnownDay } from './queries.js'

function publishedOn (now: string): SQL | undefined {
  return and(publishedBy(articles, now), isNotNull(articles.publishedDay))
}

// The days that exist: those with published articles, and those an editor created. The day
// is compared as text: a range's end may be a day no calendar has (`2026-02-31`, the end of
// any month; a cursor's day), which SQLite compares as a string and PostgreSQL's `date`
// refuses. PostgreSQL hands bigints over as strings: the count is cast, the version mapped.
function knownDays (now: string): SQL {
  return sql`
    with published as (
      select ${articles.publishedDay} as day, count(*) as article_count
      from ${articles} where ${publishedOn(now)} group by ${articles.publishedDay}
    ),
    known as (select day from published union select ${days.day} from ${days})
    select known.day::text as day, ${days.note} as note, coalesce(${days.version}, 0) as version,
           coalesce(published.article_count, 0)::int as "articleCount"
    from known
    left join published on published.day = known.day
    left join ${days} on ${days.day} = known.day`
}

/** A known day as node-postgres hands it over: the version, a bigint, as a string (a type, not an interface: `execute` wants an index signature). */
type KnownDayAsRead = { day: string, note: string | null, version: string, articleCount: number }

function rangeCondition (range: DayRange, afterDay: string | null, descending: boolean): SQL {
  const conditions = [sql`true`]
  if (range.from !== undefined) conditions.push(sql`known.day::text >= ${range.from}`)
  if (range.to !== undefined) conditions.push(sql`known.day::text <= ${range.to}`)
  if (afterDay !== null) conditions.push(descending ? sql`known.day::text < ${afterDay}` : sql`known.day::text > ${afterDay}`)
  return sql.join(conditions, sql` and `)
}

async function knownDay (db: PostgresHandle, now: string, day: string): Promise<KnownDay | undefined> {
  const rows = await db
    .select({
      note: days.note,
      version: sql<number>`coalesce(${days.version}, 0)`.mapWith(Number),
      listed: sql<boolean>`${days.day} is not null`,
      articleCount: sql<number>`(select count(*)::int from ${articles} where ${articles.publishedDay} = ${day} and ${publishedOn(now)})`.mapWith(Number)
    })
    .from(sql`(select 1) as one`)
    .leftJoin(days, eq(days.day, day))
  const row = rows[0]
  if (row === undefined || (!row.listed && row.articleCount === 0)) return undefined
  return { day, note: row.note, version: row.version, articleCount: row.articleCount }
}

export function postgresDayQueries (db: PostgresHandle): DayQueries {
  return {
    async pageOfDays (now, range, descending, afterDay, limit, offset) {
      const { rows } = await db.execute<KnownDayAsRead>(sql`${knownDays(now)}
        where ${rangeCondition(range, afterDay, descending)}
        order by known.day ${descending ? sql`desc` : sql`asc`}
        limit ${limit} offset ${offset}`)
      return rows.map((row) => ({ ...row, version: Number(row.version) }))
    },

    async countDays (now, range, descending, afterDay) {
      const { rows } = await db.execute<{ total: number }>(sql`select count(*)::int as total from (${knownDays(now)}
        where ${rangeCondition(range, afterDay, descending)}) as page`)
      return rows[0]?.total ?? 0
    },

    async knownDay (now, day) {
      return await knownDay(db, now, day)
    },

    // The day's row is locked (when it has one) before the day is read: the outer join of
    // knownDay cannot be read FOR UPDATE, and a unit that checks the version must hold the row.
    async knownDayForUpdate (now, day) {
      await db.select({ day: days.day }).from(days).where(eq(days.day, day)).for('update')
      return await knownDay(db, now, day)
    },

    async dayRow (day) {
      return (await db.select().from(days).where(eq(days.day, day)))[0]
    },

    async dayRowForUpdate (day) {
      return (await db.select().from(days).where(eq(days.day, day)).for('update'))[0]
    },

    async insertDay (row) {
      await db.insert(days).values(row)
    },

    async updateDayNote (day, note, at) {
      await db.update(days).set({ note, updatedAt: at, version: sql`${days.version} + 1` }).where(eq(days.day, day))
    },

    async deleteDay (day) {
      await db.delete(days).where(eq(days.day, day))
    },

    async publishedOnDays (now, dayList) {
      if (dayList.length === 0) return []
      return await db.select().from(articles)
        .where(and(publishedOn(now), isAnyDay(articles.publishedDay, dayList)))
        .orderBy(desc(articles.publishedAt), desc(articles.id))
    },

    async monthlyCounts (now) {
      const month = sql<string>`to_char(${articles.publishedDay}, 'YYYY-MM')`
      return await db.select({ month, count: count() })
        .from(articles)
        .where(publishedOn(now))
        .groupBy(month)
        .orderBy(desc(month))
    }
  }
}
