import { randomBytes } from 'node:crypto'
import type { FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { metaQueries } from '../db/meta.js'
import { listedTags, payloadHash } from '../lib/entity-tags.js'

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * How caches may keep the route's answers to anonymous readers (README, Caching):
     * `published` (the default) lets shared caches (a CDN) keep them a minute while browsers
     * revalidate every use; `revalidate` makes every cache revalidate, for what readers' own
     * writes change (comment lists); `none` is never stored (probes).
     */
    caching?: 'published' | 'revalidate' | 'none'
  }
  interface FastifyInstance {
    /**
     * Where write stamps compare (db/meta.ts): on PostgreSQL the database's, so a list's ETag
     * from one instance 304s on another; on SQLite this process's. Secret, so a tag is opaque:
     * the stamp's counters would tell an anonymous reader how much is written behind the scenes.
     */
    stampScope: string
  }
  interface FastifyReply {
    /**
     * The version of the single resource being answered, e.g. `article-12-v3`. It
     * prefixes the ETag so `If-Match` can compare versions whatever the representation
     * (`fields`, `include`); the hash after it tells representations apart for `If-None-Match`.
     */
    resourceVersion: string | null
  }
}

// Browsers revalidate every use (a 304 costs a query, not the page), so a reader sees their
// own writes at once; a shared cache may keep published content a minute (s-maxage). No
// stale-while-revalidate: browsers honour it too, and would show the stale copy first.
// Anything answered to a token is private.
const anonymousCacheControl = {
  published: 'public, max-age=0, s-maxage=60',
  revalidate: 'public, no-cache',
  none: 'no-store'
}
const privateCacheControl = 'private, no-cache'
// A preview shows what is not public yet: no cache keeps it, the browser's included (a shared
// computer), and whatever a preview token reads elsewhere is answered alike.
const previewCacheControl = 'private, no-store'
// Errors and the answers to writes: nothing for a cache to reuse (a CDN keeps some errors
// for minutes unless told, and an article published meanwhile would stay a 404).
const notStored = 'no-store'
const writeMethods = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

/** Whether an `If-None-Match` header matches the tag (weak comparison, RFC 9110 §13.1.2). */
function noneMatchHits (header: string, etag: string): boolean {
  const opaque = etag.replace(/^W\//, '')
  return listedTags(header).some((tag) => tag === '*' || tag.replace(/^W\//, '') === opaque)
}

/**
 * The ETag of an answer that follows from the database and the request alone (its URL and
 * who asks): `stamp` moves with every write, so the tag does too. Known before the answer is
 * built, so a client's current copy costs one query instead of the whole page.
 */
export function databaseTag (stamp: string, request: FastifyRequest): string {
  const principal = request.principal
  const shape = [request.server.stampScope, stamp, request.url, principal?.role ?? null, principal?.tokenId ?? null, principal?.authorId ?? null]
  return `"${payloadHash(JSON.stringify(shape))}"`
}

/**
 * For a route that knows its answer's ETag before building it: sets the tag, and says whether
 * the client's copy is current, in which case the route answers `reply.code(304).send(null)`.
 */
export function knownTagIsCurrent (request: FastifyRequest, reply: FastifyReply, etag: string): boolean {
  reply.header('etag', etag)
  return clientHasCurrent(request, etag)
}

/** Whether the client's copy, named by `If-None-Match`, is the one `etag` names. */
function clientHasCurrent (request: FastifyRequest, etag: string): boolean {
  const ifNoneMatch = request.headers['if-none-match']
  return ifNoneMatch !== undefined && noneMatchHits(ifNoneMatch, etag)
}

/** Adds a request header to `Vary`, keeping what other plugins (CORS) put there. */
function addVary (reply: FastifyReply, header: string): void {
  const current = reply.getHeader('vary')
  if (typeof current !== 'string' || current.trim() === '') {
    reply.header('vary', header)
    return
  }
  const wanted = header.toLowerCase()
  if (current.split(',').some((name) => name.trim().toLowerCase() === wanted)) return
  reply.header('vary', `${current}, ${header}`)
}

function cacheable (reply: FastifyReply): boolean {
  const status = reply.statusCode
  return status >= 200 && status < 300 && status !== 204
}

/** An error, or the answer to a write: no cache keeps it. A route may have said more (`no-store` with a secret). */
function notForCaches (reply: FastifyReply, isError: boolean): void {
  // A tag set before the route failed names a representation this answer is not.
  if (isError) reply.removeHeader('etag')
  if (!reply.hasHeader('cache-control')) reply.header('cache-control', notStored)
}

/** Sets ETag and Cache-Control, and turns a GET whose `If-None-Match` matches into a 304. */
function withCacheHeaders (request: FastifyRequest, reply: FastifyReply, payload: unknown): unknown {
  if (reply.statusCode === 304) {
    // A route that knew its ETag early answered 304 without building the body.
    return notModified(request, reply)
  }
  const isError = reply.statusCode >= 400
  if (isError || writeMethods.has(request.method)) notForCaches(reply, isError)
  if (!cacheable(reply) || !(typeof payload === 'string' || Buffer.isBuffer(payload))) return payload
  // An answer replayed for an Idempotency-Key brings the ETag it was first sent with, and
  // a route may have set one from the resource's version.
  const known = reply.getHeader('etag')
  const version = reply.resourceVersion
  const etag = typeof known === 'string' ? known : `"${version === null ? '' : `${version}.`}${payloadHash(payload)}"`
  reply.header('etag', etag)
  if (request.method !== 'GET' && request.method !== 'HEAD') return payload
  if (clientHasCurrent(request, etag)) {
    reply.code(304)
    return notModified(request, reply)
  }
  setCaching(request, reply)
  return payload
}

/** Who may keep the answer, and that it depends on the token. */
function setCaching (request: FastifyRequest, reply: FastifyReply): void {
  addVary(reply, 'Authorization')
  const policy = request.routeOptions.config.caching ?? 'published'
  if (request.preview !== null) {
    reply.header('cache-control', previewCacheControl)
    return
  }
  reply.header('cache-control', request.principal === null || policy === 'none' ? anonymousCacheControl[policy] : privateCacheControl)
}

function notModified (request: FastifyRequest, reply: FastifyReply): string {
  setCaching(request, reply)
  reply.removeHeader('content-type')
  reply.removeHeader('content-length')
  return ''
}

/** ETags on every JSON answer, 304 for a matching If-None-Match, and Cache-Control. */
export default fp(async function httpCachePlugin (app) {
  app.decorateReply('resourceVersion', null)
  app.decorate('stampScope', await metaQueries(app.store).stampScope(randomBytes(16).toString('base64url')))

  // Every answer passes here: a callback hook, so no promise per request.
  app.addHook('onSend', (request, reply, payload, done) => {
    done(null, withCacheHeaders(request, reply, payload))
  })
}, { name: 'dateline-http-cache', dependencies: ['dateline-auth', 'dateline-db'] })
