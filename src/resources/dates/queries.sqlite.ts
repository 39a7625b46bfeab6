import { and, desc, eq, inArray, isNotNull, sql, type SQL, type SQLWrapper } from 'drizzle-orm'
import { preparedOnce, type Db } from '../../db/client.js'
import { articles, days } from '../../db/schema.js'
import { publishedBy } from '../articles/visibility.js'
import type { DayQueries, DayRange, KnownDay } from './queries.js'

/** Published by `now` (a value, or a placeholder of a prepared query). */
function publishedOn (now: string | SQLWrapper): SQL | undefined {
  return and(publishedBy(articles, now), isNotNull(articles.publishedDay))
}

// The days that exist: those with published articles, and those an editor created.
// A union and two joins: written once here, portable to PostgreSQL as it is.
function knownDays (now: string) {
  return sql`
    with published as (
      select ${articles.publishedDay} as day, count(*) as article_count
      from ${articles} where ${publishedOn(now)} group by ${articles.publishedDay}
    ),
    known as (select day from published union select ${days.day} from ${days})
    select known.day as day, ${days.note} as note, coalesce(${days.version}, 0) as version,
           coalesce(published.article_count, 0) as "articleCount"
    from known
    left join published on published.day = known.day
    left join ${days} on ${days.day} = known.day`
}

function rangeCondition (range: DayRange, afterDay: string | null, descending: boolean): SQL {
  const conditions = [sql`1 = 1`]
  if (range.from !== undefined) conditions.push(sql`known.day >= ${range.from}`)
  if (range.to !== undefined) conditions.push(sql`known.day <= ${range.to}`)
  if (afterDay !== null) conditions.push(descending ? sql`known.day < ${afterDay}` : sql`known.day > ${afterDay}`)
  return sql.join(conditions, sql` and `)
}

const dayParam = sql.placeholder('day')
const nowParam = sql.placeholder('now')

// One day's page is the hot read: both of its statements are prepared once.
const oneKnownDay = preparedOnce((db) => db
  .select({
    note: days.note,
    version: sql<number>`coalesce(${days.version}, 0)`,
    listed: sql<number>`${days.day} is not null`,
    articleCount: sql<number>`(select count(*) from ${articles} where ${articles.publishedDay} = ${dayParam} and ${publishedOn(nowParam)})`
  })
  .from(sql`(select 1) as one`)
  .leftJoin(days, eq(days.day, dayParam))
  .prepare())

const articlesOfOneDay = preparedOnce((db) => db.select().from(articles)
  .where(and(eq(articles.publishedDay, dayParam), publishedOn(nowParam)))
  .orderBy(desc(articles.publishedAt), desc(articles.id))
  .prepare())

function knownDay (db: Db, now: string, day: string): KnownDay | undefined {
  const row = oneKnownDay(db).get({ day, now })
  if (row === undefined || (row.listed === 0 && row.articleCount === 0)) return undefined
  return { day, note: row.note, version: row.version, articleCount: row.articleCount }
}

export function sqliteDayQueries (db: Db): DayQueries {
  return {
    async pageOfDays (now, range, descending, afterDay, limit, offset) {
      return db.all<KnownDay>(sql`${knownDays(now)}
        where ${rangeCondition(range, afterDay, descending)}
        order by known.day ${descending ? sql`desc` : sql`asc`}
        limit ${limit} offset ${offset}`)
    },

    async countDays (now, range, descending, afterDay) {
      const row = db.get<{ total: number }>(sql`select count(*) as total from (${knownDays(now)}
        where ${rangeCondition(range, afterDay, descending)}) as page`)
      return row?.total ?? 0
    },

    async knownDay (now, day) {
      return knownDay(db, now, day)
    },

    async knownDayForUpdate (now, day) {
      return knownDay(db, now, day)
    },

    async dayRow (day) {
      return db.select().from(days).where(eq(days.day, day)).get()
    },

    async dayRowForUpdate (day) {
      return db.select().from(days).where(eq(days.day, day)).get()
    },

    async insertDay (row) {
      db.insert(days).values(row).run()
    },

    async updateDayNote (day, note, at) {
      db.update(days).set({ note, updatedAt: at, version: sql`${days.version} + 1` }).where(eq(days.day, day)).run()
    },

    async deleteDay (day) {
      db.delete(days).where(eq(days.day, day)).run()
    },

    async publishedOnDays (now, dayList) {
      if (dayList.length === 0) return []
      if (dayList.length === 1) return articlesOfOneDay(db).all({ day: dayList[0]!, now })
      return db.select().from(articles)
        .where(and(publishedOn(now), inArray(articles.publishedDay, dayList)))
        .orderBy(desc(articles.publishedAt), desc(articles.id))
        .all()
    },

    async monthlyCounts (now) {
      const month = sql<string>`substr(${articles.publishedDay}, 1, 7)`
      return db.select({ month, count: sql<number>`count(*)` })
        .from(articles)
        .where(publishedOn(now))
        .groupBy(month)
        .orderBy(desc(month))
        .all()
    }
  }
}
