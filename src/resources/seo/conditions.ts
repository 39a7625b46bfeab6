import { sql, type Column, type SQL, type Table } from 'drizzle-orm'

/** The columns of `seo_fields` the sitemap asks about, in either database's schema. */
interface SeoTable extends Table {
  articleId: Column
  pageId: Column
  noindex: Column
  canonicalUrl: Column
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
