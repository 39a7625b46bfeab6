import { and, asc, count, countDistinct, desc, eq, inArray, isNotNull, max, sql, type SQL } from 'drizzle-orm'
import type { PostgresHandle } from '../../db/postgres-store.js'
import { articleLabels, articles, days, labels, pages, timestampFromPostgres, seoFields } from '../../db/schema.postgres.js'
import { publishedBy } from '../articles/visibility.js'
import { listedInSitemap } from '../seo/conditions.js'
import type { FeedQueries, SitemapEntry } from './queries.js'

// A day exists while it has published articles or an editor created it (as in dates/queries.ts);
// it last changed when its newest article or its note did.
function dayChanges (now: string): SQL {
  return sql`
    select ${articles.publishedDay} as day, ${articles.updatedAt} as changed
    from ${articles} where ${publishedBy(articles, now)} and ${isNotNull(articles.publishedDay)}
    union all
    select ${days.day}, ${days.updatedAt} from ${days}`
}

export function postgresFeedQueries (db: PostgresHandle): FeedQueries {
  return {
    async publicLabelNamesByKeys (keys, now) {
      if (keys.length === 0) return new Map()
      const rows = await db.selectDistinct({ key: labels.key, name: labels.name })
        .from(labels)
        .innerJoin(articleLabels, eq(articleLabels.labelId, labels.id))
        .innerJoin(articles, eq(articles.id, articleLabels.articleId))
        .where(and(inArray(labels.key, keys), publishedBy(articles, now)))
      return new Map(rows.map((row) => [row.key, row.name]))
    },

    async countPublishedArticles (now) {
      const [row] = await db.select({ total: count() }).from(articles).where(and(publishedBy(articles, now), listedInSitemap(seoFields, 'article', articles.id)))
      return row?.total ?? 0
    },

    async newestPublishedUpdate (now) {
      const [row] = await db.select({ newest: max(articles.updatedAt) }).from(articles).where(publishedBy(articles, now))
      return row?.newest ?? null
    },

    async publishedArticleEntries (now, limit, offset) {
      return await db.select({ id: articles.id, key: articles.slug, lastmod: articles.updatedAt })
        .from(articles)
        .where(and(publishedBy(articles, now), listedInSitemap(seoFields, 'article', articles.id)))
        .orderBy(desc(articles.publishedAt), desc(articles.id))
        .limit(limit)
        .offset(offset)
    },

    async countPublishedPages () {
      const [row] = await db.select({ total: count() }).from(pages).where(and(eq(pages.status, 'published'), listedInSitemap(seoFields, 'page', pages.id)))
      return row?.total ?? 0
    },

    async publishedPageEntries (limit, offset) {
      return await db.select({ key: pages.slug, lastmod: pages.updatedAt }).from(pages).where(and(eq(pages.status, 'published'), listedInSitemap(seoFields, 'page', pages.id)))
        .orderBy(sql`coalesce(${pages.parentId}, 0)`, asc(pages.position), asc(pages.title), asc(pages.id)).limit(limit).offset(offset)
    },

    async newestDayUpdate () {
      const [row] = await db.select({ newest: max(days.updatedAt) }).from(days)
      return row?.newest ?? null
    },

    async countDays (now) {
      const { rows } = await db.execute<{ total: number }>(sql`select count(distinct day)::int as total from (${dayChanges(now)}) as changes`)
      return rows[0]?.total ?? 0
    },

    // Raw SQL comes back as the server's text: the day is already `YYYY-MM-DD` (DateStyle ISO),
    // the timestamp is read into Dateline's form.
    async dayEntries (now, limit, offset) {
      const { rows } = await db.execute<{ key: string, lastmod: string }>(sql`
        select day as key, max(changed) as lastmod from (${dayChanges(now)}) as changes
        group by day order by day desc limit ${limit} offset ${offset}`)
      return rows.map((row): SitemapEntry => ({ key: row.key, lastmod: timestampFromPostgres(row.lastmod) }))
    },

    async countLabels (now) {
      const [row] = await db.select({ total: countDistinct(articleLabels.labelId) })
        .from(articleLabels)
        .innerJoin(articles, eq(articles.id, articleLabels.articleId))
        .where(publishedBy(articles, now))
      return row?.total ?? 0
    },

    async labelEntries (now, limit, offset) {
      const rows = await db.select({ key: labels.name, lastmod: max(articles.updatedAt) })
        .from(labels)
        .innerJoin(articleLabels, eq(articleLabels.labelId, labels.id))
        .innerJoin(articles, eq(articles.id, articleLabels.articleId))
        .where(publishedBy(articles, now))
        .groupBy(labels.id)
        .orderBy(asc(labels.key), asc(labels.id))
        .limit(limit)
        .offset(offset)
      // Every group has an article, so its newest change is never null.
      return rows.map((row) => ({ key: row.key, lastmod: row.lastmod! }))
    }
  }
}
