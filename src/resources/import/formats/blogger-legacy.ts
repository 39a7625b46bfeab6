import type { ImportedArticle, ImportedComment, ImportedPage, ImportedSetting, ImportRecord } from '../records.js'
import { alternateLink, type BloggerFeedState, emitAuthor, emitThumbnail, type EntryAuthor, entryAuthor, entryTime, fullCommentId } from './blogger-common.js'
import { liveStatus, skip } from './context.js'
import { ns } from './namespaces.js'
import { distinct, lineBreaksToBr, plainText, slugFromPath } from './text.js'
import { childOf, childrenOf, rawTextOf, textOf, type XmlElement } from './xml-tree.js'

// One entry of a Blogger export in the legacy GData schema (mapping guide §4). Each entry's
// kind is in a category with the GData kind scheme; posts, pages and comments are content.

const kindScheme = 'http://schemas.google.com/g/2005#kind'
const labelScheme = 'http://www.blogger.com/atom/ns#'

/** Blogger settings worth reporting, under the names Dateline's settings use. */
const reportedSettings: Record<string, string> = {
  BLOG_TIME_ZONE: 'timezone',
  BLOG_LOCALE: 'locale',
  BLOG_NAME: 'title',
  BLOG_DESCRIPTION: 'description'
}

export function * legacyEntry (entry: XmlElement, id: string, state: BloggerFeedState): Generator<ImportRecord> {
  const kind = entryKind(entry)
  if (kind === 'post') yield * legacyPost(entry, id, state)
  else if (kind === 'comment') yield legacyComment(entry, id, state)
  else if (kind === 'page') yield legacyPage(entry, id, state)
  else if (kind === 'settings') yield * setting(entry, id, state)
  else yield skip('other', id, 'not content')
}

/** `post`, `comment`, `settings`… from `…/blogger/2008/kind#post`; '' without a kind category. */
function entryKind (entry: XmlElement): string {
  const category = childrenOf(entry, ns.atom, 'category').find((element) => element.attributes.scheme === kindScheme)
  return category?.attributes.term?.split('#').at(-1) ?? ''
}

function * setting (entry: XmlElement, id: string, state: BloggerFeedState): Generator<ImportRecord> {
  const name = id.split('.settings.').at(-1) ?? ''
  const value = textOf(entry, ns.atom, 'content')
  if (name === 'BLOG_CONVERT_LINE_BREAKS') state.convertLineBreaks = value === 'true'
  const reportedAs = reportedSettings[name]
  if (reportedAs !== undefined && value !== '') yield { kind: 'setting', name: reportedAs, value } satisfies ImportedSetting
  yield skip('setting', id, 'not content')
}

function * legacyPost (entry: XmlElement, id: string, state: BloggerFeedState): Generator<ImportRecord> {
  const authorSourceId = yield * emitAuthor(state, entryAuthor(entry), profileKey)
  const featured = yield * emitThumbnail(entry, state, authorSourceId)
  yield { ...legacyArticle(entry, id, authorSourceId, state), ...featured }
}

function legacyArticle (entry: XmlElement, id: string, authorSourceId: string | null, state: BloggerFeedState): ImportedArticle {
  const draft = isDraft(entry)
  const published = entryTime(entry, ns.atom, 'published')
  const url = alternateLink(entry)
  const notes: string[] = []
  if (!draft && published === null) notes.push('no publication date in source')
  return {
    kind: 'article',
    source: { site: state.blogId, id },
    title: plainText(rawTextOf(entry, ns.atom, 'title')),
    slug: url === null ? null : slugFromPath(url),
    body: legacyBody(entry, state),
    excerpt: plainText(rawTextOf(entry, ns.atom, 'summary')) || null,
    status: draft ? 'draft' : liveStatus(published, state.context),
    publishedAt: draft ? null : published,
    createdAt: published,
    updatedAt: entryTime(entry, ns.atom, 'updated'),
    labels: distinct(childrenOf(entry, ns.atom, 'category').filter((category) => category.attributes.scheme === labelScheme).map((category) => plainText(category.attributes.term ?? ''))),
    authorSourceId,
    sourceUrl: url,
    notes
  }
}

/** A page (`/p/slug.html`): a draft when `app:draft` says so, else published (pages have no schedule). */
function legacyPage (entry: XmlElement, id: string, state: BloggerFeedState): ImportedPage {
  const url = alternateLink(entry)
  const published = entryTime(entry, ns.atom, 'published')
  return state.page({
    source: { site: state.blogId, id },
    title: plainText(rawTextOf(entry, ns.atom, 'title')),
    slug: url === null ? null : slugFromPath(url),
    body: legacyBody(entry, state),
    excerpt: plainText(rawTextOf(entry, ns.atom, 'summary')) || null,
    status: isDraft(entry) ? 'draft' : 'published',
    createdAt: published,
    updatedAt: entryTime(entry, ns.atom, 'updated')
  })
}

function isDraft (entry: XmlElement): boolean {
  return textOf(childOf(entry, ns.app, 'control') ?? entry, ns.app, 'draft') === 'yes'
}

/** The content as Blogger showed it: with BLOG_CONVERT_LINE_BREAKS, its newlines were line breaks. */
function legacyBody (entry: XmlElement, state: BloggerFeedState): string {
  const body = rawTextOf(entry, ns.atom, 'content')
  return state.convertLineBreaks ? lineBreaksToBr(body) : body
}

/** Legacy authors are keyed by their profile number, else their URI, else their name. */
function profileKey (author: EntryAuthor): string {
  return /\/profile\/(\d+)/.exec(author.uri)?.[1] ?? (author.uri !== '' ? author.uri : author.name)
}

function legacyComment (entry: XmlElement, id: string, state: BloggerFeedState): ImportRecord {
  const articleSourceId = commentedPost(entry, state)
  if (articleSourceId === null) return skip('comment', id, 'no post named in thr:in-reply-to')
  const skipped = state.commentOnSkippedPost(id, articleSourceId)
  if (skipped !== null) return skipped
  const createdAt = entryTime(entry, ns.atom, 'published') ?? entryTime(entry, ns.atom, 'updated')
  if (createdAt === null) return skip('comment', id, 'no date')
  const author = entryAuthor(entry)
  return {
    kind: 'comment',
    source: { site: state.blogId, id },
    articleSourceId,
    parentSourceId: parentComment(entry, id),
    authorName: author === null || author.name === '' ? 'Anonymous' : author.name,
    authorEmail: author?.email ?? null,
    authorUrl: author === null || author.uri === '' ? null : author.uri,
    body: rawTextOf(entry, ns.atom, 'content'),
    status: contentRemoved(entry) ? 'rejected' : 'approved',
    createdAt
  } satisfies ImportedComment
}

/** `thr:in-reply-to/@ref`, else the post id in the comment's edit link (`/feeds/BLOG/POST/comments/…`). */
function commentedPost (entry: XmlElement, state: BloggerFeedState): string | null {
  const ref = childOf(entry, ns.thr, 'in-reply-to')?.attributes.ref?.trim() ?? ''
  if (ref !== '') return ref
  const edit = entry.children.find((child) => child.local === 'link' && child.attributes.rel === 'edit')?.attributes.href ?? ''
  const postNumber = /\/feeds\/\d+\/(\d+)\/comments\//.exec(edit)?.[1]
  return postNumber === undefined || state.blogId === '' ? null : `tag:blogger.com,1999:blog-${state.blogId}.post-${postNumber}`
}

/** Legacy threading: a `related` link ending `/comments/default/PARENTID` names the parent comment. */
function parentComment (entry: XmlElement, id: string): string | null {
  const related = entry.children.find((child) => child.uri === ns.atom && child.local === 'link' && child.attributes.rel === 'related')
  const parent = /\/comments\/default\/(\d+)\/?$/.exec(related?.attributes.href ?? '')?.[1]
  return parent === undefined ? null : fullCommentId(parent, id)
}

function contentRemoved (entry: XmlElement): boolean {
  return childrenOf(entry, ns.gd, 'extendedProperty').some((property) => property.attributes.name === 'blogger.contentRemoved' && property.attributes.value === 'true')
}
