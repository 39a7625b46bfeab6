import type { FastifyRequest } from 'fastify'

/**
 * The address the request came to, as absolute links start with it: Fastify's protocol and
 * host follow X-Forwarded-* only from DATELINE_TRUST_PROXY's proxies. Normalised as a URL
 * would be (no :80 on http), so every document spells it alike; a Host no URL can hold is
 * used as it came.
 */
export function originOf (request: FastifyRequest): string {
  const origin = `${request.protocol}://${request.host}`
  try {
    return new URL(origin).origin
  } catch {
    return origin
  }
}
