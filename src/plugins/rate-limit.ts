import rateLimit from '@fastify/rate-limit'
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
