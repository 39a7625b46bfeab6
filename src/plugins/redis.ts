import fp from 'fastify-plugin'
import { Redis } from 'ioredis'

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * The Redis that several instances count their limits in (`REDIS_URL`), or null: each
     * process counts its own. Check `redis.status === 'ready'` before relying on it: while it
     * is away, counting falls back to the process (plugins/rate-limit.ts, plugins/auth.ts).
     */
    redis: Redis | null
  }
}

export interface RedisPluginOptions {
  /** `redis://` or `rediss://`; null: no shared counters. */
  url: string | null
}

/** host:port, for log lines: never the password a URL may carry. */
function addressOf (url: string): string {
  const { hostname, port } = new URL(url)
  return `${hostname}:${port === '' ? '6379' : port}`
}

/**
 * A connection to Redis for what instances must count together. Redis being away never stops
 * the API: the server starts without it, a command fails at once instead of waiting in a queue
 * (a request must not hang on it), and ioredis keeps reconnecting in the background.
 */
export default fp<RedisPluginOptions>(async function redisPlugin (app, options) {
  if (options.url === null) {
    app.decorate('redis', null)
    return
  }
  const address = addressOf(options.url)
  const redis = new Redis(options.url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    // A Redis that accepts connections but stalls must not stall the requests counted in it.
    commandTimeout: 500,
    connectTimeout: 2000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000)
  })
  // ioredis reports every failed reconnection: one warning per outage is what an operator needs.
  let away = false
  redis.on('error', (error: NodeJS.ErrnoException) => {
    if (away) return
    away = true
    app.log.warn({ redis: address, code: error.code }, 'Redis does not answer: rate limits are counted in this process until it does')
  })
  redis.on('ready', () => {
    if (!away) return
    away = false
    app.log.info({ redis: address }, 'Redis answers again: rate limits are counted there')
  })
  await redis.connect().catch(() => {})
  app.decorate('redis', redis)
  app.addHook('onClose', async () => {
    redis.disconnect()
  })
}, { name: 'dateline-redis' })
