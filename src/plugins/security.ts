import cors from '@fastify/cors'
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http'
import type { FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import FindMyWay, { type HTTPMethod } from 'find-my-way'
import helmet from 'helmet'
import { CrossOriginRefused } from '../errors.js'

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * A write that scripts from any origin may send without a token (readers' comments: they
     * come from the blog's pages wherever those are, and are rate-limited and moderated). With
     * a token it is like every other write: only from the origins DATELINE_CORS_ORIGINS lists.
     */
    openToAnyOrigin?: boolean
    /** @fastify/cors' per-route setting (its README, "Disable CORS for this route"); set here for routes that only read. */
    cors?: false
  }
}

export interface SecurityOptions {
  /** Origins whose scripts may write; `*` for any. Reads are open to every origin. */
  corsOrigins: string[]
}

/**
 * The headers a helmet middleware sets, asked once. With the policies below (no nonces, nothing
 * read from the request) they are the same for every request, and setting them on the reply
 * keeps every header of the answer in one object: headers set on the raw response one by one
 * (as helmet does) make Node write the whole header block through `setHeader`, name by name,
 * which cost a read by id 11 % of its CPU.
 */
function headersOf (middleware: ReturnType<typeof helmet>): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = {}
  const recorder = {
    setHeader: (name: string, value: string) => { headers[name.toLowerCase()] = value },
    removeHeader: (name: string) => { delete headers[name.toLowerCase()] }
  }
  middleware({} as IncomingMessage, recorder as unknown as ServerResponse, (error?: unknown) => { if (error !== undefined) throw error })
  return headers
}

const readMethods = new Set(['GET', 'HEAD'])

/** The method a request is about: for a CORS preflight, the one it asks permission for. */
function intendedMethod (request: FastifyRequest): string {
  const asked = request.headers['access-control-request-method']
  return request.method === 'OPTIONS' && typeof asked === 'string' ? asked.toUpperCase() : request.method
}

/** A CORS preflight (the Fetch standard's), as opposed to an OPTIONS request of its own. */
function isPreflight (request: FastifyRequest): boolean {
  return request.method === 'OPTIONS' && request.headers.origin !== undefined && request.headers['access-control-request-method'] !== undefined
}

/** Whether the request carries a token, or (a preflight) says that it will. */
function sendsToken (request: FastifyRequest): boolean {
  if (request.method !== 'OPTIONS') return request.headers.authorization !== undefined
  const asked = request.headers['access-control-request-headers'] ?? ''
  return asked.split(',').some((name) => name.trim().toLowerCase() === 'authorization')
}

/** Why a preflight is refused, naming the setting that would allow it and what it holds. */
function refusal (request: FastifyRequest, method: string, openToAnyOrigin: boolean, corsOrigins: string[]): Error {
  const target = `${method} ${request.url.split('?')[0]}`
  const origin = String(request.headers.origin)
  const setting = `DATELINE_CORS_ORIGINS (--cors-origins: origins, comma-separated, or *), which ${corsOrigins.length === 0 ? 'is not set' : 'does not list it'}`
  if (openToAnyOrigin) {
    return new CrossOriginRefused(`Scripts from ${origin} may send ${target} without a token, as readers do, but not with one: that takes an origin listed in ${setting}`)
  }
  return new CrossOriginRefused(`Scripts from ${origin} may not send ${target}: writes are open to the origins listed in ${setting}. Reads are open to every origin`)
}

/**
 * Security headers for a JSON API (the docs page sets its own CSP), and CORS: any origin
 * may read and post readers' comments, only the configured origins may write with a token.
 */
export default fp<SecurityOptions>(async function securityPlugin (app, options) {
  // helmet itself rather than @fastify/helmet, which builds helmet's middleware again on every
  // request (parsing the policy each time): here its headers are asked for once (headersOf).
  const policies = {
    // JSON is never rendered as a page: forbid everything a document could load or embed.
    contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
    // Front ends on other origins read the API.
    crossOriginResourcePolicy: { policy: 'cross-origin' as const }
  }
  // Pages (the docs) get every header helmet has for documents; JSON answers the ones that
  // mean something for them (OWASP's REST list): the rest only govern how a browser treats a
  // page, and each costs every answer its bytes. helmet's X-Frame-Options for pages is
  // SAMEORIGIN, as the docs page's own CSP says (frame-ancestors 'self').
  const forPages = headersOf(helmet(policies))
  const forJson = headersOf(helmet({
    ...policies,
    // What frame-ancestors 'none' says, for browsers that predate it.
    xFrameOptions: { action: 'deny' },
    crossOriginOpenerPolicy: false,
    originAgentCluster: false,
    xDnsPrefetchControl: false,
    xDownloadOptions: false,
    xPermittedCrossDomainPolicies: false,
    xXssProtection: false
  }))

  // A page can read only the CORS-safelisted headers (Cache-Control, Content-Type,
  // Last-Modified…) and these: every other header the API sends that a client acts on.
  const exposedHeaders = 'ETag, Link, Location, Retry-After, Idempotent-Replayed, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset, WWW-Authenticate, Allow, Content-Disposition'
  // Reads are open to every origin alike, so a route that only reads has fixed CORS headers:
  // they are set here with the security headers, and @fastify/cors, which works its answer out
  // anew on every request (7 % of a read by id), is left the preflights, the writes and the
  // answers no route gives (404s), where the answer depends on the origin and the method.
  const forReaders = { 'access-control-allow-origin': '*', 'access-control-expose-headers': exposedHeaders }
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method]
    if (methods.every((method) => readMethods.has(method))) route.config = { ...route.config, cors: false }
  })
  app.addHook('onRequest', (request, reply, done) => {
    reply.headers(request.url.startsWith('/docs') ? forPages : forJson)
    if (request.routeOptions.config.cors === false) reply.headers(forReaders)
    done()
  })

  // Writes scripts from any origin may send without a token, by path (a preflight is routed
  // to the catch-all OPTIONS route, so its own route's config is out of reach).
  const openWrites = FindMyWay({ ignoreTrailingSlash: true })
  app.addHook('onRoute', (route) => {
    if (route.config?.openToAnyOrigin !== true) return
    for (const method of Array.isArray(route.method) ? route.method : [route.method]) openWrites.on(method as HTTPMethod, route.url, () => {})
  })
  const isOpenWrite = (request: FastifyRequest, method: string): boolean =>
    openWrites.find(method as HTTPMethod, request.url.split('?')[0] ?? '/') !== null

  const anyWriter = options.corsOrigins.includes('*')
  const writers = new Set(options.corsOrigins)
  // The answers, built once: the delegator runs on every request.
  const common = {
    methods: 'GET, HEAD, POST, PATCH, DELETE',
    allowedHeaders: 'Authorization, Content-Type, If-Match, If-None-Match, Idempotency-Key',
    exposedHeaders,
    maxAge: 600
  }
  const forOtherReads = { ...common, origin: '*' }
  // `true` echoes the request's own origin.
  const forWriters = { ...common, origin: true }
  // No Authorization: a page on another origin posts as an anonymous reader.
  const forCommenters = { ...common, origin: '*', methods: 'GET, HEAD, POST', allowedHeaders: 'Content-Type, Idempotency-Key' }
  const refused = { ...common, origin: false }
  await app.register(cors, {
    delegator: (request, callback) => {
      const method = intendedMethod(request)
      if (readMethods.has(method)) return callback(null, forOtherReads)
      const origin = request.headers.origin
      if (origin !== undefined && (anyWriter || writers.has(origin))) return callback(null, forWriters)
      const open = isOpenWrite(request, method)
      if (open && !sendsToken(request)) return callback(null, forCommenters)
      // A refused preflight says why (the browser shows it in its network panel); a write sent
      // anyway is answered without CORS headers, so the page cannot read the answer.
      if (isPreflight(request)) return callback(refusal(request, method, open, options.corsOrigins))
      callback(null, refused)
    }
  })
}, { name: 'dateline-security' })
