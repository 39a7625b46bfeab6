import { invalid } from '../errors.js'
import type { CursorValue } from '../lib/list.js'

// A cursor is the client's to send back, so its values may be anything JSON holds. SQLite
// compares any value with any column; PostgreSQL casts the value to the column's type and
// fails (a 500) on one it cannot hold. Lists on PostgreSQL check the values first.

/** What a sort key's column holds, as a cursor value must fit it. */
export type CursorKind = 'text' | 'timestamp' | 'timestamp or null' | 'integer' | 'int4' | 'number'

const int4Max = 2 ** 31 - 1

/** Dateline's own form (`2015-06-25T14:03:00.000Z`) of a time PostgreSQL can store (year 1 on). */
function isTimestamp (value: CursorValue): boolean {
  if (typeof value !== 'string' || value.startsWith('0000')) return false
  const at = new Date(value)
  return !Number.isNaN(at.getTime()) && at.toISOString() === value
}

function fits (value: CursorValue, kind: CursorKind): boolean {
  switch (kind) {
    // NUL is the one character PostgreSQL's text cannot hold.
    case 'text': return typeof value === 'string' && !value.includes('\u0000')
    case 'timestamp': return isTimestamp(value)
    case 'timestamp or null': return value === null || isTimestamp(value)
    case 'integer': return Number.isSafeInteger(value)
    case 'int4': return Number.isSafeInteger(value) && Math.abs(value as number) <= int4Max
    case 'number': return typeof value === 'number' && Number.isFinite(value)
  }
}

/** Refuses (400) a cursor whose values its columns cannot hold: one this API never gave out. */
export function assertCursorFits (values: readonly CursorValue[], kinds: readonly CursorKind[]): void {
  if (values.length !== kinds.length || !values.every((value, i) => fits(value, kinds[i]!))) {
    throw invalid('querystring.cursor', 'is not a cursor this API gave out')
  }
}
