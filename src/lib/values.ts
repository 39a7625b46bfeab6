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

// The control characters the API refuses in plain text (src/schemas.ts), and what counts as
// visible there: imported text loses the first and must keep some of the second.
const controls = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g
const visible = /[^\s\p{C}\p{Z}\u115F\u1160\u3164\uFFA0\u2800]/u

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
