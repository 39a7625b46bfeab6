import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js'
import addFormats from 'ajv-formats'
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify'
import type { Test } from 'tap'
import { buildApp, type AppOptions } from '../src/app.js'
import { mediaDirectoryBeside } from '../src/config.js'
import { createToken } from '../src/resources/tokens/service.js'
import type { TokenRole } from '../src/db/schema.js'
import { freshPostgresDatabase, postgresTestUrl } from './postgres.js'
import { freshMediaBucket, s3TestEndpoint } from './s3.js'

export type TapLike = Pick<Test, 'teardown' | 'fail'>

export const adminSecret = 'test-admin-token-0123456789abcdef'

/**
 * A database of the test's own: in memory on SQLite, or a fresh PostgreSQL database when the
 * suite is pointed at a server (`DATELINE_TEST_DATABASE_URL`).
 */
export async function testDatabaseUrl (t: TapLike): Promise<string> {
  return postgresTestUrl() === undefined ? ':memory:' : (await freshPostgresDatabase(t)).url
}

/**
 * A database that outlives one app, for tests that stop the server and start it again on the
 * same data: a file on SQLite, or a fresh PostgreSQL database when the suite runs there.
 */
export async function lastingDatabaseUrl (t: TapLike): Promise<string> {
  return postgresTestUrl() === undefined ? tempDatabase(t) : (await freshPostgresDatabase(t)).url
}

/**
 * Where a test's images go unless it says: a bucket of the S3 test server when the suite is
 * pointed at one (`DATELINE_TEST_S3_ENDPOINT`), else the app's default (a temporary folder,
 * or the folder beside an SQLite file, which the tests that give one look for).
 */
async function testMedia (t: TapLike, overrides: Partial<AppOptions>): Promise<Partial<AppOptions>> {
  if (overrides.mediaDir !== undefined || overrides.mediaBucket !== undefined || s3TestEndpoint() === undefined) return {}
  if (overrides.databaseUrl !== undefined && mediaDirectoryBeside(overrides.databaseUrl) !== null) return {}
  return { mediaBucket: await freshMediaBucket(t) }
}

/**
 * Media that several apps share (instances behind one load balancer): one temporary folder,
 * or one place in the S3 test server's bucket when the suite is pointed at one.
 */
export async function sharedMedia (t: TapLike): Promise<Pick<AppOptions, 'mediaDir' | 'mediaBucket'>> {
  if (s3TestEndpoint() !== undefined) return { mediaBucket: await freshMediaBucket(t) }
  const mediaDir = mkdtempSync(join(tmpdir(), 'dateline-shared-media-'))
  t.teardown(() => rmSync(mediaDir, { recursive: true, force: true }))
  return { mediaDir }
}

/** The app exactly as production builds it, on a fresh database of its own. */
export async function build (t: TapLike, overrides: Partial<AppOptions> = {}): Promise<FastifyInstance> {
  const app = await buildApp({
    ...await testMedia(t, overrides),
    databaseUrl: overrides.databaseUrl ?? await testDatabaseUrl(t),
    timezone: 'UTC',
    locale: 'en-US',
    demo: false,
    adminToken: adminSecret,
    ...overrides
  })
  t.teardown(() => app.close())
  await app.ready()
  return app
}

/** A database file in a temporary folder, removed after the test. */
export function tempDatabase (t: TapLike): string {
  const dir = mkdtempSync(join(tmpdir(), 'dateline-test-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return join(dir, 'dateline.db')
}

/** A bearer token of `role` (bound to `authorId` for authors), made the way the CLI makes one. */
export async function tokenFor (app: FastifyInstance, role: TokenRole, author?: number): Promise<string> {
  return (await createToken(app.store, { role, ...(author === undefined ? {} : { author: String(author) }) })).secret
}

export function bearer (secret: string): Record<string, string> {
  return { authorization: `Bearer ${secret}` }
}

// --- Every response checked against the OpenAPI document -------------------------

interface DocumentValidator {
  /** Validates against the document as it is (`fields=` answers too: the document gives their `…Fields` schemas). */
  ajv: Ajv2020
  paths: Array<{ template: string, pattern: RegExp }>
}

const validators = new WeakMap<FastifyInstance, DocumentValidator>()

function ajvFor (document: object): Ajv2020 {
  const ajv = new Ajv2020({ strict: false, allErrors: true })
  addFormats.default(ajv)
  ajv.addSchema({ ...document, $id: 'openapi' })
  return ajv
}

/**
 * Fastify's order: where two templates match a path, the one with a static segment where the
 * other has a parameter wins (`/v1/trash/pages` over `/v1/trash/{id}`).
 */
function staticSegmentsFirst (a: string, b: string): number {
  const left = a.split('/')
  const right = b.split('/')
  for (let index = 0; index < Math.min(left.length, right.length); index++) {
    const leftParam = left[index]!.startsWith('{')
    const rightParam = right[index]!.startsWith('{')
    if (leftParam !== rightParam) return leftParam ? 1 : -1
  }
  return 0
}

// Apps built alike have the same document: its validators are compiled once for all of them.
const validatorsByDocument = new Map<string, DocumentValidator>()

function documentValidator (app: FastifyInstance) {
  let known = validators.get(app)
  if (known !== undefined) return known
  const text = JSON.stringify(app.swagger())
  known = validatorsByDocument.get(text)
  if (known !== undefined) {
    validators.set(app, known)
    return known
  }
  const document = JSON.parse(text) as { paths: Record<string, unknown> }
  const ajv = ajvFor(document)
  const paths = Object.keys(document.paths).sort(staticSegmentsFirst).map((template) => ({
    template,
    pattern: new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`)
  }))
  known = { ajv, paths }
  validators.set(app, known)
  validatorsByDocument.set(text, known)
  return known
}

const compiledRefs = new WeakMap<Ajv2020, Map<string, ValidateFunction>>()

/** The schema at `ref`, compiled once per validator (ajv caches by schema object: a new `{ $ref }` each time would compile again). */
function compiled (validator: Ajv2020, ref: string): ValidateFunction {
  const known = compiledRefs.get(validator) ?? new Map<string, ValidateFunction>()
  compiledRefs.set(validator, known)
  let validate = known.get(ref)
  if (validate === undefined) {
    validate = validator.compile({ $ref: ref })
    known.set(ref, validate)
  }
  return validate
}

function pointer (...segments: string[]): string {
  return segments.map((segment) => segment.replace(/~/g, '~0').replace(/\//g, '~1')).join('/')
}

// A client backs off by these, so every answer that sends one documents it.
const throttleHeader = /^(?:retry-after|x-ratelimit-)/

/** Checks a response against the schema the OpenAPI document gives for its operation, status and media type. */
export function checkAgainstDocument (app: FastifyInstance, t: TapLike, method: string, url: string, response: LightMyRequestResponse): void {
  if (response.statusCode === 304 || response.statusCode === 204 || method === 'HEAD') return
  const { ajv, paths } = documentValidator(app)
  const [path] = url.split('?')
  const route = paths.find((candidate) => candidate.pattern.test(path!))
  if (route === undefined) return // not a documented path (404s, docs assets)
  const document = ajv.getSchema('openapi')!.schema as Record<string, any>
  const operation = document.paths[route.template]?.[method.toLowerCase()]
  if (operation === undefined) return // 405s
  const mediaType = String(response.headers['content-type'] ?? '').split(';')[0]!
  const documented = operation.responses?.[String(response.statusCode)]
  if (documented === undefined) {
    t.fail(`${method} ${url} answered ${response.statusCode}, which its operation does not document`, { body: response.body })
    return
  }
  if (documented.content?.[mediaType] === undefined) {
    t.fail(`${method} ${url} answered ${response.statusCode} as ${mediaType}, which is not documented`)
    return
  }
  const documentedHeaders = Object.keys(documented.headers ?? {}).map((name) => name.toLowerCase())
  for (const name of Object.keys(response.headers).filter((name) => throttleHeader.test(name))) {
    if (!documentedHeaders.includes(name)) t.fail(`${method} ${url} (${response.statusCode}) sends ${name}, which its answer does not document`)
  }
  const ref = `openapi#/${pointer('paths', route.template, method.toLowerCase(), 'responses', String(response.statusCode), 'content', mediaType, 'schema')}`
  const validate = compiled(ajv, ref)
  const body = /^application\/(?:[\w.-]+\+)?json$/.test(mediaType) ? response.json() : response.body
  if (!validate(body)) {
    t.fail(`${method} ${url} (${response.statusCode}) does not match its documented schema`, { errors: validate.errors, body: response.body })
  }
}

/** `app.inject`, with the response checked against the OpenAPI document. */
export async function request (app: FastifyInstance, t: TapLike, options: InjectOptions & { method: string, url: string }): Promise<LightMyRequestResponse> {
  const response = await app.inject(options)
  checkAgainstDocument(app, t, options.method, options.url, response)
  return response
}

// --- Fixtures, made through the API ----------------------------------------------

export async function createAuthor (app: FastifyInstance, t: TapLike, body: Record<string, unknown> = {}): Promise<Record<string, any>> {
  const response = await request(app, t, {
    method: 'POST',
    url: '/v1/authors',
    headers: bearer(adminSecret),
    payload: { name: 'Ada Reporter', ...body }
  })
  if (response.statusCode !== 201) throw new Error(`creating an author failed: ${response.statusCode} ${response.body}`)
  return response.json()
}

export async function createArticle (app: FastifyInstance, t: TapLike, body: Record<string, unknown>, secret = adminSecret): Promise<Record<string, any>> {
  const response = await request(app, t, {
    method: 'POST',
    url: '/v1/articles',
    headers: bearer(secret),
    payload: { title: 'A headline', body: '<p>Some words.</p>', ...body }
  })
  if (response.statusCode !== 201) throw new Error(`creating an article failed: ${response.statusCode} ${response.body}`)
  return response.json()
}
