import { fullFormats } from 'ajv-formats/dist/formats.js'

// Values from outside the API (imports) must pass the same checks as the API's schemas,
// or the answers that later serialise them would fail on them. The formats are ajv-formats',
// which Fastify's validator and serialiser use.

const isUri = fullFormats.uri as (value: string) => boolean
const emailPattern = fullFormats.email as RegExp

/** The URL if the API would accept it as an `HttpUrl`, else null. */
export function acceptedHttpUrl (value: string | null | undefined): string | null {
  const url = value?.trim()
  if (url === undefined || url === '' || url.length > 2000 || !/^https?:\/\//i.test(url) || !isUri(url)) return null
  return url
}

/** The address if the API would accept it as an e-mail, else null. */
export function acceptedEmail (value: string | null | undefined): string | null {
  const email = value?.trim()
  if (email === undefined || email === '' || email.length > 254 || !emailPattern.test(email)) return null
  return email
}

// Plain text (titles, names, labels, bios, notes): C0 and C1 control characters other than
// tab, line feed and carriage return are refused. Nobody types them, and a NUL or an escape
// stored in a title reaches every feed, page and terminal that shows it. The API's schemas
// (src/schemas.ts) refuse them; imported text loses them.
export const controlCharClass = '[\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]'
// Something a reader can see: not only spaces, format characters (a zero-width space),
// controls or blank fillers (Hangul, Braille).
export const visibleCharClass = '[^\\s\\p{C}\\p{Z}\\u115F\\u1160\\u3164\\uFFA0\\u2800]'

const controls = new RegExp(controlCharClass, 'g')
const visible = new RegExp(visibleCharClass, 'u')
const anyControl = new RegExp(controlCharClass)

/** Whether a name or title has a visible character and no control characters. */
export function isVisibleText (value: string): boolean {
  return visible.test(value) && !anyControl.test(value)
}

/** Plain text without the control characters the API refuses. */
export function withoutControls (value: string): string {
  return value.replace(controls, '')
}

/**
 * One line of plain text, at most `max` characters (cut at a character, not inside a pair);
 * '' when nothing of it is visible.
 */
export function singleLine (value: string, max: number): string {
  const line = [...withoutControls(value).replace(/\s+/g, ' ').trim()].slice(0, max).join('')
  return visible.test(line) ? line : ''
}

/** What tells labels apart: their names case-folded, so "Council" and "council" are one label. */
export function labelKey (name: string): string {
  return name.toLocaleLowerCase('en-US')
}
