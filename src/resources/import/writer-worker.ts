// An import's writer thread (writer.ts): the whole import, on a connection of its own.
import { setTimeout } from 'node:timers/promises'
import { parentPort, workerData } from 'node:worker_threads'
import type Database from 'better-sqlite3'
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

/**
 * Copies the WAL this connection wrote into the database file, until it is all there: the
 * import answers first (the main thread leaves checkpoints to this one meanwhile: see
 * `SqliteStore.checkpointsElsewhere`). A reader still on an older snapshot keeps part of it
 * back a moment; the rest is left to the next commit's automatic checkpoint.
 */
async function checkpoint (client: Database.Database): Promise<void> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const [result] = client.pragma('wal_checkpoint(PASSIVE)') as Array<{ busy: number, log: number, checkpointed: number }>
    if (result === undefined || result.checkpointed >= result.log) return
    await setTimeout(25)
  }
}

async function run (store: SqliteStore): Promise<FromWriter> {
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
  }
}

const store = new SqliteStore(openDatabase(data.location, { synchronous: data.synchronous, busyTimeoutMs: data.busyTimeoutMs }), { unitsMayAwait: true })
const client = store.handle.$client
// Not at the import's commit, before it answers: after (below).
client.pragma('wal_autocheckpoint = 0')
post(await run(store).catch(failure))
try {
  await checkpoint(client)
} finally {
  await store.close()
}
// Told once the connection is closed; once the main thread has it, nothing is left to keep
// this thread running, so it ends.
const received = next('received')
post({ type: 'closed' })
await received
