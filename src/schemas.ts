import { Type, type Static, type TObject, type TSchema, type TUnsafe } from 'typebox'
import { demoExample } from './demo/examples.js'
import { controlCharClass, visibleCharClass } from './lib/values.js'

export { Type, type Static }

/** The largest id a client may send: past it, an id read back into JavaScript loses digits. */
export const maxId = Number.MAX_SAFE_INTEGER

/**
 * A `$ref` to a named schema, typed as the schema it points at. (`Type.Ref` is typed
 * `unknown`, which would switch off the compiler's check of what handlers return.)
 */
export function ref<T extends TSchema & { $id?: string }> (schema: T): TUnsafe<Static<T>> {
  if (schema.$id === undefined) throw new Error('ref() needs a schema with an $id')
  return Type.Unsafe<Static<T>>({ $ref: schema.$id })
}

const etagHeader = { type: 'string', description: 'The version of this representation, for `If-None-Match` and `If-Match`' }
const linkHeader = { type: 'string', description: 'RFC 8288 links to the `next` and `prev` pages' }
const locationHeader = { type: 'string', description: 'Where the created resource is' }
const retryAfterHeader = { type: 'integer', minimum: 0, description: 'Seconds to wait before trying again' }

type Kind = 'single' | 'list' | 'created'

function answerHeaders (kind: Kind) {
  if (kind === 'list') return { ETag: etagHeader, Link: linkHeader }
  return kind === 'created' ? { ETag: etagHeader, Location: locationHeader } : { ETag: etagHeader }
}

/** A success answer: the named schema, documented with a description and its headers. */
export function answer<T extends TSchema & { $id?: string }> (schema: T, kind: Kind, description: string): TUnsafe<Static<T>> {
  if (schema.$id === undefined) throw new Error('answer() needs a schema with an $id')
  return Type.Unsafe<Static<T>>({ $ref: schema.$id, description, headers: answerHeaders(kind) })
}

/**
 * The `…Fields` variant of a resource schema: what a `fields=` answer holds (every
 * property optional but `id`). The document's answer is `anyOf [full, sparse]`; the
 * serializer writes normal answers with the full schema alone (lib/serializer.ts) and
 * `fields=` answers with the sparse one (lib/responses.ts).
 */
export function fieldsVariant<T extends TObject<any>> (schema: T, description: string) {
  const { $id, examples: _, properties: __, required: ___, ...options } = schema as unknown as Record<string, unknown> & { $id?: string }
  if ($id === undefined) throw new Error('fieldsVariant() needs a schema with an $id')
  const properties = Object.fromEntries(Object.entries(schema.properties as Record<string, TSchema>).map(([key, property]) => [key, key === 'id' ? property : Type.Optional(property)]))
  return Type.Object(properties, { ...options, $id: sparseIdOf($id), description }) as unknown as TUnsafe<{ id: number } & Partial<Static<T>>> & { $id: string }
}

export function sparseIdOf (id: string): string {
  return `${id}Fields`
}

/**
 * An answer that `fields=` can thin out: the full schema, or its `…Fields` variant.
 * Typed as the full one for the handler (sparse answers pass through lib/responses.ts).
 */
export function sparseAnswer<T extends TSchema & { $id?: string }> (schema: T, sparse: TSchema & { $id?: string }, kind: Kind, description: string): TUnsafe<Static<T>> {
  if (schema.$id === undefined || sparse.$id !== sparseIdOf(schema.$id)) throw new Error('sparseAnswer() needs a schema and its fieldsVariant()')
  return Type.Unsafe<Static<T>>({
    anyOf: [{ $ref: schema.$id }, { $ref: sparse.$id }],
    description: `${description}; with \`fields=\`, only those fields (\`${sparse.$id}\`)`,
    headers: answerHeaders(kind)
  })
}

/** 304 for a GET whose `If-None-Match` matches. */
export const notModified = Type.Null({ description: 'Not modified: the `If-None-Match` ETag is current' })
/** 204 for a DELETE. */
export const deleted = Type.Null({ description: 'Deleted' })

export const Timestamp = Type.String({
  format: 'date-time',
  description: 'RFC 3339 timestamp in UTC',
  examples: [demoExample.article.publishedAt]
})

const calendarDay = {
  format: 'date',
  pattern: '^(?!0000)\\d{4}-\\d{2}-\\d{2}$',
  maxLength: 10,
  description: 'A calendar day (YYYY-MM-DD) in the site time zone'
}

export const CalendarDay = Type.String({ ...calendarDay, examples: [demoExample.article.date] })

/** A day a client may give to filter by: no example, which /docs "Try it out" would send as a filter. */
export const CalendarDayFilter = Type.String(calendarDay)

export const Slug = Type.String({
  minLength: 1,
  maxLength: 120,
  // Lower-case letters of any script, digits and single hyphens; at least one
  // letter, so a slug can never be mistaken for an id in a path.
  pattern: '^(?=[\\p{Ll}\\p{Lm}\\p{Lo}\\p{N}-]*[\\p{Ll}\\p{Lm}\\p{Lo}])[\\p{Ll}\\p{Lm}\\p{Lo}\\p{N}]+(?:-[\\p{Ll}\\p{Lm}\\p{Lo}\\p{N}]+)*$',
  description: 'Unique, URL-safe name: lower-case letters, digits and hyphens, with at least one letter',
  examples: [demoExample.article.slug]
})

// The control characters refused and what counts as visible: src/lib/values.ts, shared with imports.
const withoutControls = `[^${controlCharClass.slice(1)}*`

/** Plain text a person wrote, with no control characters; '' allowed. */
export const plainTextPattern = `^${withoutControls}$`
/** A name or title: plain text with at least one visible character. */
export const visibleTextPattern = `^(?=[\\s\\S]*${visibleCharClass})${withoutControls}$`

export const HttpUrl = Type.String({
  format: 'uri',
  pattern: '^https?://',
  maxLength: 2000,
  description: 'An absolute http(s) URL'
})

/**
 * `{id}` of an article or an author: the numeric id or the slug. A path is text, and the
 * routes read it as text (an id when it is digits, see lib/slug.ts `isIdInPath`, otherwise
 * a slug: a name no slug has is a 404; digits that are no id are a 400), so it is validated
 * as a string; the type list tells
 * a generated client it may pass a number (`number | string`). A type list, not an
 * `anyOf`, so the validator does not coerce the digits to a number on the way.
 */
export function idOrSlugParam (examples: [number, string] | [] = []) {
  return Type.Unsafe<string>({
    type: ['integer', 'string'],
    minimum: 1,
    maximum: 999_999_999_999_999,
    minLength: 1,
    maxLength: 120,
    // Digits are an id (as `isIdInPath` reads them) or nothing: no slug is only digits, and
    // none holds a control character (PostgreSQL cannot even compare text holding a NUL).
    pattern: `^(?:[1-9]\\d{0,14}|(?!\\d+$)${withoutControls.slice(0, -1)}+)$`,
    description: 'The numeric id or the slug',
    ...(examples.length === 0 ? {} : { examples })
  })
}

/** An author or article named in a filter or a body: its id or its slug (never a control character). */
export function idOrSlugReference (description: string) {
  return Type.String({ minLength: 1, maxLength: 120, pattern: plainTextPattern, description })
}

/** An id or slug in the path, with no example (of nothing the demo blog has, e.g. in the trash). */
export const IdOrSlugParams = Type.Object({ id: idOrSlugParam() }, { additionalProperties: false })

/** A numeric id in the path (comments, tokens). */
export function idParam (description: string, example?: number) {
  return Type.Integer({ minimum: 1, maximum: maxId, description, ...(example === undefined ? {} : { examples: [example] }) })
}

/** The query string of a route that takes no parameters. */
export const NoQuery = Type.Object({}, { additionalProperties: false })

/** `If-Match` on PATCH and DELETE: the ETag the client last read. */
export const IfMatchHeaders = Type.Object({
  'if-match': Type.Optional(Type.String({ maxLength: 1000, description: 'An ETag from a previous read: the change is refused (412) if the resource changed since' }))
})

export const FieldError = Type.Object({
  path: Type.String({ description: 'Where the bad value is, e.g. `body.title`', examples: ['body.title'] }),
  message: Type.String({ examples: ['must NOT have fewer than 1 characters'] })
}, { $id: 'FieldError', additionalProperties: false })

export const Problem = Type.Object({
  type: Type.String({ description: 'A URI naming the kind of problem', examples: ['https://dateline.dev/problems/validation'] }),
  title: Type.String({ examples: ['Your request is not valid'] }),
  status: Type.Integer({ minimum: 400, maximum: 599, examples: [400] }),
  detail: Type.String({ examples: ['body.title must NOT have fewer than 1 characters'] }),
  instance: Type.String({ description: 'The request path', examples: ['/v1/articles'] }),
  errors: Type.Optional(Type.Array(ref(FieldError)))
}, {
  $id: 'Problem',
  additionalProperties: false,
  description: 'An RFC 9457 problem document'
})
export type ProblemBody = Static<typeof Problem>

export const ListMeta = Type.Object({
  total: Type.Integer({ minimum: 0, description: 'How many items match, across all pages' }),
  limit: Type.Integer({ minimum: 1, maximum: 100 }),
  offset: Type.Integer({ minimum: 0, description: 'The position of the first item of this page' }),
  nextCursor: Type.Union([Type.String(), Type.Null()], {
    description: 'Pass as `cursor` to get the next page; null on the last page'
  })
}, { $id: 'ListMeta', additionalProperties: false })
export type ListMetaBody = Static<typeof ListMeta>

/** The query parameters every list shares; each resource adds its filters and allow-lists. */
export const pageQuery = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20, description: 'Page size (1–100)' })),
  offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000, description: 'Items to skip; not with `cursor`' })),
  cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 512, description: 'A `meta.nextCursor` from the previous page; not with `offset`' }))
}

/**
 * The headers @fastify/rate-limit sends on a route with its own limit (`config.rateLimit`):
 * its hook runs before validation, so whatever the route answers after it carries them, the
 * 429 included. The bad-credential throttle, which refuses earlier, sends only `Retry-After`.
 */
export const rateLimitHeaders = {
  'X-RateLimit-Limit': { type: 'integer', minimum: 1, description: 'Requests this client may make in the window (routes with their own limit)' },
  'X-RateLimit-Remaining': { type: 'integer', minimum: 0, description: 'Requests left in the window (routes with their own limit)' },
  'X-RateLimit-Reset': { type: 'integer', minimum: 0, description: 'Seconds until the window starts again (routes with their own limit)' }
}

type ProblemStatus = 400 | 401 | 403 | 404 | 409 | 410 | 412 | 413 | 415 | 422 | 429 | 500 | 503
interface ProblemAnswer {
  description: string
  headers?: Record<string, object>
  content: { 'application/problem+json': { schema: ReturnType<typeof ref<typeof Problem>> } }
}

/** The problem+json answers a route documents, by status code. */
export function problems (...statuses: ProblemStatus[]) {
  const byStatus: Record<number, ProblemAnswer> = {}
  for (const status of statuses) {
    byStatus[status] = {
      description: problemDescriptions[status] ?? 'A problem',
      ...(status === 429 || status === 503 ? { headers: { 'Retry-After': retryAfterHeader } } : {}),
      content: { 'application/problem+json': { schema: ref(Problem) } }
    }
  }
  return byStatus
}

type Answers = Record<string, Record<string, unknown>>

/** `answer` with a Retry-After header, for a status that sends one only sometimes (a 409 to retry). */
export function withRetryAfter (answer: { headers?: object }, description: string): object {
  return { ...answer, headers: { ...answer.headers, 'Retry-After': { ...retryAfterHeader, description } } }
}

/**
 * A route's answers with those any route can give: a failure (500), a server shutting down
 * or a database another process holds (503), and where credentials are read, a bad token
 * (401) or the bad-credential throttle (429). The route's own entries win; a route with its
 * own limit has the rate-limit headers on every answer.
 */
export function withSharedAnswers (own: Answers, route: { readsCredentials: boolean, rateLimited: boolean }): Answers {
  const shared = route.readsCredentials ? problems(401, 429, 500, 503) : problems(500, 503)
  const answers: Answers = { ...shared, ...own }
  if (!route.rateLimited) return answers
  for (const [status, answer] of Object.entries(answers)) {
    answers[status] = { ...answer, headers: { ...(answer.headers as object | undefined), ...rateLimitHeaders } }
  }
  return answers
}

const problemDescriptions: Record<number, string> = {
  400: 'The request is not valid: `errors` names each bad field',
  401: 'No credentials, or credentials that are not valid',
  403: 'The token is valid but its role may not do this',
  404: 'Not found, or not visible to the caller',
  409: 'Conflicts with the current state (e.g. a duplicate slug)',
  410: 'No longer kept: start again from the current state',
  412: 'The resource changed since the `If-Match` ETag was read',
  413: 'The request body is too large',
  415: 'The request body is not `application/json`',
  422: 'The `Idempotency-Key` was already used, within 24 hours, for a different request',
  429: 'Too many requests: wait for `Retry-After` seconds',
  500: 'An unexpected failure: the server logged it; the answer gives no details',
  503: 'Shutting down, the database stayed busy, or it cannot store changes (a full disk): retry after `Retry-After` seconds'
}

export const sharedSchemas = [FieldError, Problem, ListMeta]
