import rateLimit, { type RateLimitOptions } from '@fastify/rate-limit'
import LocalStore from '@fastify/rate-limit/store/LocalStore.js'
import RedisStore, { type RateLimitStore } from '@fastify/rate-limit/store/RedisStore.js'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import type { Redis } from 'ioredis'

// Keys in a Redis that other applications may share.
export const redisKeyPrefix = 'dateline:'

/**
 * Counts in Redis while it answers, so that a limit holds across every instance; in this
 * process while it does not. The choice for an outage: neither fail open (no limits at all
 * while Redis is away) nor closed (every honest reader refused), but the limits each process
 * can count on its own — a flood spread over N instances gets at most N times the limit.
 */
class SharedWhileAvailable implements RateLimitStore {
  constructor (private readonly redis: Redis, private readonly shared: RateLimitStore, private readonly local: RateLimitStore) {}

  incr (...[key, callback, timeWindow, max]: Parameters<RateLimitStore['incr']>): void {
    if (this.redis.status !== 'ready') return this.local.incr(key, callback, timeWindow, max)
    this.shared.incr(key, (error, result) => {
      if (error === null) return callback(null, result)
      this.local.incr(key, callback, timeWindow, max)
    }, timeWindow, max)
  }

  child (routeOptions: Parameters<RateLimitStore['child']>[0]): RateLimitStore {
    return new SharedWhileAvailable(this.redis, this.shared.child(routeOptions), this.local.child(routeOptions))
  }
}

/** The store class @fastify/rate-limit instantiates (with its own settings), bound to `redis`. */
function storeOn (redis: Redis): new (settings: { continueExceeding: boolean, exponentialBackoff: boolean }) => RateLimitStore {
  return class {
    constructor (settings: { continueExceeding: boolean, exponentialBackoff: boolean }) {
      const shared = new RedisStore(settings.continueExceeding, settings.exponentialBackoff, redis, `${redisKeyPrefix}rate-limit:`)
      const local = new LocalStore(settings.continueExceeding, settings.exponentialBackoff)
      return new SharedWhileAvailable(redis, shared, local)
    }
  } as unknown as new (settings: { continueExceeding: boolean, exponentialBackoff: boolean }) => RateLimitStore
}

/**
 * Rate limits: in Redis when `REDIS_URL` is set (plugins/redis.ts), so every instance counts
 * together; in this process otherwise. Routes opt in through `config.rateLimit`; failed
 * authentication is limited in plugins/auth.ts.
 */
export default fp(async function rateLimitPlugin (app) {
  await app.register(rateLimit, {
    global: false,
    ...(app.redis === null ? {} : { store: storeOn(app.redis) as unknown as RateLimitOptions['store'] }),
    // Our error handler turns this into a problem+json 429; Retry-After is set by the plugin.
    errorResponseBuilder: (_request, context) => Object.assign(
      new Error(`Too many requests: try again in ${context.after}`),
      { statusCode: 429 }
    )
  })
}, { name: 'dateline-rate-limit', dependencies: ['dateline-redis'] })

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
