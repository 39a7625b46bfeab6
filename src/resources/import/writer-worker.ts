// An import's writer thread (writer.ts): the whole import, on a connection of its own.
import { parentPort, workerData } from 'node:worker_threads'
import { yieldCoresToMainThread } from '../../lib/worker-threads.js'
import { openDatabase } from '../../db/client.js'
import { SqliteStore } from '../../db/sqlite-store.js'
import { importSpooled } from './service.js'
import { failureOf } from './thread-errors.js'
import type { FromWriter, ToWriter, WriterData } from './writer.js'

yieldCoresToMainThread()
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
  return { type: 'failed', ...failureOf(error) }
}

async function run (): Promise<FromWriter> {
  const store = new SqliteStore(openDatabase(data.location, { synchronous: data.synchronous, busyTimeoutMs: data.busyTimeoutMs }), { unitsMayAwait: true })
  let read = 0
  let bytes = 0
  try {
    const report = await importSpooled(store, data.settings, data.file, {
      dryRun: data.dryRun,
      ...(data.format === undefined ? {} : { format: data.format }),
      onRecord: (records) => {
        read = records
        if (records % 100 === 0) post({ type: 'records', count: records, bytes })
      },
      onBytes: (more) => { bytes += more },
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

// Told once the connection is closed; once the main thread has it, nothing is left to keep
// this thread running, so it ends.
const outcome = await run().catch(failure)
const received = next('received')
post(outcome)
await received
