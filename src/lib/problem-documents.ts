import type { FastifyError } from 'fastify'
import type { FieldError } from '../errors.js'
import type { ProblemBody } from '../schemas.js'

// What a problem document says for an error (RFC 9457): the problem plugin answers requests with
// these, and a batch its operations' failures, worded alike.

export const problemBase = 'https://dateline.dev/problems/'

export interface ProblemKind {
  type: string
  title: string
}

// Our catalogue (errors.ts) and Fastify's own errors, by code. Anything not listed
// with a 4xx status falls back to its status' reason phrase; anything else is a 500.
export const kinds: Record<string, ProblemKind> = {
  DATELINE_INVALID: { type: 'validation', title: 'Your request is not valid' },
  FST_ERR_VALIDATION: { type: 'validation', title: 'Your request is not valid' },
  DATELINE_NOT_FOUND: { type: 'not-found', title: 'Not found' },
  DATELINE_SLUG_TAKEN: { type: 'slug-taken', title: 'The slug is already taken' },
  DATELINE_CONFLICT: { type: 'conflict', title: 'The request conflicts with the current state' },
  DATELINE_UNAUTHORIZED: { type: 'unauthorized', title: 'Credentials are missing or not valid' },
  DATELINE_FORBIDDEN: { type: 'forbidden', title: 'Not allowed for this token' },
  DATELINE_PRECONDITION_FAILED: { type: 'precondition-failed', title: 'The resource has changed' },
  DATELINE_GONE: { type: 'gone', title: 'No longer kept' },
  DATELINE_UNAVAILABLE: { type: 'unavailable', title: 'Service unavailable' },
  DATELINE_STORAGE_UNAVAILABLE: { type: 'storage-unavailable', title: 'The database cannot store changes' },
  DATELINE_TOO_MANY_REQUESTS: { type: 'rate-limited', title: 'Too many requests' },
  DATELINE_BATCH_FAILED: { type: 'batch-failed', title: 'An operation of the batch failed; nothing was written' },
  DATELINE_IDEMPOTENCY_KEY_REUSED: { type: 'idempotency-key-reused', title: 'The Idempotency-Key was used for another request' },
  DATELINE_MALFORMED_IMPORT: { type: 'malformed-import', title: 'The file cannot be imported' },
  DATELINE_PAYLOAD_TOO_LARGE: { type: 'body-too-large', title: 'The request body is too large' },
  DATELINE_CROSS_ORIGIN_REFUSED: { type: 'cross-origin-refused', title: 'Scripts from this origin may not send this request' },
  DATELINE_SECRET_SHOWN_ONCE: { type: 'secret-shown-once', title: 'The secret was shown once and is not kept' },
  DATELINE_UNSUPPORTED_IMAGE: { type: 'unsupported-media-type', title: 'Unsupported media type' },
  DATELINE_UNREADABLE_IMAGE: { type: 'unreadable-image', title: 'The image cannot be read' },
  // @fastify/multipart's, for a form that breaks its limits or is not a form.
  FST_FILES_LIMIT: { type: 'body-too-large', title: 'The request body is too large' },
  FST_FIELDS_LIMIT: { type: 'body-too-large', title: 'The request body is too large' },
  FST_PARTS_LIMIT: { type: 'body-too-large', title: 'The request body is too large' },
  FST_PROTO_VIOLATION: { type: 'validation', title: 'Your request is not valid' },
  FST_MP_PREMATURE_CLOSE: { type: 'bad-request', title: 'Bad request' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { type: 'unsupported-media-type', title: 'Unsupported media type' },
  FST_ERR_CTP_BODY_TOO_LARGE: { type: 'body-too-large', title: 'The request body is too large' },
  FST_ERR_CTP_INVALID_JSON_BODY: { type: 'malformed-json', title: 'The request body is not valid JSON' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { type: 'malformed-json', title: 'The request body is not valid JSON' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { type: 'bad-request', title: 'Bad request' },
  FST_ERR_BAD_URL: { type: 'bad-request', title: 'Bad request' }
}

export const statusKinds: Record<number, ProblemKind> = {
  400: { type: 'bad-request', title: 'Bad request' },
  404: { type: 'not-found', title: 'Not found' },
  405: { type: 'method-not-allowed', title: 'Method not allowed' },
  414: { type: 'uri-too-long', title: 'The URI is too long' },
  429: { type: 'rate-limited', title: 'Too many requests' },
  500: { type: 'internal', title: 'Internal server error' },
  503: { type: 'unavailable', title: 'Service unavailable' }
}

export function problemBody (status: number, kind: ProblemKind, detail: string, instance: string, errors?: FieldError[]): ProblemBody {
  const body: ProblemBody = { type: problemBase + kind.type, title: kind.title, status, detail, instance }
  if (errors !== undefined) body.errors = errors
  return body
}

export interface AjvError {
  instancePath: string
  keyword: string
  message?: string
  params: Record<string, unknown>
}

/** `body.labels.0` from the validation context and ajv's `/labels/0`. */
function fieldPath (context: string | undefined, error: AjvError): string {
  const segments = error.instancePath.split('/').slice(1).map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
  const named = error.params.additionalProperty ?? error.params.missingProperty
  if (typeof named === 'string') segments.push(named)
  return [context ?? 'body', ...segments].join('.')
}

function fieldMessage (error: AjvError): string {
  if (error.keyword === 'additionalProperties') return 'is not a known field'
  if (error.keyword === 'required') return 'is required'
  if (error.keyword === 'enum' && Array.isArray(error.params.allowedValues)) {
    return `must be one of ${error.params.allowedValues.join(', ')}`
  }
  return error.message ?? 'is not valid'
}

// For a nullable field (`anyOf: [X, null]`) ajv reports the real reason, then "must be
// null" and "must match a schema in anyOf": only the first one helps the client.
function isNullableNoise (error: AjvError): boolean {
  return error.keyword === 'anyOf' || (error.keyword === 'type' && error.params.type === 'null')
}

/** ajv's errors as the fields they name, `context` (`body`, `params`…) first. */
export function validationErrors (all: readonly AjvError[], context: string | undefined): FieldError[] {
  const meaningful = all.filter((ajvError) => !isNullableNoise(ajvError))
  const ajvErrors = meaningful.length > 0 ? meaningful : all
  return ajvErrors.map((ajvError) => ({
    path: fieldPath(context, ajvError),
    message: fieldMessage(ajvError)
  }))
}

/** The 400 for fields that are not valid, its detail naming the first. */
function validationProblem (errors: FieldError[], instance: string, fallbackDetail = 'The request is not valid'): ProblemBody {
  const first = errors[0]
  return problemBody(400, kinds.FST_ERR_VALIDATION!, first === undefined ? fallbackDetail : `${first.path} ${first.message}`, instance, errors)
}

export type ProblemError = FastifyError & {
  errors?: FieldError[]
  retryAfterSeconds?: number
  /** RFC 9457 §3.2 extension members the problem carries (a failed batch's `results`). */
  extensions?: Record<string, unknown>
}

/**
 * The problem document of an error the client caused (a 4xx), answered at `instance`; null
 * for any other error, which is the server's to answer (5xx).
 */
export function clientProblem (error: ProblemError, instance: string): ProblemBody | null {
  if (error.validation !== undefined) return validationProblem(validationErrors((error.validation ?? []) as AjvError[], error.validationContext), instance, error.message)
  const status = error.statusCode ?? 500
  if (status < 400 || status >= 500) return null
  const kind = (error.code !== undefined ? kinds[error.code] : undefined) ?? statusKinds[status] ?? statusKinds[400]!
  return { ...error.extensions, ...problemBody(status, kind, error.message, instance, error.errors) }
}
