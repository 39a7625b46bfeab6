import type { Store } from '../../db/store.js'
import { correctionQueries } from './queries.js'

// What the trash, the export and imports carry of an article's corrections: here rather than in
// the service, which finds articles through the articles service (and so the trash's).

/** A correction as the trash and an export keep it. */
export interface CarriedCorrection {
  /** Its id, kept when no other correction has it (absent from sources without ids). */
  id?: number
  note: string
  correctedAt: string
  createdAt?: string
  updatedAt?: string
}

export async function carriedCorrections (store: Store, articleId: number): Promise<CarriedCorrection[]> {
  const rows = (await correctionQueries(store).correctionsByArticle([articleId])).get(articleId) ?? []
  return rows.map(({ id, note, correctedAt, createdAt, updatedAt }) => ({ id, note, correctedAt, createdAt, updatedAt }))
}

/**
 * Makes `corrections` the article's, in place of any it had (a restore from the trash, an
 * import writing the article anew). Ids are kept when free, so links to a correction hold.
 */
export async function replaceCorrections (tx: Store, articleId: number, corrections: CarriedCorrection[], now: string): Promise<void> {
  const queries = correctionQueries(tx)
  await queries.deleteOfArticle(articleId)
  for (const correction of corrections) {
    const keepId = correction.id !== undefined && !await queries.idTaken(correction.id)
    await queries.insertCorrection({
      ...(keepId ? { id: correction.id } : {}),
      articleId,
      note: correction.note,
      correctedAt: correction.correctedAt,
      createdAt: correction.createdAt ?? correction.correctedAt,
      updatedAt: correction.updatedAt ?? correction.createdAt ?? now
    })
  }
}
