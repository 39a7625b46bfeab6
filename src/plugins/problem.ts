import type { FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import FindMyWay, { type HTTPMethod } from 'find-my-way'
import { databaseUnreachable, markUnwritable, storageFailure } from '../db/storage.js'
import type { FieldError } from '../errors.js'
import { clientProblem, kinds, problemBody, statusKinds, type ProblemError, type ProblemKind } from '../lib/problem-documents.js'
import type { ProblemBody } from '../schemas.js'

function send (reply: FastifyReply, body: ProblemBody): FastifyReply {
  return reply.code(body.status).type('application/problem+json; charset=utf-8').send(body)
}

export function sendProblem (reply: FastifyReply, status: number, kind: ProblemKind, detail: string, errors?: FieldError[]): FastifyReply {
  return send(reply, problemBody(status, kind, detail, reply.request.url.split('?')[0] ?? '/', errors))
}

// How long a client is asked to wait after the database stayed busy past the busy timeout.
const busyRetryAfterSeconds = 2
// …and after a write failed for want of storage (a full disk): an operator has to act first.
const storageRetryAfterSeconds = 60

/**
 * SQLite answered SQLITE_BUSY / SQLITE_LOCKED (or an extended code of those): another
 * connection (a CLI import, a second process) held the write lock past the busy timeout; or
 * a PostgreSQL unit of work lost every retry to concurrent writers (DATELINE_DATABASE_BUSY,
 * db/postgres-store.ts). drizzle wraps the driver's error, so the cause chain is searched.
 */
export function isDatabaseBusy (error: unknown): boolean {
  for (let current = error, depth = 0; current !== null && typeof current === 'object' && depth < 5; current = (current as { cause?: unknown }).cause, depth++) {
    const code = (current as { code?: unknown }).code
    if (typeof code === 'string' && (/^SQLITE_(BUSY|LOCKED)(_|$)/.test(code) || code === 'DATELINE_DATABASE_BUSY')) return true
  }
  return false
}

export function handleError (this: unknown, error: ProblemError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const problem = clientProblem(error, reply.request.url.split('?')[0] ?? '/')
  if (problem !== null) {
    if (problem.status === 401) reply.header('www-authenticate', 'Bearer realm="dateline"')
    return send(reply, problem)
  }
  const status = error.statusCode ?? 500
  if (status === 503) {
    // A service the request needed failed (the image store, say): the client is told to retry, the operator why.
    if (error.cause !== undefined) request.log.warn({ err: error }, 'a service the request needs did not answer')
    if (error.retryAfterSeconds !== undefined) reply.header('retry-after', String(error.retryAfterSeconds))
    return sendProblem(reply, 503, (error.code !== undefined ? kinds[error.code] : undefined) ?? statusKinds[503]!, error.message)
  }
  if (isDatabaseBusy(error)) {
    request.log.warn({ err: error }, 'the database stayed busy past the busy timeout')
    reply.header('retry-after', String(busyRetryAfterSeconds))
    return sendProblem(reply, 503, statusKinds[503]!, `The database is busy with another write; retry in ${busyRetryAfterSeconds} seconds`)
  }
  if (databaseUnreachable(error)) {
    request.log.error({ err: error }, 'the database server cannot be reached')
    reply.header('retry-after', String(busyRetryAfterSeconds))
    return sendProblem(reply, 503, statusKinds[503]!, `The database cannot be reached; retry in ${busyRetryAfterSeconds} seconds`)
  }
  const storage = storageFailure(error)
  if (storage !== null) {
    request.log.error({ err: error }, 'the database cannot take writes')
    if (request.server.hasDecorator('store')) markUnwritable(request.server.store, storage)
    reply.header('retry-after', String(storageRetryAfterSeconds))
    return sendProblem(reply, 503, kinds.DATELINE_STORAGE_UNAVAILABLE!, `The database cannot store changes right now (${storage}); retry in ${storageRetryAfterSeconds} seconds`)
  }
  request.log.error({ err: error }, 'request failed')
  return sendProblem(reply, 500, statusKinds[500]!, 'Something went wrong on our side; it has been logged.')
}

/**
 * Every error becomes RFC 9457 problem+json. An unknown path is a 404; a known path
 * asked with a method it doesn't have is a 405 with an `Allow` header.
 */
export default fp(async function problemPlugin (app) {
  // A router holding every route, to tell "no such path" from "no such method here".
  const routes = FindMyWay({ ignoreTrailingSlash: true })
  app.addHook('onRoute', (route) => {
    // Catch-all routes (the CORS preflight's `OPTIONS *`) would make every path look known.
    if (route.url.endsWith('*')) return
    const methods = Array.isArray(route.method) ? route.method : [route.method]
    for (const method of methods) {
      if (!routes.hasRoute(method as HTTPMethod, route.url)) routes.on(method as HTTPMethod, route.url, () => {})
    }
  })

  app.setErrorHandler(handleError)
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '/'
    const allowed = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']
      .filter((method) => routes.find(method as HTTPMethod, path) !== null)
    if (allowed.length > 0) {
      reply.header('allow', allowed.join(', '))
      return sendProblem(reply, 405, statusKinds[405]!, `${request.method} is not allowed on ${path}; use ${allowed.join(', ')}`)
    }
    return sendProblem(reply, 404, statusKinds[404]!, `There is nothing at ${request.method} ${path}`)
  })
}, { name: 'dateline-problem' })
