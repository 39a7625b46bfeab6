import type { Store } from '../../db/store.js'
import { correctionQueries } from '../corrections/queries.js'
import { featuredImages } from '../media/service.js'
import type { FeaturedImageBody } from '../media/schemas.js'
import { articleQueries, type ArticleRow } from './queries.js'
import type { ArticleSummaryBody } from './schemas.js'

// Articles as lists show them. Apart from the service: authors embed their latest articles,
// and the articles service embeds authors, so both depend on this module and not on each other.

/** `coAuthorIds`: the byline after the primary author, in order. */
export function summaryOf (row: ArticleRow, labels: string[], featuredImage: FeaturedImageBody | null, correctedAt: string | null, coAuthorIds: readonly number[]): ArticleSummaryBody {
  return {
    id: row.id,
    slug: row.slug,
    title: row.title,
    excerpt: row.excerpt,
    status: row.status,
    publishedAt: row.publishedAt,
    date: row.publishedDay,
    unpublishAt: row.unpublishAt,
    authorId: row.authorId,
    authorIds: [row.authorId, ...coAuthorIds],
    labels,
    commentCount: row.commentCount,
    featuredImage,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    correctedAt
  }
}

/** Summaries of rows, their labels, featured images, correction times and co-authors fetched for all rows at once. */
export async function toArticleSummaries (store: Store, rows: ArticleRow[]): Promise<ArticleSummaryBody[]> {
  const ids = rows.map((row) => row.id)
  const labels = await articleQueries(store).labelsByArticle(ids)
  const images = await featuredImages(store, ids)
  const correctedAt = await correctionQueries(store).correctedAtByArticle(ids)
  const coAuthors = await articleQueries(store).coAuthorsByArticle(ids)
  return rows.map((row) => summaryOf(row, labels.get(row.id) ?? [], images.get(row.id) ?? null, correctedAt.get(row.id) ?? null, coAuthors.get(row.id) ?? []))
}
