import { createReadStream } from 'node:fs'
import { readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import type { Store } from '../../db/store.js'
import type { MediaLine } from '../export/ndjson.js'
import { becomeUpload } from '../media/fetch.js'
import { ImageRefused, processImage, type ImageLimits } from '../media/images.js'
import { mediaQueries } from '../media/queries.js'
import { mediaFolderBeside, mediaKeyPattern, originalFileName, type MediaStore } from '../media/storage.js'
import { importQueries } from './queries.js'

// The files of Dateline's own export, when `dateline export <file>` put the originals beside
// it (`<file>.media/{key}/original`). The import's transaction wrote each image as an external
// item; here, after it committed, each original found is checked and resized as an upload is
// and its item becomes an upload. This cannot be part of the transaction: resizing takes a
// second or more an image, and an SQLite unit of work may not wait for it.

export interface OriginalsLimits extends ImageLimits {
  maxBytes: number
}

export type OriginalOutcome =
  | { id: number, fileName: string, processed: true, width: number, height: number }
  | { id: number, fileName: string, processed: false, reason: string }

/** The file's media lines of uploads, with their keys, read again from the file (a line at a time). */
async function * exportedUploads (file: string): AsyncGenerator<{ line: MediaLine, key: string }> {
  const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity })
  for await (const text of lines) {
    if (!text.startsWith('{"type":"media"')) continue
    const line = JSON.parse(text) as MediaLine
    // The import checked each line against its schema; the key is checked again, as it names a folder.
    if (line.source === 'upload' && line.key !== null && mediaKeyPattern.test(line.key)) yield { line, key: line.key }
  }
}

async function sizeOf (path: string): Promise<number | null> {
  try {
    return (await stat(path)).size
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw error
  }
}

/** One image: its item, if the import made it and it is still external, becomes an upload. */
async function importOriginal (store: Store, media: MediaStore, line: MediaLine, path: string, limits: OriginalsLimits): Promise<OriginalOutcome | null> {
  const imported = await importQueries(store).importedRow({ resource: 'media', format: 'ndjson', site: '', sourceId: String(line.id) })
  const row = imported === undefined ? undefined : await mediaQueries(store).mediaById(imported.targetId)
  // Made an upload by an earlier import (or fetched since): nothing to do.
  if (row === undefined || row.source !== 'external') return null
  const described = { id: row.id, fileName: row.fileName }
  try {
    const size = await sizeOf(path)
    if (size === null) throw new Error('its original is not beside the file')
    if (size > limits.maxBytes) throw new Error(`the original is ${size} bytes, more than DATELINE_MEDIA_MAX_BYTES`)
    const original = await readFile(path)
    const image = await processImage(original, row.fileName, limits)
    await becomeUpload(store, media, row, original, image)
    return { ...described, processed: true, width: image.width, height: image.height }
  } catch (error) {
    const reason = error instanceof ImageRefused ? `the original ${error.message}` : (error as Error).message
    return { ...described, processed: false, reason }
  }
}

/**
 * Brings in the originals beside an imported NDJSON file, one at a time, telling `onItem` of
 * each; null when there is no folder beside it. An image that fails stays external (at the
 * address the export gave), and importing the file again retries it.
 */
export async function importOriginals (store: Store, media: MediaStore, file: string, limits: OriginalsLimits, onItem: (outcome: OriginalOutcome) => void = () => {}): Promise<OriginalOutcome[] | null> {
  const beside = mediaFolderBeside(file)
  if (await sizeOf(beside) === null) return null
  const outcomes: OriginalOutcome[] = []
  for await (const { line, key } of exportedUploads(file)) {
    const outcome = await importOriginal(store, media, line, join(beside, key, originalFileName), limits)
    if (outcome === null) continue
    outcomes.push(outcome)
    onItem(outcome)
  }
  return outcomes
}
