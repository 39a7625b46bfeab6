// A number in a path names one resource, so it has one spelling. ajv's coercion reads any text
// JavaScript's Number() accepts ("1.0", "01", "0x1", "1e0", " 1"): without this guard each of
// them would be another address of comment 1 — and a DELETE through it a write no one meant.

type Validate = ((data: any, context?: any) => unknown) & { errors?: unknown, schemaEnv?: unknown }

/** The first path parameter that coercion turned into a number from text other than its digits. */
function aliasedKey (raw: Record<string, unknown>, data: Record<string, unknown>): string | null {
  for (const [key, value] of Object.entries(data)) {
    if (typeof value === 'number' && typeof raw[key] === 'string' && raw[key] !== String(value)) return key
  }
  return null
}

/** `validate` for path parameters, refusing a number not written as plain digits as a pattern error naming it. */
export function refuseAliasedNumbers<V extends Validate> (validate: V): V {
  const guarded: Validate = (data, context) => {
    const raw = data !== null && typeof data === 'object' ? { ...data } : {}
    const result = validate(data, context)
    guarded.errors = validate.errors
    if (result !== true) return result
    const key = aliasedKey(raw, data)
    if (key === null) return true
    guarded.errors = [{ instancePath: `/${key}`, schemaPath: '#', keyword: 'pattern', params: { pattern: '^[1-9][0-9]*$' }, message: 'must be written as digits, without a sign, a leading zero, a point or an exponent' }]
    return false
  }
  if (validate.schemaEnv !== undefined) guarded.schemaEnv = validate.schemaEnv
  return guarded as V
}
