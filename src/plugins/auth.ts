import type { FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import type { TokenRole } from '../db/schema.js'
import { Forbidden, TooManyRequests, Unauthorized } from '../errors.js'
import { FailureWindow, SharedFailureWindow } from '../lib/failure-window.js'
import { assertRole, previewSecretPrefix, type PreviewGrant, type Principal } from '../lib/principal.js'
import { previewGrant } from '../resources/previews/service.js'
import { authenticate, TokenUses } from '../resources/tokens/service.js'
import { redisKeyPrefix } from './rate-limit.js'

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Probes (health checks) answer without looking at credentials. */
    skipAuth?: boolean
  }
  interface FastifyRequest {
    /** Who is asking: null for an anonymous reader. */
    principal: Principal | null
    /** The article a preview link's token may read (its principal is then null: an anonymous reader elsewhere). */
    preview: PreviewGrant | null
  }
  interface FastifyInstance {
    /** A preHandler that lets only tokens of `role` or above through. */
    requireRole: (role: TokenRole) => (request: FastifyRequest) => Promise<void>
  }
}

export interface AuthPluginOptions {
  /** `DATELINE_ADMIN_TOKEN`: accepted as an admin token when set. */
  adminToken: string | null
}

// A client that keeps presenting bad tokens is guessing: after this many 401s in the
// window its bad tokens get 429s until the window ends (its valid ones still pass).
const maxAuthFailures = 20
const authFailureWindowMs = 5 * 60_000
// All a preview token may do (OPTIONS, a CORS preflight, carries no token).
const readMethods = new Set(['GET', 'HEAD', 'OPTIONS'])

/**
 * Reads `Authorization: Bearer <token>` on every request. No header means an anonymous
 * reader; a header that is malformed, unknown, revoked or expired is a 401 even on reads,
 * so a client never mistakes a broken token for anonymous access. A preview link's token
 * (`dlp_…`) is no principal: it reads its one article (articles/routes.ts), is an anonymous
 * reader anywhere else, and never writes.
 */
export default fp<AuthPluginOptions>(async function authPlugin (app, options) {
  app.decorateRequest('principal', null)
  app.decorateRequest('preview', null)

  // Counted with every instance's when they share a Redis: a guesser spreading its tries over
  // the instances behind a load balancer gets no more of them.
  const failures = app.redis === null
    ? new FailureWindow(maxAuthFailures, authFailureWindowMs)
    : new SharedFailureWindow(app.redis, `${redisKeyPrefix}bad-credentials:`, maxAuthFailures, authFailureWindowMs)
  const uses = new TokenUses(app.store, (error) => { app.log.warn({ err: error }, 'could not record when tokens were last used') })
  app.addHook('onClose', async () => { await uses.close() })

  /** Sets what `secret` stands for on the request (a principal, or a preview); false when it stands for nothing. */
  async function recognise (request: FastifyRequest, secret: string): Promise<boolean> {
    if (secret.startsWith(previewSecretPrefix)) {
      const grant = await previewGrant(app.store, secret)
      if (grant === null) return false
      // Refused before anything runs: as an anonymous reader, a preview's bearer could post comments.
      if (!readMethods.has(request.method)) throw new Forbidden('A preview token only reads its article: it never writes')
      request.preview = grant
      return true
    }
    const principal = await authenticate(app.store, secret, options.adminToken, uses)
    if (principal === null) return false
    request.principal = principal
    return true
  }

  /** Sets the request's principal (or preview) from its bearer token, or throws the 401 (or 429) it gets. */
  async function identify (request: FastifyRequest, reply: FastifyReply, header: string): Promise<void> {
    const match = /^Bearer +([\x21-\x7e]+) *$/i.exec(header)
    if (match !== null && await recognise(request, match[1]!)) return
    // Checked after the token, not before: behind a proxy or NAT many people share an address,
    // and one guesser must not lock out the others' valid tokens. Refusing before the check
    // would need to know the token is bad, which only the check tells; it costs what any
    // authenticated request costs (a hash and one read by a unique index).
    const blockedFor = await failures.refuse(request.ip)
    if (blockedFor > 0) {
      reply.header('retry-after', String(blockedFor))
      throw new TooManyRequests(`Too many requests with bad credentials: try again in ${blockedFor} seconds`)
    }
    throw new Unauthorized(match === null ? 'The Authorization header must be "Bearer <token>"' : 'The token is not valid: unknown, revoked or expired')
  }

  // A callback hook: most requests are anonymous reads, and this way they pass without a promise.
  app.addHook('onRequest', (request, reply, done) => {
    const header = request.headers.authorization
    if (header === undefined || request.routeOptions.config.skipAuth === true) return done()
    identify(request, reply, header).then(() => { done() }, done)
  })

  app.decorate('requireRole', (role: TokenRole) => async (request: FastifyRequest) => {
    if (request.preview !== null) throw new Forbidden('A preview token reads its article only')
    assertRole(request.principal, role)
  })
}, { name: 'dateline-auth', dependencies: ['dateline-db', 'dateline-redis'] })
