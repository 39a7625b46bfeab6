import { invalid } from '../../errors.js'
import { canonicalPath, maxSitePathLength } from '../../lib/site-paths.js'
import { acceptedHttpUrl } from '../../lib/values.js'

// What a redirect is from and to, as editors write them and front ends ask: paths on the
// front end, in one spelling (lib/site-paths.ts), or, as a target only, another site's URL.

/** A path on the front end with the query and fragment that follow it ('' when none). */
export interface SiteAddress {
  path: string
  query: string
  fragment: string
}

/** Splits a path the front end was asked for, or a redirect's target: `/a/b?c#d`. */
function split (raw: string, field: string): SiteAddress {
  if (!raw.startsWith('/') || raw.startsWith('//')) throw invalid(field, 'must be a path on the front end, starting with a single /')
  const hash = raw.indexOf('#')
  const beforeFragment = hash === -1 ? raw : raw.slice(0, hash)
  const question = beforeFragment.indexOf('?')
  let path: string
  try {
    path = canonicalPath(question === -1 ? beforeFragment : beforeFragment.slice(0, question))
  } catch {
    throw invalid(field, 'has a malformed %-escape')
  }
  if (path.length > maxSitePathLength) throw invalid(field, `is longer than ${maxSitePathLength} characters once escaped`)
  return { path, query: question === -1 ? '' : escaped(beforeFragment.slice(question)), fragment: hash === -1 ? '' : escaped(raw.slice(hash)) }
}

/** A query or fragment with what a URL may not hold as it is (spaces, non-ASCII) escaped. */
function escaped (text: string): string {
  return text.replace(/[^\x21-\x7e]/gu, (character) => encodeURIComponent(character))
}

/** A path the front end was asked for: its query is carried to the target; a fragment never reaches a server, so it is ignored. */
export function requestedAddress (raw: string, field: string): SiteAddress {
  return { ...split(raw, field), fragment: '' }
}

/** What a redirect is from: a path alone. */
export function sourcePath (raw: string, field: string): string {
  const address = split(raw, field)
  if (address.query !== '' || address.fragment !== '') throw invalid(field, 'must be a path without a query or fragment: a redirect is from a path, whatever its query')
  return address.path
}

/** What a redirect is to: a path on the front end (its spelling made canonical) or an absolute http(s) URL. */
export function redirectTarget (raw: string, field: string): string {
  if (/^https?:\/\//i.test(raw)) {
    if (acceptedHttpUrl(raw) === null) throw invalid(field, 'is not a valid http(s) URL')
    const url = new URL(raw)
    if (url.username !== '' || url.password !== '') throw invalid(field, 'must not carry credentials: every reader sent there would see them')
    return raw
  }
  const address = split(raw, field)
  // Kept as the editor wrote it: a front end whose paths end in / would otherwise redirect again.
  const slashed = address.path !== '/' && raw.split(/[?#]/, 1)[0]!.endsWith('/')
  return addressText(slashed ? { ...address, path: `${address.path}/` } : address)
}

export function addressText (address: SiteAddress): string {
  return `${address.path}${address.query}${address.fragment}`
}

/** The path of a target on the front end, without its query and fragment. */
export function pathOf (target: string): string {
  return target.split(/[?#]/, 1)[0]!
}

/** Whether a target is a path on the front end, rather than another site's URL. */
export function isSitePath (target: string): boolean {
  return target.startsWith('/')
}

/** A target's address, carrying the query the front end was asked with (after the target's own). */
export function withQuery (target: string, query: string): string {
  if (query === '' || query === '?') return target
  const hash = target.indexOf('#')
  const [base, fragment] = hash === -1 ? [target, ''] : [target.slice(0, hash), target.slice(hash)]
  const joined = base.includes('?') ? `${base}&${query.slice(1)}` : `${base}${query}`
  return `${joined}${fragment}`
}
