import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { writable } from '../../db/storage.js'
import { Type } from '../../schemas.js'

const Health = Type.Object({ status: Type.Literal('ok') }, { additionalProperties: false, examples: [{ status: 'ok' }] })
const tags = ['health']

const healthPlugin: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/healthz', {
    config: { skipAuth: true, caching: 'none' },
    schema: {
      tags,
      operationId: 'getHealth',
      summary: 'The process is up',
      description: 'For liveness probes: answers without a token and without touching the database.',
      response: { 200: Health }
    }
  }, async () => ({ status: 'ok' as const }))

  app.get('/readyz', {
    config: { skipAuth: true, caching: 'none' },
    schema: {
      tags,
      operationId: 'getReadiness',
      summary: 'The database answers and takes writes',
      description: 'For readiness probes: answers without a token; 503 while the database does not answer, after a write failed for want of storage (a full disk, a read-only file) until a small probe write succeeds again, and once the server is shutting down (from SIGTERM on, while `DATELINE_DRAIN_DELAY` lets a load balancer take it out).',
      response: { 200: Health, 503: Type.Object({ status: Type.Literal('unavailable') }, { additionalProperties: false, examples: [{ status: 'unavailable' }] }) }
    }
  }, async (request, reply) => {
    // Shutting down: the load balancer is to stop sending requests here.
    if (app.leavingPool) return reply.code(503).send({ status: 'unavailable' as const })
    try {
      // A query the database itself answers: a closed or lost connection fails it.
      await app.store.writeStamp()
      const storage = await writable(app.store)
      if (!storage.ok) {
        request.log.warn({ code: storage.code }, 'the database still cannot take writes')
        return reply.code(503).send({ status: 'unavailable' as const })
      }
      return { status: 'ok' as const }
    } catch (error) {
      request.log.error({ err: error }, 'database is not reachable')
      return reply.code(503).send({ status: 'unavailable' as const })
    }
  })
}

export default healthPlugin
