import { Worker } from 'node:worker_threads'
import { SqliteStore } from '../../db/sqlite-store.js'
import type { Store } from '../../db/store.js'
import type { SiteSettings } from '../../lib/site-settings.js'
import { fileWorkerHeap, workerEntry } from '../../lib/worker-threads.js'
import type { ImportFormat } from './records.js'
import type { ImportReportBody } from './schemas.js'
import type { Spooled } from './spool.js'
import { rebuiltError, type ThreadFailure } from './thread-errors.js'

// An import into an SQLite file runs in a thread of its own, on a connection of its own
// (writer-worker.ts): reading the received file and writing it (seconds per thousands of
// articles, synchronous in better-sqlite3) never hold the main thread's event loop. The
// import stays one transaction, on that connection. While it holds the write lock, this
// connection's units wait for it asynchronously (`SqliteStore.whileWritingElsewhere`) and
// reads go on from the last commit (WAL).
//
// The other way, one connection with the import cut into slices that yield to the event
// loop, would let every request handled between slices read the import's uncommitted rows on
// that connection (and see them vanish on a rollback): all-or-nothing would hold for the
// database, not for what readers were shown.

export interface WriterThreadImport {
  format?: ImportFormat
  dryRun: boolean
  onRecord?: (records: number) => void
  onBytes?: (bytes: number) => void
  onApply?: () => void
}

/** What the writer thread is told at start. */
export interface WriterData {
  location: string
  synchronous: 'normal' | 'full'
  busyTimeoutMs: number
  settings: Pick<SiteSettings, 'timezone'>
  /** The file, received whole (spool.ts). */
  file: Spooled
  format?: ImportFormat
  dryRun: boolean
}

/** Messages from the writer thread. */
export type FromWriter =
  /** Records and bytes read so far. */
  | { type: 'records', count: number, bytes: number }
  | { type: 'lock' }
  | { type: 'unlock' }
  | { type: 'done', report: ImportReportBody }
  | ({ type: 'failed' } & ThreadFailure)
  /** Its connection is closed, the WAL it wrote checkpointed first. */
  | { type: 'closed' }

/** Messages to the writer thread. */
export type ToWriter =
  | { type: 'locked' }
  /**
   * 'closed' arrived: only then does the thread end. A message posted just before a thread
   * ends may reach this side after its 'exit' event (seen on Node 20 under load: an import
   * that failed as it should answered 500, "the writer thread stopped").
   */
  | { type: 'received' }

/**
 * Files smaller than this are imported on the main thread: applying them takes less than
 * starting a thread does (loading the importer's modules in it).
 */
export const writerThreadFromBytes = 256 * 1024

/**
 * The store an import may run beside in a writer thread: SQLite in a file, not inside a
 * transaction another connection could not see. An in-memory database (the tests') has no
 * second connection: its import runs on the main thread as before. `size`: the file's.
 */
export function writerThreadFor (store: Store, size?: number): SqliteStore | undefined {
  if (!(store instanceof SqliteStore) || (size !== undefined && size < writerThreadFromBytes)) return undefined
  const client = store.handle.$client
  return client.memory || client.inTransaction || client.name === '' ? undefined : store
}



/** Imports `file` through a writer thread beside `store` (see above); the report, or its error. */
export async function importInWriterThread (store: SqliteStore, settings: Pick<SiteSettings, 'timezone'>, file: Spooled, options: WriterThreadImport): Promise<ImportReportBody> {
  const client = store.handle.$client
  const workerData: WriterData = {
    location: client.name,
    synchronous: client.pragma('synchronous', { simple: true }) === 2 ? 'full' : 'normal',
    busyTimeoutMs: client.pragma('busy_timeout', { simple: true }) as number,
    settings: { timezone: settings.timezone },
    file,
    dryRun: options.dryRun,
    ...(options.format === undefined ? {} : { format: options.format })
  }
  // What the writer keeps grows with the file, ~60 KB per MB (each article's source key and
  // id): a limit of the file's size leaves it 16 times that.
  const worker = new Worker(workerEntry(import.meta.url, 'writer-worker'), { workerData, resourceLimits: fileWorkerHeap(file.size / 2 ** 20) })
  let unlock: (() => void) | undefined
  const unlocked = (): void => { unlock?.(); unlock = undefined }
  let closed!: () => void
  store.checkpointsElsewhere(new Promise<void>((resolve) => { closed = resolve }))
  worker.once('exit', () => { closed() })
  let answered = false
  let bytesTold = 0
  try {
    return await new Promise<ImportReportBody>((resolve, reject) => {
      const send = (message: ToWriter): void => { worker.postMessage(message) }
      worker.on('message', (message: FromWriter) => {
        switch (message.type) {
          case 'records':
            options.onRecord?.(message.count)
            options.onBytes?.(message.bytes - bytesTold)
            bytesTold = message.bytes
            return
          case 'lock':
            store.whileWritingElsewhere(async () => {
              await new Promise<void>((resolve) => {
                unlock = resolve
                options.onApply?.()
                send({ type: 'locked' })
              })
            }).catch(reject)
            return
          case 'unlock': unlocked(); return
          case 'done': answered = true; resolve(message.report); return
          case 'failed': answered = true; reject(rebuiltError(message)); return
          case 'closed': send({ type: 'received' }); worker.unref(); closed()
        }
      })
      worker.on('error', reject)
      worker.on('exit', (code) => { reject(new Error(`the import's writer thread stopped (exit code ${code})`)) })
    })
  } finally {
    unlocked()
    // Once it has answered, it checkpoints, closes its connection, says so, and ends by itself;
    // it keeps the process alive until it has closed (the store's `close` waits for that), not
    // until it has ended (a preloaded module, a test runner's, may keep it a while). It is
    // terminated only when it never answered: terminating a thread that loads modules through
    // customisation hooks, or whose own workers still run, has hung Node 20.
    if (!answered) {
      worker.unref()
      worker.terminate().catch(() => {})
    }
  }
}
