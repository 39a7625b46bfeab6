import createError from '@fastify/error'

// The catalogue of problems Dateline answers with. Each code maps to a problem
// `type` in plugins/problem.ts; code anywhere throws one of these.

export interface FieldError {
  /** Where the bad value is, e.g. `body.title` or `querystring.sort`. */
  path: string
  message: string
}

export const NotFound = createError<[string]>('DATELINE_NOT_FOUND', '%s', 404)
export const SlugTaken = createError<[string]>('DATELINE_SLUG_TAKEN', 'The slug "%s" is already taken', 409)
export const Conflict = createError<[string]>('DATELINE_CONFLICT', '%s', 409)
export const Unauthorized = createError<[string]>('DATELINE_UNAUTHORIZED', '%s', 401)
export const Forbidden = createError<[string]>('DATELINE_FORBIDDEN', '%s', 403)
export const PreconditionFailed = createError<[string]>('DATELINE_PRECONDITION_FAILED', '%s', 412)
export const TooManyRequests = createError<[string]>('DATELINE_TOO_MANY_REQUESTS', '%s', 429)
export const Gone = createError<[string]>('DATELINE_GONE', '%s', 410)
export const Unavailable = createError<[string]>('DATELINE_UNAVAILABLE', '%s', 503)
export const IdempotencyKeyReused = createError<[string]>('DATELINE_IDEMPOTENCY_KEY_REUSED', '%s', 422)
export const PayloadTooLarge = createError<[string]>('DATELINE_PAYLOAD_TOO_LARGE', '%s', 413)
export const CrossOriginRefused = createError<[string]>('DATELINE_CROSS_ORIGIN_REFUSED', '%s', 403)
export const SecretShownOnce = createError<[string]>('DATELINE_SECRET_SHOWN_ONCE', '%s', 409)
export const UnsupportedImage = createError<[string]>('DATELINE_UNSUPPORTED_IMAGE', '%s', 415)
export const UnreadableImage = createError<[string]>('DATELINE_UNREADABLE_IMAGE', '%s', 422)
const OperationFailed = createError<[string]>('DATELINE_BATCH_FAILED', '%s', 422)
const Invalid = createError<[string]>('DATELINE_INVALID', '%s', 400)
const Malformed = createError<[string]>('DATELINE_MALFORMED_IMPORT', '%s', 400)

/** A 400 for an import file that cannot be read, naming where (`body` line and column). */
export function malformedImport (message: string): Error & { errors: FieldError[] } {
  return Object.assign(new Malformed(`The file cannot be imported: ${message}`), { errors: [{ path: 'body', message }] })
}

/** A 409 that names the field whose value collides with what is stored (a name taken). */
export function conflictOn (path: string, message: string): Error & { errors: FieldError[] } {
  return Object.assign(new Conflict(`${path} ${message}`), { errors: [{ path, message }] })
}

/** A 400 that names the offending field, for rules a JSON schema cannot express. */
export function invalid (path: string, message: string): Error & { errors: FieldError[] } {
  return Object.assign(new Invalid(`${path} ${message}`), { errors: [{ path, message }] })
}

/**
 * A 422 for a batch one of whose operations failed: nothing was written. The problem carries
 * the operations' answers up to the failing one (`results`) and its index (`failedOperation`).
 */
export function batchFailed (detail: string, extensions: { failedOperation: number, results: unknown[] }): Error & { extensions: typeof extensions } {
  return Object.assign(new OperationFailed(detail), { extensions })
}

/** A 400 naming several fields at once (every bad operation of a batch, found before any runs). */
export function invalidFields (errors: [FieldError, ...FieldError[]]): Error & { errors: FieldError[] } {
  return Object.assign(new Invalid(`${errors[0].path} ${errors[0].message}`), { errors })
}

/** A problem about one field: `error` (any of the catalogue) with the field named in `errors`. */
export function onField<E extends Error> (error: E, path: string, message: string): E & { errors: FieldError[] } {
  return Object.assign(error, { errors: [{ path, message }] })
}
