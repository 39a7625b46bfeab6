import fp from 'fastify-plugin'
import { openDatabase, runMigrations, type Db } from '../db/client.js'
import { seedDemo } from '../demo/seed.js'
import { alignDaysToTimezone } from '../resources/articles/service.js'
import { ensureSearchIndex } from '../search/index.js'

declare module 'fastify' {
  interface FastifyInstance {
    db: Db
  }
}

export interface DbPluginOptions {
  /** An SQLite file path or `:memory:`. */
  path: string
  /** Fill an empty database with the demo blog. */
  demo: boolean
  timezone: string
  locale: string
}

/** One database connection per app: migrated on start, closed on close. */
export default fp<DbPluginOptions>(async function dbPlugin (app, options) {
  const db = openDatabase(options.path)
  app.addHook('onClose', () => { db.$client.close() })
  runMigrations(db)
  alignDaysToTimezone(db, options.timezone)
  ensureSearchIndex(db)
  if (options.demo) seedDemo(db, { timezone: options.timezone, locale: options.locale })
  app.decorate('db', db)
}, { name: 'dateline-db' })
