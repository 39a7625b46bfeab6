import { Worker } from 'node:worker_threads'
import { fileWorkerHeap, workerEntry } from '../../lib/worker-threads.js'
import type { ReadOptions } from './formats/index.js'
import type { ImportFormat } from './records.js'
import type { PreparedRecord } from './sanitising.js'
import type { Spooled } from './spool.js'
import { rebuiltError, type ThreadFailure } from './thread-errors.js'

// A large file is read in a thread of its own (reader-worker.ts): parsing it and sanitising
// its bodies is as much work as writing them (bench/import.mjs), so the thread that writes the
// import — its writer thread (writer.ts), or on PostgreSQL the main thread — only writes,
// while the reader runs a few batches ahead on another core.

/** Files smaller than this are read where they are imported: starting a thread costs more. */
export const readerThreadFromBytes = 256 * 1024

/** Records a message carries: enough to make a message's cost small beside the work. */
const recordsPerBatch = 64

/**
 * Batches the reader may be ahead of the writer: keeps both busy while memory stays bounded.
 * The writer goes in bursts (it makes 250 articles searchable at a time): with 4 batches
 * each thread waited for the other ~1.4 s of an 11 s WXR import; 16 cut that import by ~5 %
 * for ~6 MB more (bench/import.mjs).
 */
export const batchesAhead = 16

export interface ReaderData { file: Spooled, options: ReadOptions, batch: number }

export type FromReader =
  | { type: 'format', format: ImportFormat }
  /** `bytes`: of the file, read so far. */
  | { type: 'records', records: PreparedRecord[], bytes: number }
  | { type: 'end' }
  | ({ type: 'failed' } & ThreadFailure)

export type ToReader = { type: 'taken' }

/** The file's format, and its records prepared (sanitised, digested) in a reader thread. */
export interface ReadInThread {
  format: ImportFormat
  records: AsyncIterable<PreparedRecord>
  /** Ends the thread, whether the records were read or not: call it once the import is over. */
  close: () => Promise<void>
}

/** Starts reading `file` in a reader thread; answers once the format is known. */
export async function readInThread (file: Spooled, options: ReadOptions, onBytes?: (bytes: number) => void): Promise<ReadInThread> {
  const workerData: ReaderData = { file, options, batch: recordsPerBatch }
  const worker = new Worker(workerEntry(import.meta.url, 'reader-worker'), { workerData, resourceLimits: fileWorkerHeap() })
  const arrived: FromReader[] = []
  let stopped: Error | undefined
  let wake: (() => void) | undefined
  worker.on('message', (message: FromReader) => { arrived.push(message); wake?.() })
  worker.on('error', (error) => { stopped ??= error; wake?.() })
  worker.on('exit', (code) => { stopped ??= new Error(`the import's reader thread stopped (exit code ${code})`); wake?.() })
  const next = async (): Promise<FromReader> => {
    while (arrived.length === 0) {
      if (stopped !== undefined) throw stopped
      await new Promise<void>((resolve) => { wake = resolve })
      wake = undefined
    }
    return arrived.shift()!
  }
  const end = async (): Promise<void> => { await worker.terminate() }
  let first: FromReader
  try {
    first = await next()
  } catch (error) {
    await end()
    throw error
  }
  if (first.type !== 'format') {
    await end()
    throw first.type === 'failed' ? rebuiltError(first) : new Error(`the import's reader thread said ${first.type} first`)
  }
  let bytesTold = 0
  async function * records (): AsyncGenerator<PreparedRecord> {
    for (;;) {
      const message = await next()
      if (message.type === 'end') return
      if (message.type === 'failed') throw rebuiltError(message)
      if (message.type !== 'records') continue
      worker.postMessage({ type: 'taken' } satisfies ToReader)
      onBytes?.(message.bytes - bytesTold)
      bytesTold = message.bytes
      yield * message.records
    }
  }
  return { format: first.format, records: records(), close: end }
}
