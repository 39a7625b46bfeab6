import { and, asc, count, desc, eq, inArray, isNotNull, max, sql, type SQL } from 'drizzle-orm'
import type { Db } from '../../db/client.js'
import { articleLabels, articles, days, labels, pages, seoFields } from '../../db/schema.js'
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

export function sqliteFeedQueries (db: Db): FeedQueries {
  return {
    async publicLabelNamesByKeys (keys, now) {
      if (keys.length === 0) return new Map()
      const rows = db.selectDistinct({ key: labels.key, name: labels.name })
        .from(labels)
        .innerJoin(articleLabels, eq(articleLabels.labelId, labels.id))
        .innerJoin(articles, eq(articles.id, articleLabels.articleId))
        .where(and(inArray(labels.key, keys), publishedBy(articles, now)))
        .all()
      return new Map(rows.map((row) => [row.key, row.name]))
    },

    async countPublishedArticles (now) {
      return db.select({ total: count() }).from(articles).where(and(publishedBy(articles, now), listedInSitemap(seoFields, 'article', articles.id))).get()?.total ?? 0
    },

    async newestPublishedUpdate (now) {
      return db.select({ newest: max(articles.updatedAt) }).from(articles).where(publishedBy(articles, now)).get()?.newest ?? null
    },

    async publishedArticleEntries (now, limit, offset) {
      return db.select({ id: articles.id, key: articles.slug, lastmod: articles.updatedAt })
        .from(articles)
        .where(and(publishedBy(articles, now), listedInSitemap(seoFields, 'article', articles.id)))
        .orderBy(desc(articles.publishedAt), desc(articles.id))
        .limit(limit)
        .offset(offset)
        .all()
    },

    async countPublishedPages () {
      return db.select({ total: count() }).from(pages).where(and(eq(pages.status, 'published'), listedInSitemap(seoFields, 'page', pages.id))).get()?.total ?? 0
    },

    async publishedPageEntries (limit, offset) {
      return db.select({ key: pages.slug, lastmod: pages.updatedAt }).from(pages).where(and(eq(pages.status, 'published'), listedInSitemap(seoFields, 'page', pages.id)))
        .orderBy(sql`coalesce(${pages.parentId}, 0)`, asc(pages.position), asc(pages.title), asc(pages.id)).limit(limit).offset(offset).all()
    },

    async newestDayUpdate () {
      return db.select({ newest: max(days.updatedAt) }).from(days).get()?.newest ?? null
    },

    async countDays (now) {
      return db.get<{ total: number }>(sql`select count(distinct day) as total from (${dayChanges(now)}) as changes`)?.total ?? 0
    },

    async dayEntries (now, limit, offset) {
      return db.all<SitemapEntry>(sql`
        select day as key, max(changed) as lastmod from (${dayChanges(now)}) as changes
        group by day order by day desc limit ${limit} offset ${offset}`)
    },

    async countLabels (now) {
      return db.select({ total: sql<number>`count(distinct ${articleLabels.labelId})` })
        .from(articleLabels)
        .innerJoin(articles, eq(articles.id, articleLabels.articleId))
        .where(publishedBy(articles, now))
        .get()?.total ?? 0
    },

    async labelEntries (now, limit, offset) {
      return db.select({ key: labels.name, lastmod: sql<string>`max(${articles.updatedAt})` })
        .from(labels)
        .innerJoin(articleLabels, eq(articleLabels.labelId, labels.id))
        .innerJoin(articles, eq(articles.id, articleLabels.articleId))
        .where(publishedBy(articles, now))
        .groupBy(labels.id)
        .orderBy(asc(labels.key), asc(labels.id))
        .limit(limit)
        .offset(offset)
        .all()
    }
  }
}
