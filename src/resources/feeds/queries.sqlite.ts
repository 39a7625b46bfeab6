import { and, asc, count, desc, eq, inArray, isNotNull, lte, max, sql, type SQL } from 'drizzle-orm'
import type { DbOrTx } from '../../db/client.js'
import { articleLabels, articles, days, labels } from '../../db/schema.js'

// What the sitemap lists, a page at a time: published articles, the days the blog has, and
// the labels published articles carry, each with the time it last changed.

export interface SitemapEntry {
  /** An article's slug and id, a `YYYY-MM-DD` day, or a label name. */
  key: string
  id?: number
  lastmod: string
}

/**
 * Labels' names as first spelled, by their case-folded keys: only labels a published article
 * carries, so a label used only on drafts reads like one nobody uses.
 */
export function publicLabelNamesByKeys (db: DbOrTx, keys: string[], now: string): Map<string, string> {
  if (keys.length === 0) return new Map()
  const rows = db.selectDistinct({ key: labels.key, name: labels.name })
    .from(labels)
    .innerJoin(articleLabels, eq(articleLabels.labelId, labels.id))
    .innerJoin(articles, eq(articles.id, articleLabels.articleId))
    .where(and(inArray(labels.key, keys), publishedBy(now)))
    .all()
  return new Map(rows.map((row) => [row.key, row.name]))
}

function publishedBy (now: string): SQL {
  return and(eq(articles.status, 'published'), lte(articles.publishedAt, now))!
}

export function countPublishedArticles (db: DbOrTx, now: string): number {
  return db.select({ total: count() }).from(articles).where(publishedBy(now)).get()?.total ?? 0
}

/** When published content last changed: the newest `updatedAt` of a published article. */
export function newestPublishedUpdate (db: DbOrTx, now: string): string | null {
  return db.select({ newest: max(articles.updatedAt) }).from(articles).where(publishedBy(now)).get()?.newest ?? null
}

export function publishedArticleEntries (db: DbOrTx, now: string, limit: number, offset: number): SitemapEntry[] {
  return db.select({ id: articles.id, key: articles.slug, lastmod: articles.updatedAt })
    .from(articles)
    .where(publishedBy(now))
    .orderBy(desc(articles.publishedAt), desc(articles.id))
    .limit(limit)
    .offset(offset)
    .all()
}

// A day exists while it has published articles or an editor created it (as in dates/queries.ts);
// it last changed when its newest article or its note did.
function dayChanges (now: string): SQL {
  return sql`
    select ${articles.publishedDay} as day, ${articles.updatedAt} as changed
    from ${articles} where ${publishedBy(now)} and ${isNotNull(articles.publishedDay)}
    union all
    select ${days.day}, ${days.updatedAt} from ${days}`
}

export function newestDayUpdate (db: DbOrTx): string | null {
  return db.select({ newest: max(days.updatedAt) }).from(days).get()?.newest ?? null
}

export function countDays (db: DbOrTx, now: string): number {
  return db.get<{ total: number }>(sql`select count(distinct day) as total from (${dayChanges(now)}) as changes`)?.total ?? 0
}

export function dayEntries (db: DbOrTx, now: string, limit: number, offset: number): SitemapEntry[] {
  return db.all<SitemapEntry>(sql`
    select day as key, max(changed) as lastmod from (${dayChanges(now)}) as changes
    group by day order by day desc limit ${limit} offset ${offset}`)
}

export function countLabels (db: DbOrTx, now: string): number {
  return db.select({ total: sql<number>`count(distinct ${articleLabels.labelId})` })
    .from(articleLabels)
    .innerJoin(articles, eq(articles.id, articleLabels.articleId))
    .where(publishedBy(now))
    .get()?.total ?? 0
}

/** Labels of published articles, by name (case-insensitively), each with its newest article's change. */
export function labelEntries (db: DbOrTx, now: string, limit: number, offset: number): SitemapEntry[] {
  return db.select({ key: labels.name, lastmod: sql<string>`max(${articles.updatedAt})` })
    .from(labels)
    .innerJoin(articleLabels, eq(articleLabels.labelId, labels.id))
    .innerJoin(articles, eq(articles.id, articleLabels.articleId))
    .where(publishedBy(now))
    .groupBy(labels.id)
    .orderBy(asc(labels.key), asc(labels.id))
    .limit(limit)
    .offset(offset)
    .all()
}
