import type { FastifyInstance } from 'fastify'
import { buildApp } from './app.js'
import type { Config } from './config.js'
import { logStream } from './lib/log-stream.js'

// In-flight requests get this long to finish after SIGTERM/SIGINT before the process gives up.
const drainTimeoutMs = 10_000
// Closing the server resets every connection whose request has not been read yet (Node closes
// "idle" connections), though the client sent it before the signal. For this long first, such
// requests are read and answered with a clean 503 instead (plugins/draining.ts).
const drainGraceMs = 100

/** Builds the app from the configuration, listens, and drains on SIGTERM/SIGINT. */
export async function startServer (config: Config): Promise<FastifyInstance> {
  const app = await buildApp({
    databaseUrl: config.databaseUrl,
    synchronous: config.synchronous,
    timezone: config.timezone,
    locale: config.locale,
    demo: config.demo,
    commentsAutoApprove: config.commentsAutoApprove,
    corsOrigins: config.corsOrigins,
    commentRateLimit: config.commentRateLimit,
    commentDepth: config.commentDepth,
    searchRateLimit: config.searchRateLimit,
    revisionsKept: config.revisionsKept,
    trashDays: config.trashDays,
    bodyLimit: config.bodyLimit,
    importLimit: config.importLimit,
    adminToken: config.adminToken,
    siteTitle: config.siteTitle,
    siteDescription: config.siteDescription,
    siteUrl: config.siteUrl,
    articlePath: config.articlePath,
    trustProxy: config.trustProxy,
    requestTimeoutMs: config.requestTimeout,
    maxConnections: config.maxConnections,
    logger: { level: config.logLevel, stream: logStream() }
  })
  await app.listen({ port: config.port, host: config.host })

  const shutdown = (signal: NodeJS.Signals) => {
    app.log.info({ signal }, 'draining in-flight requests, then closing')
    const timer = setTimeout(() => {
      app.log.error('requests still running after the drain timeout; exiting')
      process.exit(1)
    }, drainTimeoutMs)
    timer.unref()
    app.startDraining()
    const grace = new Promise((resolve) => setTimeout(resolve, drainGraceMs))
    grace.then(() => app.close()).then(() => process.exit(0), (error: unknown) => {
      app.log.error({ err: error }, 'error while closing')
      process.exit(1)
    })
  }
  process.once('SIGTERM', shutdown)
  process.once('SIGINT', shutdown)
  return app
}
