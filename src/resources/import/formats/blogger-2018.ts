import type { ImportedArticle, ImportedComment, ImportedPage, ImportRecord, SkippedRow } from '../records.js'
import { alternateLink, type BloggerFeedState, emitAuthor, emitThumbnail, type EntryAuthor, entryAuthor, entryTime, fullCommentId, pageStatus } from './blogger-common.js'
import { liveStatus, skip } from './context.js'
import { ns } from './namespaces.js'
import { distinct, plainText, slugFromPath } from './text.js'
import { childrenOf, rawTextOf, textOf, type XmlElement } from './xml-tree.js'

// One entry of a Blogger export in the 2018 schema (Takeout `feed.atom`, mapping guide §3):
// `blogger:type` says what the entry is and `blogger:status` where it stands.

const kindScheme = 'http://schemas.google.com/g/2005#kind'

export function * entry2018 (entry: XmlElement, id: string, state: BloggerFeedState): Generator<ImportRecord> {
  const type = textOf(entry, ns.blogger2018, 'type').toUpperCase()
  if (type === 'POST') yield * post2018(entry, id, state)
  else if (type === 'COMMENT') yield comment2018(entry, id, state)
  else if (type === 'PAGE') yield page2018(entry, id, state)
  else yield skip('other', id, type === '' ? 'not content' : `entry type ${type}`)
}

function entryStatus (entry: XmlElement): string {
  // A trashed entry may keep its old status and carry only the trashing time.
  if (textOf(entry, ns.blogger2018, 'trashed') !== '') return 'SOFT_TRASHED'
  return textOf(entry, ns.blogger2018, 'status').toUpperCase()
}

function * post2018 (entry: XmlElement, id: string, state: BloggerFeedState): Generator<ImportRecord> {
  const status = entryStatus(entry)
  if (status === 'SOFT_TRASHED') {
    yield state.skipPost('article', id, 'trashed')
    return
  }
  const authorSourceId = yield * emitAuthor(state, entryAuthor(entry), uriOrName)
  const featured = yield * emitThumbnail(entry, state, authorSourceId)
  yield { ...article2018(entry, id, status, authorSourceId, state), ...featured }
}

/** A page (`blogger:filename` `/p/slug.html`): published when LIVE, a draft when DRAFT (pages have no schedule). */
function page2018 (entry: XmlElement, id: string, state: BloggerFeedState): ImportedPage | SkippedRow {
  const status = entryStatus(entry)
  if (status === 'SOFT_TRASHED') return state.skipPost('page', id, 'trashed')
  const published = entryTime(entry, ns.atom, 'published')
  const filename = textOf(entry, ns.blogger2018, 'filename')
  return state.page({
    source: { site: state.blogId, id },
    title: plainText(rawTextOf(entry, ns.atom, 'title')),
    slug: filename === '' ? null : slugFromPath(filename),
    body: rawTextOf(entry, ns.atom, 'content'),
    excerpt: plainText(rawTextOf(entry, ns.blogger2018, 'metaDescription')) || null,
    ...pageStatus(status),
    createdAt: entryTime(entry, ns.blogger2018, 'created') ?? published,
    updatedAt: entryTime(entry, ns.atom, 'updated')
  })
}

function article2018 (entry: XmlElement, id: string, sourceStatus: string, authorSourceId: string | null, state: BloggerFeedState): ImportedArticle {
  const published = entryTime(entry, ns.atom, 'published')
  const filename = textOf(entry, ns.blogger2018, 'filename')
  const { status, notes } = articleStatus(sourceStatus, published, state)
  return {
    kind: 'article',
    source: { site: state.blogId, id },
    title: plainText(rawTextOf(entry, ns.atom, 'title')),
    slug: filename === '' ? null : slugFromPath(filename),
    body: rawTextOf(entry, ns.atom, 'content'),
    excerpt: plainText(rawTextOf(entry, ns.blogger2018, 'metaDescription')) || null,
    status,
    publishedAt: status === 'draft' ? null : published,
    createdAt: entryTime(entry, ns.blogger2018, 'created') ?? published,
    updatedAt: entryTime(entry, ns.atom, 'updated'),
    labels: distinct(childrenOf(entry, ns.atom, 'category').filter((category) => category.attributes.scheme !== kindScheme).map((category) => plainText(category.attributes.term ?? ''))),
    authorSourceId,
    sourceUrl: alternateLink(entry) ?? (filename === '' ? null : filename),
    notes
  }
}

function articleStatus (sourceStatus: string, published: string | null, state: BloggerFeedState): Pick<ImportedArticle, 'status' | 'notes'> {
  if (sourceStatus === 'DRAFT') return { status: 'draft', notes: [] }
  if (published === null) return { status: 'draft', notes: [`status ${sourceStatus} in source but no publication date: imported as a draft`] }
  if (sourceStatus === 'LIVE' || sourceStatus === 'SCHEDULED') return { status: liveStatus(published, state.context), notes: [] }
  return { status: 'draft', notes: [`unknown status "${sourceStatus}" in source: imported as a draft`] }
}

/** 2018-schema authors are keyed by their profile URI, else by name (mapping guide §3). */
function uriOrName (author: EntryAuthor): string {
  return author.uri !== '' ? author.uri : author.name
}

function comment2018 (entry: XmlElement, id: string, state: BloggerFeedState): ImportRecord {
  const articleSourceId = textOf(entry, ns.blogger2018, 'parent')
  if (articleSourceId === '') return skip('comment', id, 'no post named in blogger:parent')
  const status = entryStatus(entry)
  if (status === 'SOFT_TRASHED') return skip('comment', id, 'trashed')
  const skipped = state.commentOnSkippedPost(id, articleSourceId)
  if (skipped !== null) return skipped
  const createdAt = entryTime(entry, ns.atom, 'published') ?? entryTime(entry, ns.atom, 'updated')
  if (createdAt === null) return skip('comment', id, 'no date')
  const author = entryAuthor(entry)
  const inReplyTo = textOf(entry, ns.blogger2018, 'inReplyTo')
  return {
    kind: 'comment',
    source: { site: state.blogId, id },
    articleSourceId,
    parentSourceId: inReplyTo === '' ? null : fullCommentId(inReplyTo, id),
    authorName: author === null || author.name === '' ? 'Anonymous' : author.name,
    authorEmail: author?.email ?? null,
    authorUrl: author === null || author.uri === '' ? null : author.uri,
    body: rawTextOf(entry, ns.atom, 'content'),
    // Only LIVE was seen in real files; anything else waits for moderation (mapping guide §3).
    status: status === 'LIVE' ? 'approved' : 'pending',
    createdAt
  } satisfies ImportedComment
}
