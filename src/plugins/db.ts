import type { FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import type { SynchronousLevel } from '../config.js'
import { openStore } from '../db/open.js'
import { ReplicatedStore, type ReplicaEvents } from '../db/replicated-store.js'
import type { Store } from '../db/store.js'
import { seedDemo } from '../demo/seed.js'
import type { MediaStore } from '../resources/media/storage.js'

declare module 'fastify' {
  interface FastifyInstance {
    store: Store
    /** Whether this start filled an empty database with the demo blog (for the start-up message). */
    demoSeeded: boolean
  }
}

export interface DbPluginOptions {
  /** An SQLite file path, `:memory:` or a PostgreSQL URL. */
  path: string
  /** A streaming replica of the PostgreSQL server at `path` that may serve reads; null: none. */
  replicaUrl: string | null
  /** SQLite's `synchronous` level: `normal` survives a process crash, `full` a power cut too. */
  synchronous: SynchronousLevel
  /** How long a write waits for another connection's lock before the request gets a 503. */
  busyTimeoutMs: number
  /** Fill an empty database with the demo blog. */
  demo: boolean
  /** Where the demo's images go (plugins/media.ts); null: the demo has none. */
  mediaStore: MediaStore | null
  timezone: string
  locale: string
}

/**
 * Only requests that read content may read a replica: not those that may write, and not the
 * probes (`caching: 'none'`), which answer for this process and the primary.
 */
function readsContent (request: FastifyRequest): boolean {
  return (request.method === 'GET' || request.method === 'HEAD') && !request.is404 && request.routeOptions.config.caching !== 'none'
}

/** One database per app: opened and migrated on start, closed on close. */
export default fp<DbPluginOptions>(async function dbPlugin (app, options) {
  const events: ReplicaEvents = {
    down: (reason) => { app.log.warn({ err: reason }, 'the database replica does not serve reads; they go to the primary until it answers again') },
    up: () => { app.log.info('the database replica serves reads again') }
  }
  const store = await openStore(options.path, { ...options, ...(options.replicaUrl === null ? {} : { replica: { url: options.replicaUrl, events } }) })
  let demoSeeded = false
  try {
    if (options.demo) demoSeeded = await seedDemo(store, { timezone: options.timezone, locale: options.locale }, options.mediaStore)
  } catch (error) {
    // The app never becomes ready, so onClose would not run.
    await store.close()
    throw error
  }
  app.addHook('onClose', async () => { await store.close() })
  if (store instanceof ReplicatedStore) {
    // Decided as the request arrives, so the primary's position it is compared with is later than
    // every write acknowledged before it; the rest of the request runs where its reads find it.
    app.addHook('onRequest', (request, _reply, done) => {
      if (readsContent(request)) store.readFromFreshest(done)
      else done()
    })
  }
  app.decorate('store', store)
  app.decorate('demoSeeded', demoSeeded)
}, { name: 'dateline-db' })
