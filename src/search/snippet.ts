import { folded, stemmed, wordPattern, type MarkedTerm } from './query.js'

// Snippets are cut here rather than by FTS5's snippet(): that one scores a window at every
// instance of every term against every other instance, so its cost grows with the square of
// the matches in an article (one search for "the" over an article of 20,000 of them took
// 6 s, issue 15). Here each window is scored over the few instances inside it.

/** Words in a snippet, as FTS5's snippet() was given. */
const windowWords = 24

interface Word { start: number, end: number }
interface Instance { term: number, first: number, last: number }
interface Window { score: number, first: number, last: number }

interface Forms { folded: string, stem: string }

// Folding (NFKD) and stemming cost a microsecond or two a word, and were most of a page's
// snippets (~10 ms of CPU for 20 articles of 3 KB, issue 19): a word's forms are kept across
// articles and requests. Words follow Zipf's law, so a few thousand cover most of any text;
// past `formsKept` the map starts again.
const formsKept = 50_000
const formsOfWord = new Map<string, Forms>()

function formsOf (word: string): Forms {
  let forms = formsOfWord.get(word)
  if (forms === undefined) {
    if (formsOfWord.size >= formsKept) formsOfWord.clear()
    forms = { folded: folded(word), stem: stemmed(word) }
    formsOfWord.set(word, forms)
  }
  return forms
}

/** Compares a column's words with the terms; each distinct word is folded and stemmed once. */
class Matcher {
  readonly #terms: Array<{ stems: string[], prefix: string | null }>

  constructor (terms: MarkedTerm[]) {
    this.#terms = terms.map((term) => ({ stems: term.words.map(stemmed), prefix: term.prefix ? term.words.at(-1)! : null }))
  }

  /** Where the terms occur among `words` (a text's words as written), in order. */
  instances (words: string[]): Instance[] {
    const forms = words.map((word) => formsOf(word))
    const found: Instance[] = []
    for (let at = 0; at < forms.length; at++) {
      for (let index = 0; index < this.#terms.length; index++) {
        const term = this.#terms[index]!
        if (matchesAt(term, forms, at)) found.push({ term: index, first: at, last: at + term.stems.length - 1 })
      }
    }
    return found
  }
}

/** Whether a term's words are the words from `at` on: the same stem, or the typed prefix of the last one. */
function matchesAt (term: { stems: string[], prefix: string | null }, forms: Forms[], at: number): boolean {
  for (let i = 0; i < term.stems.length; i++) {
    const word = forms[at + i]
    if (word === undefined) return false
    const matches = word.stem === term.stems[i] || (term.prefix !== null && i === term.stems.length - 1 && word.folded.startsWith(term.prefix))
    if (!matches) return false
  }
  return true
}

/** The first instance at or after word `at` (instances are in order). */
function firstFrom (instances: Instance[], at: number): number {
  let low = 0
  let high = instances.length
  while (low < high) {
    const middle = (low + high) >>> 1
    if (instances[middle]!.first < at) low = middle + 1
    else high = middle
  }
  return low
}

/**
 * FTS5's score of the window of `windowWords` words from word `at`: 1000 for each distinct
 * term, 1 for each repeat; `from` and `to` are the words its instances cover.
 */
function scoreAt (instances: Instance[], at: number): { score: number, from: number, to: number } {
  const seen = new Set<number>()
  let score = 0
  let to = at
  let from = -1
  for (let i = firstFrom(instances, at); i < instances.length && instances[i]!.first < at + windowWords; i++) {
    const instance = instances[i]!
    score += seen.has(instance.term) ? 1 : 1000
    seen.add(instance.term)
    if (from < 0) from = instance.first
    to = instance.last
  }
  return { score, from, to }
}

/** The words that start a sentence as FTS5 sees it: after `.` or `:` and a space, and the first. */
function sentenceStarts (text: string, words: Word[]): number[] {
  const starts: number[] = []
  for (let index = 0; index < words.length; index++) {
    if (index === 0) {
      starts.push(0)
      continue
    }
    const start = words[index]!.start
    let at = start - 1
    while (at >= 0 && ' \t\n\r'.includes(text[at]!)) at--
    if (at < start - 1 && (text[at] === '.' || text[at] === ':')) starts.push(index)
  }
  return starts
}

/**
 * The best window of a column, by FTS5 snippet()'s rules: a window at each instance with its
 * instances centred, or from the sentence the instance is in, which scores 100 more (120 at
 * the start of the column) in a column longer than a window. Each window is scored once over
 * the few instances it holds, so the cost grows with the instances, not with their square.
 */
function bestWindow (text: string, words: Word[], instances: Instance[]): Window {
  const lastStart = Math.max(0, words.length - windowWords)
  const windowAt = (first: number, score: number): Window => ({ score, first, last: Math.min(first + windowWords, words.length) - 1 })
  const sentences = words.length > windowWords ? sentenceStarts(text, words) : []
  let best = windowAt(0, 0)
  let sentence = 0
  for (const instance of instances) {
    const at = instance.first
    const scored = scoreAt(instances, at)
    if (scored.score > best.score) {
      const centred = scored.from - Math.trunc((windowWords - (scored.to + 1 - scored.from)) / 2)
      best = windowAt(Math.max(0, Math.min(centred, lastStart)), scored.score)
    }
    while (sentence + 1 < sentences.length && sentences[sentence + 1]! <= at) sentence++
    const start = sentences[sentence]
    if (start === undefined || start >= at) continue
    const fromSentence = scoreAt(instances, start).score + (start === 0 ? 120 : 100)
    if (fromSentence > best.score) best = windowAt(start, fromSentence)
  }
  return best
}

function escapeHtml (text: string): string {
  // Other control characters are not text a reader can see.
  return text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '')
    .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
}

/** The window's text, escaped, with each instance in `<mark>` (overlapping ones merged). */
function render (text: string, words: Word[], window: Window, instances: Instance[]): string {
  const from = window.first === 0 ? 0 : words[window.first]!.start
  const to = window.last >= words.length - 1 ? text.length : words[window.last]!.end
  let html = window.first === 0 ? '' : '…'
  let at = from
  for (const instance of instances) {
    if (instance.last < window.first || instance.first > window.last) continue
    const start = Math.max(words[Math.max(instance.first, window.first)]!.start, at)
    const end = words[Math.min(instance.last, window.last)]!.end
    if (end <= at) continue
    html += `${escapeHtml(text.slice(at, start))}<mark>${escapeHtml(text.slice(start, end))}</mark>`
    at = end
  }
  html = html.replace(/<\/mark><mark>/g, '')
  return html + escapeHtml(text.slice(at, to)) + (to < text.length ? '…' : '')
}

/**
 * A short passage around the matched terms from the best of an article's columns (title,
 * excerpt, body, labels; the first of equals), as text with the terms in `<mark>…</mark>`
 * and everything else escaped.
 */
export function snippetOf (columns: string[], terms: MarkedTerm[]): string {
  const matcher = new Matcher(terms)
  let best: { text: string, words: Word[], window: Window, instances: Instance[] } | null = null
  for (const text of columns) {
    const words: Word[] = []
    const written: string[] = []
    for (const match of text.matchAll(wordPattern)) {
      words.push({ start: match.index, end: match.index + match[0].length })
      written.push(match[0])
    }
    const instances = matcher.instances(written)
    const window = bestWindow(text, words, instances)
    if (best === null || window.score > best.window.score) best = { text, words, window, instances }
  }
  if (best === null) return ''
  return render(best.text, best.words, best.window, best.instances)
}
