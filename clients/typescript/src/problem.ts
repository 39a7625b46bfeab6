import type { components } from './schema.js'

export type Problem = components['schemas']['Problem']
export type FieldError = components['schemas']['FieldError']

/**
 * An RFC 9457 problem document the API answered with, thrown by every call that failed:
 * `status`, the stable `type`, `title`, `detail`, and `errors` naming each bad field.
 */
export class DatelineProblem extends Error {
  readonly status: number
  readonly type: string
  readonly title: string
  readonly detail: string | undefined
  readonly instance: string | undefined
  readonly errors: FieldError[]
  /** The answer itself, for its headers (`Retry-After`, `Allow`). */
  readonly response: Response

  constructor (problem: Partial<Problem>, response: Response) {
    super(problem.detail ?? problem.title ?? `HTTP ${response.status}`)
    this.name = 'DatelineProblem'
    this.status = problem.status ?? response.status
    this.type = problem.type ?? 'about:blank'
    this.title = problem.title ?? response.statusText
    this.detail = problem.detail
    this.instance = problem.instance
    this.errors = problem.errors ?? []
    this.response = response
  }
}

function isProblem (body: unknown): body is Partial<Problem> {
  return typeof body === 'object' && body !== null && ('type' in body || 'title' in body)
}

/**
 * The problem an unsuccessful answer carries. An answer that is not problem+json (a proxy's
 * HTML error page) still becomes one, so callers catch a single kind of error.
 */
export function problemFrom (response: Response, body: unknown): DatelineProblem {
  if (isProblem(body)) return new DatelineProblem(body, response)
  const detail = typeof body === 'string' && body !== '' ? body.slice(0, 500) : undefined
  return new DatelineProblem({ type: 'about:blank', title: response.statusText || `HTTP ${response.status}`, status: response.status, ...(detail === undefined ? {} : { detail }) }, response)
}
