import type { FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import type { TokenRole } from '../db/schema.js'
import { Forbidden, Unauthorized } from '../errors.js'
import { authenticate, type Principal } from '../resources/tokens/service.js'

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is asking: null for an anonymous reader. */
    principal: Principal | null
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

const rank: Record<TokenRole, number> = { author: 1, editor: 2, admin: 3 }

export function hasRole (principal: Principal | null, role: TokenRole): boolean {
  return principal !== null && rank[principal.role] >= rank[role]
}

/**
 * Reads `Authorization: Bearer <token>` on every request. No header means an anonymous
 * reader; a header that is malformed, unknown, revoked or expired is a 401 even on reads,
 * so a client never mistakes a broken token for anonymous access.
 */
export default fp<AuthPluginOptions>(async function authPlugin (app, options) {
  app.decorateRequest('principal', null)

  app.addHook('onRequest', async (request) => {
    const header = request.headers.authorization
    if (header === undefined) return
    const match = /^Bearer +([\x21-\x7e]+) *$/i.exec(header)
    if (match === null) throw new Unauthorized('The Authorization header must be "Bearer <token>"')
    const principal = authenticate(app.db, match[1]!, options.adminToken)
    if (principal === null) throw new Unauthorized('The token is not valid: unknown, revoked or expired')
    request.principal = principal
  })

  app.decorate('requireRole', (role: TokenRole) => async (request: FastifyRequest) => {
    if (request.principal === null) throw new Unauthorized('This needs a bearer token')
    if (!hasRole(request.principal, role)) throw new Forbidden(`This needs an ${role} token or above`)
  })
}, { name: 'dateline-auth', dependencies: ['dateline-db'] })
