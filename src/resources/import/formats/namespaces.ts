// Namespace URIs the import formats are matched on. Elements are always matched by
// (uri, local name), never by prefix: real files use `ns0:feed`, declare `app:` on the
// element itself, or forget to declare `app:`/`excerpt:`/`wp:` at all.

export const ns = {
  atom: 'http://www.w3.org/2005/Atom',
  blogger2018: 'http://schemas.google.com/blogger/2018',
  gd: 'http://schemas.google.com/g/2005',
  thr: 'http://purl.org/syndication/thread/1.0',
  app: 'http://purl.org/atom/app#',
  media: 'http://search.yahoo.com/mrss/',
  content: 'http://purl.org/rss/1.0/modules/content/',
  dc: 'http://purl.org/dc/elements/1.1/',
  wfw: 'http://wellformedweb.org/CommentAPI/',
  /** Canonical form of every `http(s)://wordpress.org/export/1.N/` (see canonicalNamespace). */
  wp: 'http://wordpress.org/export/',
  /** Canonical form of every `http(s)://wordpress.org/export/1.N/excerpt/`. */
  wpExcerpt: 'http://wordpress.org/export/excerpt/'
} as const

/**
 * Prefixes bound before parsing, so that files which use them without declaring them
 * (Pelican's re-indented Blogger export, a 2008 WXR's `excerpt:`) still parse. A declaration
 * in the file wins over these. WordPress's own importer falls back to the 1.1 URIs.
 */
export const tolerantPrefixes: Record<string, string> = {
  app: ns.app,
  media: ns.media,
  gd: ns.gd,
  thr: ns.thr,
  openSearch: 'http://a9.com/-/spec/opensearchrss/1.0/',
  georss: 'http://www.georss.org/georss',
  blogger: ns.blogger2018,
  content: ns.content,
  dc: ns.dc,
  wfw: ns.wfw,
  wp: 'http://wordpress.org/export/1.1/',
  excerpt: 'http://wordpress.org/export/1.1/excerpt/'
}

const wordPressExport = /^https?:\/\/wordpress\.org\/export\/1\.\d+\/$/
const wordPressExcerpt = /^https?:\/\/wordpress\.org\/export\/1\.\d+\/excerpt\/$/

/** Folds the versioned and https variants of one namespace into one URI to match on. */
export function canonicalNamespace (uri: string): string {
  if (wordPressExport.test(uri)) return ns.wp
  if (wordPressExcerpt.test(uri)) return ns.wpExcerpt
  // The Atom Publishing Protocol's final namespace, used by some Blogger-compatible exporters.
  if (uri === 'http://www.w3.org/2007/app') return ns.app
  return uri
}
