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

/** One line of plain text, at most `max` characters (cut at a character, not inside a pair). */
export function singleLine (value: string, max: number): string {
  return [...value.replace(/\s+/g, ' ').trim()].slice(0, max).join('')
}
