import { createHash, type Hash } from 'node:crypto'
import { pipeline, Transform, type Readable } from 'node:stream'
import type { FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { withRequestUnits, witnessCommits } from '../db/commit-witness.js'
import { committedStatus, idempotencyQueries, type StoredAnswer } from '../db/idempotency.js'
import type { Store } from '../db/store.js'
import { Conflict, IdempotencyKeyReused, invalid, PayloadTooLarge, SecretShownOnce } from '../errors.js'
import { problems, withRetryAfter } from '../schemas.js'

// `Idempotency-Key` on POST (draft-ietf-httpapi-idempotency-key-header): a script that
// retries a POST after a timeout gets the first answer again instead of a second article.
// Successful answers are kept for 24 hours, per client (token, or anonymous address).

const keptForMs = 24 * 60 * 60 * 1000
// A key is claimed in the database while its request runs, so instances behind a load balancer
// never run one key's request twice at once. The claiming instance renews the claim while the
// request runs; a claim left this long without renewal was its instance's last (it died), and
// a retry may take the key over if none of that request's work committed.
const claimLeaseMs = 30_000
const claimRenewalMs = 10_000
const replayedHeaders = ['content-type', 'location', 'etag', 'cache-control']

const IdempotencyHeaders = {
  type: 'object',
  properties: {
    'idempotency-key': {
      type: 'string',
      minLength: 1,
      maxLength: 255,
      pattern: '^[\\x21-\\x7e]+$',
      description: 'A unique value (a UUID) per intended write: a retry with the same key and body gets the first answer again (for 24 hours), marked `Idempotent-Replayed: true`'
    }
  }
}

declare module 'fastify' {
  interface FastifyRequest {
    /** `digest` is null while (or when) a streamed body has not been read to its end. */
    idempotency: { scope: string, key: string, digest: () => string | null } | null
    /** Ends the request's place in db/commit-witness.ts (a keyed request has one). */
    endUnits: (() => void) | null
  }
  interface FastifyContextConfig {
    /**
     * The answer carries a secret (a new token's), which must never be at rest: only that the
     * request succeeded and where its resource is are kept, and a replay says so (a 409
     * `secret-shown-once` naming the resource) instead of repeating the answer.
     */
    secretInAnswer?: boolean
  }
}

export interface IdempotencyOptions {
  /** How often expired keys are deleted (default hourly); also once at start-up. */
  purgeIntervalMs: number
}

function sha256 (text: string): string {
  return createHash('sha256').update(text).digest('hex')
}

/** Whose key it is: a token's id, or a digest of an anonymous client's address (never the address itself). */
function scopeOf (request: FastifyRequest): string {
  const principal = request.principal
  if (principal !== null) return principal.tokenId === null ? 'admin' : `token:${principal.tokenId}`
  return `anonymous:${sha256(request.ip)}`
}

/** What a retry must repeat exactly: the method, the URL and the body. */
function requestHash (request: FastifyRequest): Hash {
  return createHash('sha256').update(`${request.method} ${request.url}\n`)
}

function isStream (body: unknown): body is Readable {
  return body !== null && typeof body === 'object' && typeof (body as { pipe?: unknown }).pipe === 'function'
}

function digestOf (request: FastifyRequest): string {
  const body = request.body
  return requestHash(request).update(typeof body === 'string' ? body : JSON.stringify(body ?? null)).digest('hex')
}

/** Reads a streamed body (an import) to its end, for its digest. */
async function digestOfStream (request: FastifyRequest, body: Readable): Promise<string> {
  const hash = requestHash(request)
  const limit = request.routeOptions.bodyLimit
  let received = 0
  for await (const chunk of body as AsyncIterable<Buffer>) {
    received += chunk.length
    if (received > limit) throw new PayloadTooLarge(`The request body may be at most ${limit} bytes`)
    hash.update(chunk)
  }
  return hash.digest('hex')
}

/**
 * Hands the route a streamed body that hashes what passes through it, so a file of any size
 * is known by its content without being held: the digest exists once the route has read it all.
 */
function hashAsRead (request: FastifyRequest, body: Readable): () => string | null {
  const hash = requestHash(request)
  let digest: string | null = null
  const hashing = new Transform({
    transform (chunk: Buffer, _encoding, callback) {
      hash.update(chunk)
      callback(null, chunk)
    },
    flush (callback) {
      digest = hash.digest('hex')
      callback()
    }
  })
  // An error on the way (the client went away) reaches the route through `hashing`.
  pipeline(body, hashing, () => {})
  request.body = hashing
  return () => digest
}

function hooksOf<T> (hooks: T | T[] | undefined): T[] {
  return hooks === undefined ? [] : Array.isArray(hooks) ? hooks : [hooks]
}

/** Deletes the answers kept longer than 24 hours. */
async function purgeExpired (store: Store, now = Date.now()): Promise<void> {
  await idempotencyQueries(store).purgeExpired(new Date(now - keptForMs).toISOString())
}

/** A replay of an answer that held a secret: what was created, never the secret. */
function secretShownOnce (reply: FastifyReply, headers: Record<string, string>): Error {
  const location = headers.location
  if (location !== undefined) reply.header('location', location)
  reply.header('idempotent-replayed', 'true')
  const what = location === undefined ? 'The first request with this Idempotency-Key succeeded' : `The first request with this Idempotency-Key created ${location}`
  return new SecretShownOnce(`${what}; its secret was in that answer only and is kept nowhere. If that answer was lost, revoke it and create another`)
}

export default fp<IdempotencyOptions>(async function idempotencyPlugin (app, options) {
  // Versions before issue 15 kept a new token's whole answer, secret included.
  await idempotencyQueries(app.store).forgetStoredSecrets()
  await purgeExpired(app.store)
  const purging = setInterval(() => {
    // Skipped while another process writes: the next round, or the next keyed request, purges.
    app.store.transactionIfFree(async (tx) => { await purgeExpired(tx) }).catch((error: unknown) => {
      app.log.warn({ err: error }, 'could not purge expired idempotency keys')
    })
  }, options.purgeIntervalMs).unref()
  app.addHook('onClose', () => { clearInterval(purging) })

  // This process's claims whose requests are still running: renewed until they end.
  const claims = new Map<string, { scope: string, key: string }>()
  const renewing = setInterval(() => {
    if (claims.size === 0) return
    idempotencyQueries(app.store).renewClaims([...claims.values()], new Date().toISOString()).catch((error: unknown) => {
      app.log.warn({ err: error }, 'could not renew the claims on idempotency keys')
    })
  }, claimRenewalMs).unref()
  app.addHook('onClose', () => { clearInterval(renewing) })
  app.decorateRequest('idempotency', null)
  app.decorateRequest('endUnits', null)

  /** The kept row of a key still at work (or whose instance died at it): a 409 that says which. */
  function unfinished (stored: StoredAnswer, now: number, reply: FastifyReply): Error | null {
    if (Date.parse(stored.createdAt) > now - claimLeaseMs) {
      reply.header('retry-after', '1')
      return new Conflict('A request with this Idempotency-Key is still being processed; retry when it has finished')
    }
    if (stored.status === committedStatus) {
      return new Conflict('The first request with this Idempotency-Key succeeded, but the server that ran it stopped before its answer was kept; read the resource it changed or created')
    }
    return null
  }

  async function replayOrClaim (request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const key = request.headers['idempotency-key']
    if (key === undefined) return
    if (typeof key !== 'string') throw invalid('headers.idempotency-key', 'must be given once')
    const scope = scopeOf(request)
    const body = request.body
    const now = Date.now()
    const since = new Date(now - keptForMs).toISOString()
    const queries = idempotencyQueries(app.store)
    const stored = await queries.storedAnswer(scope, key)
    if (stored !== undefined && stored.createdAt > since) {
      if (stored.status <= committedStatus) {
        const refusal = unfinished(stored, now, reply)
        if (refusal !== null) throw refusal
      } else {
        const digest = isStream(body) ? await digestOfStream(request, body) : digestOf(request)
        if (stored.requestDigest !== digest) throw new IdempotencyKeyReused('This Idempotency-Key was used for a different request; use a new key for a new request')
        const headers = JSON.parse(stored.headers) as Record<string, string>
        if (request.routeOptions.config.secretInAnswer === true) throw secretShownOnce(reply, headers)
        return reply.code(stored.status).headers({ ...headers, 'idempotent-replayed': 'true' }).send(stored.body)
      }
    }
    const known = isStream(body) ? null : digestOf(request)
    const claim = { scope, key, requestDigest: known ?? '', claimedAt: new Date(now).toISOString() }
    const claimed = await queries.claim(claim, new Date(now - claimLeaseMs).toISOString(), since)
    if (!claimed) {
      reply.header('retry-after', '1')
      throw new Conflict('A request with this Idempotency-Key is still being processed; retry when it has finished')
    }
    claims.set(`${scope} ${key}`, { scope, key })
    witnessCommits(async (tx) => { await idempotencyQueries(tx).markCommitted(scope, key) })
    request.idempotency = { scope, key, digest: isStream(body) ? hashAsRead(request, body) : () => known }
  }

  async function keepAnswer (request: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<unknown> {
    const pending = request.idempotency
    if (pending === null) return payload
    const digest = pending.digest()
    // Only successes are kept: a failed request may be fixed and sent again with its key. A
    // body the route did not read to its end has no digest to match a retry against.
    if (!(reply.statusCode < 300 && typeof payload === 'string' && digest !== null)) {
      // Nothing to replay: the key is free again, unless some of the request's work committed.
      // Should the database be away (often why the request failed), the claim goes stale
      // instead and a retry takes it over then; the client gets the answer it was given.
      await idempotencyQueries(app.store).releaseClaim(pending.scope, pending.key).catch((error: unknown) => {
        request.log.warn({ err: error }, 'could not free the claim on an Idempotency-Key')
      })
      return payload
    }
    const now = new Date()
    const secret = request.routeOptions.config.secretInAnswer === true
    const headers = Object.fromEntries((secret ? ['location'] : replayedHeaders).flatMap((name) => {
      const value = reply.getHeader(name)
      return value === undefined ? [] : [[name, String(value)]]
    }))
    const body = secret ? '' : payload
    try {
      await app.store.transaction(async (tx) => {
        await purgeExpired(tx, now.getTime())
        await idempotencyQueries(tx).keepAnswer({ scope: pending.scope, key: pending.key, requestDigest: digest, status: reply.statusCode, headers: JSON.stringify(headers), body, createdAt: now.toISOString() })
      })
    } catch (error) {
      // The request's work has committed: its client gets its answer. The key stays marked as
      // committed, so a retry is told the first request succeeded rather than run again.
      request.log.warn({ err: error }, 'could not keep the answer to a request with an Idempotency-Key')
    }
    return payload
  }

  async function release (request: FastifyRequest): Promise<void> {
    request.endUnits?.()
    if (request.idempotency !== null) claims.delete(`${request.idempotency.scope} ${request.idempotency.key}`)
  }

  // Only POSTs take a key, so only their routes carry the hooks: reads pay nothing for them.
  // The replay check runs before the route's own preHandlers (a role check answers the same
  // either way: the key is scoped to the token).
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method]
    if (!methods.includes('POST') || route.schema === undefined) return
    route.schema.headers ??= IdempotencyHeaders
    const answers: Record<number, { headers?: object }> = { ...problems(409, 422), ...(route.schema.response as Record<number, object> | undefined) }
    answers[409] = withRetryAfter(answers[409]!, 'With a 409 for an `Idempotency-Key` whose first request is still running: seconds to wait before sending it again')
    route.schema.response = answers
    // The rest of a keyed request runs where its units of work find the key's commit witness.
    route.onRequest = [...hooksOf(route.onRequest), (request, _reply, done) => {
      if (request.headers['idempotency-key'] === undefined) return done()
      request.endUnits = withRequestUnits(done)
    }]
    route.preHandler = [replayOrClaim, ...hooksOf(route.preHandler)]
    route.onSend = [...hooksOf(route.onSend), keepAnswer]
    route.onResponse = [...hooksOf(route.onResponse), release]
    route.onRequestAbort = [...hooksOf(route.onRequestAbort), release]
  })
}, { name: 'dateline-idempotency', dependencies: ['dateline-db', 'dateline-auth'] })
