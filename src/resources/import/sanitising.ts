import { createHash } from 'node:crypto'
import { htmlToText, sanitizeArticleHtml, sanitizeCommentHtml } from '../../lib/html.js'
import type { ImportRecord } from './records.js'

// Sanitising an imported body, and reading its text for the excerpt and the search index, is
// most of an import's CPU beside the database's own (bench/import.mjs): a large file's records
// are prepared in a reader thread (reader.ts) while the import writes those before them. The
// functions are the ones the API's writes run.

/** A body as the API would store it: sanitised, and (articles) its text. */
export interface SanitisedBody { html: string, text: string | null }

/**
 * A record ready to be written: its body sanitised (articles and comments), and the digest of
 * the record as read, which says on the next import of the file whether the source changed.
 */
export interface PreparedRecord { record: ImportRecord, sanitised: SanitisedBody | null, digest: string }

function sanitisedBody (record: ImportRecord): SanitisedBody | null {
  if (record.kind === 'comment') return { html: sanitizeCommentHtml(record.body), text: null }
  if (record.kind !== 'article') return null
  const html = sanitizeArticleHtml(record.body)
  return { html, text: htmlToText(html) }
}

/** The digest of a record's source form (its JSON). */
export function digestOf (record: ImportRecord): string {
  return createHash('sha256').update(JSON.stringify(record)).digest('hex')
}

export function prepareRecord (record: ImportRecord): PreparedRecord {
  return { record, sanitised: sanitisedBody(record), digest: digestOf(record) }
}
