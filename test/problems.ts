import type { LightMyRequestResponse } from 'fastify'
import type { Test } from 'tap'

/** Every problem's `type` is this followed by its kind (`validation`, `not-found`, …). */
export const problemBase = 'https://dateline.dev/problems/'

// RFC 9457 members the API documents; anything else would be a leak (a stack, a SQL message).
const documentedKeys = ['type', 'title', 'status', 'detail', 'instance', 'errors']

export interface ExpectedProblem {
  /** A field the problem's `errors` must name, as `body.title` or `querystring.limit`. */
  path?: string
  /** What the first entry naming `path` says. */
  message?: string
  /** Every field `errors` names, in order of first mention, and no other. */
  paths?: string[]
  /** The problem's `instance`; by default the path the request asked for, without its query. */
  instance?: string
  /** Extension members (RFC 9457 §3.2) the problem's schema documents, e.g. a failed batch's `results`. */
  extensions?: string[]
}

/**
 * Checks that `response` is an `application/problem+json` answer of `status` and kind `kind`, in the
 * documented shape, naming the field(s) in `expected` (a string is the `path` it must name).
 * Returns the parsed problem for further checks.
 */
export function assertProblem (t: Test, response: LightMyRequestResponse, status: number, kind: string, expected: string | ExpectedProblem = {}): Record<string, any> {
  const { path, message, paths, instance, extensions = [] } = typeof expected === 'string' ? { path: expected } as ExpectedProblem : expected
  t.equal(response.statusCode, status, `answers ${status}`, { body: response.body })
  t.match(String(response.headers['content-type']), /^application\/problem\+json(;|$)/, 'as application/problem+json')
  const body = response.json()
  t.same(Object.keys(body).filter((key) => !documentedKeys.includes(key) && !extensions.includes(key)), [], 'only the documented keys')
  t.equal(body.type, problemBase + kind)
  t.equal(body.status, status)
  t.ok(typeof body.title === 'string' && body.title.length > 0, 'has a title')
  t.ok(typeof body.detail === 'string' && body.detail.length > 0, 'has a detail')
  t.equal(body.instance, instance ?? requestedPath(response), 'instance is the requested path')
  t.ok(body.errors === undefined || Array.isArray(body.errors), 'errors, if any, is a list')
  const errors: Array<{ path: string, message: string }> = Array.isArray(body.errors) ? body.errors : []
  t.ok(errors.every((error) => Object.keys(error).sort().join() === 'message,path'), 'each error is a path and a message', { errors })
  if (path !== undefined) {
    const named = errors.filter((error) => error.path === path)
    t.ok(named.length > 0, `errors name ${path}`, { errors })
    if (message !== undefined) t.equal(named[0]?.message, message, `${path} ${message}`)
  }
  if (paths !== undefined) t.same([...new Set(errors.map((error) => error.path))], paths, `errors name ${paths.join(', ')}`)
  t.notMatch(response.body, /\bat [^ ]+ \(|node_modules|\.ts:\d+|\.js:\d+|"stack"/, 'no stack trace')
  return body
}

function requestedPath (response: LightMyRequestResponse): string {
  return (response.raw.req.url ?? '/').split('?')[0]!
}
