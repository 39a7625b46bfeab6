import { type ImportedArticle, type ImportedAuthor, type ImportedComment, type ImportedPage, type ImportRecord, MalformedImportError, type SkippedRow } from '../records.js'
import { liveStatus, type ReadContext, type RecordBatches, skip } from './context.js'
import { positionIn } from './markup-guard.js'
import { BloggerState, pageStatus } from './blogger-common.js'
import { avatarUrl, distinct, plainText, slugFromPath } from './text.js'
import { utcFromRfc3339 } from './timestamps.js'

// Blogger API v3 dumps (mapping guide §6): `posts.list` / `comments.list` / `pages.list`
// responses, a bare array of posts, comments or pages, or a single one. These dumps are small
// (500 posts a page), so the document is read whole, within a cap.

const maxJsonChars = 64 * 1024 * 1024

type JsonObject = Record<string, unknown>

export async function * readBloggerApi (texts: AsyncIterable<string>, context: ReadContext): RecordBatches {
  const state = new BloggerState(context)
  yield topLevelItems(parseDump(await readWhole(texts))).flatMap((item) => [...apiItem(item, state)])
}

async function readWhole (texts: AsyncIterable<string>): Promise<string> {
  const pieces: string[] = []
  let length = 0
  for await (const text of texts) {
    length += text.length
    if (length > maxJsonChars) throw new MalformedImportError('too large for a JSON dump; split it into pages of at most 64 MB, or export it as NDJSON')
    pieces.push(text)
  }
  return pieces.join('')
}

/**
 * JSON.parse, with ids written as bare numbers quoted first: Blogger ids are 64-bit (and
 * some 20 digits), beyond what a JS number keeps exactly.
 */
function parseDump (text: string): unknown {
  const safe = text.replace(/(?<!\\)("(?:id|totalItems)"\s*:\s*)(-?\d{16,})(?=\s*[,}\]])/g, '$1"$2"')
  try {
    return JSON.parse(safe)
  } catch (error) {
    const offset = Number(/position (\d+)/.exec(String(error))?.[1] ?? NaN)
    const { line, column } = Number.isNaN(offset) ? { line: null, column: null } : positionIn(safe, offset, 1, 1)
    throw new MalformedImportError(`not valid JSON (${(error as Error).message.replace(/ in JSON at position \d+.*$/, '')})`, line, column)
  }
}

function isObject (value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** A string field (numbers stringified); '' when absent. */
function stringOf (value: unknown): string {
  if (typeof value === 'string') return value
  return typeof value === 'number' ? String(value) : ''
}

function field (value: unknown, ...path: string[]): unknown {
  let current = value
  for (const key of path) current = isObject(current) ? current[key] : undefined
  return current
}

/** The posts, comments and pages of the dump, lists unpacked. */
function topLevelItems (document: unknown): unknown[] {
  const values = Array.isArray(document) ? document : [document]
  return values.flatMap((value, index) => {
    const kind = stringOf(field(value, 'kind'))
    if (!kind.startsWith('blogger#')) {
      const where = Array.isArray(document) ? `element ${index} of the array` : 'the JSON object'
      throw new MalformedImportError(`not a Blogger API dump: ${where} has no "kind": "blogger#…"`)
    }
    if (!kind.endsWith('List')) return [value]
    const items = field(value, 'items')
    return Array.isArray(items) ? items : []
  })
}

function * apiItem (item: unknown, state: BloggerState): Generator<ImportRecord> {
  const kind = stringOf(field(item, 'kind'))
  const id = stringOf(field(item, 'id'))
  if (kind === 'blogger#post' && isObject(item)) yield * apiPost(item, id, state)
  else if (kind === 'blogger#comment' && isObject(item)) yield apiComment(item, id, '', state)
  else if (kind === 'blogger#page' && isObject(item)) yield apiPage(item, id, state)
  else yield skip('other', id === '' ? null : id, kind === '' ? 'not a Blogger API object' : `kind ${kind} is not content`)
}

function * apiPost (post: JsonObject, id: string, state: BloggerState): Generator<ImportRecord> {
  if (id === '') {
    yield skip('article', null, 'post without an id')
    return
  }
  // Without view=ADMIN the API gives no status: those posts are the public, live ones.
  const status = stringOf(post.status).toUpperCase() || 'LIVE'
  if (status === 'SOFT_TRASHED' || stringOf(post.trashed) !== '') {
    yield state.skipPost('article', id, 'trashed')
    yield * replies(post, id, state)
    return
  }
  const authorSourceId = yield * apiAuthor(post, state)
  yield apiArticle(post, id, status, authorSourceId, state)
  yield * replies(post, id, state)
}

/** A page (`url` ending `/p/slug.html`): published when LIVE, a draft when DRAFT; trashed ones are skipped. */
function apiPage (page: JsonObject, id: string, state: BloggerState): ImportedPage | SkippedRow {
  if (id === '') return skip('page', null, 'page without an id')
  // As for posts: without view=ADMIN there is no status, and the pages listed are the live ones.
  const status = stringOf(page.status).toUpperCase() || 'LIVE'
  if (status === 'SOFT_TRASHED' || stringOf(page.trashed) !== '') return state.skipPost('page', id, 'trashed')
  const published = utcFromRfc3339(stringOf(page.published))
  const url = stringOf(page.url).trim()
  return state.page({
    source: { site: blogOf(page), id },
    title: plainText(stringOf(page.title)),
    slug: url === '' ? null : slugFromPath(url),
    body: stringOf(page.content),
    excerpt: null,
    ...pageStatus(status),
    createdAt: published,
    updatedAt: utcFromRfc3339(stringOf(page.updated))
  })
}

/** Comments embedded in a post (`replies.items`, when fetched with maxComments). */
function * replies (post: JsonObject, postId: string, state: BloggerState): Generator<ImportRecord> {
  const items = field(post, 'replies', 'items')
  if (!Array.isArray(items)) return
  for (const item of items) {
    if (isObject(item)) yield apiComment(item, stringOf(item.id), postId, state)
  }
}

function * apiAuthor (post: JsonObject, state: BloggerState): Generator<ImportedAuthor, string | null> {
  const author = field(post, 'author')
  if (!isObject(author)) return null
  const name = plainText(stringOf(author.displayName))
  const url = stringOf(author.url).trim()
  const id = stringOf(author.id) || url || name
  if (id === '') return null
  const record = state.newAuthor({
    kind: 'author',
    source: { site: blogOf(post), id },
    name: name === '' ? 'Anonymous' : name,
    slug: null,
    email: null,
    bio: null,
    avatarUrl: avatarUrl(stringOf(field(author, 'image', 'url'))),
    url: url === '' ? null : url
  })
  if (record !== null) yield record
  return id
}

function blogOf (item: JsonObject): string {
  return stringOf(field(item, 'blog', 'id'))
}

function apiArticle (post: JsonObject, id: string, sourceStatus: string, authorSourceId: string | null, state: BloggerState): ImportedArticle {
  const published = utcFromRfc3339(stringOf(post.published))
  const { status, notes } = apiStatus(sourceStatus, published, state.context)
  if (typeof post.content !== 'string') notes.push('no body in the dump (fetched with fetchBodies=false?)')
  const url = stringOf(post.url).trim()
  const labels = Array.isArray(post.labels) ? post.labels.map((label) => plainText(stringOf(label))) : []
  return {
    kind: 'article',
    source: { site: blogOf(post), id },
    title: plainText(stringOf(post.title)),
    slug: url === '' ? null : slugFromPath(url),
    body: stringOf(post.content),
    excerpt: null,
    status,
    publishedAt: status === 'draft' ? null : published,
    createdAt: published,
    updatedAt: utcFromRfc3339(stringOf(post.updated)),
    labels: distinct(labels),
    authorSourceId,
    sourceUrl: url === '' ? null : url,
    notes
  }
}

function apiStatus (sourceStatus: string, published: string | null, context: ReadContext): Pick<ImportedArticle, 'status' | 'notes'> {
  if (sourceStatus === 'DRAFT') return { status: 'draft', notes: [] }
  if (sourceStatus !== 'LIVE' && sourceStatus !== 'SCHEDULED') return { status: 'draft', notes: [`unknown status "${sourceStatus}" in source: imported as a draft`] }
  if (published === null) return { status: 'draft', notes: [`status ${sourceStatus} in source but no publication date: imported as a draft`] }
  return { status: liveStatus(published, context), notes: [] }
}

const commentStatuses: Record<string, ImportedComment['status']> = { LIVE: 'approved', PENDING: 'pending', SPAM: 'spam', EMPTIED: 'rejected' }

function apiComment (comment: JsonObject, id: string, postId: string, state: BloggerState): ImportRecord {
  if (id === '') return skip('comment', null, 'comment without an id')
  const articleSourceId = stringOf(field(comment, 'post', 'id')) || postId
  if (articleSourceId === '') return skip('comment', id, 'no post named in post.id')
  const onSkippedPost = state.commentOnSkippedPost(id, articleSourceId)
  if (onSkippedPost !== null) return onSkippedPost
  const createdAt = utcFromRfc3339(stringOf(comment.published)) ?? utcFromRfc3339(stringOf(comment.updated))
  if (createdAt === null) return skip('comment', id, 'no date')
  const author = isObject(comment.author) ? comment.author : {}
  const parent = stringOf(field(comment, 'inReplyTo', 'id'))
  const url = stringOf(author.url).trim()
  return {
    kind: 'comment',
    source: { site: blogOf(comment), id },
    articleSourceId,
    parentSourceId: parent === '' ? null : parent,
    authorName: plainText(stringOf(author.displayName)) || 'Anonymous',
    authorEmail: null,
    authorUrl: url === '' ? null : url,
    body: stringOf(comment.content),
    // Without view=ADMIN there is no status: the public comments are the published ones.
    status: commentStatuses[stringOf(comment.status).toUpperCase() || 'LIVE'] ?? 'pending',
    createdAt
  } satisfies ImportedComment
}
