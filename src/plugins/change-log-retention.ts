import fp from 'fastify-plugin'
import { prune } from '../resources/changes/service.js'

export interface ChangeLogRetentionOptions {
  /** How often the old entries are pruned (default hourly; lowered by tests). */
  intervalMs: number
}

/** Keeps the change log to `DATELINE_CHANGES_RETENTION_DAYS`: pruned at start-up, then every `intervalMs`. */
export default fp<ChangeLogRetentionOptions>(async function changeLogRetentionPlugin (app, options) {
  const days = app.settings.changesRetentionDays
  await prune(app.store, days)
  const pruning = setInterval(() => {
    prune(app.store, days).catch((error: unknown) => {
      app.log.warn({ err: error }, 'could not prune the change log')
    })
  }, options.intervalMs).unref()
  app.addHook('onClose', () => { clearInterval(pruning) })
}, { name: 'dateline-change-log-retention', dependencies: ['dateline-db', 'dateline-settings'] })
