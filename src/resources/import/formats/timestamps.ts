// Timestamps as Dateline stores them: RFC 3339 in UTC with milliseconds
// (`2008-11-12T00:10:00.000Z`), converted from whatever offset the source wrote. Anything
// that is not a real instant between the years 1 and 9999 is "no date" (null), never an error:
// exports are full of zero dates.

const rfc3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?\s*([Zz]|[+-]\d{2}:?\d{2})$/
const wxrDate = /^(-?\d{1,4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/
const minute = 60_000

/** An RFC 3339 timestamp with a zone, in UTC; null when absent or invalid. */
export function utcFromRfc3339 (value: string): string | null {
  const match = rfc3339.exec(value.trim())
  if (match === null) return null
  const [, year, month, day, hour, minutes, seconds, fraction, zone] = match
  const wallTime = wallTimeMs(year, month, day, hour, minutes, seconds ?? '0', (fraction ?? '0').padEnd(3, '0').slice(0, 3))
  if (wallTime === null) return null
  return isoInRange(wallTime - offsetMinutes(zone ?? 'Z') * minute)
}

function offsetMinutes (zone: string): number {
  if (zone.toUpperCase() === 'Z') return 0
  const digits = zone.replace(':', '')
  const sign = digits.startsWith('-') ? -1 : 1
  return sign * (Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5)))
}

/**
 * The milliseconds of a wall-clock time read as if it were UTC, or null when the fields do
 * not make a real date (month 13, February 30, hour 25). Date.UTC would silently roll them over.
 */
function wallTimeMs (year: string | undefined, month: string | undefined, day: string | undefined, hour: string | undefined, minutes: string | undefined, seconds: string, millis: string): number | null {
  const fields = [year, month, day, hour, minutes, seconds, millis].map(Number) as [number, number, number, number, number, number, number]
  const at = new Date(0)
  at.setUTCFullYear(fields[0], fields[1] - 1, fields[2])
  at.setUTCHours(fields[3], fields[4], fields[5], fields[6])
  const same = at.getUTCFullYear() === fields[0] && at.getUTCMonth() === fields[1] - 1 && at.getUTCDate() === fields[2] &&
    at.getUTCHours() === fields[3] && at.getUTCMinutes() === fields[4] && at.getUTCSeconds() === fields[5]
  return same ? at.getTime() : null
}

function isoInRange (ms: number): string | null {
  if (!Number.isFinite(ms)) return null
  const at = new Date(ms)
  const year = at.getUTCFullYear()
  if (Number.isNaN(year) || year < 1 || year > 9999) return null
  return at.toISOString()
}

/**
 * A WXR `YYYY-MM-DD HH:MM:SS` read as a wall-clock time (ms as if UTC), or null for the
 * "no date" values WordPress writes: `0000-00-00 00:00:00`, year `-0001`, the Unix epoch and
 * 1969-12-31 (the epoch in American zones).
 */
export function wxrWallTime (value: string): number | null {
  const match = wxrDate.exec(value.trim())
  if (match === null) return null
  const [, year, month, day, hour, minutes, seconds] = match
  if (Number(year) < 1 || (year === '1970' && month === '01' && day === '01') || (year === '1969' && month === '12' && day === '31')) return null
  return wallTimeMs(year, month, day, hour, minutes, seconds ?? '0', '0')
}

/** A WXR `*_gmt` field in UTC, or null for no date. */
export function utcFromWxrGmt (value: string): string | null {
  const wallTime = wxrWallTime(value)
  return wallTime === null ? null : isoInRange(wallTime)
}

/** A wall-clock time (ms as if UTC) in a fixed offset east of UTC, in UTC. */
export function utcFromOffset (wallTime: number, offsetMinutesEast: number): string | null {
  return isoInRange(wallTime - offsetMinutesEast * minute)
}

/** A wall-clock time (ms as if UTC) in an IANA zone, in UTC; DST gaps resolve forwards. */
export function utcFromZone (wallTime: number, timeZone: string): string | null {
  const first = wallTime - zoneOffsetMinutes(timeZone, wallTime) * minute
  const second = wallTime - zoneOffsetMinutes(timeZone, first) * minute
  return isoInRange(second)
}

const offsetFormats = new Map<string, Intl.DateTimeFormat>()

/** How many minutes `timeZone` is ahead of UTC at the instant `ms`. */
export function zoneOffsetMinutes (timeZone: string, ms: number): number {
  let format = offsetFormats.get(timeZone)
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric', era: 'short' })
    offsetFormats.set(timeZone, format)
  }
  const parts = Object.fromEntries(format.formatToParts(new Date(ms)).map((part) => [part.type, part.value]))
  const year = parts.era === 'BC' ? 1 - Number(parts.year) : Number(parts.year)
  const local = new Date(0)
  local.setUTCFullYear(year, Number(parts.month) - 1, Number(parts.day))
  local.setUTCHours(Number(parts.hour), Number(parts.minute), Number(parts.second), new Date(ms).getUTCMilliseconds())
  return Math.round((local.getTime() - ms) / minute)
}

/** Normalises an RFC 3339 "now" to the stored form, so timestamps compare as text. */
export function normalisedNow (now: string): string {
  const utc = utcFromRfc3339(now) ?? (Number.isNaN(Date.parse(now)) ? null : new Date(now).toISOString())
  if (utc === null) throw new TypeError(`readImport: options.now is not an RFC 3339 timestamp: ${now}`)
  return utc
}
