import fp from 'fastify-plugin'
import { Unavailable } from '../errors.js'

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * From now on, requests not yet started get a 503 (server.ts calls it on SIGTERM, before
     * closing). Resolves once none has arrived for `quietMs` (or after `maxMs`): closing the
     * server resets connections whose requests it has not read yet, so it waits for the
     * stragglers sent before the listening socket closes to be read and answered first.
     */
    startDraining: (quietMs: number, maxMs: number) => Promise<void>
    /**
     * From now on `/readyz` answers 503 while every other request is served as before: the
     * first step of a shutdown behind a load balancer, whose health checks then take the
     * instance out before the draining refuses anything (server.ts, DATELINE_DRAIN_DELAY).
     */
    leavePool: () => void
    /** Whether `leavePool` (or the draining) has begun. */
    readonly leavingPool: boolean
  }
}

/**
 * Once the app starts draining (or closing), requests still arriving on open connections get a
 * problem+json 503 (Fastify's built-in answer is not one) and the connection is closed;
 * requests already in flight finish normally.
 */
export default fp(async function drainingPlugin (app) {
  let closing = false
  let leaving = false
  let lastRefusedAt = 0
  app.decorate('startDraining', async (quietMs: number, maxMs: number) => {
    closing = true
    const started = Date.now()
    lastRefusedAt = started
    while (Date.now() - lastRefusedAt < quietMs && Date.now() - started < maxMs) {
      await new Promise((resolve) => setTimeout(resolve, quietMs))
      // After a stalled event loop the timer fires before the sockets that became readable
      // meanwhile are read; the next turn's check phase comes after they are.
      await new Promise((resolve) => setImmediate(resolve))
    }
  })
  app.decorate('leavePool', () => { leaving = true })
  app.decorate('leavingPool', { getter: () => leaving || closing })
  app.addHook('preClose', async () => { closing = true })
  // Every request passes here, so the hook takes a callback: no promise for the common case.
  app.addHook('onRequest', (_request, reply, done) => {
    if (!closing) return done()
    lastRefusedAt = Date.now()
    reply.header('connection', 'close')
    reply.header('retry-after', '5')
    done(new Unavailable('The server is shutting down; retry shortly'))
  })
}, { name: 'dateline-draining' })
