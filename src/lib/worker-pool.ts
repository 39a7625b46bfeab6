import { availableParallelism } from 'node:os'
import { extname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parentPort, Worker } from 'node:worker_threads'

// A pool of worker threads for CPU-bound work that needs no database (sanitising imported
// HTML; any other pure task). One task in, one answer out, matched by number; nothing is
// shared but the messages. Shareable: the pool knows nothing of what its workers do.

interface Task { id: number, input: unknown }
type Answer = { id: number, output: unknown } | { id: number, error: { name: string, message: string } }

interface Pending { resolve: (output: unknown) => void, reject: (error: Error) => void }

/**
 * A worker's entry module beside `caller` (its `import.meta.url`), named `name`: `.js` from
 * dist/, `.ts` when the tests run the sources through their TypeScript loader (workers inherit
 * the process's `--import`, so they load TypeScript as the main thread does).
 */
export function workerEntry (caller: string, name: string): URL {
  return new URL(`./${name}${extname(fileURLToPath(caller))}`, caller)
}

/** Threads worth starting on this machine for work beside the main thread: its cores, at most 4. */
export function defaultPoolSize (): number {
  return Math.max(1, Math.min(4, availableParallelism()))
}

/**
 * Each thread has a heap of its own, and V8 sizes a new one's young generation for speed
 * (tens of MB): with a writer and a pool that came to ~170 MB more peak RSS on a 20 MB import
 * (bench/import.mjs). A pool's tasks hold little at a time; a small young generation is enough.
 */
export const workerHeap = { maxYoungGenerationSizeMb: 8 }

/** An error a worker threw, rebuilt on this side with its name and message. */
export class WorkerTaskError extends Error {
  constructor (name: string, message: string) {
    super(message)
    this.name = name
  }
}

class PooledWorker {
  readonly pending = new Map<number, Pending>()
  readonly worker: Worker
  readonly #whenSettled: Array<() => void> = []

  constructor (entry: URL, onGone: (gone: PooledWorker) => void) {
    this.worker = new Worker(entry, { resourceLimits: workerHeap })
    // An idle pool must not keep the process alive; a busy one is kept alive by its callers.
    this.worker.unref()
    this.worker.on('message', (answer: Answer) => { this.#answered(answer) })
    this.worker.on('error', (error) => { this.#failAll(error) })
    this.worker.on('exit', (code) => {
      this.#failAll(new Error(`a pool worker stopped (exit code ${code}) with tasks in hand`))
      onGone(this)
    })
  }

  /** Resolves once the worker has no task in hand (answered or failed). */
  async settled (): Promise<void> {
    if (this.pending.size === 0) return
    await new Promise<void>((resolve) => { this.#whenSettled.push(resolve) })
  }

  #answered (answer: Answer): void {
    const pending = this.pending.get(answer.id)
    if (pending === undefined) return
    this.pending.delete(answer.id)
    if (this.pending.size === 0) {
      this.worker.unref()
      for (const resolve of this.#whenSettled.splice(0)) resolve()
    }
    if ('error' in answer) pending.reject(new WorkerTaskError(answer.error.name, answer.error.message))
    else pending.resolve(answer.output)
  }

  #failAll (error: Error): void {
    for (const pending of this.pending.values()) pending.reject(error)
    this.pending.clear()
    for (const resolve of this.#whenSettled.splice(0)) resolve()
  }

  post (task: Task, pending: Pending): void {
    if (this.pending.size === 0) this.worker.ref()
    this.pending.set(task.id, pending)
    this.worker.postMessage(task)
  }
}

export class WorkerPool<I, O> {
  readonly #workers: PooledWorker[] = []
  #tasks = 0
  #closed = false

  constructor (private readonly entry: URL, readonly size = defaultPoolSize()) {}

  /** Runs one task on the least busy worker (started on first use, restarted if one died). */
  async run (input: I): Promise<O> {
    if (this.#closed) throw new Error('the worker pool is closed')
    const worker = this.#leastBusy()
    return await new Promise<O>((resolve, reject) => {
      worker.post({ id: ++this.#tasks, input }, { resolve: resolve as (output: unknown) => void, reject })
    })
  }

  #leastBusy (): PooledWorker {
    if (this.#workers.length < this.size) {
      const started = new PooledWorker(this.entry, (gone) => { this.#forget(gone) })
      this.#workers.push(started)
      return started
    }
    return this.#workers.reduce((best, worker) => worker.pending.size < best.pending.size ? worker : best)
  }

  #forget (gone: PooledWorker): void {
    const at = this.#workers.indexOf(gone)
    if (at !== -1) this.#workers.splice(at, 1)
  }

  async close (): Promise<void> {
    this.#closed = true
    // Each worker finishes the tasks in its hands first: terminating a thread still loading
    // its modules has hung Node 20 (seen closing the pool of an import whose file turned out
    // malformed just after the pool started), which left the closing thread waiting forever.
    await Promise.all(this.#workers.map(async (pooled) => {
      await pooled.settled()
      await pooled.worker.terminate()
    }))
  }
}

/** The worker's side: answers each task with `handle`'s result, or the error it threw. */
export function serveTasks<I, O> (handle: (input: I) => O): void {
  if (parentPort === null) throw new Error('serveTasks runs in a worker thread')
  const port = parentPort
  port.on('message', (task: Task) => {
    try {
      port.postMessage({ id: task.id, output: handle(task.input as I) } satisfies Answer)
    } catch (error) {
      const { name, message } = error instanceof Error ? error : new Error(String(error))
      port.postMessage({ id: task.id, error: { name, message } } satisfies Answer)
    }
  })
}
