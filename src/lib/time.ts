/** Now, as Dateline stores and returns timestamps. */
export function nowIso (): string {
  return new Date().toISOString()
}

/** Normalises any RFC 3339 timestamp to UTC with milliseconds, so stored values sort as text. */
export function toUtcIso (timestamp: string): string {
  return new Date(timestamp).toISOString()
}

const dayFormats = new Map<string, Intl.DateTimeFormat>()

/** The `YYYY-MM-DD` calendar day on which `timestamp` falls in `timeZone`. */
export function dayInZone (timestamp: string, timeZone: string): string {
  let format = dayFormats.get(timeZone)
  if (format === undefined) {
    // en-CA formats dates as YYYY-MM-DD.
    format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })
    dayFormats.set(timeZone, format)
  }
  return format.format(new Date(timestamp))
}
