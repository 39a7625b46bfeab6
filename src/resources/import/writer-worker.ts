// An import's writer thread (writer.ts): the whole import, on a connection of its own.
import { parentPort, workerData } from 'node:worker_threads'
import { openDatabase } from '../../db/client.js'
import { SqliteStore } from '../../db/sqlite-store.js'
import { MalformedImportError } from './records.js'
import { sanitisingPool } from './sanitising.js'
import { readAndImport } from './service.js'
import { spooledChunks } from './spool.js'
import type { FromWriter, ToWriter, WriterData } from './writer.js'

const port = parentPort!
const data = workerData as WriterData
const post = (message: FromWriter): void => { port.postMessage(message) }

/** The next message of one of `types`. */
async function next<K extends ToWriter['type']> (...types: K[]): Promise<Extract<ToWriter, { type: K }>> {
  return await new Promise((resolve) => {
    const listener = (message: ToWriter): void => {
      if (!(types as string[]).includes(message.type)) return
      port.off('message', listener)
      resolve(message as Extract<ToWriter, { type: K }>)
    }
    port.on('message', listener)
  })
}

/** The import's transaction, once the main thread's connection has stopped writing. */
async function exclusively<T> (apply: () => Promise<T>): Promise<T> {
  post({ type: 'lock' })
  await next('locked')
  try {
    return await apply()
  } finally {
    post({ type: 'unlock' })
  }
}

function failure (error: unknown): FromWriter {
  const { name, message } = error instanceof Error ? error : new Error(String(error))
  const code = (error as { code?: unknown }).code
  return { type: 'failed', malformed: error instanceof MalformedImportError, name, message, ...(typeof code === 'string' ? { code } : {}) }
}

async function run (): Promise<FromWriter> {
  const store = new SqliteStore(openDatabase(data.location, { synchronous: data.synchronous, busyTimeoutMs: data.busyTimeoutMs }), { unitsMayAwait: true })
  let read = 0
  let bytes = 0
  // Structured cloning made the spooled Buffer a Uint8Array.
  const file = 'bytes' in data.file ? { ...data.file, bytes: Buffer.from(data.file.bytes.buffer, data.file.bytes.byteOffset, data.file.bytes.byteLength) } : data.file
  try {
    const report = await readAndImport(store, data.settings, spooledChunks(file, (more) => { bytes += more }), {
      dryRun: data.dryRun,
      ...(data.format === undefined ? {} : { format: data.format }),
      onRecord: (records) => {
        read = records
        if (records % 100 === 0) post({ type: 'records', count: records, bytes })
      },
      exclusively
    })
    post({ type: 'records', count: read, bytes })
    return { type: 'done', report }
  } catch (error) {
    return failure(error)
  } finally {
    await store.close()
  }
}

// Told once the connection and the pool are closed; once the main thread has it, nothing is
// left to keep this thread running, so it ends.
const outcome = await run().catch(failure)
await sanitisingPool().close()
const received = next('received')
post(outcome)
await received
