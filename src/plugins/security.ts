import cors from '@fastify/cors'
import type { FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import helmet from 'helmet'

export interface SecurityOptions {
  /** Origins whose scripts may write; `*` for any. Reads are open to every origin. */
  corsOrigins: string[]
}

const headersSet = (): void => {}

const readMethods = new Set(['GET', 'HEAD'])

/** The method a request is about: for a CORS preflight, the one it asks permission for. */
function intendedMethod (request: FastifyRequest): string {
  const asked = request.headers['access-control-request-method']
  return request.method === 'OPTIONS' && typeof asked === 'string' ? asked.toUpperCase() : request.method
}

/**
 * Security headers for a JSON API (the docs page sets its own CSP), and CORS: any origin
 * may read, only the configured origins may write.
 */
export default fp<SecurityOptions>(async function securityPlugin (app, options) {
  // helmet itself rather than @fastify/helmet, which builds helmet's middleware again on every
  // request (parsing the policy each time): built once here, it only sets the headers.
  const policies = {
    // JSON is never rendered as a page: forbid everything a document could load or embed.
    contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
    // Front ends on other origins read the API.
    crossOriginResourcePolicy: { policy: 'cross-origin' as const }
  }
  // Pages (the docs) get every header helmet has for documents; JSON answers the ones that
  // mean something for them (OWASP's REST list): the rest only govern how a browser treats a
  // page, and each costs every answer its bytes.
  const forPages = helmet(policies)
  const forJson = helmet({
    ...policies,
    crossOriginOpenerPolicy: false,
    originAgentCluster: false,
    xDnsPrefetchControl: false,
    xDownloadOptions: false,
    xPermittedCrossDomainPolicies: false,
    xXssProtection: false
  })
  app.addHook('onRequest', (request, reply, done) => {
    // Synchronous: helmet 8 sets the headers, calls its callback and throws rather than pass errors to it.
    const setSecurityHeaders = request.url.startsWith('/docs') ? forPages : forJson
    setSecurityHeaders(request.raw, reply.raw, headersSet)
    done()
  })

  const anyWriter = options.corsOrigins.includes('*')
  const writers = new Set(options.corsOrigins)
  // Three answers, built once: the delegator runs on every request.
  const common = {
    methods: 'GET, HEAD, POST, PATCH, DELETE',
    allowedHeaders: 'Authorization, Content-Type, If-Match, If-None-Match, Idempotency-Key',
    // A page can only read the headers listed here; a script retrying a POST needs to tell a replay.
    exposedHeaders: 'ETag, Link, Location, Retry-After, Idempotent-Replayed',
    maxAge: 600
  }
  const forReaders = { ...common, origin: '*' }
  // `true` echoes the request's own origin.
  const forWriters = { ...common, origin: true }
  const refused = { ...common, origin: false }
  await app.register(cors, {
    delegator: (request, callback) => {
      const origin = request.headers.origin
      if (readMethods.has(intendedMethod(request))) return callback(null, forReaders)
      const mayWrite = origin !== undefined && (anyWriter || writers.has(origin))
      callback(null, mayWrite ? forWriters : refused)
    }
  })
}, { name: 'dateline-security' })
