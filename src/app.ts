import { AjvCompiler } from '@fastify/ajv-compiler'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify'
import { databasePath, defaultCommentDepth, defaultReadWorkers, mediaDirectoryBeside, type MediaBucketLocation, type SynchronousLevel } from './config.js'
import { refuseNonFinite } from './lib/finite-numbers.js'
import { refuseAliasedNumbers } from './lib/path-numbers.js'
import { buildSerializer } from './lib/serializer.js'
import answerBytes from './plugins/answer-bytes.js'
import changeLogRetention from './plugins/change-log-retention.js'
import auth from './plugins/auth.js'
import db from './plugins/db.js'
import draining from './plugins/draining.js'
import httpCache from './plugins/http-cache.js'
import idempotency from './plugins/idempotency.js'
import lingeringClose from './plugins/lingering-close.js'
import media from './plugins/media.js'
import mediaSweep from './plugins/media-sweep.js'
import openapi from './plugins/openapi.js'
import problem, { handleError } from './plugins/problem.js'
import rateLimit from './plugins/rate-limit.js'
import readWorkers from './plugins/read-workers.js'
import redis from './plugins/redis.js'
import requestTimeouts from './plugins/request-timeouts.js'
import security from './plugins/security.js'
import settings from './plugins/settings.js'
import { articleSchemas } from './resources/articles/schemas.js'
import { correctionSchemas } from './resources/corrections/schemas.js'
import { authorSchemas } from './resources/authors/schemas.js'
import { batchSchemas } from './resources/batch/schemas.js'
import { changeSchemas } from './resources/changes/schemas.js'
import { commentSchemas } from './resources/comments/schemas.js'
import { daySchemas } from './resources/dates/schemas.js'
import { feedSchemas } from './resources/feeds/schemas.js'
import { importSchemas } from './resources/import/schemas.js'
import { labelSchemas } from './resources/labels/schemas.js'
import { pageRevisionSchemas } from './resources/page-revisions/schemas.js'
import { pageTrashSchemas } from './resources/page-trash/schemas.js'
import { pageSchemas } from './resources/pages/schemas.js'
import { mediaSchemas } from './resources/media/schemas.js'
import { previewSchemas } from './resources/previews/schemas.js'
import { revisionSchemas } from './resources/revisions/schemas.js'
import { seoSchemas } from './resources/seo/schemas.js'
import { trashSchemas } from './resources/trash/schemas.js'
import { tokenSchemas } from './resources/tokens/schemas.js'
import { webhookSchemas } from './resources/webhooks/schemas.js'
import { redirectSchemas } from './resources/redirects/schemas.js'
import webhookDeliveries from './plugins/webhook-deliveries.js'
import type { DeliveryOptions } from './resources/webhooks/deliverer.js'
import { routes } from './routes.js'
import { NoQuery, sharedSchemas, withSharedAnswers } from './schemas.js'

export interface AppOptions {
  /** An SQLite file path, `:memory:` or a PostgreSQL URL. */
  databaseUrl: string
  /** `DATABASE_REPLICA_URL`: a streaming replica of that PostgreSQL server that may serve reads (default none). */
  databaseReplicaUrl?: string | null
  /** SQLite's `synchronous` level (default `normal`; `full` keeps acknowledged writes through a power cut). */
  synchronous?: SynchronousLevel
  /** How long a write waits for another connection's lock before answering 503 (default 5000 ms). */
  busyTimeoutMs?: number
  timezone: string
  locale: string
  /** Fill an empty database with the demo blog. */
  demo: boolean
  /** Readers' comments start `approved` instead of `pending` (default false). */
  commentsAutoApprove?: boolean
  adminToken: string | null
  /** Origins whose scripts may write (reads are open to every origin). Default: none. */
  corsOrigins?: string[]
  /** Comments one client may post per minute on one article (default 5). */
  commentRateLimit?: number
  /** Levels of nested replies, top-level comments being the first (default 10). */
  commentDepth?: number
  /** Searches and, apart, suggestions one client may ask for per minute (default 120). */
  searchRateLimit?: number
  /** Earlier versions kept per article, and per page (default 50). */
  revisionsKept?: number
  /** Days a deleted article or page stays in the trash; 0 deletes at once. */
  trashDays?: number
  /** Days the change log keeps its entries (default 90). */
  changesRetentionDays?: number
  /** How often `/v1/stream` reads the change log for new entries (default 500 ms; lowered by tests). */
  streamPollMs?: number
  /** How often an idle `/v1/stream` gets a comment line (default 15 s; lowered by tests). */
  streamHeartbeatMs?: number
  /** How webhooks are delivered: `allowPrivateTargets` (DATELINE_WEBHOOKS_ALLOW_PRIVATE), `timeoutMs` (DATELINE_WEBHOOK_TIMEOUT); tests lower the schedule. */
  webhooks?: Partial<DeliveryOptions>
  logger?: FastifyServerOptions['logger']
  /** Largest accepted JSON body, in bytes. */
  bodyLimit?: number
  /** Largest import file, in bytes (default 512 MiB). */
  importLimit?: number
  /** The blog's name in feeds (default "Dateline"). */
  siteTitle?: string
  /** A line about the blog in feeds (default none). */
  siteDescription?: string
  /** How long a request body may take to arrive, in ms; uploads (import) must progress instead (default 30 s). */
  requestTimeoutMs?: number
  /** Open connections at most; more are refused (default 1024). */
  maxConnections?: number
  /** `REDIS_URL`: rate limits and the bad-credential throttle counted there, across instances (default none: in this process). */
  redisUrl?: string | null
  /** The front end's public address; feed and sitemap links start with it (default none: they link to the API's JSON). */
  siteUrl?: string | null
  /** Where the front end shows an article, with `{slug}` or `{id}` (default `/articles/{slug}`). */
  articlePath?: string
  pagePath?: string
  /** URLs per sitemap file before `/sitemap.xml` becomes an index (default 50,000, the protocol's cap). */
  sitemapPageSize?: number
  /**
   * Addresses or CIDR ranges of reverse proxies (Fastify's `trustProxy`): from them,
   * `request.ip` is the client X-Forwarded-For names, for every per-client limit. Default: none.
   */
  trustProxy?: string[]
  /** How often expired Idempotency-Key answers are deleted (default hourly; lowered by tests). */
  idempotencyPurgeIntervalMs?: number
  /** Threads running heavy reads (search, suggestions, related, feeds, sitemap) on an SQLite file; 0 runs them in the server's thread (default: one per core but one, at least one). */
  readWorkers?: number
  /** Milliseconds a heavy read may take before it is answered 503 (default 10 s). */
  readBudgetMs?: number
  /**
   * Test hook: an Int32Array over a SharedArrayBuffer (`readWorkerControl()` in
   * src/read-workers/messages.ts) through which a test holds or crashes the read workers.
   */
  readWorkerControl?: Int32Array
  /** The window the per-client search and comment limits count in (default a minute; lowered by tests to see a limit clear). */
  rateLimitWindowMs?: number
  /** Matches a search ranks at most, the newest (default `rankedMatchLimit` in src/search/query.ts; lowered by tests). */
  rankedMatchLimit?: number
  /** `DATELINE_MEDIA_DIR`: where uploaded images are kept (default: beside an SQLite file, `data/dateline-media` for `data/dateline.db`; null or otherwise a temporary folder removed on close). */
  mediaDir?: string | null
  /** `DATELINE_MEDIA_S3_*`: an S3-compatible bucket to keep images in instead of the folder (default none). */
  mediaBucket?: MediaBucketLocation | null
  /** Largest image upload, in bytes (default 25 MiB). */
  mediaMaxBytes?: number
  /** Pixels an upload may decode to, every frame counted (default 100 million). */
  mediaMaxPixels?: number
  /** Image uploads one client may send per window (default 60 a minute). */
  mediaUploadRateLimit?: number
  /** How old an image's files no row names must be before the sweep removes it (default an hour; lowered by tests). */
  mediaSweepAfterMs?: number
  /** Matches looked at on each side of an article for its related ones (default `similarCandidates` in src/search/query.ts; lowered by tests). */
  similarCandidates?: number
}

type ValidatorFactory = NonNullable<NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>['buildValidator']>

/**
 * `factory`, built once per set of shared schemas and options and then reused by every app of
 * the process built alike. Compiling the route schemas is most of an app's start-up, and a
 * compiled function keeps no state between calls; production builds one app, a test file dozens.
 */
function sharedAcrossApps<Externals, Options, Compile> (factory: (externalSchemas: Externals, options: Options) => Compile) {
  const built = new Map<string, Compile>()
  return (externalSchemas: Externals, options: Options): Compile => {
    const key = JSON.stringify([externalSchemas, options])
    let compile = built.get(key)
    if (compile === undefined) {
      compile = factory(externalSchemas, options)
      built.set(key, compile)
    }
    return compile
  }
}

/**
 * Bodies are validated strictly: an unknown field or a wrong type is a 400, never dropped
 * or coerced. Query strings, paths and headers arrive as text, so those are coerced.
 */
const buildValidator: ValidatorFactory = (externalSchemas, ajvOptions) => {
  const factory = AjvCompiler()
  const coercing = (coerceTypes: boolean | 'array') =>
    ({ ...ajvOptions, customOptions: { ...ajvOptions?.customOptions, coerceTypes } }) as Parameters<typeof factory>[1]
  const strict = factory(externalSchemas, coercing(false))
  const lenient = factory(externalSchemas, coercing('array'))
  const compiled = new Map<string, ReturnType<ReturnType<ValidatorFactory>>>()
  const compile: ReturnType<ValidatorFactory> = (route) => {
    if (route.httpPart === 'body') return strict(route)
    const validate = refuseNonFinite(lenient(route))
    return route.httpPart === 'params' ? refuseAliasedNumbers(validate) : validate
  }
  // ajv caches by schema object, and each app's routes bring new objects with the same content.
  return (route) => {
    const key = JSON.stringify([route.httpPart, route.schema])
    let validate = compiled.get(key)
    if (validate === undefined) {
      validate = compile(route)
      compiled.set(key, validate)
    }
    return validate
  }
}

const sharedValidators = sharedAcrossApps(buildValidator)
const sharedSerializers = sharedAcrossApps(buildSerializer)

// Never log secrets: bearer tokens, and readers' addresses.
const requestSerializers = {
  req: (request: { method: string, url: string, id: string }) => ({ id: request.id, method: request.method, url: request.url })
}

export async function buildApp (options: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger === undefined || options.logger === false
      ? false
      : { ...(typeof options.logger === 'object' ? options.logger : {}), serializers: requestSerializers, redact: ['req.headers.authorization'] },
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    trustProxy: options.trustProxy !== undefined && options.trustProxy.length > 0 ? options.trustProxy : false,
    // `/v1/articles/` is the list, as `/v1/articles` is.
    // As long as a request line can be (Node's header limit), so an over-long id is a 400 from
    // the schema rather than the router's 414.
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 16 * 1024 },
    // allowUnionTypes: a path `{id}` is `type: ['integer', 'string']` (schemas.ts, idOrSlugParam).
    ajv: { customOptions: { removeAdditional: false, allErrors: false, allowUnionTypes: true } },
    schemaController: { compilersFactory: { buildValidator: sharedValidators, buildSerializer: sharedSerializers } },
    // plugins/draining.ts answers requests that arrive while closing, as problem+json.
    return503OnClosing: false,
    forceCloseConnections: 'idle',
    // Errors raised before routing (a malformed URL) are problem+json like the rest.
    frameworkErrors: handleError,
    // Fastify's 10 s is short for the first start of a demo install, which draws and encodes
    // its images (src/demo/images.ts), or a migration of a large database.
    pluginTimeout: 120_000
  }).withTypeProvider<TypeBoxTypeProvider>()
  const requestTimeoutMs = options.requestTimeoutMs ?? 30_000
  // A client must send its request line and headers within this (Node's check runs at most every
  // 30 s, so this bounds a slow-headers client to under a minute); bodies: plugins/request-timeouts.ts.
  app.server.headersTimeout = Math.min(15_000, requestTimeoutMs)
  app.server.maxConnections = options.maxConnections ?? 1024

  // JSON only: other media types get a 415 instead of a text/plain parse.
  app.removeContentTypeParser(['text/plain'])

  await app.register(problem)
  await app.register(draining)
  await app.register(requestTimeouts, { requestTimeoutMs, bodyLimit: options.bodyLimit ?? 1024 * 1024 })
  await app.register(lingeringClose, { maxBytes: 16 * 1024 * 1024, maxMs: 10_000 })
  await app.register(security, { corsOrigins: options.corsOrigins ?? [] })
  await app.register(redis, { url: options.redisUrl ?? null })
  await app.register(rateLimit)
  await app.register(settings, {
    timezone: options.timezone,
    locale: options.locale,
    commentsAutoApprove: options.commentsAutoApprove ?? false,
    commentRateLimit: options.commentRateLimit ?? 5,
    commentDepth: options.commentDepth ?? defaultCommentDepth,
    searchRateLimit: options.searchRateLimit ?? 120,
    rateLimitWindowMs: options.rateLimitWindowMs ?? 60_000,
    revisionsKept: options.revisionsKept ?? 50,
    trashDays: options.trashDays ?? 30,
    changesRetentionDays: options.changesRetentionDays ?? 90,
    siteTitle: options.siteTitle ?? 'Dateline',
    siteDescription: options.siteDescription ?? '',
    siteUrl: options.siteUrl == null ? null : options.siteUrl.replace(/\/+$/, ''),
    articlePath: options.articlePath ?? '/articles/{slug}',
    pagePath: options.pagePath ?? '/{slug}',
    sitemapPageSize: options.sitemapPageSize ?? 50_000,
    rankedMatchLimit: options.rankedMatchLimit,
    similarCandidates: options.similarCandidates
  })
  await app.register(media, {
    bucket: options.mediaBucket ?? null,
    directory: options.mediaDir ?? mediaDirectoryBeside(options.databaseUrl),
    maxBytes: options.mediaMaxBytes ?? 25 * 1024 * 1024,
    maxPixels: options.mediaMaxPixels ?? 100_000_000,
    uploadsPerWindow: options.mediaUploadRateLimit ?? 60
  })
  await app.register(db, {
    path: databasePath(options.databaseUrl),
    replicaUrl: options.databaseReplicaUrl ?? null,
    synchronous: options.synchronous ?? 'normal',
    busyTimeoutMs: options.busyTimeoutMs ?? 5000,
    demo: options.demo,
    mediaStore: app.media.store,
    timezone: options.timezone,
    locale: options.locale
  })
  await app.register(readWorkers, {
    path: databasePath(options.databaseUrl),
    workers: options.readWorkers ?? defaultReadWorkers(),
    budgetMs: options.readBudgetMs ?? 10_000,
    busyTimeoutMs: options.busyTimeoutMs ?? 5000,
    control: options.readWorkerControl ?? null
  })
  await app.register(auth, { adminToken: options.adminToken })
  await app.register(changeLogRetention, { intervalMs: 3_600_000 })
  await app.register(mediaSweep, { intervalMs: 6 * 3_600_000, abandonedAfterMs: options.mediaSweepAfterMs ?? 3_600_000 })
  await app.register(webhookDeliveries, options.webhooks ?? {})
  await app.register(httpCache)
  await app.register(idempotency, { purgeIntervalMs: options.idempotencyPurgeIntervalMs ?? 3_600_000 })
  // After http-cache's onSend (which hashes the string for an ETag): the last step of an answer.
  await app.register(answerBytes)
  for (const schema of [...sharedSchemas, ...articleSchemas, ...authorSchemas, ...commentSchemas, ...correctionSchemas, ...daySchemas, ...labelSchemas, ...pageSchemas, ...changeSchemas, ...tokenSchemas, ...webhookSchemas, ...feedSchemas, ...importSchemas, ...revisionSchemas, ...previewSchemas, ...trashSchemas, ...batchSchemas, ...mediaSchemas, ...seoSchemas, ...redirectSchemas, ...pageRevisionSchemas, ...pageTrashSchemas]) app.addSchema(schema)
  await app.register(openapi)
  app.addHook('onRoute', (route) => {
    if (route.schema === undefined) return
    // A typo in a query parameter is a 400 even on routes that take none.
    if (route.url.startsWith('/v1') && route.schema.querystring === undefined) route.schema.querystring = NoQuery
    if (route.schema.response === undefined) return
    route.schema.response = withSharedAnswers(route.schema.response as Parameters<typeof withSharedAnswers>[0], {
      readsCredentials: route.config?.skipAuth !== true,
      rateLimited: typeof route.config?.rateLimit === 'object'
    })
  })
  await app.register(routes, {
    importLimit: options.importLimit ?? 512 * 1024 * 1024,
    stream: { pollMs: options.streamPollMs ?? 500, heartbeatMs: options.streamHeartbeatMs ?? 15_000, perClient: 10 },
    webhooks: { allowPrivateTargets: options.webhooks?.allowPrivateTargets ?? false }
  })
  return app
}
