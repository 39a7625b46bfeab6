// ajv coerces the text "1e309" or "Infinity" to Infinity and then skips `minimum` and `maximum`,
// which it checks only for finite numbers (ajv-validator/ajv#2212, fastify/fastify#6718): such
// a `limit` reached SQLite and answered 500. Query strings, paths and headers are coerced, so
// their validators get this guard; JSON bodies cannot hold a non-finite number.

interface ValidationError {
  instancePath: string
  schemaPath: string
  keyword: string
  params: Record<string, unknown>
  message: string
}

type Validate = ((data: any, context?: any) => unknown) & { errors?: unknown, schemaEnv?: unknown }

/** Where in `data` (a flat object of values or arrays of values) a non-finite number is, as an ajv instance path. */
function nonFinitePath (data: unknown): string | null {
  if (data === null || typeof data !== 'object') return null
  for (const [key, value] of Object.entries(data)) {
    const values: unknown[] = Array.isArray(value) ? value : [value]
    const at = values.findIndex((item) => typeof item === 'number' && !Number.isFinite(item))
    if (at !== -1) return Array.isArray(value) ? `/${key}/${at}` : `/${key}`
  }
  return null
}

/** `validate`, refusing a value that coercion made non-finite as a type error naming it. */
export function refuseNonFinite<V extends Validate> (validate: V): V {
  const guarded: Validate = (data, context) => {
    const result = validate(data, context)
    if (result !== true) {
      guarded.errors = validate.errors
      return result
    }
    const instancePath = nonFinitePath(data)
    if (instancePath === null) return true
    const error: ValidationError = { instancePath, schemaPath: '#', keyword: 'type', params: { type: 'number' }, message: 'must be a finite number' }
    guarded.errors = [error]
    return false
  }
  // Fastify passes the parent object (so ajv may replace a coerced root) only to validators that have one.
  if (validate.schemaEnv !== undefined) guarded.schemaEnv = validate.schemaEnv
  return guarded as V
}
