import { randomUUID } from 'node:crypto'
import { escapeText, escapeUTF8 } from 'entities'
import { Feed, type Item } from 'feed'
import type { CorrectionFeedContent, FeedContent, FeedEntry, FeedImage, Sitemap } from './service.js'
import type { JsonFeedBody } from './schemas.js'

// How feeds and sitemaps are written. Atom and RSS go through the `feed` package (6.x),
// whose XML writer (xml-js) needs help with what it is handed:
// - text (`_text` and plain values) is "desanitised" first (`&amp;` → `&`) and then escaped,
//   so a literal `&amp;` would lose its `amp;`: text is handed over with `&` already escaped,
//   which the round trip turns back into exactly the original;
// - CDATA sections are closed early on the first `]]>` only (a second one ends the section);
// - attribute values get `"` escaped but not `<`, which XML forbids there;
// - nothing removes the characters XML 1.0 cannot carry at all (most C0 controls).

const xmlInvalid = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu

/** Without the characters XML 1.0 cannot carry (a pasted form feed, a lone surrogate). */
function xmlChars (text: string): string {
  return text.replace(xmlInvalid, '')
}

/** For the `feed` fields xml-js writes as text. */
function asText (text: string): string {
  return xmlChars(text).replace(/&/g, '&amp;')
}

/** HTML, for a CDATA section: `]]>` cannot occur in one, and in HTML `]]&gt;` means the same. */
function htmlForCdata (html: string): string {
  return xmlChars(html).replace(/]]>/g, ']]&gt;')
}

/** Plain text as an HTML fragment (Atom `type="html"` constructs, RSS descriptions). */
function textAsHtml (text: string): string {
  return escapeText(xmlChars(text))
}

/** Text or an attribute value, escaped for XML by the sitemap's rule rather than xml-js's. */
function xmlEscaped (value: string | number): string {
  return escapeUTF8(xmlChars(String(value)))
}

function xmlAttributes (values: Record<string, string | number | undefined>): string {
  return Object.entries(values).filter(([, value]) => value !== undefined).map(([name, value]) => ` ${name}="${xmlEscaped(value!)}"`).join('')
}

// A featured image goes in as Media RSS (https://www.rssboard.org/media-rss) `media:content`,
// which feed readers show beside an entry, and as an enclosure, which older ones know. `feed`
// 6 writes no extension elements in Atom entries, and guesses an enclosure's type from the
// file's extension (`image/jpg`): these elements are written here, left as placeholders in
// what `feed` writes, and put in place of them afterwards.
const mediaNamespace = 'http://search.yahoo.com/mrss/'

/**
 * The enclosure (only with a type and a size, which RSS requires: an imported image not
 * fetched yet has neither) and `media:content` of an image.
 */
function imageXml (image: FeedImage, format: 'atom' | 'rss'): string {
  const { url, type, bytes } = image
  const enclosure = type === undefined || bytes === undefined
    ? ''
    : format === 'atom' ? `<link${xmlAttributes({ rel: 'enclosure', type, length: bytes, href: url })}/>` : `<enclosure${xmlAttributes({ url, length: bytes, type })}/>`
  const about = [
    image.alt === '' ? '' : `<media:description type="plain">${xmlEscaped(image.alt)}</media:description>`,
    image.credit === '' ? '' : `<media:credit>${xmlEscaped(image.credit)}</media:credit>`
  ].join('')
  const attributes = xmlAttributes({ url, type, medium: 'image', width: image.width, height: image.height, fileSize: bytes })
  return `${enclosure}<media:content${attributes}${about === '' ? '/>' : `>${about}</media:content>`}`
}

/** Elements written here, each held by a placeholder no article can contain until `fill`. */
class Placeholders {
  private readonly nonce = randomUUID()
  private readonly held = new Map<string, string>()

  hold (xml: string): string {
    const key = `dateline-${this.nonce}-${this.held.size}`
    this.held.set(key, xml)
    return key
  }

  /** `document` with each `<element>key</element>` replaced by what it holds. */
  fill (document: string, element: string): string {
    let filled = document
    for (const [key, xml] of this.held) {
      const placeholder = `<${element}>${key}</${element}>`
      if (!filled.includes(placeholder)) throw new Error(`feed wrote no ${placeholder}: its output changed`)
      filled = filled.replace(placeholder, () => xml)
    }
    return filled
  }
}

/** `document` with the Media RSS namespace declared on its root element (`<rss ` or `<feed `). */
function withMediaNamespace (document: string, root: string): string {
  const start = new RegExp(`^(<\\?xml[^>]*\\?>\\s*<${root}) `)
  if (!start.test(document)) throw new Error(`feed wrote no <${root}> root where expected: its output changed`)
  return document.replace(start, (_opening: string, element: string) => `${element} xmlns:media="${mediaNamespace}" `)
}

function feedOf (content: FeedContent, links: { atom?: string, rss?: string }, language?: string): Feed {
  return new Feed({
    id: asText(links.atom ?? links.rss ?? content.homeUrl),
    title: asText(content.title),
    ...(content.description === '' ? {} : { description: asText(content.description) }),
    link: content.homeUrl,
    feedLinks: links,
    updated: new Date(content.updated),
    generator: 'Dateline',
    ...(language === undefined ? {} : { language })
  })
}

// An empty body would make `feed` leave out the content element, and in RSS the namespace
// declarations (content, dc) that come with it; a space keeps both.
function contentOf (entry: FeedEntry): string {
  return entry.html === '' ? ' ' : htmlForCdata(entry.html)
}

function atomItem (entry: FeedEntry, placeholders: Placeholders): Item {
  return {
    // `feed` marks Atom titles and summaries `type="html"`: plain text is escaped into HTML.
    title: textAsHtml(entry.title),
    id: entry.id,
    link: entry.url,
    date: new Date(entry.updatedAt),
    published: new Date(entry.publishedAt),
    description: textAsHtml(entry.summary),
    content: contentOf(entry),
    author: entry.authors.map((author) => ({ name: asText(author.name), ...(author.url === undefined ? {} : { link: author.url }) })),
    // A category's `term` is an attribute, where `feed` cannot write a `<`: such labels are
    // left out of Atom only (RSS and JSON Feed carry them).
    category: entry.labels.map(xmlChars).filter((name) => name !== '' && !name.includes('<')).map((name) => ({ term: name })),
    // `feed` writes an entry's copyright as `<rights>`, its last element: the image's place.
    ...(entry.image === undefined ? {} : { copyright: placeholders.hold(imageXml(entry.image, 'atom')) })
  }
}

function rssItem (entry: FeedEntry, placeholders: Placeholders): Item {
  return {
    // RSS titles are plain text, which readers take apart from markup only when it is escaped
    // (a CDATA section is shown raw by some, rendered as HTML by others: RSS Best Practices
    // Profile, "Character Data"). `feed` writes item titles as CDATA, so the title goes in
    // as an extension, which replaces its element; descriptions and content:encoded are HTML.
    title: entry.title,
    id: entry.id,
    guid: asText(entry.id),
    link: entry.url,
    date: new Date(entry.updatedAt),
    published: new Date(entry.publishedAt),
    description: textAsHtml(entry.summary),
    content: contentOf(entry),
    // RSS's <author> must be an e-mail address, which is private: the name goes in
    // dc:creator instead (the dc namespace comes with content:encoded).
    extensions: [
      { name: 'title', objects: { _text: asText(entry.title) } },
      // One dc:creator per author of a joint byline: `feed` hands `objects` to xml-js, which
      // writes an array as repeated elements (its type says a record only).
      { name: 'dc:creator', objects: entry.authors.map((author) => ({ _text: asText(author.name) })) as unknown as Record<string, unknown> },
      ...(entry.image === undefined ? [] : [{ name: rssImageElement, objects: { _text: placeholders.hold(imageXml(entry.image, 'rss')) } }])
    ],
    category: entry.labels.map((name) => ({ name: asText(name) }))
  }
}

/** The element an RSS item's image placeholder is written as (an extension of our own name). */
const rssImageElement = 'dateline-image'

export function atomFeed (content: FeedContent, selfUrl: string): string {
  const feed = feedOf(content, { atom: selfUrl })
  const placeholders = new Placeholders()
  for (const entry of content.entries) feed.addItem(atomItem(entry, placeholders))
  return withMediaNamespace(placeholders.fill(feed.atom1(), 'rights'), 'feed')
}

export function rssFeed (content: FeedContent, selfUrl: string, language: string): string {
  const feed = feedOf(content, { rss: selfUrl }, language)
  const placeholders = new Placeholders()
  for (const entry of content.entries) feed.addItem(rssItem(entry, placeholders))
  return withMediaNamespace(placeholders.fill(feed.rss2(), rssImageElement), 'rss')
}

/** The corrections log as Atom 1.0: an entry per correction, linking to the corrected article. */
export function correctionsAtomFeed (content: CorrectionFeedContent, selfUrl: string): string {
  const feed = new Feed({
    id: asText(selfUrl),
    title: asText(content.title),
    link: content.homeUrl,
    feedLinks: { atom: selfUrl },
    updated: new Date(content.updated),
    generator: 'Dateline'
  })
  for (const entry of content.entries) {
    feed.addItem({
      title: textAsHtml(`Correction: ${entry.articleTitle}`),
      id: entry.id,
      link: entry.url,
      date: new Date(entry.updatedAt),
      published: new Date(entry.correctedAt),
      // The note is plain text: escaped into HTML, its line breaks kept.
      content: htmlForCdata(textAsHtml(entry.note).replace(/\r?\n/g, '<br>'))
    })
  }
  return feed.atom1()
}

export function jsonFeed (content: FeedContent, selfUrl: string, language: string): JsonFeedBody {
  return {
    version: 'https://jsonfeed.org/version/1.1',
    title: content.title,
    home_page_url: content.homeUrl,
    feed_url: selfUrl,
    ...(content.description === '' ? {} : { description: content.description }),
    language,
    items: content.entries.map((entry) => ({
      id: entry.id,
      url: entry.url,
      title: entry.title,
      content_html: entry.html,
      summary: entry.summary,
      date_published: entry.publishedAt,
      date_modified: entry.updatedAt,
      authors: entry.authors,
      ...(entry.labels.length === 0 ? {} : { tags: entry.labels }),
      ...(entry.image === undefined ? {} : { image: entry.image.url })
    }))
  }
}

// The sitemap is two elements deep: written here, every value escaped (the protocol asks
// for entity-escaped, already percent-encoded URLs), rather than pulling in a library.
const sitemapNamespace = 'http://www.sitemaps.org/schemas/sitemap/0.9'
/** Google's image extension: an article's featured image beside its URL. */
const sitemapImageNamespace = 'http://www.google.com/schemas/sitemap-image/1.1'

export function sitemapXml (sitemap: Sitemap): string {
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>']
  if (sitemap.kind === 'index') {
    lines.push(`<sitemapindex xmlns="${sitemapNamespace}">`)
    for (const loc of sitemap.pages) lines.push(`  <sitemap><loc>${escapeUTF8(loc)}</loc></sitemap>`)
    lines.push('</sitemapindex>')
  } else {
    lines.push(`<urlset xmlns="${sitemapNamespace}" xmlns:image="${sitemapImageNamespace}">`)
    for (const url of sitemap.urls) {
      const lastmod = url.lastmod === undefined ? '' : `<lastmod>${escapeUTF8(url.lastmod)}</lastmod>`
      const image = url.image === undefined ? '' : `<image:image><image:loc>${escapeUTF8(url.image)}</image:loc></image:image>`
      lines.push(`  <url><loc>${escapeUTF8(url.loc)}</loc>${lastmod}${image}</url>`)
    }
    lines.push('</urlset>')
  }
  return `${lines.join('\n')}\n`
}
