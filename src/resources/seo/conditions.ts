import { sql, type Column, type SQL, type Table } from 'drizzle-orm'

/** The columns of `seo_fields` the sitemap asks about, in either database's schema. */
interface SeoTable extends Table {
  articleId: Column
  pageId: Column
  title: Column
  description: Column
  canonicalUrl: Column
  noindex: Column
  socialTitle: Column
  socialDescription: Column
  socialImageId: Column
}

/**
 * Whether the article or page whose id is `id` belongs in the sitemap: not when it asks search
 * engines to pass it by (`noindex`) or names another URL as its canonical one, as a sitemap
 * lists canonical URLs only. Plain SQL both databases read alike (a boolean is truthy in either).
 */
export function listedInSitemap (seo: SeoTable, owner: 'article' | 'page', id: Column): SQL {
  const ownerId = owner === 'article' ? seo.articleId : seo.pageId
  return sql`not exists (select 1 from ${seo} where ${ownerId} = ${id} and (${seo.noindex} or ${seo.canonicalUrl} is not null))`
}

/** Whether the article or page whose id is `id` asks search engines to pass it by: a list filter (`noindex=`). */
export function markedNoindex (seo: SeoTable, owner: 'article' | 'page', id: Column, noindex: boolean): SQL {
  const ownerId = owner === 'article' ? seo.articleId : seo.pageId
  const marked = sql`exists (select 1 from ${seo} where ${ownerId} = ${id} and ${seo.noindex})`
  return noindex ? marked : sql`not ${marked}`
}

/** The rows that set nothing any more (an owner keeps a row only while something is set). */
export function settingNothing (seo: SeoTable): SQL {
  return sql`${seo.title} is null and ${seo.description} is null and ${seo.canonicalUrl} is null and not ${seo.noindex}
    and ${seo.socialTitle} is null and ${seo.socialDescription} is null and ${seo.socialImageId} is null`
}
