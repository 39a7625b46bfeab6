import fp from 'fastify-plugin'
import { Unavailable } from '../errors.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** From now on, requests not yet started get a 503 (server.ts calls it on SIGTERM, before closing). */
    startDraining: () => void
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
  app.decorate('startDraining', () => { closing = true })
  app.decorate('leavePool', () => { leaving = true })
  app.decorate('leavingPool', { getter: () => leaving || closing })
  app.addHook('preClose', async () => { closing = true })
  // Every request passes here, so the hook takes a callback: no promise for the common case.
  app.addHook('onRequest', (_request, reply, done) => {
    if (!closing) return done()
    reply.header('connection', 'close')
    reply.header('retry-after', '5')
    done(new Unavailable('The server is shutting down; retry shortly'))
  })
}, { name: 'dateline-draining' })
