import fp from 'fastify-plugin'
import type { SynchronousLevel } from '../config.js'
import { openDatabase, runMigrations, type Db } from '../db/client.js'
import { seedDemo } from '../demo/seed.js'
import { alignDaysToTimezone } from '../resources/articles/service.js'
import { ensureSearchIndex } from '../search/index.js'
import { purgeExpired as purgeExpiredTrash } from '../resources/trash/service.js'

declare module 'fastify' {
  interface FastifyInstance {
    db: Db
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

/** One database connection per app: migrated on start, closed on close. */
export default fp<DbPluginOptions>(async function dbPlugin (app, options) {
  const db = openDatabase(options.path, { synchronous: options.synchronous, busyTimeoutMs: options.busyTimeoutMs })
  let demoSeeded = false
  try {
    runMigrations(db)
    alignDaysToTimezone(db, options.timezone)
    ensureSearchIndex(db)
    purgeExpiredTrash(db)
    if (options.demo) demoSeeded = seedDemo(db, { timezone: options.timezone, locale: options.locale })
  } catch (error) {
    // The app never becomes ready, so onClose would not run: close here, leaving no -wal behind.
    db.$client.close()
    throw error
  }
  app.addHook('onClose', () => { db.$client.close() })
  app.decorate('db', db)
  app.decorate('demoSeeded', demoSeeded)
}, { name: 'dateline-db' })
