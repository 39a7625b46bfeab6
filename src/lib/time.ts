import { invalid } from '../errors.js'

let lastMs = 0
let lastIso = ''

/** Now, as Dateline stores and returns timestamps (formatted once per millisecond: reads ask often). */
export function nowIso (): string {
  const ms = Date.now()
  if (ms !== lastMs) {
    lastMs = ms
    lastIso = new Date(ms).toISOString()
  }
  return lastIso
}

/**
 * Normalises an RFC 3339 timestamp from a request to UTC with milliseconds, so stored values
 * sort as text. A timestamp JavaScript can't represent (a leap second) or outside the years
 * 1–9999 once in UTC is a 400 naming `path`.
 */
export function toUtcIso (timestamp: string, path: string): string {
  const at = new Date(timestamp)
  const year = at.getUTCFullYear()
  if (Number.isNaN(at.getTime()) || year < 1 || year > 9999) throw invalid(path, 'is not a time Dateline can store (years 1 to 9999, no leap seconds)')
  return at.toISOString()
}

const dayFormats = new Map<string, Intl.DateTimeFormat>()

/** The `YYYY-MM-DD` calendar day on which `timestamp` falls in `timeZone`. */
export function dayInZone (timestamp: string, timeZone: string): string {
  const at = new Date(timestamp)
  // The common case without Intl, which cost an import a second per 100 k articles.
  if (timeZone === 'UTC') return at.toISOString().slice(0, 10)
  let format = dayFormats.get(timeZone)
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })
    dayFormats.set(timeZone, format)
  }
  const parts = new Map(format.formatToParts(at).map(({ type, value }) => [type, value]))
  // Intl writes the year without leading zeros (year 999 as "999"): days must sort as text.
  return `${parts.get('year')!.padStart(4, '0')}-${parts.get('month')!}-${parts.get('day')!}`
}

/** The earlier of two RFC 3339 UTC timestamps (they sort as text); null when both are. */
export function earliestOf (first: string | null, second: string | null): string | null {
  if (first === null) return second
  return second === null || first <= second ? first : second
}
