// An import's reader thread (reader.ts): parses the received file and prepares its records.
import { parentPort, workerData } from 'node:worker_threads'
import { yieldCoresToMainThread } from '../../lib/worker-threads.js'
import { readImport } from './formats/index.js'
import { prepareRecord, type PreparedRecord } from './sanitising.js'
import { spooledChunks } from './spool.js'
import { failureOf } from './thread-errors.js'
import { batchesAhead, type FromReader, type ReaderData, type ToReader } from './reader.js'

yieldCoresToMainThread()
const port = parentPort!
const data = workerData as ReaderData
const post = (message: FromReader): void => { port.postMessage(message) }

// The reader runs at most `batchesAhead` batches ahead of what was taken: what it holds stays small.
let taken = 0
let sent = 0
let onTaken: (() => void) | undefined
port.on('message', (message: ToReader) => {
  if (message.type !== 'taken') return
  taken++
  onTaken?.()
})

async function send (records: PreparedRecord[], bytes: number): Promise<void> {
  post({ type: 'records', records, bytes })
  sent++
  while (sent - taken >= batchesAhead) await new Promise<void>((resolve) => { onTaken = resolve })
  onTaken = undefined
}

// After its last message the thread waits to be terminated: a message posted just before a
// thread ends may reach the other side after its 'exit' event.
try {
  let bytes = 0
  const reading = readImport(spooledChunks(data.file, (more) => { bytes += more }), data.options)
  post({ type: 'format', format: await reading.format })
  let batch: PreparedRecord[] = []
  for await (const record of reading.records) {
    batch.push(prepareRecord(record))
    if (batch.length < data.batch) continue
    await send(batch, bytes)
    batch = []
  }
  if (batch.length > 0) await send(batch, bytes)
  post({ type: 'end' })
} catch (error) {
  post({ type: 'failed', ...failureOf(error) })
}
