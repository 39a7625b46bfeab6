import LinkifyIt from 'linkify-it'
import MarkdownIt from 'markdown-it'
import sanitizeHtml from 'sanitize-html'

// Hosts whose players may be embedded in an article. Anything else in an <iframe> is dropped.
export const embedHosts = [
  'www.youtube.com',
  'www.youtube-nocookie.com',
  'player.vimeo.com',
  'open.spotify.com',
  'w.soundcloud.com',
  'www.google.com', // Maps embeds
  'platform.twitter.com',
  'www.instagram.com',
  'datawrapper.dwcdn.net',
  'flo.uri.sh'
]

// What a news article needs, and nothing that can run code: no <script>, no <style>,
// no event handlers, no `javascript:` or `data:` URLs.
const articlePolicy: sanitizeHtml.IOptions = {
  allowedTags: [
    'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'p', 'br', 'hr', 'div', 'span',
    'strong', 'b', 'em', 'i', 'u', 's', 'del', 'ins', 'sub', 'sup', 'mark', 'small',
    'abbr', 'cite', 'q', 'time', 'code', 'pre', 'kbd',
    'blockquote', 'ul', 'ol', 'li', 'dl', 'dt', 'dd',
    'a', 'img', 'figure', 'figcaption', 'picture', 'source', 'iframe',
    'table', 'caption', 'colgroup', 'col', 'thead', 'tbody', 'tfoot', 'tr', 'th', 'td'
  ],
  allowedAttributes: {
    a: ['href', 'title', 'rel', 'target', 'name'],
    img: ['src', 'srcset', 'sizes', 'alt', 'title', 'width', 'height', 'loading'],
    source: ['srcset', 'sizes', 'media', 'type'],
    iframe: ['src', 'width', 'height', 'title', 'allow', 'allowfullscreen', 'loading'],
    blockquote: ['cite'],
    q: ['cite'],
    time: ['datetime'],
    abbr: ['title'],
    ol: ['start', 'reversed', 'type'],
    th: ['colspan', 'rowspan', 'scope'],
    td: ['colspan', 'rowspan'],
    col: ['span'],
    colgroup: ['span'],
    code: ['class']
  },
  allowedClasses: { code: [/^language-[\w-]+$/] },
  allowedSchemes: ['http', 'https', 'mailto', 'tel'],
  allowedSchemesByTag: { img: ['http', 'https'], source: ['http', 'https'], iframe: ['https'] },
  allowProtocolRelative: false,
  allowedIframeHostnames: embedHosts,
  allowIframeRelativeUrls: false,
  disallowedTagsMode: 'discard',
  // An iframe whose source was refused would stay behind as an empty box.
  exclusiveFilter: (frame) => frame.tag === 'iframe' && frame.attribs.src === undefined,
  transformTags: {
    // A link that opens a new tab must not hand the opener to the other site
    // (browsers read target names case-insensitively).
    a: (tagName, attribs) => attribs.target?.toLowerCase() === '_blank'
      ? { tagName, attribs: { ...attribs, target: '_blank', rel: 'noopener noreferrer' } }
      : { tagName, attribs }
  }
}

// U+0000 is a parse error that browsers drop from HTML, and PostgreSQL refuses it in text.
function withoutNul (html: string): string {
  return html.replaceAll('\0', '')
}

export function sanitizeArticleHtml (html: string): string {
  return sanitizeHtml(withoutNul(html), articlePolicy).trim()
}

// Raw HTML is allowed in Markdown (editors paste embeds), and sanitised with the rest.
const markdown = new MarkdownIt({ html: true, linkify: true, typographer: false })

export function renderMarkdown (source: string): string {
  return sanitizeArticleHtml(markdown.render(source))
}

// A write wants an article's text twice (its excerpt, its search row): the last one is kept.
let lastHtml: string | null = null
let lastText = ''

// Elements that flow inside a line of text: between them words run on. Every other tag
// (a paragraph, a heading, a list item, a table cell, a line break) separates words.
const inlineElements = new Set([
  'a', 'abbr', 'b', 'cite', 'code', 'del', 'em', 'i', 'img', 'ins', 'kbd', 'mark', 'picture',
  'q', 's', 'small', 'source', 'span', 'strong', 'sub', 'sup', 'time', 'u'
])

// What a reader doesn't read as part of the article's prose: a player's fallback text, and
// a picture's caption (or every excerpt of a story led by a photo would start with it).
const unread = /<(figcaption|iframe)\b[^>]*>[^]*?<\/\1>/g
const anyTag = /<\/?([a-z][a-z0-9]*)[^>]*>/g
// Runs of white space to make one space of; a single space, most of them, is left as it is
// (replacing each with itself was most of the time taken here).
const spacing = /\s{2,}|[^\S ]/g

/**
 * The text of a fragment of HTML that Dateline sanitised (`sanitizeArticleHtml`,
 * `sanitizeCommentHtml`), with words in separate blocks kept apart and entities decoded.
 * Read with patterns, not a parser: sanitised HTML is regular enough for that (lower-case
 * tags, every `<` and `>` outside a tag escaped, no comments), and the second parse was a
 * third of an import's work beside the database's (bench/import.mjs).
 */
export function htmlToText (html: string): string {
  if (html === lastHtml) return lastText
  const text = html.replace(unread, ' ').replace(anyTag, (_tag, name: string) => inlineElements.has(name) ? '' : ' ')
  lastHtml = html
  lastText = decodeEntities(text).replace(spacing, ' ').trim()
  return lastText
}

const namedEntities: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' }

function decodeEntities (text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (entity, name: string) => {
    if (name[0] === '#') {
      const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10)
      return Number.isInteger(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : entity
    }
    return namedEntities[name.toLowerCase()] ?? entity
  })
}

export const excerptLength = 200

/** About `excerptLength` characters of the body's text, cut at a word boundary. */
export function deriveExcerpt (html: string, length = excerptLength): string {
  return excerptOfText(htmlToText(html), length)
}

/** The same, from the body's text (`htmlToText`) when it is already at hand. */
export function excerptOfText (text: string, length = excerptLength): string {
  if (text.length <= length) return text
  const cut = text.slice(0, length + 1)
  const lastSpace = cut.lastIndexOf(' ')
  const words = lastSpace > length / 2 ? cut.slice(0, lastSpace) : text.slice(0, length)
  return `${words.replace(/[\s,;:.!?-]+$/u, '')}…`
}

// Readers' comments get a much smaller subset than articles: text formatting and links,
// and every link is marked as user-generated so it passes no search-engine credit.
const commentPolicy: sanitizeHtml.IOptions = {
  allowedTags: ['p', 'br', 'a', 'em', 'i', 'strong', 'b', 'code', 'pre', 'blockquote', 'q'],
  allowedAttributes: { a: ['href', 'rel'] },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowProtocolRelative: false,
  disallowedTagsMode: 'discard',
  transformTags: {
    // Only absolute links: a relative one would point into the API or the site itself.
    a: (tagName, attribs) => ({
      tagName,
      attribs: { ...(/^\s*(https?|mailto):/i.test(attribs.href ?? '') ? { href: attribs.href! } : {}), rel: 'nofollow ugc noopener' }
    })
  }
}

function escapeHtml (text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
}

/** Plain text as paragraphs (blank lines) and line breaks, escaped. */
function textToHtml (text: string): string {
  return text.trim().split(/\n\s*\n/).map((paragraph) => `<p>${escapeHtml(paragraph.trim()).replace(/\r?\n/g, '<br>')}</p>`).join('\n')
}

/**
 * A comment's body as safe HTML. Readers type text, perhaps with a link or some emphasis:
 * unless they wrote paragraphs themselves, blank lines make paragraphs and newlines breaks.
 */
export function sanitizeCommentHtml (raw: string): string {
  const input = withoutNul(raw)
  if (!/<\/?[a-z][^>]*>/i.test(input)) return sanitizeHtml(textToHtml(input), commentPolicy)
  const clean = sanitizeHtml(input, commentPolicy).trim()
  if (/<(p|blockquote|pre)[\s>]/i.test(clean)) return clean
  const paragraphs = clean.split(/\n\s*\n/).map((paragraph) => `<p>${paragraph.trim().replace(/\r?\n/g, '<br>')}</p>`)
  // Wrapping can split an inline element across paragraphs: sanitising again closes it properly.
  return sanitizeHtml(paragraphs.join('\n'), commentPolicy)
}

// Addresses as spammers write them: with a scheme, `www.`, or a bare domain with a path. On
// top of linkify-it's usual TLDs (the common generic ones and every country code), cheap
// generic ones spam favours. E-mail addresses are not links.
const linkFinder = new LinkifyIt({ fuzzyEmail: false }).tlds(['xyz', 'top', 'online', 'site', 'club', 'icu', 'shop', 'store', 'click', 'link', 'live', 'app'], true)

/** The links in sanitised HTML: its anchors, and the addresses in its text outside them. */
export function countLinks (html: string): number {
  const anchors = html.match(/<a\s/gi)?.length ?? 0
  const withBreaks = html.replace(/<\/(p|blockquote|pre)>|<br\s*\/?>/gi, ' ')
  const outside = sanitizeHtml(withBreaks, { allowedTags: [], allowedAttributes: {}, nonTextTags: ['a', 'script', 'style', 'textarea'] })
  return anchors + (linkFinder.match(decodeEntities(outside))?.length ?? 0)
}
