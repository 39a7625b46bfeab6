import type { ImportedArticle, ImportRecord, SkippedRow } from '../records.js'

/** What every format reader gets: the options, normalised. */
export interface ReadContext {
  /** RFC 3339 UTC with milliseconds, comparable as text with the timestamps we produce. */
  now: string
  /** IANA zone for local times that carry no offset (WXR fallbacks). */
  timezone: string
}

/** A live post dated after "now" is scheduled; one without a date is published (the importer dates it). */
export function liveStatus (publishedAt: string | null, context: ReadContext): ImportedArticle['status'] {
  return publishedAt !== null && publishedAt > context.now ? 'scheduled' : 'published'
}

export function skip (resource: SkippedRow['resource'], sourceId: string | null, reason: string): SkippedRow {
  return { kind: 'skip', resource, sourceId, reason }
}

/**
 * What a format reader produces: records in file order, in batches (one per slice of input
 * read). Batching keeps the cost of async iteration per slice instead of per record; index.ts
 * hands them on one by one.
 */
export type RecordBatches = AsyncGenerator<ImportRecord[]>
