import fp from 'fastify-plugin'
import { currentView } from '../resources/articles/view.js'
import { heavyReadOperations, heavyStreamOperations, type HeavyRead, type HeavyReadAnswer, type HeavyReadInput, type HeavyStream, type HeavyStreamInput } from '../read-workers/operations.js'
import { overBudget, ReadWorkerPool } from '../read-workers/pool.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** Heavy reads (search, suggestions, related articles, feeds, the sitemap), off the event loop where the database allows. */
    heavyReads: HeavyReads
  }
}

export interface HeavyReads {
  /** Runs a heavy read (src/read-workers/operations.ts) within the time budget; over it, a 503. */
  run: <K extends HeavyRead>(operation: K, input: HeavyReadInput<K>) => Promise<HeavyReadAnswer<K>>
  /** Runs a heavy read answered as a stream of text (an export), a chunk at a time, each within the budget. */
  stream: <K extends HeavyStream>(operation: K, input: HeavyStreamInput<K>) => AsyncGenerator<string>
  /** Threads running them: 0 when they run in the server's own thread. */
  readonly workers: number
}

export interface ReadWorkersOptions {
  /** The database's file path (`:memory:` and PostgreSQL URLs read in the server's thread). */
  path: string
  /** Read worker threads; 0 reads in the server's thread. */
  workers: number
  /** Milliseconds a heavy read may take before it is answered 503. */
  budgetMs: number
  busyTimeoutMs: number
  /** The tests' hook into the workers (src/read-workers/messages.ts); null in production. */
  control: Int32Array | null
}

/** `work`, or a 503 once the budget is spent; the work itself goes on (nothing can stop it from here). */
async function withinBudget<T> (work: Promise<T>, budgetMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const spent = new Promise<never>((_resolve, reject) => { timer = setTimeout(() => { reject(overBudget(budgetMs)) }, budgetMs) })
  try {
    return await Promise.race([work, spent])
  } finally {
    clearTimeout(timer)
  }
}

/**
 * Heavy reads on SQLite run in worker threads, each with a read-only connection to the file:
 * WAL lets them read beside the one writer, and better-sqlite3 being synchronous, a search
 * there no longer holds up every other request. Light reads (by id, lists) stay here: a
 * message round trip would cost them more than their query. `:memory:` has no file to share,
 * and PostgreSQL's driver is asynchronous already: there, heavy reads run in this thread, and
 * the budget still answers 503 for one that takes too long.
 */
export default fp<ReadWorkersOptions>(async function readWorkersPlugin (app, options) {
  const store = app.store
  const inThisThread = store.dialect !== 'sqlite' || options.path === ':memory:' || options.workers === 0
  if (inThisThread) {
    const run = async <K extends HeavyRead>(operation: K, input: HeavyReadInput<K>): Promise<HeavyReadAnswer<K>> => {
      const read = heavyReadOperations[operation] as (store: typeof app.store, input: HeavyReadInput<K>) => Promise<HeavyReadAnswer<K>>
      return await withinBudget(read(store, input), options.budgetMs)
    }
    // Already in slices: an export's pages are each a read of their own.
    const stream = <K extends HeavyStream>(operation: K, input: HeavyStreamInput<K>): AsyncGenerator<string> =>
      (heavyStreamOperations[operation] as (store: typeof app.store, input: HeavyStreamInput<K>) => AsyncGenerator<string>)(store, input)
    app.decorate('heavyReads', { run, stream, workers: 0 })
    return
  }
  const pool = new ReadWorkerPool({
    path: options.path,
    size: options.workers,
    budgetMs: options.budgetMs,
    busyTimeoutMs: options.busyTimeoutMs,
    control: options.control,
    onCrash: (error) => { app.log.error({ err: error }, 'a read worker stopped; another takes its place') }
  })
  app.addHook('onClose', async () => { await pool.close() })
  const run = async <K extends HeavyRead>(operation: K, input: HeavyReadInput<K>): Promise<HeavyReadAnswer<K>> => {
    // What came due is published here, on the one connection that writes, before the worker
    // reads; the worker's snapshot starts after this, so it sees that and every earlier write.
    await currentView(store)
    return await pool.run(operation, input)
  }
  const stream = <K extends HeavyStream>(operation: K, input: HeavyStreamInput<K>): AsyncGenerator<string> => pool.stream(operation, input)
  app.decorate('heavyReads', { run, stream, workers: options.workers })
}, { name: 'dateline-read-workers', dependencies: ['dateline-db'] })
