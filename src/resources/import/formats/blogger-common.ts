import type { ImportedArticle, ImportedAuthor, ImportedMedia, ImportedPage, ImportRecord, SkippedRow } from '../records.js'
import { type ReadContext, skip } from './context.js'
import { fileNameOf, imageAddress } from './media.js'
import { ns } from './namespaces.js'
import { avatarUrl, plainText, realEmail } from './text.js'
import { utcFromRfc3339 } from './timestamps.js'
import { childOf, textOf, type XmlElement } from './xml-tree.js'

// What both Blogger export schemas share: the blog id every source id is scoped by, authors
// emitted once each before their first article, and the posts whose comments are skipped.
// Two entries with one id are both emitted: the importer's staging reports the second as a
// duplicate.

const blogIdPattern = /^tag:blogger\.com,1999:blog-(\d+)/

/**
 * A page's status from its Blogger one (trashed pages are skipped before): LIVE is published,
 * DRAFT a draft, and anything else (pages are never scheduled) a draft with a note.
 */
export function pageStatus (sourceStatus: string): Pick<ImportedPage, 'status' | 'notes'> {
  if (sourceStatus === 'LIVE') return { status: 'published' }
  if (sourceStatus === 'DRAFT') return { status: 'draft' }
  return { status: 'draft', notes: [`unknown status "${sourceStatus}" in source: imported as a draft`] }
}

/** What every Blogger reader (both export schemas and the API dumps) keeps while reading. */
export class BloggerState {
  private readonly authorIds = new Set<string>()
  /**
   * Why each post read so far takes no comments (a trashed post, a page), so that its comments
   * are skipped as well, with that reason.
   */
  private readonly commentless = new Map<string, string>()

  constructor (readonly context: ReadContext) {}

  /** The author record to emit before the article, when this author is new. */
  newAuthor (author: ImportedAuthor): ImportedAuthor | null {
    if (this.authorIds.has(author.source.id)) return null
    this.authorIds.add(author.source.id)
    return author
  }

  skipPost (resource: SkippedRow['resource'], id: string, reason: string): SkippedRow {
    this.commentless.set(id, reason)
    return skip(resource, id, reason)
  }

  /**
   * A Blogger page. Its comments are skipped (Dateline's pages have none), with the reason the
   * WordPress reader gives comments on pages. Blogger pages have no parents, and an export
   * keeps no order for them (the Pages gadget's order is in the template): each is at position
   * 0, so pages go by title until an editor orders them. Not by file order: a page added to the
   * blog would then move every page after it, and importing again overwrite each as changed.
   */
  page (fields: Omit<ImportedPage, 'kind' | 'parentSourceId' | 'position'>): ImportedPage {
    this.commentless.set(fields.source.id, 'page')
    return { kind: 'page', ...fields, parentSourceId: null, position: 0 }
  }

  /** A skip row for a comment whose post was skipped (or is a page) earlier in the file, else null. */
  commentOnSkippedPost (commentId: string, postId: string): SkippedRow | null {
    const reason = this.commentless.get(postId)
    return reason === undefined ? null : skip('comment', commentId, `its article was skipped (${reason})`)
  }
}

export class BloggerFeedState extends BloggerState {
  blogId = ''
  convertLineBreaks = false
  /** Thumbnail addresses emitted so far: one media item per address, however many posts show it. */
  readonly thumbnails = new Set<string>()

  /** Takes the blog id from the feed's or an entry's id (`tag:blogger.com,1999:blog-ID…`). */
  noteBlogId (atomId: string): void {
    if (this.blogId !== '') return
    this.blogId = blogIdPattern.exec(atomId)?.[1] ?? ''
  }
}

export interface EntryAuthor {
  name: string
  uri: string
  email: string | null
  avatarUrl: string | null
}

export function entryAuthor (entry: XmlElement): EntryAuthor | null {
  const author = childOf(entry, ns.atom, 'author')
  if (author === undefined) return null
  const image = childOf(author, ns.gd, 'image')?.attributes.src ?? ''
  return {
    name: plainText(textOf(author, ns.atom, 'name')),
    uri: textOf(author, ns.atom, 'uri'),
    email: realEmail(textOf(author, ns.atom, 'email')),
    avatarUrl: avatarUrl(image)
  }
}

/** An author record keyed by `key` (a profile id, a URI or a name). */
export function authorRecord (author: EntryAuthor, key: string, site: string): ImportedAuthor {
  return {
    kind: 'author',
    source: { site, id: key },
    name: author.name === '' ? 'Anonymous' : author.name,
    slug: null,
    email: author.email,
    bio: null,
    avatarUrl: author.avatarUrl,
    url: author.uri === '' ? null : author.uri
  }
}

/** Yields the author when new and returns its source id (null when the entry names nobody). */
export function * emitAuthor (state: BloggerFeedState, author: EntryAuthor | null, key: (author: EntryAuthor) => string): Generator<ImportRecord, string | null> {
  if (author === null) return null
  const id = key(author)
  if (id === '') return null
  const record = state.newAuthor(authorRecord(author, id, state.blogId))
  if (record !== null) yield record
  return id
}

export function entryTime (entry: XmlElement, uri: string, local: string): string | null {
  return utcFromRfc3339(textOf(entry, uri, local))
}

/** The alternate (HTML) link of an entry: the post's public address. */
export function alternateLink (entry: XmlElement): string | null {
  const link = entry.children.find((child) => child.uri === ns.atom && child.local === 'link' && child.attributes.rel === 'alternate')
  const href = link?.attributes.href?.trim() ?? ''
  return href === '' ? null : href
}

/**
 * A comment id in the full form, given one written as a bare number: Blogger's ids differ
 * only in their trailing number, so the shape is borrowed from an id of the same blog.
 */
export function fullCommentId (idOrNumber: string, sameShape: string): string {
  const value = idOrNumber.trim()
  if (!/^\d+$/.test(value)) return value
  return /\d+$/.test(sameShape) ? sameShape.replace(/\d+$/, value) : value
}

/**
 * The post's `media:thumbnail`, as its featured image: a media record the first time its
 * address comes (keyed by the address: Blogger gives images no id), and the article's link to it.
 */
export function * emitThumbnail (entry: XmlElement, state: BloggerFeedState, authorSourceId: string | null): Generator<ImportRecord, Pick<ImportedArticle, 'featuredMediaSourceId'>> {
  const url = imageAddress(childOf(entry, ns.media, 'thumbnail')?.attributes.url ?? '')
  if (url === null) return {}
  if (!state.thumbnails.has(url.href)) {
    state.thumbnails.add(url.href)
    yield { kind: 'media', source: { site: state.blogId, id: url.href }, url: url.href, fileName: fileNameOf(url), alt: '', caption: '', authorSourceId } satisfies ImportedMedia
  }
  return { featuredMediaSourceId: url.href }
}
