import { Worker } from 'node:worker_threads'
import { Unavailable } from '../errors.js'
import { workerEntry } from '../lib/worker-threads.js'
import { revive, type ChunkRequest, type ReadAnswer, type ReadRequest, type WorkerReady } from './messages.js'
import type { HeavyRead, HeavyReadAnswer, HeavyReadInput, HeavyStream, HeavyStreamInput } from './operations.js'
import type { ReadWorkerSetup } from './worker.js'

const readWorkerEntry = workerEntry(import.meta.url, 'worker')

// What a client that met the time budget is asked to wait before it tries again.
const retryAfterSeconds = 1

export interface ReadWorkerPoolOptions {
  /** The SQLite file the server writes (in WAL mode): each worker opens it read-only. */
  path: string
  /** Threads, each with its own connection. */
  size: number
  /** How long a read may run in a worker before it is answered 503 instead. */
  budgetMs: number
  busyTimeoutMs: number
  /** The test hook (messages.ts), or null. */
  control: Int32Array | null
  /** Told when a worker stops without being asked to (the read it ran gets a 500). */
  onCrash: (error: Error) => void
}

interface Job {
  request: ReadRequest
  resolve: (value: unknown) => void
  reject: (error: Error) => void
  /** The budget's timer, from when a worker took the read. */
  timer?: NodeJS.Timeout
}

interface Slot {
  worker: Worker
  /** It opened its connection and takes reads. */
  ready: boolean
  job: Job | null
}

/** A 503 with `Retry-After` (plugins/problem.ts) for a read that took longer than the budget. */
export function overBudget (budgetMs: number): Error {
  return Object.assign(new Unavailable(`This read took longer than the server allows a read (${budgetMs} ms); retry in ${retryAfterSeconds} second, or ask for less`), { retryAfterSeconds })
}

function isReady (message: ReadAnswer | WorkerReady): message is WorkerReady {
  return 'ready' in message
}

/**
 * Worker threads that run heavy reads (operations.ts) off the server's event loop, one read
 * at a time each; reads beyond them wait in order. A read that runs longer than the budget is
 * answered 503 and its worker replaced: better-sqlite3 cannot interrupt a statement, and a
 * terminated thread ends only once its statement returns, so nobody waits for it. Waiting in
 * line is bounded by the budget of the reads ahead. Threads start at the first read, so an
 * app that never reads heavily (a CLI command, most tests) never pays for them.
 */
export class ReadWorkerPool {
  readonly #slots: Slot[] = []
  readonly #waiting: Job[] = []
  /** Workers ended after an overrun whose statement has not returned yet: they still use a core. */
  #retiring = 0
  /** How to end each stream's wait for its worker, when the pool closes. */
  readonly #streamWaits = new Set<(error: Error) => void>()
  #nextId = 1
  #closed = false

  constructor (private readonly options: ReadWorkerPoolOptions) {}

  async run<K extends HeavyRead> (operation: K, input: HeavyReadInput<K>): Promise<HeavyReadAnswer<K>> {
    if (this.#closed) throw new Unavailable('The server is shutting down')
    return await new Promise<HeavyReadAnswer<K>>((resolve, reject) => {
      this.#waiting.push({ request: { id: this.#nextId++, operation, input }, resolve: resolve as (value: unknown) => void, reject })
      this.#dispatch()
    })
  }

  /**
   * A heavy stream (operations.ts) from a worker of its own, outside the pool (an export
   * lasts as long as its client reads, and must not hold up the pool's reads), a chunk at a
   * time as the caller asks; each chunk within the budget. The worker ends with the stream,
   * or when the caller stops reading.
   */
  async * stream<K extends HeavyStream> (operation: K, input: HeavyStreamInput<K>): AsyncGenerator<string> {
    if (this.#closed) throw new Unavailable('The server is shutting down')
    const worker = this.#newWorker()
    try {
      await this.#reply(worker, null)
      for (let id = 1; ; id++) {
        const chunk = await this.#reply(worker, { id, stream: operation, input })
        if (chunk === null) return
        yield chunk as string
      }
    } finally {
      void this.#retire(worker)
    }
  }

  /** The worker's ready message (`request` null), or its answer to `request` within the budget. */
  async #reply (worker: Worker, request: ChunkRequest | null): Promise<unknown> {
    return await new Promise((resolve, reject) => {
      const fail = (error: Error) => {
        done()
        reject(error)
      }
      // Starting the worker is not the read: only the chunks are timed.
      const timer = request === null ? undefined : setTimeout(() => { fail(overBudget(this.options.budgetMs)) }, this.options.budgetMs)
      const onMessage = (message: ReadAnswer | WorkerReady) => {
        if (isReady(message) ? request !== null : request === null || message.id !== request.id) return
        done()
        if (isReady(message)) resolve(undefined)
        else if ('error' in message) reject(revive(message.error))
        else resolve(message.value)
      }
      const onError = (error: Error) => { fail(new Error('the read worker running this stream stopped', { cause: error })) }
      const onExit = (code: number) => { onError(new Error(`a read worker exited with code ${code}`)) }
      const done = () => {
        clearTimeout(timer)
        worker.off('message', onMessage).off('error', onError).off('exit', onExit)
        this.#streamWaits.delete(fail)
      }
      worker.on('message', onMessage).on('error', onError).on('exit', onExit)
      this.#streamWaits.add(fail)
      if (request !== null) worker.postMessage(request)
    })
  }

  /** Ends every worker; reads still waiting or running get a 503. */
  async close (): Promise<void> {
    this.#closed = true
    const shuttingDown = () => new Unavailable('The server is shutting down')
    for (const fail of [...this.#streamWaits]) fail(shuttingDown())
    for (const job of this.#waiting.splice(0)) this.#settle(job, shuttingDown())
    await Promise.all(this.#slots.splice(0).map(async (slot) => {
      if (slot.job !== null) this.#settle(slot.job, shuttingDown())
      await this.#retire(slot.worker)
    }))
  }

  /**
   * Threads still finishing overrun statements count against a limit of twice the pool: past
   * it no worker is started until one of them ends, and heavy reads are answered 503 at once
   * meanwhile, so a client repeating a read that never finishes cannot pile threads up.
   */
  #mayStart (): boolean {
    return this.#retiring < 2 * this.options.size
  }

  #dispatch (): void {
    if (this.#closed) return
    if (this.#waiting.length > 0) while (this.#slots.length < this.options.size && this.#mayStart()) this.#slots.push(this.#start())
    if (this.#slots.length === 0) {
      for (const job of this.#waiting.splice(0)) this.#settle(job, overBudget(this.options.budgetMs))
      return
    }
    for (const slot of this.#slots) {
      if (!slot.ready || slot.job !== null) continue
      const job = this.#waiting.shift()
      if (job === undefined) return
      this.#send(slot, job)
    }
  }

  #send (slot: Slot, job: Job): void {
    try {
      slot.worker.postMessage(job.request)
    } catch (error) {
      // An input the structured clone cannot carry (a bug): this read fails, the worker is fine.
      this.#settle(job, error as Error)
      return
    }
    slot.job = job
    job.timer = setTimeout(() => { this.#overran(slot, job) }, this.options.budgetMs)
  }

  #start (): Slot {
    const slot = { ready: false, job: null } as unknown as Slot
    this.#spawn(slot)
    return slot
  }

  /** A new worker in `slot`, its messages and its end tied to the slot. */
  #spawn (slot: Slot): void {
    const worker = this.#newWorker()
    worker.on('message', (message: ReadAnswer | WorkerReady) => { this.#heard(slot, message) })
    worker.on('error', (error) => { this.#stopped(slot, error) })
    worker.on('exit', (code) => { this.#stopped(slot, new Error(`a read worker exited with code ${code}`)) })
    slot.worker = worker
    slot.ready = false
    slot.job = null
  }

  #newWorker (): Worker {
    const setup: ReadWorkerSetup = { path: this.options.path, busyTimeoutMs: this.options.busyTimeoutMs, control: this.options.control }
    return new Worker(readWorkerEntry, { workerData: setup })
  }

  #heard (slot: Slot, message: ReadAnswer | WorkerReady): void {
    if (isReady(message)) {
      slot.ready = true
    } else {
      const job = slot.job
      if (job === null || job.request.id !== message.id) return
      slot.job = null
      if ('error' in message) this.#settle(job, revive(message.error))
      else this.#settle(job, null, message.value)
    }
    this.#dispatch()
  }

  /**
   * The worker crashed: its read fails and a new worker takes its place. One that could not
   * even start (the file cannot be opened) is not replaced at once, which would loop: the
   * reads waiting fail with its reason, and the next read tries again.
   */
  #stopped (slot: Slot, error: Error): void {
    if (this.#closed) return
    this.options.onCrash(error)
    const job = slot.job
    if (job !== null) this.#settle(job, new Error('the read worker running this read stopped', { cause: error }))
    if (slot.ready) {
      this.#replace(slot)
    } else {
      void this.#retire(slot.worker)
      this.#slots.splice(this.#slots.indexOf(slot), 1)
      for (const waiting of this.#waiting.splice(0)) this.#settle(waiting, new Error('a read worker could not start', { cause: error }))
    }
    this.#dispatch()
  }

  #overran (slot: Slot, job: Job): void {
    if (slot.job !== job) return
    this.#settle(job, overBudget(this.options.budgetMs))
    this.#replace(slot)
    this.#dispatch()
  }

  /** A fresh worker in the slot, if one may start; the old one is ended without waiting for its statement. */
  #replace (slot: Slot): void {
    this.#retiring++
    void this.#retire(slot.worker).finally(() => {
      this.#retiring--
      this.#dispatch()
    })
    if (this.#mayStart()) this.#spawn(slot)
    else this.#slots.splice(this.#slots.indexOf(slot), 1)
  }

  async #retire (worker: Worker): Promise<void> {
    worker.removeAllListeners()
    worker.on('error', () => {})
    worker.unref()
    await worker.terminate()
  }

  #settle (job: Job, error: Error | null, value?: unknown): void {
    clearTimeout(job.timer)
    if (error === null) job.resolve(value)
    else job.reject(error)
  }
}
