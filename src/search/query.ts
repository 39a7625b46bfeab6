import { invalid } from '../errors.js'

/**
 * Turns what a reader types into an FTS5 query, so no input can be an FTS5 syntax error:
 * every term is quoted. Supported: words (all must match), "a phrase", -excluded, and
 * prefix matching on the last word while it is being typed (no trailing space).
 */
export function toFtsQuery (rawInput: string, path = 'querystring.q'): string {
  // Control characters (NUL above all) mean nothing to a reader and end FTS5 strings early.
  const input = rawInput.replace(/\p{Cc}/gu, (char) => /\s/.test(char) ? char : ' ')
  const terms = [...input.matchAll(/(-?)"([^"]*)"?|(-?)([^\s"]+)/g)].map((match) => ({
    excluded: (match[1] ?? match[3]) === '-',
    phrase: match[2] !== undefined,
    text: (match[2] ?? match[4] ?? '').trim()
  })).filter((term) => /[\p{L}\p{N}]/u.test(term.text))

  const included = terms.filter((term) => !term.excluded)
  if (included.length === 0) throw invalid(path, 'needs at least one word to look for')
  const last = included.at(-1)!
  const typing = !last.phrase && !/\s$/.test(input)

  const positive = included.map((term) => quote(term.text) + (term === last && typing ? '*' : '')).join(' ')
  const negative = terms.filter((term) => term.excluded).map((term) => ` NOT ${quote(term.text)}`).join('')
  return positive + negative
}

function quote (text: string): string {
  return `"${text.replace(/"/g, '""')}"`
}
