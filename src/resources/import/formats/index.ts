import { type ImportFormat, type ImportRecord, MalformedImportError } from '../records.js'
import { readBloggerApi } from './blogger-api.js'
import { readBloggerFeed } from './blogger-feed.js'
import type { ReadContext, RecordBatches } from './context.js'
import { decodeInput, peekText, splitLines } from './decode.js'
import { detectFormat, doctypePosition, headChars } from './detect.js'
import { readNdjson } from './ndjson.js'
import { normalisedNow } from './timestamps.js'
import { readWxr } from './wxr.js'

// The format layer of the importer: bytes in, a stream of plain records out (records.ts).
// The format is detected from the first bytes, never from a file name. Everything a file can
// get wrong surfaces as a MalformedImportError (with a line and column where there is one);
// any other exception is a bug.

export { detectFormat } from './detect.js'

export interface ReadOptions {
  /** Force a format instead of detecting it. */
  format?: ImportFormat
  /** "now" (RFC 3339) — live/publish posts dated after it become 'scheduled'. */
  now: string
  /** The site's IANA zone, for WXR dates that have no zone (fallback only). */
  timezone: string
}

export interface ImportReading {
  /** Resolves once the first bytes are read and the format is known; rejects like `records`. */
  format: Promise<ImportFormat>
  /**
   * The records, in file order, each author before the first article that names it. Single
   * use. Iterating it reads the input; an error in the file throws MalformedImportError from
   * the iteration (possibly after records read before the error: callers must not apply a
   * partial file). Stopping early, or an error, closes the input.
   */
  records: AsyncIterable<ImportRecord>
}

/**
 * Reads an export: detects the format from the first bytes (or takes `options.format`), then
 * yields records as the input streams in. Reading starts at once (the first 16 KB, to detect
 * the format); the rest is read as `records` is iterated.
 */
export function readImport (input: AsyncIterable<Buffer | string>, options: ReadOptions): ImportReading {
  const context: ReadContext = { now: normalisedNow(options.now), timezone: options.timezone }
  const opened = openImport(input, options.format)
  const format = opened.then((reading) => reading.format)
  // A caller may only iterate the records; the rejection then reaches it there.
  format.catch(() => {})
  async function * records (): AsyncGenerator<ImportRecord> {
    const { format, texts } = await opened
    if (format === 'ndjson') {
      yield * readNdjson(splitLines(texts))
      return
    }
    for await (const batch of recordBatches(format, texts, context)) {
      for (const record of batch) yield record
    }
  }
  return { format, records: records() }
}

async function openImport (input: AsyncIterable<Buffer | string>, forced: ImportFormat | undefined): Promise<{ format: ImportFormat, texts: AsyncIterable<string> }> {
  const decoded = decodeInput(input)
  const { head, texts } = await peekText(decoded, headChars)
  try {
    return { format: forced ?? detectedFormat(head), texts }
  } catch (error) {
    await decoded.return(undefined)
    throw error
  }
}

function detectedFormat (head: string): ImportFormat {
  const format = detectFormat(head)
  if (format !== null) return format
  const doctype = doctypePosition(head)
  if (doctype !== null) throw new MalformedImportError('a DOCTYPE is not allowed in an import file', doctype.line, doctype.column)
  if (head.trim() === '') throw new MalformedImportError('the file is empty')
  throw new MalformedImportError('unrecognised format: not a Blogger export (legacy or 2018), a WordPress WXR file, a Blogger API JSON dump or a Dateline NDJSON export')
}

function recordBatches (format: Exclude<ImportFormat, 'ndjson'>, texts: AsyncIterable<string>, context: ReadContext): RecordBatches {
  switch (format) {
    case 'blogger-legacy':
    case 'blogger-2018':
      return readBloggerFeed(texts, context)
    case 'wxr':
      return readWxr(texts, context)
    case 'blogger-api':
      return readBloggerApi(texts, context)
  }
}
