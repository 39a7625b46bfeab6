import fp from 'fastify-plugin'
import type { SynchronousLevel } from '../config.js'
import { openStore } from '../db/open.js'
import type { Store } from '../db/store.js'
import { seedDemo } from '../demo/seed.js'

declare module 'fastify' {
  interface FastifyInstance {
    store: Store
    /** Whether this start filled an empty database with the demo blog (for the start-up message). */
    demoSeeded: boolean
  }
}

export interface DbPluginOptions {
  /** An SQLite file path or `:memory:`. */
  path: string
  /** SQLite's `synchronous` level: `normal` survives a process crash, `full` a power cut too. */
  synchronous: SynchronousLevel
  /** How long a write waits for another connection's lock before the request gets a 503. */
  busyTimeoutMs: number
  /** Fill an empty database with the demo blog. */
  demo: boolean
  timezone: string
  locale: string
}

/** One database per app: opened and migrated on start, closed on close. */
export default fp<DbPluginOptions>(async function dbPlugin (app, options) {
  const store = await openStore(options.path, options)
  let demoSeeded = false
  try {
    if (options.demo) demoSeeded = await seedDemo(store, { timezone: options.timezone, locale: options.locale })
  } catch (error) {
    // The app never becomes ready, so onClose would not run.
    await store.close()
    throw error
  }
  app.addHook('onClose', async () => { await store.close() })
  app.decorate('store', store)
  app.decorate('demoSeeded', demoSeeded)
}, { name: 'dateline-db' })
