import type { Store } from '../../db/store.js'
import { correctionQueries, type CorrectionRow } from './queries.js'
import type { ArticleCorrectionBody, CorrectionBody } from './schemas.js'

// Corrections as articles embed them. Apart from the service, which finds articles through the
// articles service: the articles service embeds corrections, so both depend on this module.

export function toCorrection (row: CorrectionRow): CorrectionBody {
  return { id: row.id, articleId: row.articleId, note: row.note, correctedAt: row.correctedAt, createdAt: row.createdAt, updatedAt: row.updatedAt }
}

export function toArticleCorrection (row: CorrectionRow): ArticleCorrectionBody {
  return { id: row.id, note: row.note, correctedAt: row.correctedAt }
}

/** Each article's corrections box, oldest first (at most `maxCorrectionsPerArticle` each), read for all at once. */
export async function correctionsOfArticles (store: Store, articleIds: number[]): Promise<Map<number, ArticleCorrectionBody[]>> {
  const byArticle = await correctionQueries(store).correctionsByArticle(articleIds)
  return new Map([...byArticle].map(([articleId, rows]) => [articleId, rows.map(toArticleCorrection)]))
}

/** An article's `correctedAt`: its latest correction's time (they come oldest first), or null. */
export function correctedAtOf (corrections: ArticleCorrectionBody[]): string | null {
  return corrections.at(-1)?.correctedAt ?? null
}
