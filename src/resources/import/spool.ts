import { createReadStream, createWriteStream } from 'node:fs'
import { mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pipeline } from 'node:stream/promises'

// An import is read and applied in one transaction, holding the write lock throughout; the
// file it reads must therefore be here whole before it begins. A client that sends its upload
// slowly would otherwise hold every writer up for as long as it likes.

/** Where an import's file comes from: a stream of its bytes (an upload), or a file on disk. */
export type ImportSource = AsyncIterable<Buffer | string> | { file: string }

/** Uploads up to this size are kept in memory; larger ones go to a temporary file. */
export const spooledInMemoryBytes = 1024 * 1024

/** The import's whole file, received: in memory when small, else in a file. */
export type Spooled =
  | { bytes: Buffer, size: number }
  | { file: string, size: number }

/** A spooled file with what must be removed once the import is done. */
export interface Spool { spooled: Spooled, dispose: () => Promise<void> }

const noCleanUp = async (): Promise<void> => {}

/** Receives `source` whole (see above); a file on disk is used where it is. */
export async function spool (source: ImportSource): Promise<Spool> {
  if ('file' in source) return { spooled: { file: source.file, size: (await stat(source.file)).size }, dispose: noCleanUp }
  const chunks: Buffer[] = []
  let held = 0
  const iterator = source[Symbol.asyncIterator]()
  for (;;) {
    const next = await iterator.next()
    if (next.done === true) return { spooled: { bytes: Buffer.concat(chunks), size: held }, dispose: noCleanUp }
    const chunk = typeof next.value === 'string' ? Buffer.from(next.value) : next.value
    chunks.push(chunk)
    held += chunk.length
    if (held > spooledInMemoryBytes) break
  }
  const folder = await mkdtemp(join(tmpdir(), 'dateline-import-'))
  const dispose = async (): Promise<void> => { await rm(folder, { recursive: true, force: true }) }
  const file = join(folder, 'upload')
  let size = held
  async function * all (): AsyncGenerator<Buffer> {
    yield * chunks.splice(0)
    for await (const chunk of { [Symbol.asyncIterator]: () => iterator }) {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk
      size += bytes.length
      yield bytes
    }
  }
  try {
    await pipeline(all(), createWriteStream(file))
    return { spooled: { file, size }, dispose }
  } catch (error) {
    await dispose()
    throw error
  }
}

/** The spooled file's bytes, a chunk at a time; `onBytes` is told each chunk's size. */
export async function * spooledChunks (spooled: Spooled, onBytes?: (bytes: number) => void): AsyncGenerator<Buffer> {
  if ('bytes' in spooled) {
    const { buffer, byteOffset, byteLength } = spooled.bytes
    onBytes?.(byteLength)
    // A Buffer sent to another thread arrives as a Uint8Array.
    yield Buffer.from(buffer, byteOffset, byteLength)
    return
  }
  for await (const chunk of createReadStream(spooled.file, { highWaterMark: 256 * 1024 }) as AsyncIterable<Buffer>) {
    onBytes?.(chunk.length)
    yield chunk
  }
}
