import { Worker } from 'node:worker_threads'
import { Unavailable } from '../errors.js'
import { revive, type ReadAnswer, type ReadRequest } from './messages.js'
import type { HeavyRead, HeavyReadAnswer, HeavyReadInput } from './operations.js'
import type { ReadWorkerSetup } from './worker.js'

// The entry is compiled beside this file in dist/; the tests run the TypeScript sources
// through their loader, which worker threads inherit with the process's execArgv.
const workerEntry = new URL(import.meta.url.endsWith('.ts') ? './worker.ts' : './worker.js', import.meta.url)

// What a client that met the time budget is asked to wait before it tries again.
const retryAfterSeconds = 1

export interface ReadWorkerPoolOptions {
  /** The SQLite file the server writes (in WAL mode): each worker opens it read-only. */
  path: string
  /** Threads, each with its own connection. */
  size: number
  /** How long a read may take, from the request for it, before it is answered 503 instead. */
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
  timer: NodeJS.Timeout
  /** The worker running it; undefined while it waits for one. */
  slot?: Slot
}

interface Slot {
  worker: Worker
  job: Job | null
}

/** A 503 with `Retry-After` (plugins/problem.ts) for a read that took longer than the budget. */
export function overBudget (budgetMs: number): Error {
  return Object.assign(new Unavailable(`This read took longer than the server allows a read (${budgetMs} ms); retry in ${retryAfterSeconds} second, or ask for less`), { retryAfterSeconds })
}

/**
 * Worker threads that run heavy reads (operations.ts) off the server's event loop, one read
 * at a time each; reads beyond them wait in order. A read that takes longer than the budget is
 * answered 503 and its worker replaced: better-sqlite3 cannot interrupt a statement, and a
 * terminated thread ends only once its statement returns, so nobody waits for it. Threads are
 * started at the first read, so an app that never reads heavily (a CLI command, most tests)
 * never pays for them.
 */
export class ReadWorkerPool {
  readonly #slots: Slot[] = []
  readonly #waiting: Job[] = []
  #nextId = 1
  #closed = false

  constructor (private readonly options: ReadWorkerPoolOptions) {}

  async run<K extends HeavyRead> (operation: K, input: HeavyReadInput<K>): Promise<HeavyReadAnswer<K>> {
    if (this.#closed) throw new Unavailable('The server is shutting down')
    return await new Promise<HeavyReadAnswer<K>>((resolve, reject) => {
      const job: Job = {
        request: { id: this.#nextId++, operation, input },
        resolve: resolve as (value: unknown) => void,
        reject,
        timer: setTimeout(() => { this.#overran(job) }, this.options.budgetMs)
      }
      this.#waiting.push(job)
      this.#dispatch()
    })
  }

  /** Ends every worker; reads still waiting get a 503. */
  async close (): Promise<void> {
    this.#closed = true
    for (const job of this.#waiting.splice(0)) this.#settle(job, new Unavailable('The server is shutting down'))
    const slots = this.#slots.splice(0)
    await Promise.all(slots.map(async (slot) => {
      if (slot.job !== null) this.#settle(slot.job, new Unavailable('The server is shutting down'))
      await this.#retire(slot.worker)
    }))
  }

  #dispatch (): void {
    if (this.#closed) return
    while (this.#slots.length < this.options.size) this.#slots.push(this.#start())
    for (const slot of this.#slots) {
      if (slot.job !== null) continue
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
    job.slot = slot
  }

  #start (): Slot {
    const slot = { job: null } as unknown as Slot
    this.#spawn(slot)
    return slot
  }

  /** A new worker in `slot`, its answers and its end tied to the slot. */
  #spawn (slot: Slot): void {
    const setup: ReadWorkerSetup = { path: this.options.path, busyTimeoutMs: this.options.busyTimeoutMs, control: this.options.control }
    const worker = new Worker(workerEntry, { workerData: setup })
    worker.on('message', (message: ReadAnswer) => { this.#answered(slot, message) })
    worker.on('error', (error) => { this.#stopped(slot, error) })
    worker.on('exit', (code) => { this.#stopped(slot, new Error(`a read worker exited with code ${code}`)) })
    slot.worker = worker
  }

  #answered (slot: Slot, message: ReadAnswer): void {
    const job = slot.job
    if (job === null || job.request.id !== message.id) return
    slot.job = null
    if ('error' in message) this.#settle(job, revive(message.error))
    else this.#settle(job, null, message.value)
    this.#dispatch()
  }

  /** The worker crashed (or failed to start): its read fails and a new worker takes its place. */
  #stopped (slot: Slot, error: Error): void {
    if (this.#closed) return
    const job = slot.job
    this.#replace(slot)
    this.options.onCrash(error)
    if (job !== null) this.#settle(job, new Error('the read worker running this read stopped', { cause: error }))
    this.#dispatch()
  }

  #overran (job: Job): void {
    if (job.slot === undefined) {
      this.#waiting.splice(this.#waiting.indexOf(job), 1)
    } else {
      this.#replace(job.slot)
      this.#dispatch()
    }
    this.#settle(job, overBudget(this.options.budgetMs))
  }

  /** A fresh worker in the slot; the old one is ended without waiting for its statement. */
  #replace (slot: Slot): void {
    void this.#retire(slot.worker)
    slot.job = null
    this.#spawn(slot)
  }

  async #retire (worker: Worker): Promise<void> {
    worker.removeAllListeners()
    worker.on('error', () => {})
    worker.unref()
    await worker.terminate()
  }

  #settle (job: Job, error: Error | null, value?: unknown): void {
    clearTimeout(job.timer)
    job.slot = undefined
    if (error === null) job.resolve(value)
    else job.reject(error)
  }
}
