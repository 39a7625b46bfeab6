// A read worker (src/read-workers/pool.ts): a thread with a read-only connection of its own
// to the server's SQLite file, running heavy reads with the same service code as the server.
import { readlinkSync } from 'node:fs'
import { getPriority, setPriority } from 'node:os'
import { parentPort, workerData } from 'node:worker_threads'
import { openReadOnlyDatabase } from '../db/client.js'
import { ReadOnlySqliteStore } from '../db/read-only-store.js'
import { carry, control, type ChunkRequest, type ReadAnswer, type ReadRequest, type WorkerReady } from './messages.js'
import { heavyReadOperations, heavyStreamOperations } from './operations.js'

/** What the pool gives each worker it starts. */
export interface ReadWorkerSetup {
  path: string
  busyTimeoutMs: number
  control: Int32Array | null
}

/**
 * A heavy read gives way to the server's own thread where they share a core (two cores, a
 * worker per process and several processes): Linux schedules threads by their own nice
 * value, and /proc/thread-self names this one. Elsewhere nothing changes.
 */
function yieldToTheServer (): void {
  try {
    const thread = Number(readlinkSync('/proc/thread-self').split('/').pop())
    setPriority(thread, Math.min(19, getPriority(thread) + 10))
  } catch {}
}

const setup = workerData as ReadWorkerSetup
yieldToTheServer()
const store = new ReadOnlySqliteStore(openReadOnlyDatabase(setup.path, { busyTimeoutMs: setup.busyTimeoutMs }))

/** The test hook (messages.ts, `control`): count the read, then hold it or crash as told. */
function obeyControl (cells: Int32Array | null): void {
  if (cells === null) return
  Atomics.add(cells, control.begun, 1)
  if (Atomics.exchange(cells, control.crash, 0) !== 0) process.exit(70)
  // Blocks as a long SQLite statement would: nothing else runs in this thread meanwhile.
  while (Atomics.load(cells, control.hold) !== 0) Atomics.wait(cells, control.hold, Atomics.load(cells, control.hold), 50)
}

async function answer (request: ReadRequest): Promise<ReadAnswer> {
  try {
    obeyControl(setup.control)
    const operation = heavyReadOperations[request.operation] as (store: ReadOnlySqliteStore, input: unknown) => Promise<unknown>
    return { id: request.id, value: await store.reading(async () => await operation(store, request.input)) }
  } catch (error) {
    return { id: request.id, error: carry(error) }
  }
}

// Text a stream hands over at once: large enough that the messages cost little, small
// enough that the server holds little of it while a slow client reads.
const chunkBytes = 256 * 1024
let stream: AsyncGenerator<string> | undefined

/** The stream's next chunk of text (it is started by the first request), or null at its end. */
async function nextChunk (request: ChunkRequest): Promise<ReadAnswer> {
  try {
    stream ??= heavyStreamOperations[request.stream](store, request.input as never)
    let chunk = ''
    while (chunk.length < chunkBytes) {
      const next = await stream.next()
      if (next.done === true) return { id: request.id, value: chunk === '' ? null : chunk }
      chunk += next.value
    }
    return { id: request.id, value: chunk }
  } catch (error) {
    return { id: request.id, error: carry(error) }
  }
}

parentPort!.on('message', (request: ReadRequest | ChunkRequest) => {
  void ('stream' in request ? nextChunk(request) : answer(request)).then((message) => {
    try {
      parentPort!.postMessage(message)
    } catch (error) {
      // An answer the structured clone cannot carry is a bug; the request still gets its answer.
      parentPort!.postMessage({ id: request.id, error: carry(error) } satisfies ReadAnswer)
    }
  })
})
parentPort!.postMessage({ ready: true } satisfies WorkerReady)
