import { invalid } from '../errors.js'

/**
 * A reader's search as FTS5 queries: `words` for the stemmed index (whole words, phrases,
 * exclusions), and `typing`, the last word while it is still being typed, as a prefix for
 * the unstemmed index. At least one of them is set.
 */
export interface FtsQuery {
  words: string | null
  typing: string | null
  /** The typed word also as a whole word, for the stemmed index ("attacked" finds "attack"). */
  typingWhole: string | null
  /** Everything as one query for the unstemmed index (title suggestions). */
  all: string
}

/**
 * Turns what a reader types into FTS5 queries, so no input can be an FTS5 syntax error:
 * every term is quoted. Supported: words (all must match), "a phrase", -excluded, and
 * prefix matching on the last word while it is being typed (no trailing space).
 */
export function toFtsQuery (rawInput: string, path = 'querystring.q'): FtsQuery {
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

  const whole = typing ? included.slice(0, -1) : included
  const negative = terms.filter((term) => term.excluded).map((term) => ` NOT ${quote(term.text)}`).join('')
  const words = whole.length === 0 ? null : whole.map((term) => quote(term.text)).join(' ') + negative
  // Exclusions go with the whole words; when there are none, they go with the typed prefix.
  const prefix = typing ? `${quote(last.text)}*${words === null ? negative : ''}` : null
  const typedWord = typing ? `${quote(last.text)}${words === null ? negative : ''}` : null
  const all = included.map((term) => quote(term.text) + (term === last && typing ? '*' : '')).join(' ') + negative
  return { words, typing: prefix, typingWhole: typedWord, all }
}

function quote (text: string): string {
  return `"${text.replace(/"/g, '""')}"`
}
