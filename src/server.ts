import type { AddressInfo } from 'node:net'
import { hostname } from 'node:os'
import type { FastifyInstance } from 'fastify'
import { buildApp } from './app.js'
import { mediaLocationFor, printableDatabasePath, type Config, type MediaBucketLocation } from './config.js'
import { humanLogStream, logStream } from './lib/log-stream.js'

// In-flight requests get this long to finish after SIGTERM/SIGINT before the process gives up.
export const drainTimeoutMs = 10_000
// Closing the server resets every connection whose request has not been read yet (Node closes
// "idle" connections), though the client sent it before the signal. Until no request has
// arrived for this long (a second at most), such requests are read and answered with a clean
// 503 instead (plugins/draining.ts).
const drainQuietMs = 100
const drainGraceMaxMs = 1_000

/** What a worker of `dateline serve --workers N` (src/cluster.ts) does otherwise than a lone server. */
export interface WorkerRole {
  /** The cluster's id of the worker, on each of its log lines. */
  id: number
}

/**
 * Builds the app from the configuration, listens, and drains on SIGTERM/SIGINT. A worker
 * leaves the demo and the start-up messages to the primary, which seeded before forking
 * (so workers never race on it) and speaks once for all of them.
 */
export async function startServer (config: Config, worker?: WorkerRole): Promise<FastifyInstance> {
  const app = await buildApp({
    databaseUrl: config.databaseUrl,
    databaseReplicaUrl: config.databaseReplicaUrl,
    synchronous: config.synchronous,
    timezone: config.timezone,
    locale: config.locale,
    demo: worker === undefined ? config.demo : false,
    commentsAutoApprove: config.commentsAutoApprove,
    corsOrigins: config.corsOrigins,
    commentRateLimit: config.commentRateLimit,
    commentDepth: config.commentDepth,
    searchRateLimit: config.searchRateLimit,
    revisionsKept: config.revisionsKept,
    trashDays: config.trashDays,
    changesRetentionDays: config.changesRetentionDays,
    webhooks: { allowPrivateTargets: config.webhooksAllowPrivate, timeoutMs: config.webhookTimeout },
    bodyLimit: config.bodyLimit,
    importLimit: config.importLimit,
    ...mediaOptionsFor(config),
    mediaMaxBytes: config.mediaMaxBytes,
    mediaMaxPixels: config.mediaMaxPixels,
    mediaUploadRateLimit: config.mediaRateLimit,
    adminToken: config.adminToken,
    siteTitle: config.siteTitle,
    siteDescription: config.siteDescription,
    siteUrl: config.siteUrl,
    articlePath: config.articlePath,
    pagePath: config.pagePath,
    trustProxy: config.trustProxy,
    requestTimeoutMs: config.requestTimeout,
    maxConnections: config.maxConnections,
    redisUrl: config.redisUrl,
    readWorkers: config.readWorkers,
    readBudgetMs: config.readBudget,
    logger: {
      level: config.logLevel,
      // Human lines on a terminal; JSON for everything that collects logs.
      stream: process.stdout.isTTY === true ? humanLogStream() : logStream(),
      // pino's own fields, and which worker wrote the line: the workers share one stdout.
      ...(worker === undefined ? {} : { base: { pid: process.pid, hostname: hostname(), worker: worker.id } })
    }
  })
  await app.listen({ port: config.port, host: config.host })
  if (worker === undefined) {
    // The fields under `startup` are for log collectors; a person reads the message.
    for (const { msg, ...fields } of startupMessages(config, (app.server.address() as AddressInfo).port, app.demoSeeded)) app.log.info({ startup: fields }, msg)
  }
  drainOnSignals(app, config.drainDelay)
  return app
}

/** Where the app keeps images: the configured bucket, or the folder. */
function mediaOptionsFor (config: Config): { mediaBucket: MediaBucketLocation } | { mediaDir: string | null } {
  const location = mediaLocationFor(config)
  return 'bucket' in location ? { mediaBucket: location.bucket } : { mediaDir: location.folder }
}

/**
 * SIGTERM or SIGINT: `/readyz` answers 503 at once, while everything else is served for
 * `drainDelayMs` (DATELINE_DRAIN_DELAY: a load balancer's health checks take the instance out
 * meanwhile); then in-flight requests finish, later ones get a 503, and the process exits.
 * Once only: on a terminal's Ctrl-C a worker (src/cluster.ts) gets SIGINT from the terminal
 * and SIGTERM from its primary, and drains once. A second signal of the same kind ends the
 * process (the listener was `once`).
 */
function drainOnSignals (app: FastifyInstance, drainDelayMs: number): void {
  let signalled = false
  const shutdown = (signal: NodeJS.Signals) => {
    if (signalled) return
    signalled = true
    app.leavePool()
    if (drainDelayMs === 0) return drain(app, signal)
    app.log.info({ signal }, `/readyz answers 503 from now on; draining in ${drainDelayMs} ms`)
    setTimeout(() => { drain(app, signal) }, drainDelayMs)
  }
  process.once('SIGTERM', shutdown)
  process.once('SIGINT', shutdown)
}

/** In-flight requests finish (for `drainTimeoutMs` at most), later ones get a 503; then the process exits. */
function drain (app: FastifyInstance, signal: NodeJS.Signals): void {
  app.log.info({ signal }, 'draining in-flight requests, then closing')
  const timer = setTimeout(() => {
    app.log.error('requests still running after the drain timeout; exiting')
    process.exit(1)
  }, drainTimeoutMs)
  timer.unref()
  app.startDraining(drainQuietMs, drainGraceMaxMs).then(() => app.close()).then(() => process.exit(0), (error: unknown) => {
    app.log.error({ err: error }, 'error while closing')
    process.exit(1)
  })
}

/** A URL a person can open for the address the server listens on (any-address: this machine). */
export function serverUrl (host: string, port: number): string {
  const name = host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host
  return `http://${name}:${port}`
}

/** What the operator needs to know once the server listens: where it is, the demo, what next. */
export function startupMessages (config: Config, port: number, demoSeeded: boolean): Array<{ msg: string } & Record<string, unknown>> {
  const url = serverUrl(config.host, port)
  const database = printableDatabasePath(config.databaseUrl)
  const demo = demoSeeded
    ? { msg: `Added the demo blog to ${database} (DATELINE_DEMO=false starts with an empty database)`, demo: 'seeded' }
    : config.demo
      ? { msg: `Using ${database}; it has content, so the demo blog was not added`, demo: 'not needed' }
      : { msg: `Using ${database}; DATELINE_DEMO=false: no demo blog`, demo: 'off' }
  // With --workers, the primary says this once every worker listens.
  const processes = config.workers > 1 ? { text: ` with ${config.workers} worker processes`, field: { workers: config.workers } } : { text: '', field: {} }
  return [
    { msg: `Dateline is listening on ${url}${processes.text}: the API at ${url}/v1, interactive docs at ${url}/docs`, url, api: `${url}/v1`, docs: `${url}/docs`, openapi: `${url}/openapi.json`, ...processes.field },
    demo,
    config.adminToken === null
      ? { msg: 'Next: make a token to write with: dateline token create --role admin --name me (in a checkout: node dist/cli.js token create …), then send it as Authorization: Bearer <token>', next: 'dateline token create --role admin --name me' }
      : { msg: 'DATELINE_ADMIN_TOKEN is set: scripts can write with it as Authorization: Bearer <token>; dateline token create makes per-person tokens', next: 'dateline token create --role editor --name <who>' },
    ...(config.siteUrl === null
      ? [{ msg: 'DATELINE_SITE_URL is not set: feed and sitemap links point at this server\'s JSON; set it to your front end\'s address', siteUrl: null }]
      : [])
  ]
}
