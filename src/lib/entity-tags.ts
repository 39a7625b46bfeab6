import { hash } from 'node:crypto'
import { PreconditionFailed } from '../errors.js'

// What Dateline's ETags are made of and how `If-Match` compares them: services check
// preconditions with these inside their units of work; plugins/http-cache.ts sets the headers.

/** A short digest of an answer or of what shapes it, for the opaque part of a tag. */
export function payloadHash (payload: string | Buffer): string {
  // One call, no Hash object: this runs for every answer.
  return hash('sha1', payload, 'base64url').slice(0, 22)
}

/** The entity tags listed in an If-Match / If-None-Match header. */
export function listedTags (header: string): string[] {
  return header.split(',').map((tag) => tag.trim()).filter((tag) => tag !== '')
}

/**
 * Throws 412 unless `If-Match` (when given) names the current version of the resource.
 * Compares the version prefix of our strong ETags; weak tags never match (RFC 9110 §13.1.1).
 */
export function assertIfMatch (ifMatch: string | undefined, currentVersion: string): void {
  if (ifMatch === undefined) return
  const matches = listedTags(ifMatch).some((tag) => {
    if (tag === '*') return true
    if (tag.startsWith('W/')) return false
    return tag.replace(/^"|"$/g, '').split('.')[0] === currentVersion
  })
  if (!matches) throw new PreconditionFailed(`The resource has changed since that ETag (it is now ${currentVersion}); read it again and retry`)
}

/**
 * The ETag of a representation that is known before it is built: the resource's version,
 * then what else shapes the answer (query options, values other writes keep) — written out
 * when short (cheaper than hashing, on every read), hashed when long.
 */
export function versionTag (version: string, shape: unknown): string {
  const json = JSON.stringify(shape)
  return `"${version}.${json.length <= 48 ? Buffer.from(json).toString('base64url') : payloadHash(json)}"`
}
