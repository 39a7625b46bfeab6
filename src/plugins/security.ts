import cors from '@fastify/cors'
import helmet from '@fastify/helmet'
import type { FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'

export interface SecurityOptions {
  /** Origins whose scripts may write; `*` for any. Reads are open to every origin. */
  corsOrigins: string[]
}

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
  await app.register(helmet, {
    // JSON is never rendered as a page: forbid everything a document could load or embed.
    contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
    // Front ends on other origins read the API.
    crossOriginResourcePolicy: { policy: 'cross-origin' }
  })

  const anyWriter = options.corsOrigins.includes('*')
  const writers = new Set(options.corsOrigins)
  await app.register(cors, {
    delegator: (request, callback) => {
      const origin = request.headers.origin
      const reads = readMethods.has(intendedMethod(request))
      const mayWrite = origin !== undefined && (anyWriter || writers.has(origin))
      callback(null, {
        origin: reads ? '*' : mayWrite ? origin : false,
        methods: ['GET', 'HEAD', 'POST', 'PATCH', 'DELETE'],
        allowedHeaders: ['Authorization', 'Content-Type', 'If-Match', 'If-None-Match'],
        exposedHeaders: ['ETag', 'Link', 'Location', 'Retry-After'],
        maxAge: 600
      })
    }
  })
}, { name: 'dateline-security' })
