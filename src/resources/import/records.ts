// What every import format is turned into before anything touches the database: plain
// records in source terms (source ids, not our ids). The importer writes them in file order
// in one transaction, and links comments to articles and parents once every article is in
// (see service.ts).

export type ImportFormat = 'blogger-legacy' | 'blogger-2018' | 'blogger-api' | 'wxr' | 'ndjson'

export const importFormats: readonly ImportFormat[] = ['blogger-legacy', 'blogger-2018', 'blogger-api', 'wxr', 'ndjson']

export type ImportResource = 'author' | 'article' | 'comment' | 'media' | 'day' | 'redirect' | 'setting' | 'label' | 'page'

/**
 * Source ids are opaque strings, scoped by the site they come from (Blogger ids reach 20
 * digits, beyond any integer type; a WXR post id is unique only within its site).
 */
export interface SourceRef {
  /** The source site: Blogger's blog id, WXR's base_blog_url, … Empty for NDJSON. */
  site: string
  id: string
  /** Our own id to give the row when it is free (NDJSON, so a round trip keeps ids). */
  preferredId?: number
}

export interface ImportedAuthor {
  kind: 'author'
  source: SourceRef
  name: string
  /** The slug to prefer (a WXR login, …); derived from the name when absent or taken. */
  slug: string | null
  /** Private. Placeholders such as noreply@blogger.com are already null here. */
  email: string | null
  bio: string | null
  avatarUrl: string | null
  url: string | null
  createdAt?: string | null
  updatedAt?: string | null
}

export interface ImportedArticle {
  kind: 'article'
  source: SourceRef
  /** Plain text, entities decoded, tags stripped; may be empty (the importer derives one). */
  title: string
  slug: string | null
  /** HTML as found in the source (after XML decoding), not yet sanitised. */
  body: string
  /** Plain text, or null to derive one from the body. */
  excerpt: string | null
  status: 'draft' | 'scheduled' | 'published'
  /** RFC 3339 UTC with milliseconds, or null (drafts). */
  publishedAt: string | null
  createdAt: string | null
  updatedAt: string | null
  labels: string[]
  /** The author's source id (same site), or null for the importing default author. */
  authorSourceId: string | null
  /** The article's address in the old blog, kept for redirects. */
  sourceUrl: string | null
  /** Things worth telling the user that did not stop the import ("private in source"). */
  notes: string[]
  /**
   * The source id (same site) of the media record that is its featured image. Absent, not
   * null, when it has none: the digest of an article without one stays what it was.
   */
  featuredMediaSourceId?: string
  /**
   * The source ids (same site) of its co-authors after the primary, in byline order (our
   * export's `coAuthorIds`). Absent, not empty, when it has none: the digest of a single
   * byline stays what it was.
   */
  coAuthorSourceIds?: string[]
  /** Slugs the post had before (WordPress's `_wp_old_slug`, our export's `oldSlugs`): they answer 301 to its slug. */
  oldSlugs?: string[]
  /** When it comes down (our own export's `unpublishAt`). */
  unpublishAt?: string | null
  /**
   * Its public corrections (our export's `corrections`), oldest first. Absent, not empty, when
   * it has none: the digest of an article without any stays what it was, and an import from
   * a source that has no corrections leaves those written here as they are.
   */
  corrections?: ImportedCorrection[]
  /**
   * Its search and social metadata (Yoast's and Jetpack's post meta, our export's `seo`).
   * Absent, not empty, when it has none: the digest of an article without any stays what it
   * was, and an import from a source without them leaves those written here as they are.
   */
  seo?: ImportedSeo
}

/** Search and social metadata as a source gives it: text not yet cut to the API's limits. */
export interface ImportedSeo {
  title: string | null
  description: string | null
  canonicalUrl: string | null
  noindex: boolean
  socialTitle: string | null
  socialDescription: string | null
  /** The source id (same site) of the media record a shared link shows, or null. */
  socialMediaSourceId: string | null
}

/** A correction of an imported article: a plain-text note and its times (RFC 3339 UTC with milliseconds). */
export interface ImportedCorrection {
  /** Its id in the source, kept when no other correction has it. */
  id?: number
  note: string
  correctedAt: string
  createdAt: string
  updatedAt: string
}

/**
 * An image the export names by its address (a WordPress attachment, a Blogger thumbnail):
 * it becomes an external media item, its file fetched later (`dateline media fetch`).
 */
export interface ImportedMedia {
  kind: 'media'
  source: SourceRef
  /** Absolute http(s) URL. */
  url: string
  /** The last segment of the URL's path, decoded. */
  fileName: string
  alt: string
  caption: string
  /** The uploader's source id (same site), or null. */
  authorSourceId: string | null
  /**
   * What only Dateline's own export says of an image (absent from other formats, so their
   * records' digests stay what they were): its credit, focal point and times, and the key its
   * files had, under which `dateline export` put its original beside the file.
   */
  credit?: string
  focalPoint?: { x: number, y: number }
  createdAt?: string
  updatedAt?: string
  exportedKey?: string
}

/**
 * A label as a file describes it apart from its articles (which name labels by name): a
 * WordPress category or tag, a label line of our export. Articles find it by its name.
 */
export interface ImportedLabel {
  kind: 'label'
  source: SourceRef
  name: string
  /** The slug to prefer (a category's nicename, …); derived from the name when null or taken. */
  slug: string | null
  /** Plain text; '' for none. */
  description: string
  /** The parent label's source id (same site), or null at the top level. */
  parentSourceId: string | null
}

/** A static page (a WordPress or Blogger page, a page line of our export). */
export interface ImportedPage {
  kind: 'page'
  source: SourceRef
  /** Plain text; may be empty (the importer names it). */
  title: string
  slug: string | null
  /** HTML as found in the source, not yet sanitised. */
  body: string
  /** Plain text, or null to derive one from the body. */
  excerpt: string | null
  status: 'draft' | 'published'
  /** The parent page's source id (same site), or null at the top level. */
  parentSourceId: string | null
  /** Its place among its siblings (WordPress's menu_order; 0 for Blogger's, which export no order). */
  position: number
  createdAt: string | null
  updatedAt: string | null
  /** As an article's `seo`: absent when the source has none. */
  seo?: ImportedSeo
  /** As an article's notes; absent when there are none. */
  notes?: string[]
}

export interface ImportedComment {
  kind: 'comment'
  source: SourceRef
  articleSourceId: string
  parentSourceId: string | null
  authorName: string
  /** Private. */
  authorEmail: string | null
  authorUrl: string | null
  /** HTML (or plain text with newlines), not yet sanitised. */
  body: string
  status: 'pending' | 'approved' | 'spam' | 'rejected'
  createdAt: string
  updatedAt?: string | null
}

export interface ImportedDay {
  kind: 'day'
  day: string
  note: string | null
  createdAt?: string | null
  updatedAt?: string | null
}

/** An editor's redirect (our own export's): kept by its `from` path, so importing again updates it. */
export interface ImportedRedirect {
  kind: 'redirect'
  from: string
  to: string
  status: number
  createdAt?: string | null
  updatedAt?: string | null
}

/** A site setting found in the file; reported, never applied silently. */
export interface ImportedSetting {
  kind: 'setting'
  name: string
  value: string
}

/** A row of the file that is not imported, with the reason given in the report. */
export interface SkippedRow {
  kind: 'skip'
  resource: ImportResource | 'page' | 'other'
  sourceId: string | null
  reason: string
}

export type ImportRecord = ImportedAuthor | ImportedLabel | ImportedPage | ImportedArticle | ImportedComment | ImportedMedia | ImportedDay | ImportedRedirect | ImportedSetting | SkippedRow

/** A malformed file: where and why. Becomes a 400 problem naming line and column. */
export class MalformedImportError extends Error {
  constructor (message: string, readonly line: number | null = null, readonly column: number | null = null) {
    super(line === null ? message : `line ${line}${column === null ? '' : `, column ${column}`}: ${message}`)
    this.name = 'MalformedImportError'
  }
}
