import SerializerSelector from '@fastify/fast-json-stringify-compiler'
import type { FastifyServerOptions } from 'fastify'
import { sparseIdOf } from '../schemas.js'

type SerializerFactory = NonNullable<NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>['buildSerializer']>
type Schema = Record<string, unknown>

// Values, not schemas: left as they are.
const dataKeywords = new Set(['examples', 'example', 'default', 'const', 'enum'])

function isSchema (value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** `anyOf: [{ type: 'string', … }, { type: 'null' }]` as `{ type: ['string', 'null'], … }`, or null if it isn't one. */
function nullableAsTypeList (schema: Schema, options: unknown[]): Schema | null {
  if (options.length !== 2) return null
  const nullAt = options.findIndex((option) => isSchema(option) && option.type === 'null' && Object.keys(option).length === 1)
  const other = options[1 - nullAt]
  if (nullAt === -1 || !isSchema(other) || typeof other.type !== 'string' || other.anyOf !== undefined || other.$ref !== undefined) return null
  const { anyOf: _, ...siblings } = schema
  return { ...other, ...siblings, type: [other.type, 'null'] }
}

/** `anyOf: [{ type: 'string', const: 'a' }, { type: 'string', const: 'b' }]` as `{ type: 'string', enum: ['a', 'b'] }`. */
function literalsAsEnum (schema: Schema, options: unknown[]): Schema | null {
  const first = options[0]
  if (!isSchema(first) || typeof first.type !== 'string') return null
  const literal = (option: unknown) => isSchema(option) && option.type === first.type && 'const' in option && Object.keys(option).length === 2
  if (!options.every(literal)) return null
  const { anyOf: _, ...siblings } = schema
  return { ...siblings, type: first.type, enum: options.map((option) => (option as Schema).const) }
}

/**
 * `anyOf: [{ $ref: 'Article' }, { $ref: 'ArticleFields' }]` (schemas.ts, `sparseAnswer`) as
 * `{ $ref: 'Article' }`: the document says a `fields=` answer may be sparse, but such an
 * answer is written with the sparse schema itself (lib/responses.ts), so this one only ever
 * writes full objects.
 */
function fullOfSparse (schema: Schema, options: unknown[]): Schema | null {
  const [full, sparse] = options
  if (options.length !== 2 || !isSchema(full) || !isSchema(sparse) || typeof full.$ref !== 'string') return null
  if (sparse.$ref !== sparseIdOf(full.$ref)) return null
  const { anyOf: _, ...siblings } = schema
  return { ...siblings, $ref: full.$ref }
}

/** `allOf: [{ $ref }]` (a reference documented with a description of its own) as the `$ref`. */
function bareReference (schema: Schema): Schema {
  const { allOf, ...siblings } = schema
  if (!Array.isArray(allOf) || allOf.length !== 1 || !isSchema(allOf[0]) || typeof allOf[0].$ref !== 'string' || Object.keys(allOf[0]).length !== 1) return schema
  return { ...siblings, $ref: allOf[0].$ref }
}

function simplified (schema: Schema): Schema {
  const options = schema.anyOf
  if (!Array.isArray(options)) return bareReference(schema)
  return nullableAsTypeList(schema, options) ?? literalsAsEnum(schema, options) ?? fullOfSparse(schema, options) ?? schema
}

/**
 * A copy of a response schema without the `anyOf`s that need none: a nullable value
 * (TypeBox's `Union([T, Null])`) becomes a type list, a union of literals an `enum`, a
 * full-or-sparse answer the full schema, a described reference (`allOf` of one `$ref`) the reference.
 * fast-json-stringify serialises an `anyOf` by running an ajv validator over the value for
 * each branch — formats and patterns included, on every response — while a type list is a
 * `typeof` test and an enum of strings is written as a string. Same JSON out; the OpenAPI
 * document keeps the schemas as they were written.
 */
export function withTypeLists (schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(withTypeLists)
  if (!isSchema(schema)) return schema
  const copy: Schema = {}
  for (const [key, value] of Object.entries(schema)) copy[key] = dataKeywords.has(key) ? value : withTypeLists(value)
  return simplified(copy)
}

/**
 * Fastify's own serializer compiler, given the schemas with type lists for nullable values.
 * Most routes answer the same problem schemas, and compiling one walks every shared schema:
 * a schema compiled once serves every route that answers with it (start-up time).
 */
export const buildSerializer: SerializerFactory = (externalSchemas, options) => {
  const compile = SerializerSelector()(withTypeLists(externalSchemas) as typeof externalSchemas, options)
  const compiled = new Map<string, ReturnType<typeof compile>>()
  return (route) => {
    const schema = withTypeLists(route.schema) as typeof route.schema
    const key = JSON.stringify(schema)
    let serialize = compiled.get(key)
    if (serialize === undefined) {
      serialize = compile({ ...route, schema })
      compiled.set(key, serialize)
    }
    return serialize
  }
}
