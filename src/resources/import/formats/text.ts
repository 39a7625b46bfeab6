import { decodeHTML } from 'entities'

// Text clean-up shared by the formats. Entities are decoded exactly once per kind of field
// (mapping guide §8.4): bodies stay HTML as the XML parser hands them over (`&amp;lt;` in the
// file is `&lt;` in the body and must stay text); plain-text fields (titles, names, labels)
// are HTML, so their tags are stripped and their entities decoded.

const htmlTagOrComment = /<!--[\s\S]*?-->|<\/?[A-Za-z][^<>]*>/g
/** Tags that separate words; inline ones (`Mark<sup>up</sup>`) do not. */
const separatingTag = /^<\/?(?:br|p|div|li|dt|dd|h[1-6]|tr|td|th|blockquote|hr)\b/i

/**
 * Plain text from a field that may hold HTML: tags stripped, then entities decoded, then
 * whitespace collapsed. Stripping before decoding keeps `&lt;b&gt;` as the text "<b>"
 * instead of deleting it as if it were a tag.
 */
export function plainText (html: string): string {
  const text = html.replace(htmlTagOrComment, (tag) => separatingTag.test(tag) ? ' ' : '')
  return collapseWhitespace(decodeHTML(text))
}

export function collapseWhitespace (text: string): string {
  return text.replace(/\s+/g, ' ').trim()
}

const placeholderEmails = new Set(['noreply@blogger.com', 'no-reply@blogger.com', 'anonymous@blogger.com'])

/** An e-mail address worth keeping: placeholders (`noreply@blogger.com`) and non-addresses are null. */
export function realEmail (value: string): string | null {
  const email = value.trim()
  if (!email.includes('@') || placeholderEmails.has(email.toLowerCase())) return null
  return email
}

/** `decodeURIComponent`, or the text unchanged when it is not valid percent-encoding. */
export function percentDecoded (text: string): string {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}

/**
 * A source slug worth keeping, percent-decoded; null when empty or without a letter (WordPress
 * names an untitled post after its id, and our slugs must contain a letter).
 */
export function sourceSlug (slug: string): string | null {
  const decoded = percentDecoded(slug.trim())
  return /\p{L}/u.test(decoded) ? decoded : null
}

/** The last path segment without `.html`: `/2011/10/nach-suzhou.html` → `nach-suzhou`. */
export function slugFromPath (pathOrUrl: string): string | null {
  const path = pathOrUrl.trim().replace(/[?#].*$/, '')
  const segment = path.split('/').filter((part) => part !== '').at(-1)
  if (segment === undefined || /^[a-z][a-z0-9+.-]*:$/i.test(segment)) return null
  return sourceSlug(segment.replace(/\.html?$/i, ''))
}

/** Protocol-relative URLs (`//www.blogger.com/…`, as Blogger writes avatars) made https. */
export function absoluteUrl (url: string): string | null {
  const trimmed = url.trim()
  if (trimmed === '') return null
  return trimmed.startsWith('//') ? `https:${trimmed}` : trimmed
}

/** Blogger's default avatars: not pictures of anyone. */
const placeholderAvatars = /blogger_logo_round_35\.png|b16-rounded\.gif|\/img\/blank\.gif/

/** An avatar URL, made absolute; null for Blogger's placeholder pictures. */
export function avatarUrl (src: string): string | null {
  return placeholderAvatars.test(src) ? null : absoluteUrl(src)
}

/** Blogger's `BLOG_CONVERT_LINE_BREAKS`: it turned newlines into `<br />` when displaying. */
export function lineBreaksToBr (html: string): string {
  return html.replace(/\r\n?|\n/g, '<br />\n')
}

// wpautop's list of block elements: it never wraps these in <p>.
const blockTags = 'table|thead|tfoot|caption|col|colgroup|tbody|tr|td|th|div|dl|dd|dt|ul|ol|li|pre|form|map|area|blockquote|address|math|style|p|h[1-6]|hr|fieldset|legend|section|article|aside|hgroup|header|footer|nav|figure|figcaption|details|menu|summary'
const blockOpening = new RegExp(`(<(?:${blockTags})[\\s/>])`, 'gi')
const blockClosing = new RegExp(`(</(?:${blockTags})>)`, 'gi')
const startsWithBlock = new RegExp(`^</?(?:${blockTags})[\\s/>]`, 'i')
const gutenbergMarkers = /<!-- \/?wp:/
const preformatted = /<pre[\s>][\s\S]*?<\/pre>/gi

/**
 * WordPress's `wpautop`, simplified. Classic-editor content and comments are stored without
 * most of their `<p>` (WordPress adds them when rendering): a blank line is a paragraph break
 * and a single newline a `<br />`. Block elements get paragraphs of their own and are not
 * wrapped; `<pre>` is left alone. Gutenberg content (with `<!-- wp:… -->` markers) already
 * has its markup and is returned unchanged, as WordPress does.
 */
export function autop (html: string): string {
  if (gutenbergMarkers.test(html)) return html
  const kept: string[] = []
  const text = html.replace(/\r\n?/g, '\n')
    .replace(preformatted, (block) => `\n\n\u0000${kept.push(block) - 1}\u0000\n\n`)
    .replace(blockOpening, '\n\n$1')
    .replace(blockClosing, '$1\n\n')
  const chunks = text.split(/\n\s*\n/).map((chunk) => chunk.trim()).filter((chunk) => chunk !== '')
  return chunks.map((chunk) => paragraph(chunk, kept)).join('\n')
}

function paragraph (chunk: string, kept: string[]): string {
  const placeholder = /^\u0000(\d+)\u0000$/.exec(chunk)
  if (placeholder !== null) return kept[Number(placeholder[1])] ?? ''
  if (startsWithBlock.test(chunk)) return chunk
  return `<p>${chunk.replace(/\n/g, '<br />\n')}</p>`
}

/** Well-known WordPress shortcodes, which stay as literal text once imported. */
const knownShortcodes = new Set(['caption', 'wp_caption', 'gallery', 'embed', 'audio', 'video', 'playlist', 'youtube', 'vimeo', 'tweet', 'twitter', 'googlemaps', 'soundcloud', 'slideshow', 'contact-form', 'code', 'sourcecode', 'archives', 'polldaddy', 'instagram'])

/**
 * The shortcodes in a body, by name, once each. A `[name …]` counts when the name is a
 * well-known shortcode or the body also closes it (`[/name]`): a bare `[sic]` is not one.
 */
export function shortcodesIn (body: string): string[] {
  const names = new Set<string>()
  for (const match of body.matchAll(/\[([a-z][\w-]*)(?=[\s\]/])/gi)) {
    const name = (match[1] ?? '').toLowerCase()
    if (knownShortcodes.has(name) || body.includes(`[/${match[1] ?? ''}]`)) names.add(name)
  }
  return [...names]
}

/** Keeps the first of each value, in order, dropping empties. */
export function distinct (values: Iterable<string>): string[] {
  const seen = new Set<string>()
  for (const value of values) if (value !== '') seen.add(value)
  return [...seen]
}
