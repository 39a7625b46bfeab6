import { stemmer } from 'stemmer'
import { invalid } from '../errors.js'

/** An included term as the snippet marks it: its words folded, the last one maybe a prefix. */
export interface MarkedTerm {
  words: string[]
  prefix: boolean
}

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
  /** The included terms, for snippets. */
  marked: MarkedTerm[]
  /**
   * False when `words` is only a word most articles hold: bm25 gives it no weight (its IDF
   * is clamped to ~0 past half of them), so scoring every article by it would order them by
   * noise, at the cost of reading its whole position list.
   */
  ranked: boolean
  /**
   * Past this many matches, only the newest this-many are ranked (`rankedMatchLimit`, below);
   * the service may set another (tests make it small).
   */
  rankedMatchLimit: number
}

/**
 * The words of a search that count, phrases' words and exclusions included (issue 15): FTS5
 * reads a posting list per word and scores every instance of every term, so a `q` of 125
 * repeats of "the" took minutes. Past this, words are dropped; a search box never needs more.
 */
export const searchWordLimit = 8

/**
 * A word held by more than this share of the articles is left out of the match while a rarer
 * whole term remains (issue 15): bm25 already gives a word in over half of them no weight
 * (its IDF is clamped to ~0), so it only costs, a position list as long as the blog, and
 * barely narrows the hits. Above half rather than at it: a word in 60 % still narrows.
 */
export const commonWordShare = 0.8

/** Below this many articles, every word counts: frequencies say little and searches cost little. */
export const commonWordFewestArticles = 200

/** The share of articles holding each stemmed word (src/search/index.ts, `articleShares`). */
export type ArticleShares = (stems: string[]) => Map<string, number>

// The prefix indexes start at 2 letters (migrations/0005); one letter would read a posting
// list for every word that starts with it.
const shortestPrefix = 2

interface Term { excluded: boolean, phrase: boolean, typed: boolean, words: string[] }

/** A word as the index's tokenizer splits them: letters and digits (marks stay with their letter). */
export const wordPattern = /[\p{L}\p{N}\p{M}]+/gu

function wordsOf (text: string): string[] {
  return text.match(wordPattern) ?? []
}

/** A word as both indexes compare it: lower case, accents removed (`remove_diacritics 2`). */
export function folded (word: string): string {
  return word.toLowerCase().normalize('NFKD').replace(/\p{M}/gu, '')
}

/** A word as the stemmed index compares it (its tokenizer is `porter unicode61`). */
export function stemmed (word: string): string {
  return stemmer(folded(word))
}

/**
 * Turns what a reader types into FTS5 queries, so no input can be an FTS5 syntax error:
 * every term is quoted. Supported: words (all must match), "a phrase", -excluded, and
 * prefix matching on the last word while it is being typed (no trailing space). Repeats
 * (of a word or of a form of it) count once, and only the first `searchWordLimit` words count.
 */
export function toFtsQuery (rawInput: string, path = 'querystring.q', shares?: ArticleShares): FtsQuery {
  // Control characters (NUL above all) mean nothing to a reader and end FTS5 strings early.
  const input = rawInput.replace(/\p{Cc}/gu, (char) => /\s/.test(char) ? char : ' ')
  const parsed = [...input.matchAll(/(-?)"([^"]*)"?|(-?)([^\s"]+)/g)].map((match) => ({
    excluded: (match[1] ?? match[3]) === '-',
    phrase: match[2] !== undefined,
    typed: false,
    words: wordsOf(match[2] ?? match[4] ?? '')
  })).filter((term) => term.words.length > 0)
  const lastIncluded = parsed.findLast((term) => !term.excluded)
  if (lastIncluded === undefined) throw invalid(path, 'needs at least one word to look for')
  lastIncluded.typed = !lastIncluded.phrase && !/\s$/.test(input) && lastIncluded.words.at(-1)!.length >= shortestPrefix

  const counted = bounded(parsed)
  const { terms, ranked } = shares === undefined ? { terms: counted, ranked: true } : withoutCommonWords(counted, shares)
  const whole = terms.filter((term) => !term.excluded && !term.typed)
  const typed = terms.find((term) => term.typed)
  const negative = terms.filter((term) => term.excluded).map((term) => ` NOT ${quote(term)}`).join('')
  const words = whole.length === 0 ? null : whole.map(quote).join(' ') + negative
  // Exclusions go with the whole words; when there are none, they go with the typed prefix.
  const typedNegative = words === null ? negative : ''
  const included = terms.filter((term) => !term.excluded)
  // Snippets mark every word the reader typed, left out of the match or not.
  const marked = counted.filter((term) => !term.excluded)
  return {
    words,
    typing: typed === undefined ? null : `${quote(typed)}*${typedNegative}`,
    typingWhole: typed === undefined ? null : `${quote(typed)}${typedNegative}`,
    all: included.map((term) => quote(term) + (term.typed ? '*' : '')).join(' ') + negative,
    marked: marked.map((term) => ({ words: term.words.map(folded), prefix: term.typed })),
    ranked,
    rankedMatchLimit
  }
}

/**
 * The stemmed words `toFtsQuery` would ask `shares` about for this input: their shares are
 * read from the database (asynchronously) before the query is made.
 */
export function stemsToWeigh (rawInput: string, path = 'querystring.q'): string[] {
  let asked: string[] = []
  toFtsQuery(rawInput, path, (stems) => {
    asked = stems
    return new Map(stems.map((stem) => [stem, 0]))
  })
  return asked
}

/** The terms without repeats, cut to `searchWordLimit` words. */
function bounded (terms: Term[]): Term[] {
  const seen = new Set<string>()
  const kept: Term[] = []
  let left = searchWordLimit
  for (const term of terms) {
    if (left === 0) break
    const words = term.words.slice(0, left)
    const typed = term.typed && words.length === term.words.length
    const key = `${term.excluded ? '-' : typed ? '*' : '+'}${words.map(stemmed).join(' ')}`
    if (seen.has(key)) continue
    seen.add(key)
    kept.push({ ...term, typed, words })
    left -= words.length
  }
  return kept
}

/**
 * The terms without the plain words most articles hold, while a rarer whole term (a word or
 * a phrase) remains; when none does, the rarest of them stays, unranked. Phrases, exclusions and the
 * typed prefix always stay: a phrase of common words is rare, the others narrow.
 */
function withoutCommonWords (terms: Term[], shares: ArticleShares): { terms: Term[], ranked: boolean } {
  const plain = terms.filter((term) => !term.excluded && !term.phrase && !term.typed && term.words.length === 1)
  const shareOf = shares(plain.map((term) => stemmed(term.words[0]!)))
  const common = new Set(plain.filter((term) => shareOf.get(stemmed(term.words[0]!))! > commonWordShare))
  if (common.size === 0) return { terms, ranked: true }
  const rarerWhole = terms.some((term) => !term.excluded && !term.typed && !common.has(term))
  const rarest = rarerWhole ? undefined : [...common].reduce((a, b) => shareOf.get(stemmed(b.words[0]!))! < shareOf.get(stemmed(a.words[0]!))! ? b : a)
  return { terms: terms.filter((term) => !common.has(term) || term === rarest), ranked: rarerWhole }
}

function quote (term: Term): string {
  return `"${term.words.join(' ')}"`
}

/**
 * A search matching more articles than this ranks only its newest this-many matches by
 * relevance (of those its reader may see through the list's filters: a blog's drafts must not
 * push published articles out of the ranking); the rest follow, newest first (issue 19). Scoring every match of a word most
 * articles hold cost a third of a second at 100 k articles, and it ordered them by noise:
 * such a word weighs next to nothing, and on a news site the newest of a flood of matches
 * are the ones a reader is after. A search with fewer matches is ranked as it always was.
 * Measured at 100 k articles (issue 19): a ranked search's cost is mostly fixed (FTS5 reads
 * each phrase's whole list of articles once for bm25's weights, and merges a typed prefix's
 * words); scoring 1,000 more matches adds ~1 ms. 2,000 keeps a few pages of 20 ranked.
 * Dialect-neutral: both databases rank the same matches (scored by bm25 or ts_rank).
 */
export const rankedMatchLimit = 2000

/**
 * Articles like one (`GET /v1/articles/{id}/related`) are looked for among the matches of its
 * distinctive words written nearest to it: this many before it and as many after (ids follow
 * creation). News about the same events is near in time, and the cost is bounded: ranking
 * every match of words most articles hold took seconds at 100 k articles, minutes when SQLite
 * started from the articles.
 */
export const similarCandidates = 1000
