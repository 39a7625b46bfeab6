import { createRequire } from 'node:module'
import { invalid, SlugTaken } from '../errors.js'
import { controlCharClass } from './values.js'

/**
 * A slug from free text: lower-case letters of any script and digits joined by hyphens,
 * accents folded (`Café` → `cafe`). Never only digits, so it can't be taken for an id.
 */
export function slugify (text: string, fallback: string, maxLength = 80): string {
  const slug = text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLocaleLowerCase('en-US')
    .replace(/[^\p{Ll}\p{Lm}\p{Lo}\p{N}]+/gu, '-')
    .slice(0, maxLength)
    .replace(/^-+|-+$/g, '')
  if (slug === '') return fallback
  return /[\p{Ll}\p{Lm}\p{Lo}]/u.test(slug) ? singleScriptWords(slug, fallback) : `${fallback}-${slug}`
}

/** A derived slug follows the rule a requested one does: a word mixing scripts becomes its look-alike. */
function singleScriptWords (slug: string, fallback: string): string {
  if (mixedScriptWord(slug) === null) return slug
  const folded = slug.split('-').map((word) => mixesScripts(word) ? lookalikeOf(word) : word).join('-')
  return mixedScriptWord(folded) === null && /^[\p{Ll}\p{Lm}\p{Lo}\p{N}-]+$/u.test(folded) ? folded : fallback
}

/** Whether a slug is in use: asked of the database, so it may answer later. */
export type SlugTakenCheck = (candidate: string) => boolean | Promise<boolean>

/** `slug`, or `slug-2`, `slug-3`, … : the first free one that does not look like a taken one. */
export async function uniqueSlug (slug: string, isTaken: SlugTakenCheck): Promise<string> {
  const free = async (candidate: string): Promise<boolean> => !await isTaken(candidate) && !await looksLikeTaken(candidate, isTaken)
  if (await free(slug)) return slug
  for (let n = 2; ; n++) {
    const candidate = `${slug}-${n}`
    if (await free(candidate)) return candidate
  }
}

/** A slug a client asked for: 400 if a word of it mixes scripts, 409 if it or its look-alike is taken. */
export async function requestedSlug (slug: string, isTaken: SlugTakenCheck): Promise<string> {
  const mixed = mixedScriptWord(slug)
  if (mixed !== null) throw invalid('body.slug', `mixes scripts in "${mixed}": write each word in one script`)
  if (await isTaken(slug) || await looksLikeTaken(slug, isTaken)) throw new SlugTaken(slug)
  return slug
}

// Letters are told apart by script so that a word mixing them (Latin "bus-route" with a
// Cyrillic "о") is caught. Scripts not listed count as one, "other".
const scripts = ['Latin', 'Cyrillic', 'Greek', 'Armenian', 'Georgian', 'Cherokee', 'Hebrew', 'Arabic', 'Devanagari', 'Bengali', 'Tamil', 'Thai', 'Ethiopic', 'Hangul', 'Hiragana', 'Katakana', 'Han']
  .map((name) => ({ name, letter: new RegExp(`\\p{Script=${name}}`, 'u') }))
// Japanese and Korean write one word in several scripts (UTS #39, "highly restrictive").
const oneWriting = [new Set(['Han', 'Hiragana', 'Katakana']), new Set(['Han', 'Hangul'])]

function scriptOf (letter: string): string {
  return scripts.find((script) => script.letter.test(letter))?.name ?? 'other'
}

function mixesScripts (word: string): boolean {
  const used = new Set([...word].filter((char) => /\p{L}/u.test(char)).map(scriptOf))
  return used.size > 1 && !oneWriting.some((writing) => [...used].every((name) => writing.has(name)))
}

/** The first word (between hyphens) of `slug` whose letters come from more than one script. */
export function mixedScriptWord (slug: string): string | null {
  return slug.split('-').find(mixesScripts) ?? null
}

/**
 * The slug a look-alike imitates: each non-ASCII character replaced by its UTS #39 prototype
 * (`unhomoglyph` carries Unicode's confusables table), so Cyrillic "rоute" gives Latin "route".
 * ASCII is left alone: within one script `m` and `rn` are different words.
 */
export function lookalikeOf (slug: string): string {
  if (/^[\u0000-\u007f]*$/.test(slug)) return slug
  const prototypeOf = confusables()
  return slug.replace(/[^\u0000-\u007f]/gu, (char) => prototypeOf(char)).toLowerCase()
}

// Loaded on the first non-ASCII slug: building its table takes ~0.1 s, which start-up need not pay.
let unhomoglyph: ((text: string) => string) | undefined
function confusables (): (text: string) => string {
  unhomoglyph ??= createRequire(import.meta.url)('unhomoglyph') as (text: string) => string
  return unhomoglyph
}

async function looksLikeTaken (slug: string, isTaken: SlugTakenCheck): Promise<boolean> {
  const imitated = lookalikeOf(slug)
  return imitated !== slug && await isTaken(imitated)
}

/** Whether a `{id}` path segment is an id (no leading zeros) rather than a slug. */
export function isIdInPath (idOrSlug: string): boolean {
  return /^[1-9]\d{0,14}$/.test(idOrSlug)
}

const anyControl = new RegExp(controlCharClass)

/**
 * Whether a path segment could name a row at all: hooks that run before the route's schema
 * (the comment rate limit) read it raw, and a control character is in no id or slug (nor can
 * PostgreSQL compare text holding a NUL).
 */
export function mayNameRow (idOrSlug: string): boolean {
  return idOrSlug.length <= 120 && !anyControl.test(idOrSlug)
}

/**
 * Whether a slug a source says an article had before can be asked for in a path: not digits
 * alone (an id), no slash. Looser than our own slugs: WordPress's may be `8-2`, and an old
 * link is worth keeping whatever it looks like.
 */
export function mayBeOldSlug (slug: string): boolean {
  return slug !== '' && mayNameRow(slug) && !/^\d+$/.test(slug) && !slug.includes('/')
}
