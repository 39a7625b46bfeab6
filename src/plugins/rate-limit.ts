import rateLimit, { type RateLimitOptions } from '@fastify/rate-limit'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'

/**
 * Rate limits, in memory (one process; a shared store can replace it later). Routes opt
 * in through `config.rateLimit`; failed authentication is limited in plugins/auth.ts.
 */
export default fp(async function rateLimitPlugin (app) {
  await app.register(rateLimit, {
    global: false,
    // Our error handler turns this into a problem+json 429; Retry-After is set by the plugin.
    errorResponseBuilder: (_request, context) => Object.assign(
      new Error(`Too many requests: try again in ${context.after}`),
      { statusCode: 429 }
    )
  })
}, { name: 'dateline-rate-limit' })

/**
 * A route's limit on searches, per client (`request.ip`): a search costs more than any other
 * read (issue 15). `exempt` lets through the requests of the route that are not searches.
 */
export function searchRateLimit (app: FastifyInstance, exempt?: (request: FastifyRequest) => boolean): RateLimitOptions {
  return {
    max: app.settings.searchRateLimit,
    timeWindow: app.settings.rateLimitWindowMs,
    ...(exempt === undefined ? {} : { allowList: exempt })
  }
}
