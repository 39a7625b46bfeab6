import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js'
import addFormats from 'ajv-formats'
import fc, { type Arbitrary } from 'fast-check'
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify'
import { caseDatabase, changedTables, type CaseDatabase } from './database.js'
import { formArbitrary, sampleImages, type SampleImage } from './forms.js'
import { adminSecret, bearer, checkAgainstDocument, tokenFor, type TapLike } from '../helper.js'
import { multipart } from '../media.js'
import { awkwardStrings, SchemaArbitraries, type SampleSource, type Schema } from './schema-arbitraries.js'

// --- The operations, read from the OpenAPI document ---------------------------------------

export interface Parameter {
  name: string
  in: 'path' | 'query' | 'header' | 'cookie'
  required?: boolean
  schema: Schema
  description?: string
  /** Kept for old clients; `thread=true` answers another shape than the operation documents. */
  deprecated?: boolean
  example?: unknown
  examples?: unknown
  /** Where it sits in the document, for ajv `$ref`s. */
  pointer: string
}

export interface Operation {
  method: string
  /** The OpenAPI template, e.g. `/v1/articles/{id}`. */
  path: string
  key: string
  parameters: Parameter[]
  /** A JSON pointer to the JSON request body's schema, when there is one. */
  bodyPointer: string | null
  /**
   * Media types the body may also be sent as, taken as they are (not JSON): the export
   * files POST /v1/import reads (application/xml, application/x-ndjson, …).
   */
  rawMediaTypes: string[]
  bodyRequired: boolean
  /** Whether anonymous callers are allowed at all (security lists `{}`, or none is given). */
  anonymousAllowed: boolean
  /** false for probes (health checks), which document no security and ignore credentials. */
  readsCredentials: boolean
  /** Whether it answers an endless stream (`text/event-stream`): read until the first chunk, then left. */
  streams: boolean
}

const methods = ['get', 'put', 'post', 'patch', 'delete', 'head', 'options'] as const

export function pointer (...segments: Array<string | number>): string {
  return '#/' + segments.map((segment) => String(segment).replace(/~/g, '~0').replace(/\//g, '~1')).join('/')
}

export function operationsOf (document: Schema): Operation[] {
  const operations: Operation[] = []
  for (const [path, item] of Object.entries<Schema>(document.paths ?? {})) {
    for (const method of methods) {
      const operation: Schema | undefined = item[method]
      if (operation === undefined) continue
      const shared: Schema[] = item.parameters ?? []
      const own: Schema[] = operation.parameters ?? []
      const parameters: Parameter[] = [
        ...shared.map((parameter, index) => ({ ...parameter, pointer: pointer('paths', path, 'parameters', index, 'schema') }) as Parameter),
        ...own.map((parameter, index) => ({ ...parameter, pointer: pointer('paths', path, method, 'parameters', index, 'schema') }) as Parameter)
      ]
      const json = operation.requestBody?.content?.['application/json']
      const security: Schema[] | undefined = operation.security ?? document.security
      operations.push({
        method: method.toUpperCase(),
        path,
        key: `${method.toUpperCase()} ${path}`,
        parameters,
        bodyPointer: json?.schema !== undefined ? pointer('paths', path, method, 'requestBody', 'content', 'application/json', 'schema') : null,
        rawMediaTypes: Object.keys(operation.requestBody?.content ?? {}).filter((type) => type !== 'application/json'),
        streams: operation.responses?.['200']?.content?.['text/event-stream'] !== undefined,
        bodyRequired: operation.requestBody?.required === true,
        anonymousAllowed: security === undefined || security.length === 0 || security.some((entry) => Object.keys(entry).length === 0),
        readsCredentials: security !== undefined
      })
    }
  }
  return operations
}

/** Whether an answer is JSON (`application/json`, `application/problem+json`, `application/feed+json`…), not XML or HTML. */
export function isJsonAnswer (response: LightMyRequestResponse): boolean {
  return /^application\/(?:[\w.-]+\+)?json\s*(?:;|$)/i.test(String(response.headers['content-type'] ?? ''))
}

/**
 * The answer as checkAgainstDocument reads it: its `json()` is the text itself when the
 * answer is not JSON (feeds and sitemaps are documented as `type: string`).
 */
export function asDocumented (response: LightMyRequestResponse): LightMyRequestResponse {
  if (isJsonAnswer(response)) return response
  return Object.assign(Object.create(response) as LightMyRequestResponse, { json: () => response.body })
}

// --- Real values from the running app: ids, slugs, days, label names, cursors -------------

export interface Collection {
  ids: number[]
  /** Every other way an item can be named: slugs, days, label names. */
  names: string[]
}

export type Who = 'anonymous' | 'author' | 'editor' | 'admin' | 'bad-token'

export interface Fixture {
  app: FastifyInstance
  /** The database behind the app: snapshots, and the blog put back after each case. */
  database: CaseDatabase
  document: Schema
  operations: Operation[]
  collections: Map<string, Collection>
  /** `meta.nextCursor`s by operation key. */
  cursors: Map<string, string[]>
  secrets: Record<'author' | 'editor' | 'admin', string>
  arbitraries: SchemaArbitraries
  bodyAjv: Ajv2020
  paramAjv: Ajv2020
  validators: Map<string, ValidateFunction>
  /** Small images for the forms of operations that take `multipart/form-data`. */
  images: SampleImage[]
}

function ajvFor (document: Schema, coerce: boolean): Ajv2020 {
  const ajv = new Ajv2020({ strict: false, allErrors: false, ...(coerce ? { coerceTypes: 'array' as const } : {}) })
  addFormats.default(ajv)
  ajv.addSchema({ ...document, $id: 'openapi' })
  return ajv
}

async function harvestCollections (app: FastifyInstance, operations: Operation[]): Promise<Map<string, Collection>> {
  const collections = new Map<string, Collection>()
  for (const operation of operations) {
    if (operation.method !== 'GET' || operation.path.includes('{') || operation.streams) continue
    const takesLimit = operation.parameters.some((parameter) => parameter.in === 'query' && parameter.name === 'limit')
    const response = await app.inject({ method: 'GET', url: takesLimit ? `${operation.path}?limit=100` : operation.path, headers: bearer(adminSecret) })
    if (response.statusCode !== 200 || !isJsonAnswer(response)) continue
    const data: unknown = response.json().data
    if (!Array.isArray(data)) continue
    const collection: Collection = { ids: [], names: [] }
    for (const item of data as Array<Record<string, unknown>>) {
      if (typeof item.id === 'number') collection.ids.push(item.id)
      // How the item is named in URLs besides its id: its slug, else its day, else its name.
      const name = [item.slug, item.date, item.name].find((value) => typeof value === 'string')
      if (typeof name === 'string') collection.names.push(name)
    }
    collections.set(operation.path, collection)
  }
  return collections
}

/** `meta.nextCursor`s from every list that pages by cursor, with and without a sort. */
async function harvestCursors (app: FastifyInstance, operations: Operation[], collections: Map<string, Collection>): Promise<Map<string, string[]>> {
  const byOperation = new Map<string, string[]>()
  for (const operation of operations) {
    const cursors = new Set<string>()
    if (operation.method !== 'GET' || !operation.parameters.some((parameter) => parameter.name === 'cursor')) continue
    let path = operation.path
    for (const parameter of operation.parameters.filter((candidate) => candidate.in === 'path')) {
      const known = pathSamples(collections, operation.path, parameter.name)
      path = path.replace(`{${parameter.name}}`, encodeURIComponent(String(known[0] ?? '1')))
    }
    const sort = operation.parameters.find((parameter) => parameter.name === 'sort')?.example
    for (const query of ['limit=1', ...(typeof sort === 'string' ? [`limit=1&sort=${encodeURIComponent(sort)}`] : [])]) {
      const response = await app.inject({ method: 'GET', url: `${path}?${query}`, headers: bearer(adminSecret) })
      const next: unknown = response.statusCode === 200 ? response.json().meta?.nextCursor : undefined
      if (typeof next === 'string') cursors.add(next)
    }
    byOperation.set(operation.key, [...cursors])
  }
  return byOperation
}

/** Ids and names of the collection a path parameter points into (`/v1/articles/{id}` → `/v1/articles`). */
export function pathSamples (collections: Map<string, Collection>, template: string, name: string): string[] {
  const prefix = template.slice(0, template.indexOf(`/{${name}}`))
  const collection = collections.get(prefix)
  if (collection === undefined) return []
  return [...collection.ids.map(String), ...collection.names]
}

function sampleSource (collections: Map<string, Collection>, cursors: () => Map<string, string[]>): SampleSource {
  const all = (): Collection => {
    const ids = new Set<number>()
    for (const collection of collections.values()) for (const id of collection.ids) ids.add(id)
    return { ids: [...ids], names: [] }
  }
  const byName = (name: string): Collection | undefined => {
    const stem = name.replace(/Id$/, '')
    for (const [path, collection] of collections) {
      const last = path.split('/').at(-1)
      if (last === `${stem}s` || last === stem) return collection
    }
    return undefined
  }
  return {
    samples (name, type) {
      if (name === undefined) return []
      if (name === 'cursor') return [...cursors().values()].flat()
      const collection = byName(name) ?? (type === 'integer' && /(?:^id|Id)$/.test(name) ? all() : undefined)
      if (collection === undefined) return []
      return type === 'integer' ? collection.ids : [...collection.ids.map(String), ...collection.names]
    }
  }
}

/**
 * The demo blog has no images: one the author token's author uploaded, one staff's, which an
 * article features (so a DELETE meets an image in use), for the media routes to aim at.
 */
async function addImages (app: FastifyInstance, secrets: Record<'author' | 'admin', string>, images: SampleImage[], articleId: number): Promise<void> {
  const ids: number[] = []
  for (const [secret, image] of [[secrets.author, images[0]!], [secrets.admin, images[1]!]] as const) {
    const form = multipart({ alt: `Fuzz ${image.name}` }, { name: image.name, data: image.data })
    const response = await app.inject({ method: 'POST', url: '/v1/media', headers: { ...bearer(secret), ...form.headers }, payload: form.payload })
    if (response.statusCode !== 201) throw new Error(`uploading a fuzz image failed: ${response.statusCode} ${response.body}`)
    ids.push(response.json().id)
  }
  const featured = await app.inject({ method: 'PATCH', url: `/v1/articles/${articleId}`, headers: bearer(secrets.admin), payload: { featuredImage: ids[1] } })
  if (featured.statusCode !== 200) throw new Error(`featuring a fuzz image failed: ${featured.statusCode} ${featured.body}`)
}

/**
 * The app with the demo blog, its tokens (an author token for the author who has the most
 * articles), and the real ids, slugs, days and cursors to aim requests at.
 */
export async function prepare (app: FastifyInstance): Promise<Fixture> {
  const document = structuredClone(app.swagger()) as Schema
  const operations = operationsOf(document)
  const collections = await harvestCollections(app, operations)
  const articles = await app.inject({ method: 'GET', url: '/v1/articles?limit=100', headers: bearer(adminSecret) })
  const counts = new Map<number, number>()
  for (const article of articles.json().data as Array<{ authorId: number, status: string }>) {
    counts.set(article.authorId, (counts.get(article.authorId) ?? 0) + (article.status === 'draft' ? 2 : 1))
  }
  const busiest = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0]
  if (busiest === undefined) throw new Error('the demo blog has no articles to aim at')
  const secrets = { author: await tokenFor(app, 'author', busiest), editor: await tokenFor(app, 'editor'), admin: adminSecret }
  const images = await sampleImages()
  if (document.paths?.['/v1/media'] !== undefined) await addImages(app, secrets, images, articles.json().data[0].id)
  // Token ids exist only now, and the images' ids.
  collections.delete('/v1/tokens')
  collections.delete('/v1/media')
  const refreshed = await harvestCollections(app, operations.filter((operation) => operation.path === '/v1/tokens' || operation.path === '/v1/media'))
  for (const [path, collection] of refreshed) collections.set(path, collection)
  const cursors = await harvestCursors(app, operations, collections)
  const fixture: Fixture = {
    app,
    database: caseDatabase(app),
    document,
    operations,
    collections,
    cursors,
    secrets,
    arbitraries: new SchemaArbitraries(document, sampleSource(collections, () => fixture.cursors)),
    bodyAjv: ajvFor(document, false),
    paramAjv: ajvFor(document, true),
    validators: new Map(),
    images
  }
  return fixture
}

// --- Requests ------------------------------------------------------------------------------

export type Body =
  | { kind: 'json', value: unknown, mutation: string }
  | { kind: 'text', text: string, mutation: string, raw?: { contentType: string } }
  /** A multipart/form-data body (test/fuzz/forms.ts), with what about it must be refused. */
  | { kind: 'form', payload: Buffer, contentType: string, mutation: string, refusal: string | null }

export interface FuzzCase {
  who: Who
  /** The path as sent, path parameters percent-encoded (or deliberately not). */
  path: string
  pathValues: Record<string, { value: string, raw: boolean }>
  query: Array<[string, string]>
  queryNote: string
  ifMatch?: string
  ifNoneMatch?: string
  badAuthorization?: string
  body?: Body
  contentType?: string
}

/**
 * encodeURIComponent, except that a lone surrogate (which has no UTF-8) is sent as the bytes
 * WTF-8 would give it (`%ED%A0%80`): invalid UTF-8, which the server must cope with.
 */
export function encoded (value: string): string {
  try {
    return encodeURIComponent(value)
  } catch {
    let result = ''
    for (const char of value) {
      const code = char.codePointAt(0)!
      if (code >= 0xd800 && code <= 0xdfff) {
        result += [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)].map((byte) => `%${byte.toString(16).toUpperCase()}`).join('')
      } else {
        result += encodeURIComponent(char)
      }
    }
    return result
  }
}

export function hasLoneSurrogate (value: string): boolean {
  return /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(value)
}

/** fc.oneof over the entries that exist, by weight. */
function pick<T> (entries: Array<[number, Arbitrary<T> | null]>): Arbitrary<T> {
  const present = entries.filter((entry): entry is [number, Arbitrary<T>] => entry[1] !== null)
  return fc.oneof(...present.map(([weight, arbitrary]) => ({ weight, arbitrary })))
}

/** Numbers as a careless script writes them: past a double's range, or not numbers at all. */
const extremeNumbers = ['1e309', '-1e309', 'Infinity', '-Infinity', 'NaN', '1e20', '99999999999999999999']

function stringify (value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap((item) => stringify(item))
  if (value === null) return ['null']
  if (typeof value === 'object') return [JSON.stringify(value)]
  return [String(value)]
}

/** Words a string parameter's description and example name: sort keys, field names, includes. */
function vocabularyOf (parameter: Parameter): string[] {
  const words = new Set<string>()
  const text = parameter.description ?? ''
  for (const match of text.matchAll(/`-?([a-zA-Z][a-zA-Z0-9]*)`/g)) words.add(match[1]!)
  const colon = text.lastIndexOf(':')
  if (colon >= 0) {
    for (const word of text.slice(colon + 1).split(/[^a-zA-Z0-9]+/)) if (/^[a-z][a-zA-Z0-9]*$/.test(word)) words.add(word)
  }
  if (typeof parameter.example === 'string') for (const part of parameter.example.split(',')) words.add(part.replace(/^-/, ''))
  words.delete('')
  return [...words]
}

const badAuthorizations = [
  'Bearer dl_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', 'Bearer not-a-token', 'Bearer', 'Basic YWRtaW46YWRtaW4=',
  'bearer  two words', `Bearer ${'x'.repeat(4000)}`, `Bearer ${adminSecret}x`, `Bearer ${adminSecret.slice(0, -1)}`
]

const malformedJson = [
  '', ' ', '{', '}', '{"', '[', 'null', 'true', '0', '-1', '"text"', '[]', "{'title':'x'}", '{"title":"x",}', '{"title":"x"}garbage',
  '{"title":"x"}{"title":"y"}', 'NaN', 'undefined', '{title:"x"}', '\u0000', '{"a":1e999999}', '{"a":"\\ud800"}', '{"a":"\\x41"}',
  '{"__proto__":{"isAdmin":true}}', '{"constructor":{"prototype":{"isAdmin":true}}}', '{"title":"a","title":"b"}',
  '['.repeat(10_000) + ']'.repeat(10_000), '{"a":'.repeat(5_000) + '1' + '}'.repeat(5_000)
]

export function caseArbitrary (fixture: Fixture, operation: Operation): Arbitrary<FuzzCase> {
  const { arbitraries } = fixture
  const pathParameters = operation.parameters.filter((parameter) => parameter.in === 'path')
  // A deprecated parameter is not sent: the document says what it does in words, not in the answer's schema
  // (the old `thread=true`; its own test is in test/resources/comments.test.ts).
  const queryParameters = operation.parameters.filter((parameter) => parameter.in === 'query' && parameter.deprecated !== true)
  const takesIfMatch = operation.parameters.some((parameter) => parameter.in === 'header' && parameter.name.toLowerCase() === 'if-match')

  const who = fc.oneof(
    { weight: 2, arbitrary: fc.constant<Who>('anonymous') },
    { weight: 9, arbitrary: fc.constantFrom<Who>('author', 'editor', 'admin') },
    { weight: 1, arbitrary: fc.constant<Who>('bad-token') }
  )

  const pathValue = (parameter: Parameter): Arbitrary<{ value: string, raw: boolean }> => {
    const known = pathSamples(fixture.collections, operation.path, parameter.name)
    const valid = arbitraries.valid(parameter.schema, parameter.name).map((value) => stringify(value)[0] ?? '')
    return pick<{ value: string, raw: boolean }>([
      [8, known.length > 0 ? fc.constantFrom(...known).map((value) => ({ value, raw: false })) : null],
      [3, valid.map((value) => ({ value: value === '' ? 'x' : value, raw: false }))],
      // No longer than a request line can be on a socket (Node's 16 KB header limit answers 431 first).
      [2, arbitraries.invalid(parameter.schema, parameter.name).map((value) => stringify(value)[0] ?? 'x').filter((value) => value.length <= 8 * 1024).map((value) => ({ value: value === '' ? ' ' : value, raw: false }))],
      [1, fc.constantFrom('0', '-1', '1.5', '1e3', '0x1f', '99999999999999999999999', "1' OR '1'='1", '1;DROP TABLE articles', 'x'.repeat(500), '%00', 'null', ' 1', '1 ', '~', '*').map((value) => ({ value, raw: false }))],
      [1, fc.constantFrom('%', '%zz', '%C0%AF', '%E0%A4%A', '%ED%A0%80', '%FF', 'a%2Fb', '%252F', '%20').map((value) => ({ value, raw: true }))]
    ])
  }
  const pathValues = pathParameters.length === 0
    ? fc.constant({} as Record<string, { value: string, raw: boolean }>)
    : fc.record(Object.fromEntries(pathParameters.map((parameter) => [parameter.name, pathValue(parameter)])))

  /** Values the parameter should accept: schema values, the words its description names, real cursors. */
  const queryValue = (parameter: Parameter): Arbitrary<string[]> => {
    const schema = arbitraries.resolve(parameter.schema)
    const free = schema.type === 'string' && [schema.format, schema.enum, schema.anyOf, schema.oneOf, schema.pattern].every((keyword) => keyword === undefined)
    const vocabulary = free && parameter.name !== 'cursor' ? vocabularyOf(parameter) : []
    const descending = /`-`|descending/.test(parameter.description ?? '')
    const words = vocabulary.length > 0
      ? fc.uniqueArray(fc.tuple(fc.constantFrom(...vocabulary), fc.boolean()), { minLength: 1, maxLength: 3, selector: ([word]) => word })
        .map((picked) => [picked.map(([word, down]) => (down && descending ? `-${word}` : word)).join(',')])
      : null
    const own = fixture.cursors.get(operation.key) ?? []
    const cursors = parameter.name === 'cursor' && own.length > 0 ? fc.constantFrom(...own).map((cursor) => [cursor]) : null
    return pick<string[]>([
      [3, arbitraries.valid(parameter.schema, parameter.name).map(stringify)],
      [5, words],
      [6, cursors]
    ])
  }
  /** Values it should refuse (or that are merely odd): wrong types, out of range, damaged cursors. */
  const badQueryValue = (parameter: Parameter): Arbitrary<string[]> => {
    const anyCursor = [...fixture.cursors.values()].flat()
    const damagedCursors = parameter.name === 'cursor' && anyCursor.length > 0
      ? fc.oneof(
        fc.constantFrom(...anyCursor).map((cursor) => [cursor]),
        fc.tuple(fc.constantFrom(...anyCursor), fc.nat(), fc.constantFrom('A', '_', '-', '=', '')).map(([cursor, at, replacement]) => {
          const index = at % cursor.length
          return [cursor.slice(0, index) + replacement + cursor.slice(index + 1)]
        }),
        fc.jsonValue({ maxDepth: 2 }).map((value) => [Buffer.from(JSON.stringify(value) ?? 'null').toString('base64url')])
      )
      : null
    const schema = arbitraries.resolve(parameter.schema)
    const numeric = schema.type === 'integer' || schema.type === 'number'
    return pick<string[]>([
      [4, arbitraries.invalid(parameter.schema, parameter.name).map(stringify)],
      [3, numeric ? fc.constantFrom(...extremeNumbers).map((value) => [value]) : null],
      [2, fc.constantFrom(...awkwardStrings).map((value) => [value])],
      [2, damagedCursors]
    ])
  }
  // About two optional parameters per request, whatever the operation has.
  const absent = (parameter: Parameter): number => (parameter.required === true ? 0 : Math.max(1, queryParameters.length - 2))
  const validPairs = fc.tuple(...queryParameters.map((parameter) => pick<string[] | undefined>([[absent(parameter), fc.constant(undefined)], [2, queryValue(parameter)]])))
    .map((values) => values.flatMap((value, index) => (value === undefined ? [] : value.map((item) => [queryParameters[index]!.name, item] as [string, string]))))
  type QueryMutation = { pairs: Array<[string, string]>, replace: string | null, note: string }
  const queryMutation: Arbitrary<QueryMutation> = pick<QueryMutation>([
    [8, fc.constant({ pairs: [], replace: null, note: '' })],
    [3, queryParameters.length === 0
      ? null
      : fc.constantFrom(...queryParameters).chain((parameter) => badQueryValue(parameter)
        .map((values) => ({ pairs: values.map((value) => [parameter.name, value] as [string, string]), replace: parameter.name, note: `bad ${parameter.name}` })))],
    [1, fc.tuple(fc.constantFrom('unknown', 'Limit', 'sort[]', 'q', 'page', 'per_page', '__proto__', 'fields ', 'include[0]', 'a'.repeat(200)), fc.constantFrom('1', 'x', ''))
      .filter(([name]) => !queryParameters.some((parameter) => parameter.name === name))
      .map(([name, value]) => ({ pairs: [[name, value]], replace: null, note: `unknown query parameter ${name}` }))],
    [1, queryParameters.length === 0
      ? null
      : fc.tuple(fc.constantFrom(...queryParameters), fc.constantFrom('1', '2', 'x', ''))
        .map(([parameter, value]) => ({ pairs: [[parameter.name, value]], replace: null, note: `repeated ${parameter.name}` }))]
  ])
  const queryParts = fc.tuple(validPairs, queryMutation).map(([pairs, mutation]) => ({
    query: [...pairs.filter(([name]) => name !== mutation.replace), ...mutation.pairs],
    queryNote: mutation.note
  }))

  const bodySchema: Schema | null = operation.bodyPointer === null ? null : { $ref: operation.bodyPointer }
  const jsonBody: Arbitrary<Body | undefined> = bodySchema === null
    ? fc.oneof(
      { weight: 9, arbitrary: fc.constant(undefined) },
      { weight: 1, arbitrary: fc.constantFrom(...malformedJson, '{"title":"x"}').map((text): Body => ({ kind: 'text', text, mutation: 'a body where none is expected' })) }
    )
    : bodyArbitrary(arbitraries, bodySchema)
  const rawFiles = rawFileArbitrary(operation.rawMediaTypes)
  const forms = operation.rawMediaTypes.includes('multipart/form-data') ? formArbitrary(fixture.images).map((form): Body => ({ kind: 'form', ...form })) : null
  const files = rawFiles ?? forms
  const body: Arbitrary<Body | undefined> = files === null ? jsonBody : fc.oneof({ weight: 1, arbitrary: jsonBody }, { weight: forms === null ? 2 : 6, arbitrary: files })

  // A stray body on an operation that takes none is sent as JSON (the media type check is the body's).
  const contentType = bodySchema === null ? fc.constant('application/json') : fc.oneof(
    { weight: 12, arbitrary: fc.constant('application/json') },
    { weight: 1, arbitrary: fc.constantFrom('application/json; charset=utf-8', 'APPLICATION/JSON', 'application/json;charset=UTF-8') },
    { weight: 2, arbitrary: fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'application/xml', 'multipart/form-data; boundary=x', 'application/jsonx', 'application/merge-patch+json', 'none') }
  )

  const ifMatch = takesIfMatch
    ? fc.option(fc.constantFrom('current', 'current', '*', '"article-1-v1.abc"', 'W/"x"', '"x", *', 'garbage', '""', 'x'.repeat(1001)), { freq: 1, nil: undefined })
    : fc.constant(undefined)
  const ifNoneMatch = operation.method === 'GET' ? fc.option(fc.constantFrom('*', '"x"', 'W/"y"'), { freq: 8, nil: undefined }) : fc.constant(undefined)

  return fc.record({
    who,
    badAuthorization: fc.constantFrom(...badAuthorizations),
    pathValues,
    queryParts,
    ifMatch,
    ifNoneMatch,
    body,
    contentType
  }).map(({ who, badAuthorization, pathValues, queryParts, ifMatch, ifNoneMatch, body, contentType }) => {
    let path = operation.path
    for (const [name, { value, raw }] of Object.entries(pathValues)) path = path.replace(`{${name}}`, raw ? value : encoded(value))
    const fuzzCase: FuzzCase = { who, path, pathValues, query: queryParts.query, queryNote: queryParts.queryNote }
    if (who === 'bad-token') fuzzCase.badAuthorization = badAuthorization
    if (ifMatch !== undefined) fuzzCase.ifMatch = ifMatch
    if (ifNoneMatch !== undefined) fuzzCase.ifNoneMatch = ifNoneMatch
    if (body !== undefined) {
      fuzzCase.body = body
      fuzzCase.contentType = body.kind === 'form' ? body.contentType : body.kind === 'text' && body.raw !== undefined ? body.raw.contentType : contentType
    }
    return fuzzCase
  })
}

// Export files for operations that take them raw (POST /v1/import): small valid samples of each
// format, sent as is or damaged (cut, spliced with markup, entities or binary). Whatever the
// damage, the answer is a 2xx or a problem+json 4xx that changed nothing, never a 5xx.
const exportSamples: Array<{ name: string, text: string, mediaTypes: string[] }> = [
  {
    name: 'a WordPress export',
    mediaTypes: ['application/rss+xml', 'application/xml', 'text/xml'],
    text: '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">\n<channel>\n<title>Fuzz site</title>\n<wp:wxr_version>1.2</wp:wxr_version>\n<wp:base_blog_url>https://fuzz.example</wp:base_blog_url>\n' +
      '<wp:author><wp:author_login><![CDATA[fuzzer]]></wp:author_login><wp:author_email><![CDATA[fuzzer@example.org]]></wp:author_email><wp:author_display_name><![CDATA[Fuzz Er]]></wp:author_display_name></wp:author>\n' +
      '<item><title>A fuzzed &amp; imported post</title><dc:creator><![CDATA[fuzzer]]></dc:creator><content:encoded><![CDATA[<p>Body with <b>markup</b>]]]]><![CDATA[>.</p>]]></content:encoded><wp:post_id>1</wp:post_id><wp:post_date_gmt>2020-01-02 03:04:05</wp:post_date_gmt><wp:post_name><![CDATA[fuzzed-post]]></wp:post_name><wp:status><![CDATA[publish]]></wp:status><wp:post_type><![CDATA[post]]></wp:post_type>' +
      '<category domain="post_tag" nicename="fuzz"><![CDATA[Fuzz]]></category><wp:comment><wp:comment_id>5</wp:comment_id><wp:comment_author><![CDATA[Reader]]></wp:comment_author><wp:comment_author_IP>192.0.2.1</wp:comment_author_IP><wp:comment_date_gmt>2020-01-03 00:00:00</wp:comment_date_gmt><wp:comment_content><![CDATA[Nice.]]></wp:comment_content><wp:comment_approved>1</wp:comment_approved><wp:comment_parent>0</wp:comment_parent></wp:comment></item>\n' +
      '<item><title>About</title><wp:post_id>2</wp:post_id><wp:post_type>page</wp:post_type><wp:status>publish</wp:status></item>\n</channel>\n</rss>\n'
  },
  {
    name: 'a Blogger export',
    mediaTypes: ['application/atom+xml', 'application/xml'],
    text: "<?xml version='1.0' encoding='UTF-8'?>\n<feed xmlns='http://www.w3.org/2005/Atom' xmlns:thr='http://purl.org/syndication/thread/1.0'>\n<id>tag:blogger.com,1999:blog-4242.archive</id><generator>Blogger</generator>\n" +
      "<entry><id>tag:blogger.com,1999:blog-4242.post-11</id><published>2011-05-11T19:46:00.000-07:00</published><category scheme='http://schemas.google.com/g/2005#kind' term='http://schemas.google.com/blogger/2008/kind#post'/><category scheme='http://www.blogger.com/atom/ns#' term='Fuzz'/><title type='text'>A fuzzed Blogger post</title><content type='html'>&lt;p&gt;Hello &amp;amp; welcome&lt;/p&gt;</content><link rel='alternate' type='text/html' href='https://fuzz.blogspot.com/2011/05/fuzzed.html'/><author><name>Blogger Fuzz</name><uri>https://www.blogger.com/profile/123</uri><email>noreply@blogger.com</email></author></entry>\n" +
      "<entry><id>tag:blogger.com,1999:blog-4242.post-12</id><published>2011-05-12T10:00:00.000-07:00</published><category scheme='http://schemas.google.com/g/2005#kind' term='http://schemas.google.com/blogger/2008/kind#comment'/><title type='text'>Nice</title><content type='html'>Nice &lt;B&gt;post&lt;/B&gt;</content><author><name>Reader</name></author><thr:in-reply-to ref='tag:blogger.com,1999:blog-4242.post-11'/></entry>\n</feed>\n"
  },
  {
    name: 'a Dateline NDJSON export',
    mediaTypes: ['application/x-ndjson'],
    text: [
      '{"type":"header","format":"dateline","version":1,"exportedAt":"2026-01-01T00:00:00.000Z","counts":{}}',
      '{"type":"author","id":900,"slug":"fuzz-author","name":"Fuzz Author","bio":null,"avatarUrl":null,"url":null,"email":"fuzz@example.org","createdAt":"2026-01-01T00:00:00.000Z","updatedAt":"2026-01-01T00:00:00.000Z"}',
      '{"type":"article","id":900,"slug":"fuzz-article","title":"Fuzz article","body":"<p>Hi.</p>","excerpt":null,"status":"published","publishedAt":"2026-01-01T09:00:00.000Z","authorId":900,"labels":["Fuzz"],"createdAt":"2026-01-01T00:00:00.000Z","updatedAt":"2026-01-01T00:00:00.000Z"}',
      '{"type":"comment","id":900,"articleId":900,"parentId":null,"authorName":"R","authorUrl":null,"authorEmail":null,"body":"<p>x</p>","status":"approved","createdAt":"2026-01-02T00:00:00.000Z","updatedAt":"2026-01-02T00:00:00.000Z"}',
      ''
    ].join('\n')
  }
]

const splices = ['<', '>', '&', '&amp', '&#0;', '&#xD800;', '&nbsp;', ']]>', '<![CDATA[', '<!--', '"', "'", '\u0000', '\uFFFE', '\ud800', '</item>', '</channel>', '<item>', '</feed>',
  '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>', '&e;', '<x:y>', '{', '}', '\n', '\r\n', '\uFEFF', 'é', '😀']

function rawFileArbitrary (mediaTypes: string[]): Arbitrary<Body> | null {
  const samples = exportSamples.flatMap((sample) => sample.mediaTypes.filter((type) => mediaTypes.includes(type)).map((contentType) => ({ ...sample, contentType })))
  if (samples.length === 0) return null
  return fc.constantFrom(...samples).chain((sample) => {
    const raw = { contentType: sample.contentType }
    const at = fc.nat({ max: sample.text.length })
    return fc.oneof(
      { weight: 3, arbitrary: fc.constant<Body>({ kind: 'text', text: sample.text, mutation: `${sample.name}, as it is`, raw }) },
      { weight: 3, arbitrary: at.map((cut): Body => ({ kind: 'text', text: sample.text.slice(0, cut), mutation: `${sample.name}, cut at ${cut}`, raw })) },
      { weight: 3, arbitrary: fc.tuple(at, fc.constantFrom(...splices)).map(([where, splice]): Body => ({ kind: 'text', text: sample.text.slice(0, where) + splice + sample.text.slice(where), mutation: `${sample.name} with ${JSON.stringify(splice)} at ${where}`, raw })) },
      { weight: 2, arbitrary: fc.tuple(at, at).map(([from, to]): Body => ({ kind: 'text', text: sample.text.slice(0, Math.min(from, to)) + sample.text.slice(Math.max(from, to)), mutation: `${sample.name} without characters ${Math.min(from, to)}–${Math.max(from, to)}`, raw })) },
      { weight: 1, arbitrary: fc.constant<Body>({ kind: 'text', text: sample.text + sample.text, mutation: `${sample.name}, twice`, raw }) },
      { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }).map((text): Body => ({ kind: 'text', text, mutation: 'random text', raw })) }
    )
  })
}

function bodyArbitrary (arbitraries: SchemaArbitraries, schema: Schema): Arbitrary<Body | undefined> {
  const resolved = arbitraries.resolve(schema)
  const properties: Record<string, Schema> = resolved.properties ?? {}
  const names = Object.keys(properties)
  const required: string[] = resolved.required ?? []
  const valid = arbitraries.valid(schema) as Arbitrary<Record<string, unknown>>

  const mutations: Array<Arbitrary<Body>> = [
    fc.tuple(valid, fc.constantFrom('unknownField', 'Title', 'id', 'createdAt', 'commentCount', 'tilte', 'password', ' title', 'status '), fc.jsonValue({ maxDepth: 1 }))
      .filter(([, name]) => !(name in properties))
      .map(([value, name, extra]) => ({ kind: 'json', value: { ...value, [name]: extra }, mutation: `unknown field ${name}` })),
    fc.constantFrom<unknown>([], [{}], 'text', 0, null, true).map((value): Body => ({ kind: 'json', value, mutation: 'not an object' })),
    fc.constant<Body>({ kind: 'json', value: {}, mutation: 'an empty object' })
  ]
  if (required.length > 0) {
    mutations.push(fc.tuple(valid, fc.constantFrom(...required)).map(([value, name]) => {
      const { [name]: _, ...rest } = value
      return { kind: 'json', value: rest, mutation: `without required ${name}` }
    }))
  }
  if (names.length > 0) {
    mutations.push(fc.tuple(valid, fc.constantFrom(...names)).chain(([value, name]) =>
      arbitraries.invalid(properties[name]!, name).map((bad): Body => ({ kind: 'json', value: { ...value, [name]: bad }, mutation: `bad ${name}` }))))
    mutations.push(fc.tuple(valid, fc.constantFrom(...names), fc.constantFrom(...awkwardStrings))
      .map(([value, name, text]): Body => ({ kind: 'json', value: { ...value, [name]: text }, mutation: `awkward ${name}` })))
    mutations.push(valid.map((value): Body => ({ kind: 'json', value: Object.fromEntries(Object.keys(value).map((key) => [key, null])), mutation: 'every field null' })))
  }
  const raw: Array<Arbitrary<Body>> = [
    fc.constantFrom(...malformedJson).map((text): Body => ({ kind: 'text', text, mutation: 'malformed or odd JSON text' })),
    valid.chain((value) => {
      const text = JSON.stringify(value)
      return fc.nat({ max: Math.max(0, text.length - 1) }).map((cut): Body => ({ kind: 'text', text: text.slice(0, cut), mutation: 'truncated JSON' }))
    }),
    fc.string({ unit: 'binary', maxLength: 50 }).map((text): Body => ({ kind: 'text', text, mutation: 'random text' })),
    valid.map((value): Body => ({ kind: 'text', text: JSON.stringify({ ...value, padding: 'x'.repeat(1024 * 1024) }), mutation: 'over the body limit' }))
  ]
  return fc.oneof(
    { weight: 10, arbitrary: valid.map((value): Body => ({ kind: 'json', value, mutation: 'none' })) },
    { weight: 6, arbitrary: fc.oneof(...mutations) },
    { weight: 3, arbitrary: fc.oneof(...raw) },
    { weight: 1, arbitrary: fc.constant(undefined) }
  )
}

// --- What the request should get, judged independently of the app ---------------------------

function validator (fixture: Fixture, key: string, make: () => ValidateFunction): ValidateFunction {
  let known = fixture.validators.get(key)
  if (known === undefined) {
    known = make()
    fixture.validators.set(key, known)
  }
  return known
}

function ajvMessage (validate: ValidateFunction): string {
  const error = validate.errors?.[0]
  return error === undefined ? 'is not valid' : `${error.instancePath || '(root)'} ${error.message ?? ''} ${JSON.stringify(error.params)}`
}

function parameterGroupIsValid (fixture: Fixture, operation: Operation, place: 'path' | 'query' | 'header', values: Record<string, unknown>): string | null {
  const parameters = operation.parameters.filter((parameter) => parameter.in === place)
  const validate = validator(fixture, `${operation.key} ${place}`, () => fixture.paramAjv.compile({
    type: 'object',
    properties: Object.fromEntries(parameters.map((parameter) => [place === 'header' ? parameter.name.toLowerCase() : parameter.name, { $ref: `openapi${parameter.pointer}` }])),
    required: parameters.filter((parameter) => parameter.required === true).map((parameter) => (place === 'header' ? parameter.name.toLowerCase() : parameter.name)),
    additionalProperties: place === 'query' ? false : true
  }))
  const coerced = structuredClone(values)
  if (!validate(coerced)) return `${place} ${ajvMessage(validate)}`
  // ajv coerces "1e309" to Infinity and then skips minimum and maximum; the API refuses it.
  const infinite = Object.entries(coerced).find(([, value]) => [value].flat().some((item) => typeof item === 'number' && !Number.isFinite(item)))
  return infinite === undefined ? null : `${place} ${infinite[0]} is not a finite number`
}

function isJsonContentType (contentType: string | undefined): boolean {
  return contentType !== undefined && /^application\/json\s*(;|$)/i.test(contentType)
}

/** Why the request must be refused with a 4xx, or null when it may succeed. */
export function expectedRejection (fixture: Fixture, operation: Operation, fuzzCase: FuzzCase): string | null {
  if (fuzzCase.who === 'bad-token' && operation.readsCredentials) return `a bad Authorization header (${fuzzCase.badAuthorization!.slice(0, 40)})`
  if (fuzzCase.who === 'anonymous' && !operation.anonymousAllowed) return 'no token, on an operation that needs one'
  const pathValues: Record<string, unknown> = {}
  for (const [name, { value, raw }] of Object.entries(fuzzCase.pathValues)) {
    try {
      pathValues[name] = decodeURIComponent(raw ? value : encoded(value))
    } catch {
      return `the path parameter ${name} is not valid UTF-8 percent-encoding`
    }
  }
  const pathProblem = parameterGroupIsValid(fixture, operation, 'path', pathValues)
  if (pathProblem !== null) return pathProblem
  // "Unknown query parameters are 400" is the API's rule; the health probes are not part of it.
  if (operation.path.startsWith('/v1/') && !fuzzCase.query.some(([name, value]) => hasLoneSurrogate(name) || hasLoneSurrogate(value))) {
    const query: Record<string, string | string[]> = {}
    for (const [name, value] of fuzzCase.query) {
      const current = query[name]
      query[name] = current === undefined ? value : Array.isArray(current) ? [...current, value] : [current, value]
    }
    const queryProblem = parameterGroupIsValid(fixture, operation, 'query', query)
    if (queryProblem !== null) return queryProblem
  }
  if (fuzzCase.ifMatch !== undefined && fuzzCase.ifMatch !== 'current') {
    const headerProblem = parameterGroupIsValid(fixture, operation, 'header', { 'if-match': fuzzCase.ifMatch })
    if (headerProblem !== null) return headerProblem
  }
  // An export file sent as one of its own media types may be anything: nothing to predict.
  if (fuzzCase.body?.kind === 'text' && fuzzCase.body.raw !== undefined) return null
  // A form knows what about it must be refused (test/fuzz/forms.ts).
  if (fuzzCase.body?.kind === 'form') return fuzzCase.body.refusal
  if (operation.bodyPointer !== null) {
    const body = fuzzCase.body
    if (body === undefined) return operation.bodyRequired ? 'no body, where one is required' : null
    if (!isJsonContentType(fuzzCase.contentType)) return `a ${fuzzCase.contentType ?? 'missing'} content type`
    const text = body.kind === 'json' ? JSON.stringify(body.value) : body.text
    if (Buffer.byteLength(text) > 1024 * 1024) return 'a body over 1 MiB'
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch {
      return 'a body that is not JSON'
    }
    if (/"(__proto__|constructor)"\s*:/.test(text)) return 'a prototype-poisoning key'
    const validate = validator(fixture, `${operation.key} body`, () => fixture.bodyAjv.compile({ $ref: `openapi${operation.bodyPointer}` }))
    if (!validate(value)) return `body ${ajvMessage(validate)}`
  }
  return null
}

// --- Sending a case and judging the answer -----------------------------------------------------

export interface Outcome {
  request: InjectOptions & { method: string, url: string }
  response: LightMyRequestResponse
  changed: string[]
  expectedRejection: string | null
  /** Serious: a 5xx, a malformed error, an undocumented 2xx body, a refused request that changed data. */
  failures: string[]
  /** Contract findings that do not stop the run: a request that should have been refused, missing headers. */
  findings: string[]
}

let addressCounter = 0

function authorizationFor (fixture: Fixture, fuzzCase: FuzzCase): Record<string, string> {
  if (fuzzCase.who === 'anonymous') return {}
  if (fuzzCase.who === 'bad-token') return { authorization: fuzzCase.badAuthorization! }
  return bearer(fixture.secrets[fuzzCase.who])
}

export function buildRequest (fixture: Fixture, operation: Operation, fuzzCase: FuzzCase, currentEtag: string | undefined): InjectOptions & { method: string, url: string } {
  const search = fuzzCase.query.map(([name, value]) => `${encoded(name)}=${encoded(value)}`).join('&')
  const url = search === '' ? fuzzCase.path : `${fuzzCase.path}?${search}`
  const headers: Record<string, string> = { ...authorizationFor(fixture, fuzzCase) }
  if (fuzzCase.ifMatch !== undefined) headers['if-match'] = fuzzCase.ifMatch === 'current' ? (currentEtag ?? '*') : fuzzCase.ifMatch
  if (fuzzCase.ifNoneMatch !== undefined) headers['if-none-match'] = fuzzCase.ifNoneMatch
  const request: InjectOptions & { method: string, url: string } = { method: operation.method, url, headers }
  if (fuzzCase.body !== undefined) {
    request.payload = fuzzCase.body.kind === 'json' ? JSON.stringify(fuzzCase.body.value) ?? '' : fuzzCase.body.kind === 'form' ? fuzzCase.body.payload : fuzzCase.body.text
    if (fuzzCase.contentType !== undefined && fuzzCase.contentType !== 'none') headers['content-type'] = fuzzCase.contentType
  }
  // A bad token counts against the client's address: give each its own, so the lockout
  // (tested elsewhere) does not turn later requests into 429s.
  if (fuzzCase.who === 'bad-token') request.remoteAddress = `10.${(++addressCounter >> 16) & 255}.${(addressCounter >> 8) & 255}.${addressCounter & 255}`
  return request
}

function pathOf (url: string): string {
  return url.split('?')[0]!
}

function judge (fixture: Fixture, request: InjectOptions & { method: string, url: string }, response: LightMyRequestResponse, changed: string[], rejection: string | null): { failures: string[], findings: string[] } {
  const failures: string[] = []
  const findings: string[] = []
  const status = response.statusCode
  const contentType = String(response.headers['content-type'] ?? '')
  if (status >= 500) failures.push(`answered ${status}${changed.length > 0 ? `, after changing ${changed.join(', ')}` : ''}`)
  if (status >= 400) {
    if (!contentType.startsWith('application/problem+json')) {
      failures.push(`a ${status} as ${contentType || 'no content type'}, not application/problem+json`)
    } else {
      let problem: Record<string, unknown> | null = null
      try {
        problem = response.json()
      } catch {
        failures.push(`a ${status} whose body is not JSON`)
      }
      if (problem !== null) {
        for (const field of ['type', 'title', 'detail', 'instance']) {
          if (typeof problem[field] !== 'string' || problem[field] === '') failures.push(`a ${status} problem without a ${field}`)
        }
        if (problem.status !== status) failures.push(`a ${status} problem saying status ${String(problem.status)}`)
        if (typeof problem.type === 'string' && !problem.type.startsWith('https://dateline.dev/problems/')) failures.push(`a problem type ${problem.type} outside https://dateline.dev/problems/`)
        if (typeof problem.instance === 'string' && problem.instance !== pathOf(request.url)) findings.push(`problem instance ${JSON.stringify(problem.instance)} is not the request path ${JSON.stringify(pathOf(request.url))}`)
      }
    }
    if (status === 401 && response.headers['www-authenticate'] === undefined) findings.push('a 401 without WWW-Authenticate')
    if (status === 429 && response.headers['retry-after'] === undefined) findings.push('a 429 without Retry-After')
    if (status === 405 && response.headers.allow === undefined) findings.push('a 405 without Allow')
  }
  if (status >= 400 && status < 500 && changed.length > 0) failures.push(`a ${status} that changed the database (${changed.join(', ')})`)
  // The documented schema for the status (2xx bodies above all); undocumented statuses are
  // findings. A 5xx is already a failure of its own.
  if (status >= 500) return { failures, findings }
  const schemaProblems: string[] = []
  const collector = { fail: (message: string, extra?: unknown) => { schemaProblems.push(`${message}${extra === undefined ? '' : ` ${truncate(JSON.stringify(extra), 1500)}`}`) }, teardown: () => {} } as unknown as TapLike
  try {
    checkAgainstDocument(fixture.app, collector, request.method, request.url, asDocumented(response))
  } catch (error) {
    schemaProblems.push(`the body could not be checked: ${(error as Error).message}`)
  }
  for (const message of schemaProblems) (status >= 200 && status < 300 ? failures : findings).push(message)
  if (status === 201 && !/^\/v1\/[^?#]+$/.test(String(response.headers.location ?? ''))) findings.push(`a 201 with Location ${JSON.stringify(response.headers.location)}`)
  if (status === 204 && response.body !== '') failures.push('a 204 with a body')
  if (rejection !== null && status < 400) findings.push(`answered ${status} although it should be refused: ${rejection}`)
  return { failures, findings }
}

export function truncate (text: string, length: number): string {
  return text.length <= length ? text : `${text.slice(0, length)}… (${text.length} characters)`
}

/**
 * Sends one case and undoes what it wrote (test/fuzz/database.ts), so every case meets the
 * same demo blog (successful writes are real writes, then undone) and the table snapshots
 * before and after tell whether the request changed anything.
 */
/** A response whose body is `text`: what was read of a streamed answer. */
function withBody (response: LightMyRequestResponse, text: string): LightMyRequestResponse {
  return Object.defineProperties(Object.create(response) as LightMyRequestResponse, {
    body: { value: text, writable: true },
    payload: { value: text, writable: true },
    json: { value: () => JSON.parse(text) as unknown, writable: true }
  })
}

/**
 * A request to an operation answering an endless stream: an error is read whole; a stream
 * until its first chunk, and then the client goes away, as a browser leaving the page.
 */
async function injectStreaming (app: FastifyInstance, request: InjectOptions): Promise<LightMyRequestResponse> {
  const leaving = new AbortController()
  const response = await app.inject({ ...request, payloadAsStream: true, signal: leaving.signal })
  const stream = response.stream()
  stream.setEncoding('utf8')
  if (response.statusCode !== 200) {
    let text = ''
    for await (const chunk of stream) text += String(chunk)
    return withBody(response, text)
  }
  const first = await new Promise<string>((resolve) => { stream.once('data', (chunk) => { resolve(String(chunk)) }) })
  stream.on('error', () => {})
  leaving.abort()
  return withBody(response, first)
}

export async function send (fixture: Fixture, operation: Operation, fuzzCase: FuzzCase): Promise<Outcome> {
  const { app, database } = fixture
  const rejection = expectedRejection(fixture, operation, fuzzCase)
  const start = await database.baseline()
  const { request, response, changed } = await database.undoing(async () => {
    let currentEtag: string | undefined
    const readsFirst = fuzzCase.ifMatch === 'current' && fixture.document.paths[operation.path]?.get !== undefined
    if (readsFirst) {
      const current = await app.inject({ method: 'GET', url: fuzzCase.path, headers: authorizationFor(fixture, fuzzCase) })
      currentEtag = typeof current.headers.etag === 'string' ? current.headers.etag : undefined
    }
    // The If-Match read may have written (a token's last use aside, which snapshots leave out).
    const before = readsFirst ? await database.snapshot() : start
    const request = buildRequest(fixture, operation, fuzzCase, currentEtag)
    const response = operation.streams ? await injectStreaming(app, request) : await app.inject(request)
    return { request, response, changed: changedTables(before, await database.snapshot()) }
  })
  return { request, response, changed, expectedRejection: rejection, ...judge(fixture, request, response, changed, rejection) }
}

export function describe (outcome: Outcome, fuzzCase: FuzzCase): string {
  const { request, response } = outcome
  const payload = typeof request.payload === 'string'
    ? truncate(request.payload, 600)
    : Buffer.isBuffer(request.payload) ? `${request.payload.length} bytes: ${truncate(JSON.stringify(request.payload.toString('latin1')), 600)}` : '(none)'
  return [
    `${request.method} ${truncate(request.url, 600)}`,
    `  as: ${fuzzCase.who}${fuzzCase.who === 'bad-token' ? ` (${truncate(fuzzCase.badAuthorization!, 60)})` : ''}`,
    `  headers: ${truncate(JSON.stringify({ ...request.headers, authorization: undefined }), 300)}`,
    `  body (${fuzzCase.body?.mutation ?? 'none'}): ${payload}`,
    `  expected a 4xx: ${outcome.expectedRejection ?? 'no'}`,
    `  → ${response.statusCode} ${String(response.headers['content-type'] ?? '')} ${truncate(response.body, 800)}`
  ].join('\n')
}
