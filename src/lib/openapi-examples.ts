import { demoExample } from '../demo/examples.js'

// The finishing touches of the OpenAPI document that no single route schema can give:
// an example for every answer of every operation (Swagger UI shows a `$ref` answer with
// its component's example, so every problem answer would show the 400's), and
// `deprecated` on the parameters whose schema says so (@fastify/swagger keeps it in the
// schema only). Run by @fastify/swagger's `transformObject` (plugins/openapi.ts).

type Json = Record<string, any>

const problemBase = 'https://dateline.dev/problems/'
const httpMethods = new Set(['get', 'head', 'post', 'put', 'patch', 'delete'])

interface ProblemExample { type: string, title: string, detail: (operation: Json) => string, errors?: Array<{ path: string, message: string }> }

function tokenOptional (operation: Json): boolean {
  return (operation.security as Json[] | undefined)?.some((requirement) => Object.keys(requirement).length === 0) ?? true
}

// Each as Dateline words it (plugins/problem.ts and the services).
const problemExamples: Record<string, ProblemExample> = {
  400: { type: 'validation', title: 'Your request is not valid', detail: () => 'querystring.sortBy is not a known field', errors: [{ path: 'querystring.sortBy', message: 'is not a known field' }] },
  401: {
    type: 'unauthorized',
    title: 'Credentials are missing or not valid',
    detail: (operation) => tokenOptional(operation) ? 'The token is not valid: unknown, revoked or expired' : 'This needs a bearer token'
  },
  403: { type: 'forbidden', title: 'Not allowed for this token', detail: () => 'An author token may act only on its own articles' },
  404: { type: 'not-found', title: 'Not found', detail: () => 'There is nothing here, or nothing the caller may see' },
  409: { type: 'conflict', title: 'The request conflicts with the current state', detail: () => 'It conflicts with what is stored now (e.g. a slug already taken)' },
  410: { type: 'gone', title: 'No longer kept', detail: () => 'Entries after position 0 are no longer kept (the log keeps DATELINE_CHANGES_RETENTION_DAYS days, up to position 1500 is gone): read the lists again, then follow the log from meta.head' },
  412: { type: 'precondition-failed', title: 'The resource has changed', detail: () => 'The resource has changed since that ETag (it is now article-2-v3); read it again and retry' },
  413: { type: 'body-too-large', title: 'The request body is too large', detail: () => 'Request body is too large' },
  415: { type: 'unsupported-media-type', title: 'Unsupported media type', detail: () => 'Unsupported Media Type' },
  422: { type: 'idempotency-key-reused', title: 'The Idempotency-Key was used for another request', detail: () => 'This Idempotency-Key was used, within 24 hours, for another request' },
  429: { type: 'rate-limited', title: 'Too many requests', detail: () => 'Too many requests: retry in 60 seconds' },
  500: { type: 'internal', title: 'Internal server error', detail: () => 'Something went wrong on our side; it has been logged' },
  503: { type: 'unavailable', title: 'Service unavailable', detail: () => 'The server is shutting down or the database is busy: retry after Retry-After seconds' }
}

/** The path with the demo blog's values in place of its parameters, as a problem's `instance`. */
function examplePath (path: string, operation: Json): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const parameter = (operation.parameters as Json[] | undefined)?.find((candidate) => candidate.in === 'path' && candidate.name === name)
    const value = parameter?.schema?.examples?.[0] ?? parameter?.example ?? Object.values<Json>(parameter?.examples ?? {})[0]?.value
    return String(value ?? (name === 'date' ? demoExample.article.date : demoExample.article.id))
  })
}

function problemExample (status: string, path: string, operation: Json): Json {
  const kind = problemExamples[status]
  if (kind === undefined) throw new Error(`No problem example for status ${status}: add one to lib/openapi-examples.ts`)
  return {
    type: problemBase + kind.type,
    title: kind.title,
    status: Number(status),
    detail: kind.detail(operation),
    instance: examplePath(path, operation),
    ...(kind.errors === undefined ? {} : { errors: kind.errors })
  }
}

/** The first example of the component a media type's schema names (the full one of a `fields=` anyOf). */
function componentExample (document: Json, schema: Json | undefined): unknown {
  const ref = schema?.$ref ?? schema?.anyOf?.[0]?.$ref
  if (typeof ref !== 'string') return inlineExample(schema)
  return document.components?.schemas?.[ref.replace('#/components/schemas/', '')]?.examples?.[0]
}

/** An unnamed schema's example: its own, or an object's assembled from its properties' (`GET /`). */
function inlineExample (schema: Json | undefined): unknown {
  if (schema?.examples?.[0] !== undefined) return schema.examples[0]
  if (schema?.type !== 'object' || schema.properties === undefined) return undefined
  const example: Record<string, unknown> = {}
  for (const [name, property] of Object.entries<Json>(schema.properties)) {
    const value = inlineExample(property)
    if (value === undefined) return undefined
    example[name] = value
  }
  return example
}

function hasOwnProblemSchema (schema: Json | undefined): boolean {
  return typeof schema?.$ref === 'string' && schema.$ref !== '#/components/schemas/Problem'
}

function addAnswerExamples (document: Json, path: string, operation: Json): void {
  for (const [status, response] of Object.entries<Json>(operation.responses ?? {})) {
    for (const [mediaType, media] of Object.entries<Json>(response.content ?? {})) {
      if (media.example !== undefined || media.examples !== undefined) continue
      // A problem with extension members of its own (a failed batch's) shows its component's example.
      const example = mediaType === 'application/problem+json' && !hasOwnProblemSchema(media.schema) ? problemExample(status, path, operation) : componentExample(document, media.schema)
      if (example !== undefined) media.example = example
    }
  }
}

/** A query parameter whose schema is `deprecated` is a deprecated parameter. */
function markDeprecatedParameters (operation: Json): void {
  for (const parameter of operation.parameters ?? []) {
    if (parameter.schema?.deprecated === true) parameter.deprecated = true
  }
}

export function withExamples<T extends object> (document: T): T {
  const json = document as Json
  for (const [path, item] of Object.entries<Json>(json.paths ?? {})) {
    for (const [method, operation] of Object.entries<Json>(item)) {
      if (!httpMethods.has(method)) continue
      addAnswerExamples(json, path, operation)
      markDeprecatedParameters(operation)
    }
  }
  return document
}
