import type { ImportedComment, ImportRecord } from '../records.js'
import { skip } from './context.js'
import { ns } from './namespaces.js'
import { autop, plainText, realEmail } from './text.js'
import { utcFromWxrGmt } from './timestamps.js'
import { localTime, type WxrState } from './wxr-state.js'
import { childrenOf, rawTextOf, textOf, type XmlElement } from './xml-tree.js'

// The `wp:comment`s of one WXR item. Threads are given by comment_parent, an id within the
// same post; the importer links them once the file is read.

export function * itemComments (item: XmlElement, articleId: string, state: WxrState, articleSkipped: string | null): Generator<ImportRecord> {
  for (const element of childrenOf(item, ns.wp, 'comment')) {
    const id = textOf(element, ns.wp, 'comment_id')
    if (articleSkipped !== null) yield skip('comment', id === '' ? null : id, `its article was skipped (${articleSkipped})`)
    else yield comment(element, id, articleId, state)
  }
}

const commentStatuses: Record<string, ImportedComment['status']> = {
  1: 'approved',
  0: 'pending',
  spam: 'spam',
  trash: 'rejected',
  'post-trashed': 'rejected'
}

/** A comment. The commenter's IP address (comment_author_IP) is never read. */
function comment (element: XmlElement, id: string, articleSourceId: string, state: WxrState): ImportRecord {
  if (id === '') return skip('comment', null, `comment without wp:comment_id (line ${element.line})`)
  const type = textOf(element, ns.wp, 'comment_type')
  if (type === 'pingback' || type === 'trackback') return skip('comment', id, 'pingback/trackback')
  if (type !== '' && type !== 'comment') return skip('comment', id, `comment type ${type}`)
  const createdAt = utcFromWxrGmt(textOf(element, ns.wp, 'comment_date_gmt')) ?? localTime(textOf(element, ns.wp, 'comment_date'), state).at
  if (createdAt === null) return skip('comment', id, 'no date')
  const parent = textOf(element, ns.wp, 'comment_parent')
  const url = textOf(element, ns.wp, 'comment_author_url')
  return {
    kind: 'comment',
    source: { site: state.site, id },
    articleSourceId,
    parentSourceId: parent === '' || parent === '0' ? null : parent,
    authorName: plainText(rawTextOf(element, ns.wp, 'comment_author')) || 'Anonymous',
    authorEmail: realEmail(textOf(element, ns.wp, 'comment_author_email')),
    authorUrl: url === '' ? null : url,
    body: autop(rawTextOf(element, ns.wp, 'comment_content')),
    status: commentStatuses[textOf(element, ns.wp, 'comment_approved')] ?? 'pending',
    createdAt
  } satisfies ImportedComment
}
