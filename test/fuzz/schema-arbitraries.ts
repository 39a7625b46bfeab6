import fc, { type Arbitrary } from 'fast-check'

/**
 * JSON Schema (as the OpenAPI document writes it) to fast-check arbitraries.
 *
 * `valid(schema)` aims at values the schema accepts: types, enums, formats (date, date-time,
 * email, uri), bounds, lengths, simple patterns, required/optional properties. It is
 * best-effort (a generated email may still be one the validator refuses): the fuzz suite
 * decides validity with ajv, never by trusting the generator.
 * `invalid(schema)` produces values that break it in one place: wrong types, out-of-range
 * numbers, unknown fields, missing required fields, strings that are too long.
 */

export type Schema = Record<string, any>

const absent = Symbol('absent')

/** Values a property or parameter is likely to need to get past the service: real ids and slugs. */
export interface SampleSource {
  samples: (name: string | undefined, type: 'integer' | 'string') => unknown[]
}

/** Strings that tend to break things: markup, injection, odd Unicode, boundaries. */
export const awkwardStrings: readonly string[] = [
  '', ' ', '  \t\n ', '0', '-1', '1e9', 'null', 'true', 'undefined', 'NaN',
  '<script>alert(1)</script>', '<img src=x onerror=alert(1)>', '<a href="javascript:alert(1)">x</a>',
  '<svg><script>alert(1)</script></svg>', '<p>unclosed <b>nesting<i></p>', '&lt;script&gt;', '<!--',
  '**bold** _em_ [link](javascript:alert(1)) ![x](data:text/html,x)', '# Heading\n\n> quote\n\n- item',
  "' OR 1=1 --", '"; DROP TABLE articles; --', '%', '%00', '%zz', '../../etc/passwd', '${jndi:x}', '{{7*7}}',
  '\u0000', 'a\u0000b', '\ud800', '\udfff', 'x\ud83d', '\ufeff', '\u200b', '\u202eabc', '\u2028\u2029',
  '\uffff', 'e\u0301\u0301\u0301', '👩‍👩‍👧‍👦', '🇩🇪', 'Zoë', 'Café reopens', 'İstanbul', 'ß', 'ǅ', '日本語', 'مرحبا',
  '\\', '\\u0000', '\r\n', 'a'.repeat(300), '-', '--', 'a-', '-a', '123', 'a--b', ',', ',,', 'id,id', 'title,-title',
  'SS', 'ſ', 'K', 'İ', 'i\u0307', 'ǆ', 'Ǆ', 'ﬀ', 'ΣΑΣ', 'ς', '!!!', '\u00a0', '\u3000x',
  // Deep nesting and long runs for the markdown renderer, the sanitiser and the excerpt.
  '>'.repeat(3000) + ' x', '<div>'.repeat(3000), '<b><i>'.repeat(2000), '*'.repeat(3000), '['.repeat(3000), '- '.repeat(3000) + 'x',
  '`'.repeat(3000), '<!--'.repeat(2000), '&amp;'.repeat(3000), 'word '.repeat(3000), 'x'.repeat(60_000)
]

const wrongTypedValues: readonly unknown[] = [
  null, true, false, 0, -1, 1.5, 2 ** 53, -(2 ** 31), '', 'x', '1', [], [1], ['x'], {}, { a: 1 }
]

function pad (value: number, width = 2): string {
  return String(value).padStart(width, '0')
}

/** Real calendar days, mostly around the demo blog's dates. */
export const dayArbitrary: Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.date({ min: new Date('2026-05-01T00:00:00Z'), max: new Date('2026-07-31T00:00:00Z'), noInvalidDate: true }) },
  { weight: 1, arbitrary: fc.date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T00:00:00Z'), noInvalidDate: true }) }
).map((date) => `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`)
  .chain((usual) => fc.oneof(
    { weight: 9, arbitrary: fc.constant(usual) },
    { weight: 1, arbitrary: fc.constantFrom('0000-01-01', '0000-02-29', '9999-12-31', '2024-02-29', '1970-01-01') }
  ))

const day = 86_400_000

/** RFC 3339 timestamps: around now (drafts, scheduling, publishing), around the demo blog, or anywhen. */
export const dateTimeArbitrary: Arbitrary<string> = fc.tuple(
  fc.oneof(
    { weight: 2, arbitrary: fc.integer({ min: -3 * day, max: 3 * day }).map((offset) => new Date(Date.now() + offset)) },
    { weight: 2, arbitrary: fc.date({ min: new Date('2026-05-01T00:00:00Z'), max: new Date('2026-08-31T00:00:00Z'), noInvalidDate: true }) },
    { weight: 1, arbitrary: fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2200-12-31T00:00:00Z'), noInvalidDate: true }) }
  ),
  fc.constantFrom('ms', 'seconds', 'offset')
).map(([when, style]) => {
  const iso = when.toISOString()
  if (style === 'seconds') return iso.replace(/\.\d{3}Z$/, 'Z')
  if (style === 'offset') return iso.replace('Z', '+02:00')
  return iso
}).chain((usual) => fc.oneof(
  { weight: 9, arbitrary: fc.constant(usual) },
  // The edges of RFC 3339: year 0 and 9999, offsets that cross them, a leap second, lower case.
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '0000-01-01T00:00:00Z', '0001-01-01T00:00:00+23:59', '9999-12-31T23:59:59.999Z', '9999-12-31T23:59:59-23:59',
      '2016-12-31T23:59:60Z', '2026-06-25t14:03:00z', '2026-06-25T14:03:00.123456789Z', '2024-02-29T12:00:00Z'
    )
  }
))

const emailArbitrary: Arbitrary<string> = fc.oneof(
  fc.constantFrom('ada@example.org', 'zoe.lindqvist@example.net', 'x+tag@sub.example.co.uk'),
  fc.emailAddress()
)

const urlArbitrary: Arbitrary<string> = fc.oneof(
  fc.constantFrom('https://example.org/', 'http://example.com/a?b=c#d', 'https://www.youtube.com/embed/x'),
  fc.webUrl({ validSchemes: ['http', 'https'], withQueryParameters: true, withFragments: true })
)

/** Code points, as JSON Schema's minLength/maxLength count them. */
export function codePointLength (value: string): number {
  let length = 0
  for (const _ of value) length++
  return length
}

function regexOf (pattern: string): RegExp | null {
  try {
    return new RegExp(pattern, 'u')
  } catch {
    return null
  }
}

/** fast-check's stringMatching, or the same pattern without its lookarounds, or nothing. */
function patternArbitrary (pattern: string): Arbitrary<string> | null {
  const regex = regexOf(pattern)
  if (regex === null) return null
  for (const candidate of [pattern, pattern.replace(/\(\?<?[=!](?:[^()\\]|\\.|\([^()]*\))*\)/g, '')]) {
    try {
      return fc.stringMatching(new RegExp(candidate, 'u'))
    } catch {
      // lookarounds and other syntax fast-check does not implement: try the next candidate
    }
  }
  return null
}

function stringFits (schema: Schema, value: string): boolean {
  const length = codePointLength(value)
  if (schema.minLength !== undefined && length < schema.minLength) return false
  if (schema.maxLength !== undefined && length > schema.maxLength) return false
  if (typeof schema.pattern === 'string') {
    const regex = regexOf(schema.pattern)
    if (regex !== null && !regex.test(value)) return false
  }
  return true
}

function examplesOf (schema: Schema): unknown[] {
  const found: unknown[] = []
  if (Array.isArray(schema.examples)) found.push(...schema.examples)
  else if (schema.examples !== undefined && typeof schema.examples === 'object') {
    for (const example of Object.values(schema.examples as Record<string, { value?: unknown }>)) found.push(example?.value)
  }
  if (schema.example !== undefined) found.push(schema.example)
  if (schema.default !== undefined) found.push(schema.default)
  return found
}

function weighted<T> (entries: Array<[number, Arbitrary<T> | null | undefined]>): Arbitrary<T> {
  const present = entries.filter((entry): entry is [number, Arbitrary<T>] => entry[1] !== null && entry[1] !== undefined && entry[0] > 0)
  if (present.length === 0) throw new Error('no arbitrary to choose from')
  return fc.oneof(...present.map(([weight, arbitrary]) => ({ weight, arbitrary })))
}

export class SchemaArbitraries {
  constructor (private readonly document: Schema, private readonly sampleSource: SampleSource) {}

  /** Follows `$ref`s into the document (`#/components/schemas/X`). */
  resolve (schema: Schema): Schema {
    let current = schema
    for (let hops = 0; typeof current.$ref === 'string' && hops < 20; hops++) {
      const ref: string = current.$ref
      if (!ref.startsWith('#/')) throw new Error(`cannot follow ${ref}`)
      let target: any = this.document
      for (const segment of ref.slice(2).split('/')) target = target?.[segment.replace(/~1/g, '/').replace(/~0/g, '~')]
      if (target === undefined) throw new Error(`${ref} points nowhere`)
      const { $ref: _, ...rest } = current
      current = { ...target, ...rest }
    }
    return current
  }

  /** The schema's branches (anyOf/oneOf/type lists), each merged with the shared keywords. */
  branches (schema: Schema): Schema[] {
    const resolved = this.resolve(schema)
    const alternatives = resolved.anyOf ?? resolved.oneOf
    if (Array.isArray(alternatives)) {
      const { anyOf: _a, oneOf: _o, ...shared } = resolved
      return alternatives.flatMap((branch: Schema) => this.branches({ ...shared, ...this.resolve(branch) }))
    }
    if (Array.isArray(resolved.allOf)) {
      const { allOf, ...shared } = resolved
      return this.branches(Object.assign({}, shared, ...allOf.map((part: Schema) => this.resolve(part))))
    }
    if (Array.isArray(resolved.type)) return resolved.type.map((type: string) => ({ ...resolved, type }))
    return [resolved]
  }

  /** Values the schema (probably) accepts. `name` is the property or parameter name, for samples. */
  valid (schema: Schema, name?: string, depth = 0): Arbitrary<unknown> {
    const branches = this.branches(schema)
    if (branches.length > 1) return fc.oneof(...branches.map((branch) => this.valid(branch, name, depth)))
    const s = branches[0]!
    if (s.const !== undefined) return fc.constant(s.const)
    if (Array.isArray(s.enum)) return fc.constantFrom(...(s.enum as unknown[]))
    const type: string | undefined = s.type ?? (s.properties !== undefined ? 'object' : undefined)
    switch (type) {
      case 'null': return fc.constant(null)
      case 'boolean': return fc.boolean()
      case 'integer': return this.integer(s, name)
      case 'number': return fc.double({ min: s.minimum ?? -1e9, max: s.maximum ?? 1e9, noNaN: true, noDefaultInfinity: true })
      case 'string': return this.string(s, name)
      case 'array': return this.array(s, name, depth)
      case 'object': return this.object(s, depth)
      default: return depth > 2 ? fc.constant(null) : fc.jsonValue({ maxDepth: 2 })
    }
  }

  private integer (s: Schema, name?: string): Arbitrary<number> {
    const min: number = s.minimum ?? (s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1 : -(2 ** 31))
    const max: number = s.maximum ?? (s.exclusiveMaximum !== undefined ? s.exclusiveMaximum - 1 : 2 ** 31)
    const known = this.sampleSource.samples(name, 'integer')
      .filter((value): value is number => Number.isInteger(value) && (value as number) >= min && (value as number) <= max)
    const huge = [2 ** 31, 2 ** 53 - 1, 2 ** 63, 1e300].filter((value) => value >= min && value <= max)
    return weighted<number>([
      [4, known.length > 0 ? fc.constantFrom(...known) : null],
      [1, huge.length > 0 ? fc.constantFrom(...huge) : null],
      [2, fc.constantFrom(min, max)],
      [3, fc.integer({ min: Math.max(min, Math.min(max, 0)), max: Math.min(max, Math.max(min, 0) + 50) })],
      [2, fc.integer({ min, max })]
    ])
  }

  private string (s: Schema, name?: string): Arbitrary<string> {
    const minLength: number = s.minLength ?? 0
    const maxLength: number = s.maxLength ?? 200
    const fits = (value: unknown): value is string => typeof value === 'string' && stringFits(s, value)
    const samples = [...examplesOf(s), ...this.sampleSource.samples(name, 'string')].filter(fits)
    const awkward = awkwardStrings.filter(fits)
    const format: string | undefined = s.format
    const byFormat = format === 'date'
      ? dayArbitrary
      : format === 'date-time'
        ? dateTimeArbitrary
        : format === 'email'
          ? emailArbitrary
          : format === 'uri' || format === 'url' || format === 'uri-reference'
            ? urlArbitrary
            : null
    const byPattern = typeof s.pattern === 'string' && byFormat === null ? patternArbitrary(s.pattern) : null
    // A sample with a random suffix: a fresh slug or name that still looks like the real ones.
    const suffixed = samples.length > 0 && byFormat === null
      ? fc.tuple(fc.constantFrom(...samples), fc.stringMatching(/^[a-z0-9]{1,6}$/)).map(([sample, suffix]) => `${String(sample)}-${suffix}`)
      : null
    const generalMax = Math.max(minLength, Math.min(maxLength, 40))
    const general = fc.oneof(
      { weight: 3, arbitrary: fc.string({ minLength, maxLength: generalMax }) },
      { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength, maxLength: generalMax }) },
      { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength, maxLength: generalMax }) }
    )
    // Exactly at the limits, when they are not absurdly large.
    const boundary = s.maxLength !== undefined && s.maxLength <= 20_000
      ? fc.constantFrom('x'.repeat(s.maxLength), 'é'.repeat(s.maxLength), 'x'.repeat(Math.max(minLength, 1)))
      : null
    const arbitrary = weighted<string>([
      [4, samples.length > 0 ? fc.constantFrom(...samples) : null],
      [byFormat !== null ? 6 : 0, byFormat],
      [byPattern !== null ? 5 : 0, byPattern],
      [2, suffixed],
      [byFormat === null && (byPattern === null || s.pattern === '\\S') ? 4 : 0, general],
      [byFormat === null ? 2 : 0, awkward.length > 0 ? fc.constantFrom(...awkward) : null],
      [byFormat === null ? 1 : 0, boundary]
    ])
    // Formats are left to the validator; everything else is made to fit, falling back to a sample.
    if (byFormat !== null) return arbitrary
    const fallback = samples[0] ?? awkward[0] ?? (fits('x'.repeat(Math.max(minLength, 1))) ? 'x'.repeat(Math.max(minLength, 1)) : undefined)
    return fallback === undefined ? arbitrary : arbitrary.map((value) => (fits(value) ? value : fallback))
  }

  private array (s: Schema, name: string | undefined, depth: number): Arbitrary<unknown[]> {
    const items = this.valid(s.items ?? {}, name, depth + 1)
    const minLength: number = s.minItems ?? 0
    const maxLength = Math.max(minLength, Math.min(s.maxItems ?? 5, 5))
    // Near-duplicates (case, spacing, normalisation) of one item, for de-duplication rules.
    const nearDuplicates = fc.tuple(fc.array(items, { minLength: Math.max(1, minLength), maxLength }), fc.nat())
      .map(([array, at]) => {
        const item = array[at % array.length]
        if (typeof item !== 'string') return array
        const variants = [item.toUpperCase(), item.toLowerCase(), ` ${item} `, item.normalize('NFD'), item.normalize('NFKC'), item.toLocaleUpperCase('tr')]
        return [...array, variants[at % variants.length]!].slice(0, s.maxItems ?? Infinity)
      })
    return weighted<unknown[]>([
      [5, fc.array(items, { minLength, maxLength })],
      [2, nearDuplicates],
      [1, s.maxItems !== undefined && s.maxItems <= 200 ? fc.array(items, { minLength: s.maxItems, maxLength: s.maxItems }) : null]
    ])
  }

  private object (s: Schema, depth: number): Arbitrary<Record<string, unknown>> {
    const properties: Record<string, Schema> = s.properties ?? {}
    const required = new Set<string>((s.required ?? []).filter((key: string) => key in properties))
    // About two optional properties per object: all of them at once mostly trips over
    // rules between fields (`body` and `markdown` together) before reaching anything else.
    const optionalCount = Object.keys(properties).length - required.size
    const absentWeight = Math.max(1, optionalCount - 2)
    const model = Object.fromEntries(Object.entries(properties).map(([key, property]) => {
      const value = this.valid(property, key, depth + 1)
      return [key, required.has(key) ? value : fc.oneof({ weight: absentWeight, arbitrary: fc.constant(absent) }, { weight: 2, arbitrary: value })]
    }))
    const record = fc.record(model).map((value) => Object.fromEntries(Object.entries(value).filter(([, item]) => item !== absent)))
    const minProperties: number = s.minProperties ?? 0
    const first = Object.keys(properties)[0]
    if (minProperties === 0 || first === undefined) return record
    // Top up with the first property rather than filtering (which could starve).
    return fc.tuple(record, this.valid(properties[first]!, first, depth + 1))
      .map(([value, extra]) => (Object.keys(value).length >= minProperties ? value : { ...value, [first]: extra }))
  }

  /** One way to break a value of this schema: a different type or an out-of-range value. */
  invalid (schema: Schema, name?: string): Arbitrary<unknown> {
    const s = this.branches(schema)[0] ?? {}
    const options: Array<Arbitrary<unknown>> = [fc.constantFrom(...wrongTypedValues)]
    if (s.type === 'string' || s.type === undefined) {
      const maxLength: number | undefined = s.maxLength
      if (maxLength !== undefined) options.push(fc.constantFrom('x'.repeat(maxLength + 1), '😀'.repeat(maxLength + 1)))
      options.push(fc.constantFrom(...awkwardStrings), fc.string({ unit: 'binary', maxLength: 30 }))
      options.push(fc.constantFrom('2015-02-30', '2015-6-5', '2026-13-01', '2026-06-25T25:00:00Z', 'not a date', 'ftp://x', 'javascript:alert(1)', 'no-at-sign', 'a@', '@b'))
    }
    if (s.type === 'integer' || s.type === 'number') {
      // Past a double's range too: ajv's coercion once let `1e309` (Infinity) through to SQLite.
      const edges: unknown[] = [s.minimum !== undefined ? s.minimum - 1 : -1, s.maximum !== undefined ? s.maximum + 1 : 2 ** 53, 0, -1, 1.5, 1e308, -0.5, 1e20, Infinity, -Infinity, NaN, '1e309', '-1e309']
      options.push(fc.constantFrom(...edges))
    }
    if (s.type === 'array') {
      const item = this.valid(s.items ?? {}, name, 1)
      if (s.maxItems !== undefined && s.maxItems <= 200) options.push(fc.array(item, { minLength: s.maxItems + 1, maxLength: s.maxItems + 1 }))
      options.push(fc.array(this.invalid(s.items ?? {}), { minLength: 1, maxLength: 3 }))
    }
    if (Array.isArray(s.enum)) options.push(fc.constantFrom(...(s.enum as unknown[]).map((value) => (typeof value === 'string' ? value.toUpperCase() + '_' : `${String(value)}x`))))
    return fc.oneof(...options)
  }
}
