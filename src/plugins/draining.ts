import fp from 'fastify-plugin'
import { Unavailable } from '../errors.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** From now on, requests not yet started get a 503 (server.ts calls it on SIGTERM, before closing). */
    startDraining: () => void
  }
}

/**
 * Once the app starts draining (or closing), requests still arriving on open connections get a
 * problem+json 503 (Fastify's built-in answer is not one) and the connection is closed;
 * requests already in flight finish normally.
 */
export default fp(async function drainingPlugin (app) {
  let closing = false
  app.decorate('startDraining', () => { closing = true })
  app.addHook('preClose', async () => { closing = true })
  app.addHook('onRequest', async (_request, reply) => {
    if (!closing) return
    reply.header('connection', 'close')
    reply.header('retry-after', '5')
    throw new Unavailable('The server is shutting down; retry shortly')
  })
}, { name: 'dateline-draining' })
